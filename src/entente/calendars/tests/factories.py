"""factory_boy factories for calendars and resources, and helpers making events through the
use cases (events are never made by hand in the core's tests)."""

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import factory
from django.db import models
from django.utils import timezone

from entente.calendars import services
from entente.calendars.models import (
    Calendar,
    CalendarKind,
    Event,
    Occurrence,
    Resource,
    ResourceKind,
)
from entente.calendars.services import EventData
from entente.organisations.tests.factories import OrganisationFactory


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    kind = ResourceKind.ROOM
    name = factory.Sequence(lambda n: f"Salle {n}")
    capacity = 12

    @factory.post_generation
    def calendar(self, create, extracted, **kwargs):
        if create:
            Calendar.objects.get_or_create(
                resource=self,
                defaults={
                    "kind": CalendarKind.RESOURCE,
                    "organisation": self.organisation,
                    "name": self.name,
                },
            )


class CalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Calendar

    kind = CalendarKind.PERSONAL
    name = factory.Sequence(lambda n: f"Agenda {n}")
    owner = None
    organisation = factory.LazyAttribute(lambda o: o.owner.organisation if o.owner else None)


# --- helpers for the tests of the agenda core ------------------------------------------------

#: the zone of most of the territory
PARIS = ZoneInfo("Europe/Paris")
#: a year within the expansion horizon whose two changes of time are still ahead
YEAR = timezone.now().year + 1


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    """A Paris wall-clock time, as an aware datetime."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def last_sunday(year: int, month: int) -> dt.date:
    """The day Europe changes time (last Sunday of March and of October)."""
    day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def event_data(
    start: dt.datetime | None = None, minutes: int = 60, title: str = "Réunion", **fields: Any
) -> EventData:
    """What a person would fill in: one hour from ``start`` (next year, 3 March, 10:00)."""
    start = start or paris(YEAR, 3, 3, 10)
    fields.setdefault("end", start + dt.timedelta(minutes=minutes))
    return EventData(title=title, start=start, **fields)


def make_event(
    actor: Any,
    start: dt.datetime | None = None,
    minutes: int = 60,
    *,
    calendar: Calendar | None = None,
    notify: bool = False,
    **fields: Any,
) -> Event:
    """An event made through the use case, in ``actor``'s main calendar by default."""
    calendar = calendar or services.default_calendar(actor)
    return services.create_event(
        actor, calendar, event_data(start, minutes, **fields), notify=notify
    )


def local_starts(event: Event) -> list[dt.datetime]:
    """The stored instances of ``event``'s series, as wall-clock times of its zone."""
    rows = Occurrence.objects.filter(
        models.Q(event=event.series) | models.Q(event__master=event.series)
    ).order_by("start")
    tz = ZoneInfo(event.tzid)
    return [row.start.astimezone(tz).replace(tzinfo=None) for row in rows]
