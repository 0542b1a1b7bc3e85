"""Booking rooms: never twice at the same time, free rooms proposed instead, series checked
instance by instance, and two bookings racing for the same room serialised by the database
(SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from entente.accounts.tests.factories import UserFactory
from entente.calendars import services
from entente.calendars.models import Attendee, Event, Occurrence, PartStat
from entente.calendars.services import EventData, RoomUnavailable, Scope
from entente.calendars.tests.factories import (
    YEAR,
    ResourceFactory,
    event_data,
    make_event,
    paris,
)

HOUR = dt.timedelta(hours=1)
TEN = paris(YEAR, 3, 3, 10)


@pytest.fixture
def rooms(org, other_org):
    """Two rooms of the commune, one of the metropolis opened to the territory, one not."""
    return {
        "conseil": ResourceFactory(organisation=org, name="Salle du conseil"),
        "mariages": ResourceFactory(organisation=org, name="Salle des mariages"),
        "metropole": ResourceFactory(
            organisation=other_org, name="Auditorium", bookable_by_territory=True
        ),
        "fermee": ResourceFactory(organisation=other_org, name="Bureau privé"),
    }


@pytest.mark.django_db
def test_a_room_is_never_booked_twice_and_free_rooms_are_proposed(agent, other_agent, rooms):
    make_event(agent, TEN, resources=[rooms["conseil"]])
    before = (Event.objects.count(), Attendee.objects.count(), Occurrence.objects.count())

    with pytest.raises(RoomUnavailable) as caught:
        make_event(agent, TEN + HOUR / 2, resources=[rooms["conseil"]])

    error = caught.value
    assert error.code == "room_unavailable"
    assert error.conflicts == [rooms["conseil"]]
    # own organisation's rooms first, then those of others opened to the territory
    assert error.free_rooms == [rooms["mariages"], rooms["metropole"]]
    day = "mercredi 3 mars" if TEN.weekday() == 2 else ""
    assert error.message.startswith("« Salle du conseil » n'est pas libre le ")
    assert day in error.message and "10 h 30" in error.message
    assert error.message.endswith("Libres à ce moment : Salle des mariages, Auditorium.")
    assert (Event.objects.count(), Attendee.objects.count(), Occurrence.objects.count()) == before


@pytest.mark.django_db
def test_when_no_room_is_free_the_message_says_to_change_the_time(agent, rooms, org):
    for room in ("conseil", "mariages", "metropole"):
        make_event(agent, TEN, resources=[rooms[room]])

    with pytest.raises(RoomUnavailable) as caught:
        make_event(UserFactory(organisation=org), TEN, resources=[rooms["mariages"]])

    assert caught.value.free_rooms == []
    assert caught.value.message.endswith(
        "Aucune autre salle n'est libre à ce moment : changez d'horaire."
    )


@pytest.mark.django_db
def test_back_to_back_bookings_do_not_conflict(agent, rooms):
    make_event(agent, TEN, resources=[rooms["conseil"]])

    make_event(agent, TEN + HOUR, resources=[rooms["conseil"]])
    make_event(agent, TEN - HOUR, resources=[rooms["conseil"]])

    assert Attendee.objects.filter(resource=rooms["conseil"]).count() == 3


@pytest.mark.django_db
def test_changing_a_booked_event_does_not_conflict_with_itself(agent, rooms):
    event = make_event(agent, TEN, resources=[rooms["conseil"]])
    data = EventData.from_event(event)
    data.start, data.end = TEN + HOUR / 2, TEN + 2 * HOUR

    changed = services.update_event(agent, event, data)

    assert changed.start == TEN + HOUR / 2
    assert list(Occurrence.objects.filter(event=event).values_list("start", flat=True)) == [
        TEN + HOUR / 2
    ]


@pytest.mark.django_db
def test_changing_an_event_onto_a_booked_slot_is_refused_and_leaves_it_as_it_was(agent, rooms):
    make_event(agent, TEN, resources=[rooms["conseil"]], title="Premier")
    event = make_event(agent, TEN + 2 * HOUR, resources=[rooms["conseil"]], title="Second")
    data = EventData.from_event(event)
    data.start, data.end = TEN, TEN + HOUR

    with pytest.raises(RoomUnavailable):
        services.update_event(agent, event, data)

    event.refresh_from_db()
    assert event.start == TEN + 2 * HOUR and event.sequence == 0
    assert Occurrence.objects.get(event=event).start == TEN + 2 * HOUR


@pytest.mark.django_db
def test_a_weekly_booking_is_refused_when_its_fifth_instance_conflicts(agent, other_agent, rooms):
    fifth = TEN + dt.timedelta(weeks=4)
    make_event(other_agent, fifth + HOUR / 2, resources=[rooms["metropole"]])
    before = Event.objects.count()

    with pytest.raises(RoomUnavailable) as caught:
        make_event(agent, TEN, resources=[rooms["metropole"]], rrule="FREQ=WEEKLY;COUNT=8")

    # the message names the fifth instance, the first one that cannot have the room
    assert (
        f"{fifth.day} mars" in caught.value.message or f"{fifth.day} avril" in caught.value.message
    )
    assert "10 h 00" in caught.value.message
    assert Event.objects.count() == before
    # four weeks fit
    make_event(agent, TEN, resources=[rooms["metropole"]], rrule="FREQ=WEEKLY;COUNT=4")


@pytest.mark.django_db
def test_moving_one_instance_onto_a_booking_is_refused(agent, org, rooms):
    master = make_event(agent, TEN, resources=[rooms["conseil"]], rrule="FREQ=DAILY;COUNT=5")
    taken = make_event(
        UserFactory(organisation=org),
        TEN + dt.timedelta(days=2, hours=3),
        resources=[rooms["conseil"]],
    )
    assert taken.pk
    rid = TEN + dt.timedelta(days=2)
    data = EventData.from_event(master)
    data.start, data.end, data.rrule = rid + 3 * HOUR, rid + 4 * HOUR, ""

    with pytest.raises(RoomUnavailable):
        services.update_event(agent, master, data, Scope.THIS, rid)
    assert not Event.objects.filter(master=master).exists()

    # its own other instances never conflict with it
    data.start, data.end = rid + HOUR / 2, rid + HOUR * 3 / 2
    services.update_event(agent, master, data, Scope.THIS, rid)


@pytest.mark.django_db
def test_a_declined_or_cancelled_booking_frees_the_room(agent, rooms):
    declined = make_event(agent, TEN, resources=[rooms["conseil"]])
    Attendee.objects.filter(event=declined, resource=rooms["conseil"]).update(
        partstat=PartStat.DECLINED
    )
    make_event(
        agent,
        TEN,
        resources=[rooms["conseil"]],
        users=[UserFactory(organisation=agent.organisation)],
    )
    later = make_event(
        agent,
        TEN + 3 * HOUR,
        resources=[rooms["mariages"]],
        users=[UserFactory(organisation=agent.organisation)],
    )
    services.delete_event(agent, later)

    make_event(agent, TEN + 3 * HOUR, resources=[rooms["mariages"]])


@pytest.mark.django_db
def test_a_booking_shown_as_free_still_takes_the_room(agent, rooms):
    make_event(agent, TEN, resources=[rooms["conseil"]], busy=False)

    with pytest.raises(RoomUnavailable):
        make_event(agent, TEN, resources=[rooms["conseil"]])


@pytest.mark.django_db
def test_an_event_of_the_room_calendar_itself_takes_the_room(org_admin, agent, rooms):
    room = rooms["conseil"]
    services.create_event(org_admin, room.calendar, event_data(TEN, title="Travaux"))

    with pytest.raises(RoomUnavailable):
        make_event(agent, TEN, resources=[room])

    make_event(agent, TEN + 2 * HOUR, resources=[room])
    with pytest.raises(RoomUnavailable):
        services.create_event(org_admin, room.calendar, event_data(TEN + 2 * HOUR, title="Ménage"))


@pytest.mark.django_db
def test_resource_busy_says_which_occurrence_holds_which_room(agent, rooms):
    both = make_event(agent, TEN, resources=[rooms["conseil"], rooms["mariages"]])
    make_event(agent, TEN + 5 * HOUR, resources=[rooms["conseil"]])

    busy = services.resource_busy(
        [rooms["conseil"], rooms["mariages"], rooms["metropole"]], [(TEN, TEN + 2 * HOUR)]
    )

    assert {rid: [o.event_id for o in rows] for rid, rows in busy.items()} == {
        rooms["conseil"].pk: [both.pk],
        rooms["mariages"].pk: [both.pk],
    }
    assert (
        services.resource_busy([rooms["conseil"]], [(TEN, TEN + HOUR)], exclude_series=both) == {}
    )
    assert services.resource_busy([], [(TEN, TEN + HOUR)]) == {}
    # between two intervals far apart, the booking in the gap does not count
    gap = services.resource_busy(
        [rooms["conseil"]], [(TEN - 2 * HOUR, TEN - HOUR), (TEN + 3 * HOUR, TEN + 4 * HOUR)]
    )
    assert gap == {}


# --- two bookings at the same time -------------------------------------------------------------------


def race(people, calendars, room, start, pause_first: float = 0.0):
    """Two people book ``room`` at ``start`` from two threads (two database connections).

    With ``pause_first``, the first one holds its transaction open that long after its own
    check found the room free, and the second one starts only then: without serialisation both
    would see the room free.
    """
    results: dict[int, object] = {}
    checked = threading.Event()
    original = services.check_rooms
    first = threading.current_thread()  # replaced below

    def slow_check(*args, **kwargs):
        original(*args, **kwargs)
        if threading.current_thread() is first and not checked.is_set():
            checked.set()
            time.sleep(pause_first)

    def book(index: int) -> None:
        try:
            if pause_first and index == 1:
                assert checked.wait(10)
            else:
                barrier.wait(10)
            results[index] = services.create_event(
                people[index],
                calendars[index],
                EventData(
                    title=f"Réunion {index}", start=start, end=start + HOUR, resources=[room]
                ),
            )
        except Exception as error:  # noqa: BLE001 (reported to the test)
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in (0, 1)]
    first = threads[0]
    barrier = threading.Barrier(1 if pause_first else 2)
    services.check_rooms = slow_check
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        services.check_rooms = original
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("pause_first", [0.0, 0.4])
def test_two_people_booking_the_same_room_at_the_same_time_one_gets_it(org, pause_first):
    people = [UserFactory(organisation=org), UserFactory(organisation=org)]
    calendars = [services.default_calendar(p) for p in people]
    room = ResourceFactory(organisation=org, name="Salle du conseil")
    spare = ResourceFactory(organisation=org, name="Salle annexe")

    for round_ in range(3):
        start = TEN + dt.timedelta(days=round_)
        results = race(people, calendars, room, start, pause_first)

        made = [r for r in results.values() if isinstance(r, Event)]
        refused = [r for r in results.values() if isinstance(r, RoomUnavailable)]
        assert len(made) == 1 and len(refused) == 1, results
        assert refused[0].free_rooms == [spare]
        if pause_first:
            assert made[0].title == "Réunion 0"  # the one that checked first
        booked = Occurrence.objects.filter(
            event__attendees__resource=room, start__lt=start + HOUR, end__gt=start
        )
        assert booked.count() == 1
    connection.close()
