"""Free/busy across organisations: busy bands per attendee, and the best slots to meet.

Busy time is read from the indexed ``Occurrence`` table (series already expanded, UTC), never
by parsing iCalendar per request:

- a person is busy during the busy occurrences of their personal calendars, and of the
  events they are invited to and did not decline (an overridden instance carries its own copy
  of the attendees; the series' answer is used when the instance has none for them);
- a resource is busy during the busy occurrences of its own calendar and of the events that
  book it (unless the booking was declined);
- an outside e-mail address has unknown availability: it is shown, it never blocks a slot.

Who may see what goes through the permission layer: ``visible(viewer, User)`` and
``visible(viewer, Resource)`` decide whose busy times may be asked for (anything else raises
``PermissionDenied``); the title of a busy band is given only for events the viewer may see
in detail (``EventRules.can_view_details``, computed here for many events at once with the
queryset twins ``calendars_at_least``); everyone else sees « Occupé ».

Cost: a fixed number of queries whatever the number of attendees (one pair per kind of
subject, three for the titles), then plain Python over sorted intervals.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.easter import easter
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.models import User
from entente.calendars.models import (
    DEFAULT_TZID,
    Attendee,
    CalendarKind,
    Occurrence,
    PartStat,
    Privacy,
    Resource,
)
from entente.calendars.permissions import calendars_at_least, invitees_filter
from entente.calendars.recurrence import UTC, ensure_expanded, zone
from entente.core.permissions import is_active_user, visible

#: whom a free/busy question is about: a person, a resource, or an outside e-mail address
Subject = User | Resource | str

MIN_DURATION = dt.timedelta(minutes=15)
MAX_DURATION = dt.timedelta(hours=8)
MAX_WINDOW = dt.timedelta(weeks=6)
MAX_SUBJECTS = 50
STEP = dt.timedelta(minutes=15)
WORKING_HOURS = (dt.time(8, 30), dt.time(18, 0))
#: Monday to Friday (``date.weekday()``)
WORKDAYS = (0, 1, 2, 3, 4)
#: at first, at most this many proposals on one day, so that several days are offered
PER_DAY = 2


@dataclass(frozen=True)
class Band:
    """A busy interval (UTC). ``title`` is ``None`` when the viewer may only know it is busy."""

    start: dt.datetime
    end: dt.datetime
    title: str | None = None


@dataclass(frozen=True)
class Slot:
    """A proposed meeting time (UTC), who is busy then, and whose availability is unknown."""

    start: dt.datetime
    end: dt.datetime
    busy: tuple[Subject, ...] = ()
    unknown: tuple[str, ...] = ()

    @property
    def everyone_free(self) -> bool:
        return not self.busy


# --- subjects ----------------------------------------------------------------------------------


def _split(
    viewer: Any, subjects: Iterable[Subject]
) -> tuple[list[User], list[Resource], list[str]]:
    """People, resources and e-mail addresses of ``subjects``, each once, in their order.

    Raises ``PermissionDenied`` when ``viewer`` may not see one of the people or resources.
    """
    people: dict[int, User] = {}
    rooms: dict[int, Resource] = {}
    externals: dict[str, str] = {}
    for subject in subjects:
        if isinstance(subject, User):
            people.setdefault(subject.pk, subject)
        elif isinstance(subject, Resource):
            rooms.setdefault(subject.pk, subject)
        elif isinstance(subject, str):
            externals.setdefault(subject.strip().lower(), subject)
        else:
            raise TypeError(f"not a free/busy subject: {subject!r}")
    if (people or rooms) and not is_active_user(viewer):
        raise PermissionDenied
    if people:
        seen = set(visible(viewer, User).filter(pk__in=people).values_list("pk", flat=True))
        if seen != set(people):
            raise PermissionDenied(
                _("Vous ne pouvez pas voir les disponibilités de ces personnes.")
            )
    if rooms:
        seen = set(visible(viewer, Resource).filter(pk__in=rooms).values_list("pk", flat=True))
        if seen != set(rooms):
            raise PermissionDenied(_("Vous ne pouvez pas voir les disponibilités de ces salles."))
    return list(people.values()), list(rooms.values()), list(externals.values())


# --- reading the occurrences -------------------------------------------------------------------

_ROW = (
    "start",
    "end",
    "event_id",
    "event__master_id",
    "event__privacy",
    "event__calendar_id",
    "event__title",
)


@dataclass
class _Piece:
    start: dt.datetime
    end: dt.datetime
    event_id: int


class _Events:
    """What is needed of each event met on the way, to decide later who sees its title."""

    def __init__(self) -> None:
        self.info: dict[int, tuple[str, int, int | None, str]] = {}

    def add(self, event_id: int, master_id: int | None, privacy: str, calendar_id: int, title: str):
        self.info[event_id] = (privacy, calendar_id, master_id, title)


def _answers(field: str, ids: list[int], event_ids: set[int]) -> dict[int, dict[int, str]]:
    """``{event_id: {user_or_resource_id: partstat}}`` for these attendees and events."""
    found: dict[int, dict[int, str]] = defaultdict(dict)
    rows = Attendee.objects.filter(**{f"{field}_id__in": ids}, event_id__in=event_ids)
    for event_id, who, partstat in rows.values_list("event_id", f"{field}_id", "partstat"):
        found[event_id][who] = partstat
    return found


def _accepting(answers: dict[int, dict[int, str]], event_id: int, master_id: int | None) -> set:
    """Who has not declined this occurrence: its own answers, else the series' ones."""
    own = answers.get(event_id, {})
    series = answers.get(master_id, {}) if master_id else {}
    holders = set()
    for who in set(own) | set(series):
        partstat = own[who] if who in own else series[who]
        if partstat != PartStat.DECLINED:
            holders.add(who)
    return holders


def _window(start: dt.datetime, end: dt.datetime) -> Any:
    return Occurrence.objects.filter(busy=True, start__lt=end, end__gt=start)


def _people_pieces(
    ids: list[int], start: dt.datetime, end: dt.datetime, events: _Events
) -> dict[int, list[_Piece]]:
    invited = Attendee.objects.filter(user_id__in=ids).exclude(partstat=PartStat.DECLINED)
    invited_events = invited.values("event_id")
    rows = list(
        _window(start, end)
        .filter(
            Q(calendar__kind=CalendarKind.PERSONAL, calendar__owner_id__in=ids)
            | Q(event_id__in=invited_events)
            | Q(event__master_id__in=invited_events)
        )
        .values_list(*_ROW, "calendar__kind", "calendar__owner_id")
    )
    met = {row[2] for row in rows} | {row[3] for row in rows if row[3]}
    answers = _answers("user", ids, met)
    wanted = set(ids)
    found: dict[int, list[_Piece]] = defaultdict(list)
    for s, e, event_id, master_id, privacy, calendar_id, title, kind, owner_id in rows:
        events.add(event_id, master_id, privacy, calendar_id, title)
        holders = _accepting(answers, event_id, master_id) & wanted
        if kind == CalendarKind.PERSONAL and owner_id in wanted:
            # their own calendar, unless it holds a copy of an invitation they declined
            mine = answers.get(event_id, {}).get(owner_id)
            if mine is None and master_id:
                mine = answers.get(master_id, {}).get(owner_id)
            if mine != PartStat.DECLINED:
                holders.add(owner_id)
        for who in holders:
            found[who].append(_Piece(s, e, event_id))
    return found


def _resource_pieces(
    ids: list[int], start: dt.datetime, end: dt.datetime, events: _Events
) -> dict[int, list[_Piece]]:
    booked = Attendee.objects.filter(resource_id__in=ids).exclude(partstat=PartStat.DECLINED)
    booked_events = booked.values("event_id")
    rows = list(
        _window(start, end)
        .filter(
            Q(calendar__resource_id__in=ids)
            | Q(event_id__in=booked_events)
            | Q(event__master_id__in=booked_events)
        )
        .values_list(*_ROW, "calendar__resource_id")
    )
    met = {row[2] for row in rows} | {row[3] for row in rows if row[3]}
    answers = _answers("resource", ids, met)
    wanted = set(ids)
    found: dict[int, list[_Piece]] = defaultdict(list)
    for s, e, event_id, master_id, privacy, calendar_id, title, resource_id in rows:
        events.add(event_id, master_id, privacy, calendar_id, title)
        holders = _accepting(answers, event_id, master_id) & wanted
        if resource_id in wanted:
            holders.add(resource_id)
        for who in holders:
            found[who].append(_Piece(s, e, event_id))
    return found


def _invited_ids(viewer: Any, level: str, event_ids: set[int]) -> set[int]:
    """Which of ``event_ids`` invite the viewer, or someone whose calendar they use at ``level``."""
    rows = Attendee.objects.filter(invitees_filter(viewer, level), event_id__in=event_ids)
    return set(rows.values_list("event_id", flat=True))


def detailed_events(viewer: Any, events: _Events) -> set[int]:
    """The events whose title ``viewer`` may read: ``can(viewer, "view_details", event)``
    for all of them in three queries (the rules of ``EventRules``, with queryset twins)."""
    if not events.info or not is_active_user(viewer):
        return set()
    calendars = {calendar_id for _p, calendar_id, _m, _t in events.info.values()}
    private = {c for p, c, _m, _t in events.info.values() if p == Privacy.PRIVATE}
    readable = set(
        calendars_at_least(viewer, "read").filter(pk__in=calendars).values_list("pk", flat=True)
    )
    writable = set()
    if private:
        writable = set(
            calendars_at_least(viewer, "write").filter(pk__in=private).values_list("pk", flat=True)
        )
    related = set(events.info) | {m for _p, _c, m, _t in events.info.values() if m}
    invited = _invited_ids(viewer, "read", related)
    invited_to_write = _invited_ids(viewer, "write", related) if private else set()
    allowed = set()
    for event_id, (privacy, calendar_id, master_id, _title) in events.info.items():
        if privacy == Privacy.PRIVATE:
            ok = calendar_id in writable or bool({event_id, master_id} & invited_to_write)
        else:
            ok = calendar_id in readable or bool({event_id, master_id} & invited)
        if ok:
            allowed.add(event_id)
    return allowed


def _merge(
    pieces: list[_Piece],
    start: dt.datetime,
    end: dt.datetime,
    titles: dict[int, str],
) -> list[Band]:
    """Overlapping or touching pieces become one band, clipped to ``[start, end)``."""
    clipped = sorted(
        (max(p.start, start), min(p.end, end), p.event_id)
        for p in pieces
        if p.start < end and p.end > start
    )
    bands: list[Band] = []
    group: list[Any] = []
    for s, e, event_id in clipped:
        if group and s <= group[1]:
            group[1] = max(group[1], e)
            group[2].append(event_id)
        else:
            if group:
                bands.append(_band(group, titles))
            group = [s, e, [event_id]]
    if group:
        bands.append(_band(group, titles))
    return bands


def _band(group: list[Any], titles: dict[int, str]) -> Band:
    start, end, event_ids = group
    shown: list[str] = []
    hidden = False
    for event_id in event_ids:
        title = titles.get(event_id)
        if title is None:
            hidden = True
        elif title not in shown:
            shown.append(title)
    if not shown:
        return Band(start, end, None)
    if hidden:
        shown.append(_("autre occupation"))
    return Band(start, end, " ; ".join(shown))


def busy_bands(
    viewer: Any, subjects: Iterable[Subject], start: dt.datetime, end: dt.datetime
) -> dict[Subject, list[Band] | None]:
    """Each subject's busy bands between ``start`` and ``end`` (aware datetimes), merged and
    clipped; ``None`` for an outside e-mail address (availability unknown).

    Raises ``PermissionDenied`` when ``viewer`` may not see one of the people or resources.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("busy_bands needs aware datetimes")
    people, rooms, externals = _split(viewer, subjects)
    ensure_expanded(end)
    events = _Events()
    by_person = _people_pieces([p.pk for p in people], start, end, events) if people else {}
    by_room = _resource_pieces([r.pk for r in rooms], start, end, events) if rooms else {}
    allowed = detailed_events(viewer, events)
    titles = {eid: info[3] for eid, info in events.info.items() if eid in allowed}
    result: dict[Subject, list[Band] | None] = {}
    for person in people:
        result[person] = _merge(by_person.get(person.pk, []), start, end, titles)
    for room in rooms:
        result[room] = _merge(by_room.get(room.pk, []), start, end, titles)
    for email in externals:
        result[email] = None
    return result


# --- proposing slots ---------------------------------------------------------------------------


@lru_cache(maxsize=64)
def french_holidays(year: int) -> frozenset[dt.date]:
    """The public holidays of metropolitan France in ``year``."""
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    sunday = easter(year)
    moving = [sunday + dt.timedelta(days=n) for n in (1, 39, 50)]
    return frozenset([dt.date(year, m, d) for m, d in fixed] + moving)


def check_request(
    subjects: Sequence[Subject],
    duration: dt.timedelta,
    window_start: dt.datetime,
    window_end: dt.datetime,
) -> None:
    """Refuse, in plain French, a question too big or malformed to answer."""
    errors = []
    if not MIN_DURATION <= duration <= MAX_DURATION:
        errors.append(
            ValidationError(
                _("La durée doit être comprise entre 15 minutes et 8 heures."), code="duration"
            )
        )
    if window_start.tzinfo is None or window_end.tzinfo is None:
        errors.append(ValidationError(_("La période de recherche est mal formée."), "window"))
    elif window_end <= window_start:
        errors.append(
            ValidationError(_("La fin de la période doit venir après son début."), "window")
        )
    elif window_end - window_start > MAX_WINDOW:
        errors.append(
            ValidationError(
                _("La période de recherche fait au plus 6 semaines : raccourcissez-la."),
                code="window_too_long",
            )
        )
    if len(subjects) > MAX_SUBJECTS:
        errors.append(
            ValidationError(
                _("Un créneau se cherche pour %(max)s participants au plus.")
                % {"max": MAX_SUBJECTS},
                code="too_many",
            )
        )
    for subject in subjects:
        if isinstance(subject, str):
            try:
                validate_email(subject)
            except ValidationError:
                errors.append(
                    ValidationError(
                        _("« %(email)s » n'est pas une adresse e-mail valide.")
                        % {"email": subject[:100]},
                        code="invalid_email",
                    )
                )
    if errors:
        raise ValidationError(errors)


def candidates(
    window_start: dt.datetime,
    window_end: dt.datetime,
    duration: dt.timedelta,
    tz: ZoneInfo,
    working_hours: tuple[dt.time, dt.time] = WORKING_HOURS,
    weekdays: Iterable[int] = WORKDAYS,
    step: dt.timedelta = STEP,
    skip_holidays: bool = True,
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Every (start, end) in UTC that fits in the working hours of a working day, on a grid
    of ``step`` from the opening hour, inside the window, soonest first."""
    days = set(weekdays)
    day = window_start.astimezone(tz).date()
    last = window_end.astimezone(tz).date()
    opening, closing = working_hours
    while day <= last:
        if day.weekday() in days and not (skip_holidays and day in french_holidays(day.year)):
            local = dt.datetime.combine(day, opening, tzinfo=tz)
            close = dt.datetime.combine(day, closing, tzinfo=tz)
            while local + duration <= close:
                start = local.astimezone(UTC)
                end = (local + duration).astimezone(UTC)
                if start >= window_start and end <= window_end:
                    yield start, end
                local += step
        day += dt.timedelta(days=1)


class _Intervals:
    """Sorted, non-overlapping bands answering "busy during [start, end)?" in O(log n)."""

    def __init__(self, bands: list[Band]) -> None:
        self.starts = [b.start for b in bands]
        self.ends = [b.end for b in bands]

    def overlaps(self, start: dt.datetime, end: dt.datetime) -> bool:
        i = bisect.bisect_right(self.ends, start)
        return i < len(self.starts) and self.starts[i] < end


def rank_slots(
    bands: dict[Subject, list[Band] | None],
    candidates: Iterable[tuple[dt.datetime, dt.datetime]],
    tz: ZoneInfo,
    limit: int = 8,
    optional: Iterable[Subject] = (),
) -> list[Slot]:
    """The best ``limit`` slots among ``candidates``: rooms must be free; then everyone free
    first, then fewest busy required people, fewest busy optional ones, earliest first.

    Proposals never overlap one another, and at first at most ``PER_DAY`` come from one day
    so that several days are offered.
    """
    optional = set(optional)
    rooms = [_Intervals(b) for s, b in bands.items() if isinstance(s, Resource) and b]
    people = [
        (s, s in optional, _Intervals(b)) for s, b in bands.items() if isinstance(s, User) and b
    ]
    unknown = tuple(s for s, b in bands.items() if b is None)
    ranked = []
    for start, end in candidates:
        if any(room.overlaps(start, end) for room in rooms):
            continue
        busy = [(p, weak) for p, weak, intervals in people if intervals.overlaps(start, end)]
        weak = sum(1 for _p, is_weak in busy if is_weak)
        key = (len(busy) - weak, weak, start)
        ranked.append((key, Slot(start, end, tuple(p for p, _w in busy), unknown)))
    ranked.sort(key=lambda item: item[0])
    chosen: list[tuple[Any, Slot]] = []
    per_day: dict[dt.date, int] = defaultdict(int)
    for capped in (True, False):
        for key, slot in ranked:
            if len(chosen) >= limit:
                break
            day = slot.start.astimezone(tz).date()
            if capped and per_day[day] >= PER_DAY:
                continue
            if any(slot.start < other.end and slot.end > other.start for _k, other in chosen):
                continue
            chosen.append((key, slot))
            per_day[day] += 1
    chosen.sort(key=lambda item: item[0])
    return [slot for _key, slot in chosen]


def propose_slots(
    viewer: Any,
    subjects: Sequence[Subject],
    duration: dt.timedelta,
    window_start: dt.datetime,
    window_end: dt.datetime,
    tzid: str = DEFAULT_TZID,
    working_hours: tuple[dt.time, dt.time] = WORKING_HOURS,
    weekdays: Iterable[int] = WORKDAYS,
    step: dt.timedelta = STEP,
    limit: int = 8,
    optional: Iterable[Subject] = (),
    skip_holidays: bool = True,
    now: dt.datetime | None = None,
) -> list[Slot]:
    """The best slots for ``subjects`` to meet for ``duration`` within the window, in the
    working hours of working days (French public holidays skipped), never in the past.

    Raises ``ValidationError`` (French messages) for a malformed or oversized question and
    ``PermissionDenied`` when ``viewer`` may not see one of the people or resources.
    ``now`` is the instant before which nothing is proposed (the current time by default).
    """
    check_request(subjects, duration, window_start, window_end)
    tz = zone(tzid)
    earliest = max(window_start, now or timezone.now())
    if earliest >= window_end:
        return []
    bands = busy_bands(viewer, subjects, earliest, window_end)
    grid = candidates(
        window_start, window_end, duration, tz, working_hours, weekdays, step, skip_holidays
    )
    return rank_slots(
        bands, ((s, e) for s, e in grid if s >= earliest), tz, limit=limit, optional=optional
    )
