"""`entente audit verify --org SLUG`: recompute an organisation's audit chain."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from entente.audit.services import verify_chain
from entente.organisations.models import Organisation


class Command(BaseCommand):
    help = "Vérifie l'intégrité du journal d'audit (chaîne de hachage)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])
        parser.add_argument(
            "--org", help="identifiant court de l'organisation (sans : la plateforme)"
        )

    def handle(self, *args, action: str, org: str | None, **options) -> None:
        organisation_id = None
        label = "la plateforme"
        if org:
            organisation = Organisation.objects.filter(slug=org).first()
            if organisation is None:
                raise CommandError(f"Aucune organisation n'a l'identifiant « {org} ».")
            organisation_id, label = organisation.pk, organisation.name
        result = verify_chain(organisation_id)
        if not result.ok:
            raise CommandError(
                f"Journal de {label} : ALTÉRÉ à l'événement n°{result.broken_at} ({result.reason}) "
                f"après {result.checked} événements intacts."
            )
        self.stdout.write(f"Journal de {label} : intact ({result.checked} événements vérifiés).")
