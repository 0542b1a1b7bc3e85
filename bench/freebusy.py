"""Free/busy at scale: « Trouver un créneau » for 30 people over 3 weeks, indexed vs naive.

Seeds a territory of about 2,000 people with weekly series, recurring duty rotas and single
meetings (with invitations, some declined, some private) into a temporary SQLite database,
then times, in the same process and on the same data:

- indexed: ``entente.calendars.freebusy.propose_slots`` (reads the ``Occurrence`` table);
- naive: for each attendee, load their events, serialise them as iCalendar with the
  ``icalendar`` library, parse that text back and expand the rules with dateutil, on every
  request, then rank the same candidate slots.

It prints both timings, their ratio, and whether both propose the same slots; it asserts
nothing. Run: ``.venv/bin/python bench/freebusy.py [--people 2000] [--runs 5]``.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

TMP = tempfile.mkdtemp(prefix="entente-bench-")
atexit.register(shutil.rmtree, TMP, ignore_errors=True)
os.environ["ENTENTE_DATA_DIR"] = TMP
os.environ["DATABASE_URL"] = f"sqlite:///{TMP}/bench.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "entente.test_settings"

import django  # noqa: E402

django.setup()

from dateutil.rrule import rrulestr  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from icalendar import Calendar as ICalendar  # noqa: E402
from icalendar import Event as IEvent  # noqa: E402
from icalendar import vRecur  # noqa: E402

from entente.accounts.models import User  # noqa: E402
from entente.calendars import freebusy  # noqa: E402
from entente.calendars.models import (  # noqa: E402
    Attendee,
    Calendar,
    CalendarKind,
    Event,
    Occurrence,
    PartStat,
    Privacy,
)
from entente.calendars.recurrence import rebuild_occurrences, zone  # noqa: E402
from entente.directory.models import Service  # noqa: E402
from entente.directory.search import search_people  # noqa: E402
from entente.organisations.tests.factories import OrganisationFactory  # noqa: E402

PARIS = zone("Europe/Paris")
FIRST_NAMES = ["Agnès", "Bernard", "Claire", "Karim", "Sophie", "Luc", "Marc", "Hélène", "Nadia"]
LAST_NAMES = ["Martin", "Petit", "Durand", "Leroy", "Moreau", "Bérard", "Roux", "Fournier"]
SERVICES = ["Voirie", "Urbanisme", "Éducation", "Finances", "Culture", "Informatique"]


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def next_monday() -> dt.date:
    today = timezone.now().astimezone(PARIS).date()
    return today + dt.timedelta(days=7 - today.weekday())


# --- seeding -----------------------------------------------------------------------------------


def seed(people_count: int, rng: random.Random) -> list[User]:
    organisations = [OrganisationFactory(name="Métropole du Lac", slug="metropole")] + [
        OrganisationFactory(name=f"Commune {n}", slug=f"commune-{n}") for n in range(1, 5)
    ]
    services = {
        org.pk: [Service.objects.create(organisation=org, name=name) for name in SERVICES]
        for org in organisations
    }
    people = User.objects.bulk_create(
        User(
            email=f"agent{n}@{organisations[n % 5].slug}.fr",
            first_name=rng.choice(FIRST_NAMES),
            last_name=f"{rng.choice(LAST_NAMES)}{n}",
            organisation=organisations[n % 5],
            service=rng.choice(services[organisations[n % 5].pk]),
            password="!",
        )
        for n in range(people_count)
    )
    calendars = Calendar.objects.bulk_create(
        Calendar(
            kind=CalendarKind.PERSONAL,
            name="Agenda",
            owner=person,
            organisation_id=person.organisation_id,
            is_default=True,
        )
        for person in people
    )
    monday = next_monday()
    series: list[Event] = []
    singles: list[Event] = []
    for person, calendar in zip(people, calendars, strict=True):
        weekday = rng.randrange(5)
        start = local(
            monday - dt.timedelta(weeks=8) + dt.timedelta(days=weekday), rng.randrange(9, 17)
        )
        series.append(
            Event(
                calendar=calendar,
                title="Point d'équipe",
                start=start,
                end=start + dt.timedelta(hours=1),
                rrule="FREQ=WEEKLY",
                organiser=person,
            )
        )
        if rng.random() < 0.25:
            start = local(monday - dt.timedelta(weeks=2), 14)
            series.append(
                Event(
                    calendar=calendar,
                    title="Permanence",
                    start=start,
                    end=start + dt.timedelta(hours=2),
                    rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=60",
                    organiser=person,
                )
            )
        for _n in range(8):
            day = monday + dt.timedelta(days=rng.randrange(35))
            start = local(day, rng.randrange(8, 18), rng.choice([0, 15, 30, 45]))
            singles.append(
                Event(
                    calendar=calendar,
                    title="Réunion",
                    start=start,
                    end=start + dt.timedelta(minutes=rng.choice([30, 60, 90, 120])),
                    privacy=Privacy.PRIVATE if rng.random() < 0.2 else Privacy.PUBLIC,
                    organiser=person,
                )
            )
    with transaction.atomic():
        Event.objects.bulk_create(series + singles, batch_size=1000)
        attendees = []
        for event in series + singles:
            for guest in rng.sample(people, rng.randrange(0, 5)):
                if guest.pk == event.organiser_id:
                    continue
                attendees.append(
                    Attendee(
                        event=event,
                        user=guest,
                        partstat=rng.choices(
                            [PartStat.ACCEPTED, PartStat.NEEDS_ACTION, PartStat.DECLINED],
                            [7, 2, 1],
                        )[0],
                    )
                )
        Attendee.objects.bulk_create(attendees, batch_size=2000, ignore_conflicts=True)
        # a single event's one occurrence is written directly; series go through the real code
        Occurrence.objects.bulk_create(
            (
                Occurrence(event=e, calendar_id=e.calendar_id, start=e.start, end=e.end)
                for e in singles
            ),
            batch_size=2000,
        )
    for event in series:
        rebuild_occurrences(event)
    return people


# --- the naive peer ----------------------------------------------------------------------------


def serialise(event: Event) -> bytes:
    """The event as an iCalendar document, as a naive server would keep or rebuild it."""
    calendar = ICalendar()
    calendar.add("prodid", "-//Entente//bench//FR")
    calendar.add("version", "2.0")
    vevent = IEvent()
    vevent.add("uid", event.uid)
    vevent.add("summary", event.title)
    vevent.add("dtstart", event.start.astimezone(zone(event.tzid)))
    vevent.add("dtend", event.end.astimezone(zone(event.tzid)))
    if event.rrule:
        vevent.add("rrule", vRecur.from_ical(event.rrule))
    calendar.add_component(vevent)
    return calendar.to_ical()


def expand(document: bytes, start: dt.datetime, end: dt.datetime) -> list[tuple]:
    found = []
    for vevent in ICalendar.from_ical(document).walk("VEVENT"):
        first = vevent.decoded("dtstart")
        length = vevent.decoded("dtend") - first
        rule = vevent.get("rrule")
        if rule is None:
            starts = [first]
        else:
            text = rule.to_ical().decode()
            starts = rrulestr(f"RRULE:{text}", dtstart=first).between(start - length, end)
        for s in starts:
            if s < end and s + length > start:
                found.append((s.astimezone(dt.UTC), (s + length).astimezone(dt.UTC)))
    return found


def naive_bands(people: list[User], start: dt.datetime, end: dt.datetime) -> dict:
    bands = {}
    for person in people:
        invited = Attendee.objects.filter(user=person).exclude(partstat=PartStat.DECLINED)
        events = Event.objects.filter(
            Q(calendar__owner=person, calendar__kind=CalendarKind.PERSONAL)
            | Q(pk__in=invited.values("event_id")),
            busy=True,
        ).exclude(status="CANCELLED")
        pieces = []
        for event in events:
            pieces.extend(expand(serialise(event), start, end))
        pieces.sort()
        merged: list[list] = []
        for s, e in pieces:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        bands[person] = [freebusy.Band(s, e) for s, e in merged]
    return bands


def naive_propose(people, duration, start, end) -> list[freebusy.Slot]:
    bands = naive_bands(people, start, end)
    grid = freebusy.candidates(start, end, duration, PARIS)
    return freebusy.rank_slots(bands, grid, PARIS)


# --- timing ------------------------------------------------------------------------------------


def timed(function, runs: int) -> tuple[float, object]:
    durations = []
    result = None
    for _n in range(runs):
        started = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--attendees", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(42)

    print(f"database: {connection.settings_dict['NAME']}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    people = seed(args.people, rng)
    print(
        f"seeded {len(people)} people, {Event.objects.count()} events, "
        f"{Attendee.objects.count()} invitations, {Occurrence.objects.count()} occurrences "
        f"in {time.perf_counter() - started:.1f} s"
    )

    viewer = people[0]
    attendees = [viewer, *rng.sample(people[1:], args.attendees - 1)]
    monday = next_monday()
    start, end = local(monday, 0), local(monday + dt.timedelta(weeks=3), 0)
    duration = dt.timedelta(hours=1)

    def indexed():
        return freebusy.propose_slots(viewer, attendees, duration, start, end, now=start)

    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        cProfile.runctx("indexed()", globals(), locals(), sort="cumulative")
    indexed()  # warm caches (zone names, permission registry) before timing either side
    with CaptureQueriesContext(connection) as queries:
        indexed()
    fast, fast_slots = timed(indexed, args.runs)
    slow, slow_slots = timed(lambda: naive_propose(attendees, duration, start, end), args.runs)
    same = [(s.start, len(s.busy)) for s in fast_slots] == [
        (s.start, len(s.busy)) for s in slow_slots
    ]

    print(f"\n{args.attendees} attendees over 3 weeks, median of {args.runs} runs:")
    print(f"  indexed occurrences : {fast * 1000:8.1f} ms  ({len(queries)} queries)")
    print(f"  naive iCalendar     : {slow * 1000:8.1f} ms")
    print(f"  ratio               : {slow / fast:8.1f} ×")
    print(f"  same proposals      : {'yes' if same else 'no'}")

    search, found = timed(lambda: search_people(viewer, "bern voi"), args.runs)
    print(
        f"\nsearch « bern voi » among {len(people)} people: {search * 1000:.1f} ms, "
        f"{len(found)} found"
    )


if __name__ == "__main__":
    main()
