"""``entente import-people FILE.csv --org SLUG [--dry-run] [--deactivate-missing] [--invite]``.

Creates and updates an organisation's people from a CSV file, all or nothing: when a line is
rejected nothing is written and the command exits with status 1. ``--dry-run`` prints the
same report without writing. Columns and examples: docs/fr/provisionnement.md.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from entente.organisations.models import Organisation
from entente.provisioning import services
from entente.provisioning.csvfile import read_people_file
from entente.provisioning.importing import ImportLine, ImportReport


class Command(BaseCommand):
    help = (
        "Importe les personnes d'une organisation depuis un fichier CSV (tout ou rien). "
        "Colonnes : email, prenom, nom, statut, mandat, fonction, telephone, service, admin, "
        "actif."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Fichier CSV (séparateur ; ou ,, UTF-8 de préférence)")
        parser.add_argument("--org", required=True, help="Identifiant court de l'organisation")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Afficher le rapport sans rien enregistrer",
        )
        parser.add_argument(
            "--deactivate-missing",
            action="store_true",
            help="Désactiver les personnes actives de l'organisation absentes du fichier",
        )
        parser.add_argument(
            "--invite",
            action="store_true",
            help="Envoyer une invitation par e-mail aux personnes créées (sinon aucun e-mail)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(slug=options["org"]).first()
        if organisation is None:
            raise CommandError(
                f"Aucune organisation n'a l'identifiant « {options['org']} ». Vérifiez --org."
            )
        dry_run = options["dry_run"]
        parsed = read_people_file(options["file"])
        actor = services.AutomatedActor(
            label="import CSV en ligne de commande", organisation=organisation
        )
        report = services.import_people(
            organisation,
            parsed,
            actor=actor,
            dry_run=dry_run,
            deactivate_missing=options["deactivate_missing"],
            invite=options["invite"],
            source=str(options["file"]),
        )
        self.print_report(report, str(options["file"]), int(options["verbosity"]))
        if report.error:
            raise CommandError(f"Fichier refusé, rien n'a été enregistré : {report.error}")
        if not report.ok:
            raise CommandError(
                "Des lignes sont rejetées : rien n'a été enregistré. Corrigez-les, puis relancez "
                "l'import."
            )

    def print_report(self, report: ImportReport, name: str, verbosity: int) -> None:
        write = self.stdout.write
        mode = " (simulation : rien n'est enregistré)" if report.dry_run else ""
        write(f"Import de {name} pour {report.organisation.name}{mode}")
        for warning in report.warnings:
            write(self.style.WARNING(f"Attention : {warning}"))
        if report.error:
            return
        for line in report.lines:
            if line.action == ImportLine.UNCHANGED and verbosity < 2:
                continue
            write(self.format_line(line))
        counts = report.counts
        write(
            f"Bilan : {counts['created']} créée(s), {counts['updated']} modifiée(s), "
            f"{counts['deactivated']} désactivée(s), {counts['unchanged']} inchangée(s), "
            f"{counts['rejected']} rejetée(s)."
        )
        if report.applied:
            write(self.style.SUCCESS("Import enregistré."))
        elif report.ok:
            write("Aucune ligne rejetée : relancez sans --dry-run pour enregistrer.")

    def format_line(self, line: ImportLine) -> str:
        where = f"Ligne {line.line}" if line.line is not None else "Hors fichier"
        text = f"{where} : {line.label} — {line.email or '(sans adresse)'}"
        if line.reasons:
            return self.style.ERROR(f"{text} : {' ; '.join(line.reasons)}")
        if line.note:
            return f"{text} ({line.note})"
        if line.changes and line.action != ImportLine.CREATED:
            return f"{text} ({', '.join(line.change_labels)})"
        return text
