"""`entente drive_maintenance`: housekeeping of documents (run it once a day, or hourly).

Meant for cron (``17 3 * * * entente drive_maintenance``) or a systemd timer: purges the trash
past each organisation's retention, prunes old versions, abandons uploads untouched for 24 hours
and collects what nothing points to (blobs, pieces of uploads, temporary files) once older than
the grace period. Safe to run twice or next to live traffic; prints a French summary.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from entente.drive import maintenance


class Command(BaseCommand):
    help = (
        "Entretien des documents : corbeille, anciennes versions, envois abandonnés, "
        "contenus et fichiers temporaires orphelins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--grace-minutes",
            type=int,
            default=int(maintenance.GRACE.total_seconds() // 60),
            help="Âge minimal (en minutes) d'un objet orphelin avant de l'effacer (60 par défaut).",
        )
        parser.add_argument(
            "--as-of",
            default="",
            help="Faire comme s'il était cette date et heure ISO 8601 (essais, rattrapage).",
        )

    def handle(self, *args: Any, grace_minutes: int, as_of: str, **options: Any) -> None:
        if grace_minutes < 0:
            raise CommandError("--grace-minutes : un nombre positif ou nul.")
        now = timezone.now()
        if as_of:
            parsed = parse_datetime(as_of)
            if parsed is None:
                raise CommandError("--as-of : date ISO 8601 attendue (2026-01-31T03:00:00+01:00).")
            now = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        summary = maintenance.run(now=now, grace=dt.timedelta(minutes=grace_minutes))
        self.stdout.write(str(summary))
