"""Bookable resources (rooms, vehicles, equipment): their calendars, when they are taken, and
booking them without ever booking one twice, even under concurrent requests.

``services`` calls ``lock_resources`` then ``check_rooms`` inside the transaction that writes
an event; pages and the API ask ``free_rooms`` and ``resource_busy``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from entente.audit.models import EventKind
from entente.audit.services import record
from entente.calendars import formatting
from entente.calendars.models import (
    COLOURS,
    Attendee,
    Calendar,
    CalendarKind,
    Event,
    Occurrence,
    PartStat,
    Resource,
    ResourceKind,
)
from entente.calendars.recurrence import horizon, instances, zone
from entente.core.permissions import require, visible


class RoomUnavailable(ValidationError):
    """A resource is already booked at that time; ``free_rooms`` lists rooms free instead."""

    def __init__(self, message: str, conflicts: list[Resource], free_rooms: list[Resource]):
        super().__init__(message, code="room_unavailable")
        self.conflicts = conflicts
        self.free_rooms = free_rooms


def save_resource(actor: Any, data: dict[str, Any], resource: Resource | None = None) -> Resource:
    """Create or change a bookable resource of the actor's organisation, with its calendar."""
    if resource is None:
        require(actor, "create", Resource)
        resource = Resource(organisation_id=actor.organisation_id)
    else:
        require(actor, "manage", resource)
    for name in ("kind", "name", "location", "capacity", "equipment", "bookable_by_territory"):
        if name in data:
            setattr(resource, name, data[name])
    if "is_active" in data:
        resource.is_active = data["is_active"]
    resource.full_clean()
    created = resource.pk is None
    with transaction.atomic():
        resource.save()
        calendar, _new = Calendar.objects.get_or_create(
            resource=resource,
            defaults={
                "kind": CalendarKind.RESOURCE,
                "organisation_id": resource.organisation_id,
                "name": resource.name,
                "colour": COLOURS[2][0],
            },
        )
        if calendar.name != resource.name:
            calendar.name = resource.name
            calendar.save(update_fields=["name"])
        record(
            EventKind.RESOURCE_CREATED if created else EventKind.RESOURCE_UPDATED,
            actor=actor,
            target=resource,
        )
    return resource


def resource_busy(
    resources: list[Resource],
    intervals: list[tuple[dt.datetime, dt.datetime]],
    exclude_series: Event | None = None,
) -> dict[int, list[Occurrence]]:
    """The occurrences that keep each resource busy during any of ``intervals``.

    A resource is taken by the occurrences of the events that book it (an attendee row that
    did not decline, on the event itself: an overridden instance carries its own) and by the
    events of its own calendar. A booking takes the room even when its organiser shows the
    time as free: the organiser's transparency says nothing about the room being used.
    ``exclude_series`` leaves out a series (master and overrides) being changed.
    """
    if not resources or not intervals:
        return {}
    low = min(start for start, _end in intervals)
    high = max(end for _start, end in intervals)
    ids = [r.pk for r in resources]
    booked = Attendee.objects.filter(resource_id__in=ids).exclude(partstat=PartStat.DECLINED)
    rows = Occurrence.objects.filter(start__lt=high, end__gt=low).filter(
        Q(event_id__in=booked.values("event_id")) | Q(calendar__resource_id__in=ids)
    )
    if exclude_series is not None:
        series = exclude_series.series
        rows = rows.exclude(Q(event_id=series.pk) | Q(event__master_id=series.pk))
    rows = [
        row
        for row in rows.select_related("event", "calendar")
        if any(row.start < end and row.end > start for start, end in intervals)
    ]
    holders: dict[int, set[int]] = {}
    for event_id, resource_id in booked.filter(
        event_id__in={row.event_id for row in rows}
    ).values_list("event_id", "resource_id"):
        holders.setdefault(event_id, set()).add(resource_id)
    by_resource: dict[int, list[Occurrence]] = {}
    for row in rows:
        taken = set(holders.get(row.event_id, ()))
        if row.calendar.resource_id in ids:
            taken.add(row.calendar.resource_id)
        for resource_id in taken:
            by_resource.setdefault(resource_id, []).append(row)
    return by_resource


def free_rooms(
    actor: Any,
    intervals: list[tuple[dt.datetime, dt.datetime]],
    exclude_series: Event | None = None,
    limit: int = 5,
) -> list[Resource]:
    """Rooms ``actor`` may book that are free during all of ``intervals``, own ones first."""
    rooms = list(
        visible(actor, Resource)
        .filter(kind=ResourceKind.ROOM, is_active=True)
        .select_related("organisation")
    )
    busy = resource_busy(rooms, intervals, exclude_series)
    rooms = [r for r in rooms if r.pk not in busy]
    rooms.sort(key=lambda r: (r.organisation_id != actor.organisation_id, r.name))
    return rooms[:limit]


def booked_resources(calendar: Calendar, resources: list[Resource]) -> list[Resource]:
    """The resources an event of ``calendar`` takes: those it books, and the resource whose own
    calendar it is in (an event written straight into a room's calendar takes the room)."""
    if calendar.kind == CalendarKind.RESOURCE and calendar.resource_id:
        if calendar.resource_id not in {r.pk for r in resources}:
            return [*resources, calendar.resource]
    return resources


def lock_resources(resources: list[Resource]) -> None:
    """Serialise bookings of these resources: call inside the transaction that checks and
    writes the booking, before the conflict query.

    PostgreSQL: row locks, taken in a fixed order (no deadlock between two bookings of the
    same rooms); the second booking waits for the first to commit, and its conflict query,
    a new statement under READ COMMITTED, then sees it. SQLite: the whole transaction
    already holds the database's single write lock (``transaction_mode=IMMEDIATE``).
    """
    if resources:
        list(
            Resource.objects.select_for_update()
            .filter(pk__in=[r.pk for r in resources])
            .order_by("pk")
        )


def check_rooms(
    actor: Any, event: Event, resources: list[Resource], exclude_series: Event | None
) -> None:
    """Refuse with ``RoomUnavailable`` when one of ``resources`` is taken during an instance of
    ``event``; the message names the first such instance and the rooms free instead."""
    intervals = list(instances(event, horizon()))
    busy = resource_busy(resources, intervals, exclude_series)
    if not busy:
        return
    conflicts = [r for r in resources if r.pk in busy]
    taken = [o for rows in busy.values() for o in rows]
    first = min(
        start for start, end in intervals if any(o.start < end and o.end > start for o in taken)
    )
    local = first.astimezone(zone(event.tzid))
    names = ", ".join(str(r) for r in conflicts)
    free = [r for r in free_rooms(actor, intervals, exclude_series) if r not in resources]
    message = _("« %(rooms)s » n'est pas libre le %(date)s à %(time)s.") % {
        "rooms": names,
        "date": formatting.day(local),
        "time": formatting.clock(local),
    }
    if free:
        message += " " + _("Libres à ce moment : %(free)s.") % {
            "free": ", ".join(str(r) for r in free)
        }
    else:
        message += " " + _("Aucune autre salle n'est libre à ce moment : changez d'horaire.")
    raise RoomUnavailable(message, conflicts, free)
