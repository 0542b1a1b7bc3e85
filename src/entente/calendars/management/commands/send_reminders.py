"""`entente send_reminders`: send the agenda reminders now due (run it every 5 minutes).

Meant for cron (``*/5 * * * * entente send_reminders``) or a systemd timer. Running it twice,
late or concurrently never reminds anyone twice; it prints how many e-mails were sent.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from entente.calendars.reminders import send_due_reminders


class Command(BaseCommand):
    help = "Envoie par e-mail les rappels d'évènements arrivés à échéance (toutes les 5 minutes)."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_due_reminders()
        self.stdout.write(f"{sent} rappel(s) envoyé(s).")
