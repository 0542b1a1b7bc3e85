"""`entente notifications_digest`: send the daily digest of notifications (run it once a day).

Meant for cron (``0 7 * * * entente notifications_digest``) or a systemd timer: each person who
chose « résumé quotidien » gets one e-mail with their notifications of the last 24 hours not
e-mailed yet. Running it twice, late or concurrently sends nothing twice; it prints how many
e-mails were sent.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from entente.notifications.services import send_digests


class Command(BaseCommand):
    help = "Envoie le résumé quotidien des notifications à qui l'a choisi (une fois par jour)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            default="",
            help="Faire comme s'il était cette date et heure ISO 8601 (essais, rattrapage).",
        )

    def handle(self, *args: Any, as_of: str, **options: Any) -> None:
        now = timezone.now()
        if as_of:
            parsed = parse_datetime(as_of)
            if parsed is None:
                raise CommandError("--as-of : date ISO 8601 attendue (2026-01-31T07:00:00+01:00).")
            now = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        sent = send_digests(now)
        self.stdout.write(f"{sent} résumé(s) envoyé(s).")
