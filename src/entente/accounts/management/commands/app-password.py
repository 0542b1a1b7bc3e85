"""`entente app-password EMAIL --name NAME`: create an app password and print it once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from entente.accounts.app_passwords import do_create_app_password
from entente.accounts.models import User


class Command(BaseCommand):
    help = (
        "Crée un mot de passe d'application pour une personne et l'affiche une seule fois "
        "(sur la sortie standard, seul sur sa ligne ; les explications vont sur la sortie "
        "d'erreur, pour qu'un script puisse le récupérer tel quel)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="adresse e-mail de la personne")
        parser.add_argument(
            "--name",
            required=True,
            help="nom du mot de passe, par exemple « Agenda du téléphone »",
        )

    def handle(self, *args, email: str, name: str, **options) -> None:
        person = User.objects.filter(email__iexact=email.strip()).first()
        if person is None:
            raise CommandError(f"Aucune personne n'a l'adresse e-mail « {email} ».")
        if not person.is_active:
            raise CommandError(
                f"Le compte de {person} ({person.email}) est désactivé : réactivez-le avant de "
                "lui créer un mot de passe d'application."
            )
        try:
            app_password, secret = do_create_app_password(None, person, name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stderr.write(
            f"Mot de passe d'application « {app_password.name} » créé pour {person} "
            f"(identifiant : {person.email}). Il ne sera plus jamais affiché :"
        )
        self.stdout.write(secret)
