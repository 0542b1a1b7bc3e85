"""`entente demo [--password PW]`: load the demo territory and print how to sign in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from entente.accounts.models import User
from entente.core.demo import DEMO_PASSWORD, DemoConflict, DemoResult, load_demo
from entente.core.demo.data import DEMO_TOTP_SECRET, TERRITORY_NAME

WHAT = (
    ("organisations", "organisation", "organisations"),
    ("people", "personne", "personnes"),
    ("services", "service", "services"),
    ("groups", "groupe", "groupes"),
    ("resources", "salle ou ressource", "salles et ressources"),
    ("events", "évènement", "évènements"),
    ("spaces", "espace", "espaces"),
    ("documents", "document", "documents"),
)


def _counted(counts: dict[str, int]) -> str:
    parts = []
    for key, one, many in WHAT:
        count = counts.get(key, 0)
        if count:
            parts.append(f"{count} {one if count == 1 else many}")
    return ", ".join(parts)


class Command(BaseCommand):
    help = (
        "Charge le territoire de démonstration (la vallée de l'Orbelle : un syndicat, "
        "8 communes, une ville, une métropole, environ 400 personnes) et affiche des comptes "
        "pour se connecter. Relancée, la commande n'ajoute que ce qui manque."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            help=(
                "mot de passe donné à tous les comptes de démonstration, y compris ceux qui "
                f"existent déjà (sans cette option : « {DEMO_PASSWORD} » pour les comptes créés)"
            ),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "charger même quand DEBUG est désactivé (jamais sur une plateforme en service : "
                "le mot de passe des comptes de démonstration est public)"
            ),
        )

    def handle(self, *args, password: str | None, force: bool, **options) -> None:
        if not (settings.DEBUG or getattr(settings, "TESTING", False) or force):
            raise CommandError(
                "DEBUG est désactivé : cette plateforme semble en service. Le territoire de "
                "démonstration y ajouterait environ 400 comptes dont le mot de passe est public. "
                "Lancez la commande avec DEBUG=1, ou ajoutez --force si c'est vraiment voulu."
            )
        if password is not None and not password.strip():
            raise CommandError("--password : le mot de passe est vide.")
        if password is not None:
            try:
                password_validation.validate_password(password)
            except ValidationError as error:
                self.stderr.write(
                    "Attention : ce mot de passe ne respecte pas les règles de la plateforme "
                    f"({' '.join(error.messages)}). Il est tout de même appliqué."
                )
        if User._meta.db_table not in connection.introspection.table_names():
            raise CommandError(
                "La base de données n'est pas encore créée : lancez d'abord « entente migrate »."
            )
        try:
            result = load_demo(password)
        except DemoConflict as error:
            raise CommandError(f"Territoire de démonstration non chargé : {error}") from None
        self.report(result)

    def report(self, result: DemoResult) -> None:
        write = self.stdout.write
        write(f"Territoire de démonstration ({TERRITORY_NAME}) : {_counted(result.totals)}.")
        if any(result.created.values()):
            write(f"Ajouté à l'instant : {_counted(result.created)}.")
        else:
            write("Il était déjà en place : rien n'a été ajouté ni modifié.")
        if result.passwords_changed:
            write(f"Mot de passe changé pour {result.passwords_changed} comptes.")
        write("")
        write(f"Comptes de démonstration (mot de passe : {result.password})")
        header = ("Adresse e-mail", "Nom", "Rôle", "Organisation")
        rows = [
            (
                line.email,
                line.name + (" *" if line.second_factor else ""),
                line.role,
                line.organisation + ("" if line.password_works else "  (mot de passe modifié)"),
            )
            for line in result.accounts
        ]
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(3)]
        for row in [header, *rows]:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            write("  " + "  ".join([*cells, row[3]]))
        if any(line.second_factor for line in result.accounts):
            write(
                "  * double authentification : ajoutez la clé "
                f"{DEMO_TOTP_SECRET} dans une application d'authentification "
                f"(ou : oathtool --totp -b {DEMO_TOTP_SECRET}) et saisissez le code affiché."
            )
        write("")
        if not all(line.password_works for line in result.accounts):
            write(
                "Certains comptes ont un autre mot de passe : « entente demo --password "
                "MOT_DE_PASSE » le fixe pour tous."
            )
        write(f"Ouvrez {settings.SITE_URL}/ et connectez-vous avec l'une de ces adresses.")
        write(
            "Les autres personnes du territoire ont le même mot de passe ; l'administration "
            "de chaque organisation est dans /admin-org/."
        )
