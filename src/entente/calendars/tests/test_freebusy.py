"""Free/busy across organisations: busy bands, privacy, and the ranking of proposed slots."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entente.accounts.tests.factories import UserFactory
from entente.calendars import freebusy
from entente.calendars.freebusy import Band, busy_bands, french_holidays, propose_slots
from entente.calendars.models import (
    Attendee,
    CalendarKind,
    CalendarShare,
    Event,
    EventStatus,
    PartStat,
    Privacy,
    ShareLevel,
)
from entente.calendars.recurrence import rebuild_occurrences
from entente.calendars.tests.factories import CalendarFactory, ResourceFactory
from entente.core.permissions import can
from entente.organisations.models import DirectoryVisibility
from entente.organisations.tests.factories import OrganisationFactory

PARIS = ZoneInfo("Europe/Paris")
HOUR = dt.timedelta(hours=1)
#: a Monday in the future; its week has no public holiday
MONDAY = dt.date(2026, 12, 7)
#: « now » for the proposals: the Sunday before
BEFORE = dt.datetime(2026, 12, 6, 12, 0, tzinfo=PARIS)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A Paris wall-clock time, as an aware datetime."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def calendar_of(user):
    return CalendarFactory(owner=user, kind=CalendarKind.PERSONAL, is_default=False)


def make_event(
    calendar,
    start: dt.datetime,
    end: dt.datetime,
    title: str = "Réunion",
    *,
    rrule: str = "",
    privacy: str = Privacy.PUBLIC,
    busy: bool = True,
    users=(),
    resources=(),
    partstat: str = PartStat.ACCEPTED,
    status: str = EventStatus.CONFIRMED,
) -> Event:
    event = Event.objects.create(
        calendar=calendar,
        title=title,
        start=start,
        end=end,
        rrule=rrule,
        privacy=privacy,
        busy=busy,
        status=status,
        organiser=calendar.owner,
    )
    for user in users:
        Attendee.objects.create(event=event, user=user, partstat=partstat)
    for resource in resources:
        Attendee.objects.create(event=event, resource=resource, partstat=partstat)
    rebuild_occurrences(event)
    return event


def week(day: dt.date = MONDAY) -> tuple[dt.datetime, dt.datetime]:
    return at(day, 0), at(day + dt.timedelta(days=5), 0)


def spans(bands: list[Band]) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(b.start, b.end) for b in bands]


# --- busy bands --------------------------------------------------------------------------------


def test_bands_of_a_person_come_from_their_calendars_and_their_invitations(agent, org):
    colleague = UserFactory(organisation=org)
    make_event(calendar_of(agent), at(MONDAY, 9), at(MONDAY, 10), "Instruction des permis")
    make_event(calendar_of(colleague), at(MONDAY, 14), at(MONDAY, 15), "Copil", users=[agent])
    make_event(calendar_of(colleague), at(MONDAY, 16), at(MONDAY, 17), "Seul")

    bands = busy_bands(agent, [agent], *week())

    assert bands[agent] == [
        Band(at(MONDAY, 9), at(MONDAY, 10), "Instruction des permis"),
        Band(at(MONDAY, 14), at(MONDAY, 15), "Copil"),
    ]


def test_overlapping_and_touching_events_merge_and_are_clipped_to_the_window(agent):
    calendar = calendar_of(agent)
    make_event(calendar, at(MONDAY, 9), at(MONDAY, 10), "A")
    make_event(calendar, at(MONDAY, 9, 30), at(MONDAY, 11), "B")
    make_event(calendar, at(MONDAY, 11), at(MONDAY, 12), "C")
    make_event(calendar, at(MONDAY, 17), at(MONDAY, 20), "Soirée")

    bands = busy_bands(agent, [agent], at(MONDAY, 8), at(MONDAY, 18))

    assert bands[agent] == [
        Band(at(MONDAY, 9), at(MONDAY, 12), "A ; B ; C"),
        Band(at(MONDAY, 17), at(MONDAY, 18), "Soirée"),
    ]


def test_a_private_event_of_another_commune_shows_only_as_busy(agent, other_agent):
    make_event(
        calendar_of(other_agent),
        at(MONDAY, 9),
        at(MONDAY, 10),
        "Entretien confidentiel",
        privacy=Privacy.PRIVATE,
    )
    make_event(calendar_of(other_agent), at(MONDAY, 11), at(MONDAY, 12), "Voirie, réunion")

    bands = busy_bands(agent, [other_agent], *week())

    # another organisation reads busy intervals only, never a title, private or not
    assert bands[other_agent] == [
        Band(at(MONDAY, 9), at(MONDAY, 10), None),
        Band(at(MONDAY, 11), at(MONDAY, 12), None),
    ]
    assert "confidentiel" not in repr(bands)


def test_titles_follow_shares_and_invitations(agent, other_agent):
    calendar = calendar_of(other_agent)
    public = make_event(calendar, at(MONDAY, 9), at(MONDAY, 10), "Public")
    private = make_event(calendar, at(MONDAY, 11), at(MONDAY, 12), "Privé", privacy=Privacy.PRIVATE)
    invited = make_event(
        calendar, at(MONDAY, 14), at(MONDAY, 15), "Invité", privacy=Privacy.PRIVATE, users=[agent]
    )
    CalendarShare.objects.create(calendar=calendar, user=agent, level=ShareLevel.READ)

    bands = busy_bands(agent, [other_agent], *week())

    assert [b.title for b in bands[other_agent]] == ["Public", None, "Invité"]
    for event, shown in [(public, True), (private, False), (invited, True)]:
        assert can(agent, "view_details", event) is shown  # the same rule as the engine


def test_a_write_share_shows_private_titles(agent, other_agent):
    calendar = calendar_of(other_agent)
    make_event(calendar, at(MONDAY, 11), at(MONDAY, 12), "Privé", privacy=Privacy.PRIVATE)
    CalendarShare.objects.create(calendar=calendar, user=agent, level=ShareLevel.WRITE)

    assert [b.title for b in busy_bands(agent, [other_agent], *week())[other_agent]] == ["Privé"]


def test_own_private_events_show_their_title_to_oneself(agent):
    make_event(calendar_of(agent), at(MONDAY, 9), at(MONDAY, 10), "Médecin", privacy="private")

    assert busy_bands(agent, [agent], *week())[agent][0].title == "Médecin"


def test_declined_invitations_and_free_events_do_not_count(agent, other_agent):
    calendar = calendar_of(other_agent)
    make_event(calendar, at(MONDAY, 9), at(MONDAY, 10), users=[agent], partstat=PartStat.DECLINED)
    make_event(calendar, at(MONDAY, 11), at(MONDAY, 12), users=[agent], busy=False)
    make_event(calendar, at(MONDAY, 14), at(MONDAY, 15), users=[agent], partstat="NEEDS-ACTION")
    make_event(calendar, at(MONDAY, 16), at(MONDAY, 17), users=[agent], status="CANCELLED")

    assert spans(busy_bands(agent, [agent], *week())[agent]) == [(at(MONDAY, 14), at(MONDAY, 15))]


def test_a_declined_instance_of_a_series_frees_that_instance_only(agent, other_agent):
    master = make_event(
        calendar_of(other_agent),
        at(MONDAY, 10),
        at(MONDAY, 11),
        "Hebdo",
        rrule="FREQ=DAILY;COUNT=3",
        users=[agent],
    )
    tuesday = MONDAY + dt.timedelta(days=1)
    override = Event.objects.create(
        calendar=master.calendar,
        uid=master.uid,
        master=master,
        recurrence_id=at(tuesday, 10),
        title="Hebdo (déplacé)",
        start=at(tuesday, 15),
        end=at(tuesday, 16),
    )
    Attendee.objects.create(event=override, user=agent, partstat=PartStat.DECLINED)
    wednesday = MONDAY + dt.timedelta(days=2)
    moved = Event.objects.create(
        calendar=master.calendar,
        uid=master.uid,
        master=master,
        recurrence_id=at(wednesday, 10),
        title="Hebdo (sans copie des participants)",
        start=at(wednesday, 16),
        end=at(wednesday, 17),
    )
    rebuild_occurrences(master)

    bands = busy_bands(agent, [agent, other_agent], *week())

    # Tuesday's instance was declined on its own; Wednesday's follows the series' answer
    assert spans(bands[agent]) == [
        (at(MONDAY, 10), at(MONDAY, 11)),
        (at(wednesday, 16), at(wednesday, 17)),
    ]
    assert spans(bands[other_agent]) == [
        (at(MONDAY, 10), at(MONDAY, 11)),
        (at(tuesday, 15), at(tuesday, 16)),
        (at(wednesday, 16), at(wednesday, 17)),
    ]
    assert moved.pk


def test_a_copy_of_a_declined_invitation_in_ones_own_calendar_does_not_count(agent):
    make_event(
        calendar_of(agent), at(MONDAY, 9), at(MONDAY, 10), users=[agent], partstat="DECLINED"
    )

    assert busy_bands(agent, [agent], *week())[agent] == []


def test_recurring_events_are_read_from_the_expanded_table(agent):
    make_event(
        calendar_of(agent), at(MONDAY, 8), at(MONDAY, 9), "Point", rrule="FREQ=WEEKLY;BYDAY=MO,TH"
    )
    thursday = MONDAY + dt.timedelta(days=3)
    next_monday = MONDAY + dt.timedelta(days=7)

    bands = busy_bands(agent, [agent], at(MONDAY, 0), at(next_monday, 23))

    assert spans(bands[agent]) == [
        (at(MONDAY, 8), at(MONDAY, 9)),
        (at(thursday, 8), at(thursday, 9)),
        (at(next_monday, 8), at(next_monday, 9)),
    ]


def test_a_weekly_meeting_keeps_its_wall_clock_time_across_the_change_of_time(agent):
    before = dt.date(2027, 10, 25)  # summer time ends on Sunday 31 October 2027
    make_event(calendar_of(agent), at(before, 10), at(before, 11), rrule="FREQ=WEEKLY")
    after = before + dt.timedelta(days=7)

    bands = busy_bands(agent, [agent], at(before, 0), at(after, 23))

    assert [
        (b.start.astimezone(dt.UTC).hour, b.start.astimezone(PARIS).hour) for b in bands[agent]
    ] == [
        (8, 10),
        (9, 10),
    ]


def test_a_room_is_busy_when_booked_or_in_its_own_calendar(agent, org):
    room = ResourceFactory(organisation=org, name="Salle du conseil")
    other_room = ResourceFactory(organisation=org)
    make_event(calendar_of(agent), at(MONDAY, 9), at(MONDAY, 10), "Conseil", resources=[room])
    make_event(room.calendar, at(MONDAY, 14), at(MONDAY, 15), "Entretien du chauffage")
    make_event(
        calendar_of(agent), at(MONDAY, 16), at(MONDAY, 17), resources=[room], partstat="DECLINED"
    )

    bands = busy_bands(agent, [room, other_room], *week())

    assert spans(bands[room]) == [(at(MONDAY, 9), at(MONDAY, 10)), (at(MONDAY, 14), at(MONDAY, 15))]
    assert bands[other_room] == []


def test_outside_addresses_have_unknown_availability(agent):
    assert busy_bands(agent, [agent, "paul@association.example"], *week()) == {
        agent: [],
        "paul@association.example": None,
    }


def test_people_of_an_organisation_showing_its_directory_to_itself_only_are_refused(agent):
    closed = OrganisationFactory(name="Commune discrète", slug="discrete")
    closed.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    closed.policy.save()
    hidden = UserFactory(organisation=closed)

    with pytest.raises(PermissionDenied):
        busy_bands(agent, [agent, hidden], *week())


def test_resources_the_viewer_cannot_see_are_refused(agent, other_org):
    room = ResourceFactory(organisation=other_org, bookable_by_territory=False)

    with pytest.raises(PermissionDenied):
        busy_bands(agent, [room], *week())


def test_thirty_people_and_rooms_cost_a_fixed_number_of_queries(agent, org, other_org):
    people = [UserFactory(organisation=org if n % 2 else other_org) for n in range(30)]
    rooms = [ResourceFactory(organisation=org) for _n in range(3)]
    for n, person in enumerate(people):
        make_event(
            calendar_of(person),
            at(MONDAY, 9 + n % 6),
            at(MONDAY, 10 + n % 6),
            rrule="FREQ=DAILY;COUNT=15",
            users=people[n + 1 : n + 3],
            resources=rooms[n % 3 : n % 3 + 1],
        )

    with CaptureQueriesContext(connection) as few:
        busy_bands(agent, people[:3] + rooms[:1], at(MONDAY, 0), at(MONDAY, 0) + 21 * 24 * HOUR)
    with CaptureQueriesContext(connection) as many:
        bands = busy_bands(agent, people + rooms, at(MONDAY, 0), at(MONDAY, 0) + 21 * 24 * HOUR)

    assert len(many) == len(few) <= 12
    assert all(bands[p] for p in people) and all(bands[r] for r in rooms)


# --- proposing slots ---------------------------------------------------------------------------


def propose(viewer, subjects, minutes=60, first=MONDAY, days=5, **kwargs):
    return propose_slots(
        viewer,
        subjects,
        dt.timedelta(minutes=minutes),
        at(first, 0),
        at(first + dt.timedelta(days=days), 0),
        now=kwargs.pop("now", BEFORE),
        **kwargs,
    )


def test_everyone_free_slots_come_first_in_working_hours(agent, other_agent):
    make_event(calendar_of(agent), at(MONDAY, 8, 30), at(MONDAY, 9, 30))
    make_event(calendar_of(other_agent), at(MONDAY, 9, 30), at(MONDAY, 10))

    slots = propose(agent, [agent, other_agent])

    assert slots[0].start == at(MONDAY, 10) and slots[0].end == at(MONDAY, 11)
    assert all(s.everyone_free for s in slots) and len(slots) == 8
    for slot in slots:
        local_start, local_end = slot.start.astimezone(PARIS), slot.end.astimezone(PARIS)
        assert local_start.time() >= dt.time(8, 30) and local_end.time() <= dt.time(18)
        assert local_start.weekday() < 5
    # several days are offered, and proposals never overlap
    assert len({s.start.astimezone(PARIS).date() for s in slots}) >= 4
    ordered = sorted(slots, key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in zip(ordered, ordered[1:], strict=False))


def test_when_nobody_is_free_slots_with_fewest_busy_people_come_first(agent, org):
    a, b, c = (UserFactory(organisation=org) for _n in range(3))
    # every working day: a and b are always busy, c only in the morning
    for person in (a, b):
        make_event(calendar_of(person), at(MONDAY, 8), at(MONDAY, 19), rrule="FREQ=DAILY;COUNT=5")
    make_event(calendar_of(c), at(MONDAY, 8), at(MONDAY, 13), rrule="FREQ=DAILY;COUNT=5")

    slots = propose(agent, [agent, a, b, c], limit=3)

    assert [len(s.busy) for s in slots] == [2, 2, 2]
    assert set(slots[0].busy) == {a, b}
    assert slots[0].start == at(MONDAY, 13)


def test_optional_people_weigh_less_than_required_ones(agent, org):
    required, optional = UserFactory(organisation=org), UserFactory(organisation=org)
    make_event(calendar_of(required), at(MONDAY, 8), at(MONDAY, 12))
    make_event(calendar_of(optional), at(MONDAY, 12), at(MONDAY, 19))
    make_event(
        calendar_of(agent), at(MONDAY + dt.timedelta(days=1), 0), at(MONDAY, 0) + 5 * 24 * HOUR
    )

    slots = propose(agent, [agent, required, optional], optional=[optional], limit=2)

    assert slots[0].busy == (optional,)


def test_a_busy_room_is_never_proposed(agent, org):
    room = ResourceFactory(organisation=org)
    make_event(room.calendar, at(MONDAY, 0), at(MONDAY, 0) + 4 * 24 * HOUR + 14 * HOUR)

    slots = propose(agent, [agent, room])

    assert slots and all(s.start >= at(MONDAY + dt.timedelta(days=4), 14) for s in slots)


def test_outside_addresses_never_block_a_slot(agent):
    slots = propose(agent, [agent, "paul@association.example"], limit=1)

    assert slots[0].start == at(MONDAY, 8, 30)
    assert slots[0].busy == () and slots[0].unknown == ("paul@association.example",)


def test_nothing_is_proposed_in_the_past(agent):
    slots = propose(agent, [agent], now=at(MONDAY, 11, 5), limit=1)

    assert slots[0].start == at(MONDAY, 11, 15)


def test_public_holidays_and_weekends_are_skipped(agent):
    assert dt.date(2027, 3, 29) in french_holidays(2027)  # Easter Monday
    assert dt.date(2027, 5, 6) in french_holidays(2027)  # Ascension
    assert dt.date(2027, 5, 17) in french_holidays(2027)  # Whit Monday
    assert dt.date(2027, 7, 14) in french_holidays(2027)

    slots = propose(agent, [agent], first=dt.date(2027, 3, 27), days=4, limit=1)

    assert slots[0].start == at(dt.date(2027, 3, 30), 8, 30)


def test_slots_keep_to_working_hours_across_the_change_of_time(agent):
    last_summer_day = dt.date(2027, 10, 29)  # Friday; Monday 1 November is a holiday
    slots = propose(
        agent, [agent], first=last_summer_day, days=5, limit=8, now=at(last_summer_day, 0)
    )

    starts = sorted(s.start for s in slots)
    assert starts[0] == at(last_summer_day, 8, 30)
    assert starts[0].astimezone(dt.UTC).hour == 6
    after = [s for s in starts if s.date() > last_summer_day]
    assert after[0] == at(dt.date(2027, 11, 2), 8, 30)
    assert after[0].astimezone(dt.UTC).hour == 7


@pytest.mark.parametrize(
    ("minutes", "days", "message"),
    [
        (10, 5, "entre 15 minutes et 8 heures"),
        (9 * 60, 5, "entre 15 minutes et 8 heures"),
        (60, 43, "au plus 6 semaines"),
        (60, 0, "après son début"),
    ],
)
def test_oversized_or_malformed_questions_are_refused_in_french(agent, minutes, days, message):
    with pytest.raises(ValidationError) as refused:
        propose(agent, [agent], minutes=minutes, days=days)

    assert message in " ".join(refused.value.messages)


def test_too_many_attendees_or_a_bad_address_are_refused(agent):
    with pytest.raises(ValidationError, match="50 participants au plus"):
        propose(agent, [f"p{n}@example.org" for n in range(51)])
    with pytest.raises(ValidationError, match="adresse e-mail valide"):
        propose(agent, [agent, "pas une adresse"])


def test_ranking_thirty_busy_people_over_three_weeks_finds_free_slots(agent, org):
    people = [UserFactory(organisation=org) for _n in range(30)]
    bands = {
        person: [
            Band(
                at(MONDAY, 9) + dt.timedelta(days=d, hours=n % 7),
                at(MONDAY, 10) + dt.timedelta(days=d, hours=n % 7),
            )
            for d in range(21)
        ]
        for n, person in enumerate(people)
    }
    grid = list(freebusy.candidates(at(MONDAY, 0), at(MONDAY, 0) + 21 * 24 * HOUR, HOUR, PARIS))

    slots = freebusy.rank_slots(bands, grid, PARIS)

    assert len(grid) > 400 and len(slots) == 8  # Christmas Day is skipped
    assert all(s.everyone_free for s in slots)
