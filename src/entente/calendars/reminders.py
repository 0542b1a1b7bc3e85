"""Reminders sent by Entente itself: the e-mails due from the events' ``reminders``.

``send_reminders`` (the management command, run every five minutes) calls
``send_due_reminders``. Who is reminded: the owner of a personal calendar, and the people of the
territory invited to the event who did not decline; never an inactive person, never for a
cancelled event. A reminder is recorded (``ReminderSent``) *before* its e-mail goes out: a run
that overlaps another or repeats a window sends nothing twice, and a crash between the two
loses a reminder rather than sending a duplicate.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from entente.calendars.formatting import when
from entente.calendars.models import (
    Attendee,
    CalendarKind,
    Event,
    EventStatus,
    Occurrence,
    PartStat,
    ReminderSent,
)
from entente.calendars.notifications import event_url
from entente.calendars.recurrence import UTC
from entente.core.mail import send_templated_mail
from entente.core.permissions import is_active_user

logger = logging.getLogger(__name__)

#: how far back a run looks by default: the command runs every 5 minutes, so two missed runs
#: are caught up; the ``ReminderSent`` rows make the overlap harmless
LOOKBACK = dt.timedelta(minutes=15)
#: records older than this (by occurrence start) can never be due again: they are pruned
KEEP_RECORDS = dt.timedelta(days=2)


@dataclass
class Due:
    """A person to remind of one occurrence, with the delays (minutes) now due for it."""

    person: Any
    occurrence: Occurrence
    minutes: list[int] = field(default_factory=list)

    @property
    def series(self) -> Event:
        return self.occurrence.event.series


def _delays_in_use() -> set[int]:
    """Every reminder delay set on an event that is not cancelled (a handful of values)."""
    found: set[int] = set()
    lists = (
        Event.objects.exclude(reminders=[])
        .exclude(status=EventStatus.CANCELLED)
        .values_list("reminders", flat=True)
        .distinct()
    )
    for values in lists:
        for value in values or []:
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                found.add(value)
    return found


def _windows(delays: Iterable[int], since: dt.datetime, now: dt.datetime) -> list[tuple]:
    """The start ranges (exclusive, inclusive] of the occurrences with a reminder due, merged."""
    ranges = sorted(
        (since + dt.timedelta(minutes=m), now + dt.timedelta(minutes=m)) for m in delays
    )
    merged: list[list[dt.datetime]] = []
    for low, high in ranges:
        if merged and low <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return [tuple(pair) for pair in merged]


def _cancelled(event: Event) -> bool:
    return event.status == EventStatus.CANCELLED or (
        event.master_id is not None and event.master.status == EventStatus.CANCELLED
    )


def due_reminders(now: dt.datetime, since: dt.datetime) -> list[Due]:
    """Who is to be reminded of what: each (person, occurrence) with a reminder time in
    (``since``, ``now``], read from the indexed occurrences. Nothing is written."""
    windows = _windows(_delays_in_use(), since, now)
    if not windows or since >= now:
        return []
    in_windows = Q()
    for low, high in windows:
        in_windows |= Q(start__gt=low, start__lte=high)
    occurrences = (
        Occurrence.objects.filter(in_windows)
        .exclude(event__reminders=[])
        .exclude(event__status=EventStatus.CANCELLED)
        .select_related("event", "event__master", "event__calendar", "event__calendar__owner")
        .order_by("start", "pk")
    )
    found: list[Due] = []
    pending: list[tuple[Occurrence, list[int]]] = []
    for occurrence in occurrences:
        event = occurrence.event
        if _cancelled(event):
            continue
        delays = sorted(
            {
                m
                for m in event.reminders or []
                if isinstance(m, int)
                and not isinstance(m, bool)
                and since < occurrence.start - dt.timedelta(minutes=m) <= now
            }
        )
        if delays:
            pending.append((occurrence, delays))
    if not pending:
        return []
    invited: dict[int, list[Any]] = {}
    attendees = (
        Attendee.objects.filter(event_id__in={o.event_id for o, _d in pending}, user__isnull=False)
        .exclude(partstat=PartStat.DECLINED)
        .select_related("user")
        .order_by("pk")
    )
    for attendee in attendees:
        invited.setdefault(attendee.event_id, []).append(attendee.user)
    for occurrence, delays in pending:
        calendar = occurrence.event.calendar
        people = []
        if calendar.kind == CalendarKind.PERSONAL and calendar.owner is not None:
            people.append(calendar.owner)
        people.extend(invited.get(occurrence.event_id, []))
        seen: set[int] = set()
        for person in people:
            if person.pk in seen or not is_active_user(person) or not person.email:
                continue
            seen.add(person.pk)
            found.append(Due(person, occurrence, list(delays)))
    return found


def _claim(due: Due) -> bool:
    """Record the reminders of ``due``; True when at least one was not recorded before."""
    claimed = False
    for minutes in due.minutes:
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    user=due.person,
                    event=due.series,
                    occurrence_start=due.occurrence.start,
                    minutes=minutes,
                )
        except IntegrityError:
            continue  # already sent by an earlier (or a concurrent) run
        claimed = True
    return claimed


def occurrence_url(occurrence: Occurrence) -> str:
    """The page of the event, at this instance for a series."""
    event = occurrence.event
    url = event_url(event.series)
    if occurrence.recurrence_id is not None:
        url += "?occurrence=" + occurrence.recurrence_id.astimezone(UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
    return url


def _send(due: Due, now: dt.datetime) -> None:
    occurrence, event = due.occurrence, due.occurrence.event
    send_templated_mail(
        "agenda_reminder",
        due.person.email,
        {
            "person": due.person,
            "event": event,
            "when": when(occurrence.start, occurrence.end, event.tzid, occurrence.all_day),
            "start": occurrence.start,
            "now": now,
            "started": occurrence.start <= now,
            "visio_url": event.visio_url
            if event.visio_url.lower().startswith(("https://", "http://"))
            else "",
            "link": occurrence_url(occurrence),
        },
    )


def send_due_reminders(now: dt.datetime | None = None, since: dt.datetime | None = None) -> int:
    """Send the reminders due in (``since``, ``now``]: one e-mail per person and occurrence.

    ``since`` defaults to ``now`` minus ``LOOKBACK``. Safe to run twice or concurrently: each
    reminder is recorded (and committed) before its e-mail is sent. Returns how many e-mails
    were sent. Call outside a transaction, so that each record commits before its e-mail.
    """
    now = now or timezone.now()
    since = since or now - LOOKBACK
    sent = 0
    for due in due_reminders(now, since):
        if not _claim(due):
            continue
        try:
            _send(due, now)
        except Exception:  # a lost reminder is better than a stopped run or a duplicate
            logger.exception(
                "reminder not sent: user %s, event %s at %s",
                due.person.pk,
                due.occurrence.event_id,
                due.occurrence.start.isoformat(),
            )
            continue
        sent += 1
    ReminderSent.objects.filter(occurrence_start__lt=now - KEEP_RECORDS).delete()
    return sent
