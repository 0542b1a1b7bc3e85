"""`entente receive_calendar_mail < message.eml`: apply an iMIP answer (METHOD:REPLY).

The mail server pipes each message sent to the answers mailbox (``CALENDAR_IMIP_ADDRESS``)
into this command. A message without a calendar answer is not an error (exit 0); a message
that cannot be read exits with 1 and a one-line reason, never a traceback.
"""

from __future__ import annotations

import email
import email.policy
import sys
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from entente.calendars import ics, itip

#: an answer is a few kilobytes; anything this large is not one
MAX_MESSAGE_BYTES = 25 * 1024 * 1024
CALENDAR_TYPES = ("text/calendar", "application/ics", "text/x-vcalendar")


def calendar_parts(message: EmailMessage) -> list[bytes]:
    """The iCalendar parts of ``message``, body alternatives and attachments alike."""
    found = []
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        name = (part.get_filename() or "").lower()
        if kind in CALENDAR_TYPES or name.endswith(".ics"):
            payload = part.get_payload(decode=True) or b""
            if payload:
                found.append(payload)
    return found


class Command(BaseCommand):
    help = "Lit un e-mail sur l'entrée standard et applique la réponse iCalendar qu'il contient."
    stealth_options = ("stdin",)

    def handle(self, *args: Any, **options: Any) -> None:
        stream = options.get("stdin") or sys.stdin.buffer
        data = stream.read(MAX_MESSAGE_BYTES + 1)
        if not data or not data.strip():
            raise CommandError("Aucun message reçu sur l'entrée standard.", returncode=1)
        if len(data) > MAX_MESSAGE_BYTES:
            raise CommandError("Message trop volumineux pour être une réponse.", returncode=1)
        try:
            message = email.message_from_bytes(data, policy=email.policy.default)
            parts = calendar_parts(message)
            senders = {
                address.lower() for _name, address in getaddresses(message.get_all("From", []))
            }
        except (ValueError, TypeError, LookupError, IndexError) as error:
            raise CommandError(f"Message illisible : {error}", returncode=1) from None
        if not parts:
            self.stdout.write("Aucune réponse d'agenda dans ce message : rien à faire.")
            return
        replies = []
        for payload in parts:
            try:
                replies.append(itip.parse_reply(payload))
            except ics.IcsError as error:
                if error.code == "not_reply":
                    continue
                raise CommandError(
                    f"Réponse d'agenda illisible : {error.message}", returncode=1
                ) from None
        if not replies:
            self.stdout.write("Ce message d'agenda n'est pas une réponse (METHOD:REPLY) : ignoré.")
            return
        reply = replies[0]
        allowed = {reply.email, reply.sent_by} - {""}
        if senders and not senders & allowed:
            self.stdout.write(
                f"Réponse ignorée : envoyée par {', '.join(sorted(senders))} "
                f"au nom de {reply.email}."
            )
            return
        with transaction.atomic():
            attendee, reason = itip.check_reply(reply)
            if attendee is not None:
                attendee = itip.apply_reply(reply)
        if attendee is None:
            self.stdout.write(f"Réponse de {reply.email} ignorée : {reason}")
            return
        self.stdout.write(
            f"Réponse de {reply.email} enregistrée : {attendee.get_partstat_display()} "
            f"pour « {attendee.event.title} »."
        )
