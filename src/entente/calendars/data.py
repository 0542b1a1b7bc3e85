"""What an event is made of, whatever door it came through (a form, the API, an .ics file)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from entente.calendars.models import DEFAULT_TZID, Event, EventStatus, Privacy


@dataclass
class EventFields:
    """The fields of an event stored as they are on an ``Event`` row (times in UTC)."""

    title: str
    start: dt.datetime
    end: dt.datetime
    all_day: bool = False
    tzid: str = DEFAULT_TZID
    description: str = ""
    location: str = ""
    rrule: str = ""
    #: starts (UTC, ISO 8601) of the instances removed from the series
    exdates: list[str] = field(default_factory=list)
    privacy: str = Privacy.PUBLIC
    busy: bool = True
    status: str = EventStatus.CONFIRMED
    visio_url: str = ""
    #: minutes before the start
    reminders: list[int] = field(default_factory=list)

    def copy_to(self, event: Event, exclude: Iterable[str] = ()) -> None:
        """Set these fields on ``event`` (all but ``exclude``)."""
        skipped = set(exclude)
        for item in fields(EventFields):
            if item.name not in skipped:
                setattr(event, item.name, getattr(self, item.name))
