"""Importing an iCalendar file into a calendar: preview first, then all or nothing.

Re-importing the same file updates the events by their UID instead of duplicating them.
Attendees are recorded as they are in the file (people of the territory matched by their
address, others as outside addresses) and nobody is sent an invitation: the import copies
an agenda, it does not organise meetings. When some items cannot be imported the import only
goes ahead once the person has seen why and confirmed (``accept_skips``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from entente.accounts.models import User
from entente.audit.models import EventKind
from entente.audit.services import record
from entente.calendars.formatting import when
from entente.calendars.ics import IcsError, ParsedCalendar, ParsedEvent, Skipped, parse_calendar
from entente.calendars.models import Attendee, Calendar, CalendarKind, Event, Role
from entente.calendars.recurrence import rebuild_occurrences
from entente.core.permissions import require, visible

MAX_IMPORT_EVENTS = 5000


@dataclass
class PreviewItem:
    uid: str
    title: str
    when: str
    action: str  # "create" or "update"
    recurring: bool
    overrides: int


@dataclass
class ImportPreview:
    items: list[PreviewItem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def to_create(self) -> int:
        return sum(1 for item in self.items if item.action == "create")

    @property
    def to_update(self) -> int:
        return sum(1 for item in self.items if item.action == "update")


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: list[Skipped] = field(default_factory=list)

    def summary(self) -> str:
        parts = [
            ngettext("%(n)s évènement ajouté", "%(n)s évènements ajoutés", self.created)
            % {"n": self.created},
            ngettext("%(n)s mis à jour", "%(n)s mis à jour", self.updated) % {"n": self.updated},
        ]
        if self.skipped:
            parts.append(
                ngettext("%(n)s ignoré", "%(n)s ignorés", len(self.skipped))
                % {"n": len(self.skipped)}
            )
        return ", ".join(parts) + "."


class SkipsNotAccepted(ValidationError):
    """Some items would be left out and the person has not confirmed it."""


def _parse(calendar: Calendar, data: bytes) -> ParsedCalendar:
    parsed = parse_calendar(data, default_tzid=calendar.tzid)
    count = len(parsed.items) + sum(len(item.overrides) for item in parsed.items)
    if count > MAX_IMPORT_EVENTS:
        raise IcsError(
            "too_many",
            _("Le fichier contient plus de %(max)s évènements : découpez-le en plusieurs.")
            % {"max": MAX_IMPORT_EVENTS},
        )
    return parsed


def preview(calendar: Calendar, data: bytes) -> ImportPreview:
    """What importing ``data`` into ``calendar`` would do; raises ``IcsError`` for a bad file.

    The caller has checked that the person may write to ``calendar``.
    """
    parsed = _parse(calendar, data)
    existing = set(
        Event.objects.filter(
            calendar=calendar, master__isnull=True, uid__in=[i.uid for i in parsed.items]
        ).values_list("uid", flat=True)
    )
    result = ImportPreview(skipped=parsed.skipped)
    for item in parsed.items:
        result.items.append(
            PreviewItem(
                uid=item.uid,
                title=item.title,
                when=when(item.start, item.end, item.tzid, item.all_day),
                action="update" if item.uid in existing else "create",
                recurring=bool(item.rrule),
                overrides=len(item.overrides),
            )
        )
    return result


def import_calendar(
    actor: Any, calendar: Calendar, data: bytes, accept_skips: bool = False
) -> ImportReport:
    """Write the events of ``data`` into ``calendar`` in one transaction.

    Raises ``IcsError`` for a bad file (nothing written), ``SkipsNotAccepted`` when items would
    be left out and ``accept_skips`` is false (nothing written).
    """
    require(actor, "write", calendar)
    parsed = _parse(calendar, data)
    if parsed.skipped and not accept_skips:
        raise SkipsNotAccepted(
            ngettext(
                "%(n)s élément du fichier ne peut pas être importé : vérifiez l'aperçu et "
                "confirmez pour importer le reste.",
                "%(n)s éléments du fichier ne peuvent pas être importés : vérifiez l'aperçu et "
                "confirmez pour importer le reste.",
                len(parsed.skipped),
            )
            % {"n": len(parsed.skipped)},
            code="skips_not_accepted",
        )
    report = ImportReport(skipped=parsed.skipped)
    people = _people(actor, parsed)
    owner = calendar.owner if calendar.kind == CalendarKind.PERSONAL else None
    with transaction.atomic():
        for item in parsed.items:
            master, created = _write(actor, calendar, item, None, owner, people)
            if created:
                report.created += 1
            else:
                report.updated += 1
            kept = []
            for override in item.overrides:
                instance, _created = _write(actor, calendar, override, master, owner, people)
                kept.append(instance.pk)
            Event.objects.filter(master=master).exclude(pk__in=kept).delete()
            rebuild_occurrences(master)
        record(
            EventKind.CALENDAR_IMPORTED,
            actor=actor,
            target=calendar,
            organisation=calendar.organisation,
            created=report.created,
            updated=report.updated,
            skipped=len(report.skipped),
        )
    return report


def _people(actor: Any, parsed: ParsedCalendar) -> dict[str, Any]:
    """People of the territory the actor may see, by the addresses the file names."""
    addresses = {
        attendee.email
        for item in parsed.items
        for event in [item, *item.overrides]
        for attendee in event.attendees
    }
    if not addresses:
        return {}
    found = visible(actor, User).filter(email__in=addresses, is_active=True)
    return {person.email.lower(): person for person in found}


def _write(
    actor: Any,
    calendar: Calendar,
    item: ParsedEvent,
    master: Event | None,
    owner: Any,
    people: dict[str, Any],
) -> tuple[Event, bool]:
    if master is None:
        event = Event.objects.filter(calendar=calendar, uid=item.uid, master__isnull=True).first()
    else:
        event = Event.objects.filter(master=master, recurrence_id=item.recurrence_id).first()
    created = event is None
    if event is None:
        event = Event(calendar=calendar, uid=item.uid, master=master, created_by=actor)
    event.recurrence_id = item.recurrence_id
    item.copy_to(event)
    event.ical = item.ical
    event.sequence = max(event.sequence or 0, item.sequence)
    # the calendar's owner organises the events they organised; a copy of someone else's
    # meeting keeps its organiser as an address only, so editing it here invites nobody
    mine = owner is not None and item.organiser_email in ("", owner.email.lower())
    event.organiser = owner if mine else None
    event.organiser_email = item.organiser_email or (owner.email if owner else "")
    event.organiser_name = item.organiser_name or (owner.get_full_name() if owner else "")
    event.save()
    event.attendees.all().delete()
    rows = []
    for attendee in item.attendees:
        if attendee.cutype in ("ROOM", "RESOURCE"):
            continue  # rooms are booked in Entente, never by a file; LOCATION still names it
        person = people.get(attendee.email)
        rows.append(
            Attendee(
                event=event,
                user=person,
                email="" if person else attendee.email,
                name="" if person else attendee.name,
                role=attendee.role if attendee.role in Role.values else Role.REQUIRED,
                partstat=attendee.partstat,
            )
        )
    Attendee.objects.bulk_create(rows)
    return event, created
