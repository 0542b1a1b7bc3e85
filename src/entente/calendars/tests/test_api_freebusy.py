"""Agenda REST API: busy times per attendee (titles only where allowed) and proposed slots."""

import datetime as dt

import pytest

from entente.accounts.tests.factories import UserFactory
from entente.calendars import services
from entente.calendars.freebusy import french_holidays
from entente.calendars.models import Privacy
from entente.calendars.tests.factories import ResourceFactory
from entente.calendars.tests.test_api import PARIS, api, make_event
from entente.organisations.models import DirectoryVisibility

pytestmark = pytest.mark.django_db

FREEBUSY = "/api/v1/freebusy/"
SLOTS = "/api/v1/freebusy/slots/"


def workday(weeks: int = 2) -> dt.date:
    """A working day (not a weekend, not a French public holiday) a few weeks ahead."""
    from django.utils import timezone

    day = timezone.now().astimezone(PARIS).date() + dt.timedelta(weeks=weeks)
    while day.weekday() > 4 or day in french_holidays(day.year):
        day += dt.timedelta(days=1)
    return day


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), PARIS)


def times(band: dict) -> tuple[dt.datetime, dt.datetime]:
    return dt.datetime.fromisoformat(band["start"]), dt.datetime.fromisoformat(band["end"])


@pytest.fixture
def colleague(org):
    return UserFactory(organisation=org, first_name="Claire", last_name="Roux")


def ask(user, attendees: dict, start: dt.datetime, end: dt.datetime):
    body = {"attendees": attendees, "start": start.isoformat(), "end": end.isoformat()}
    return api(user).post(FREEBUSY, body, format="json")


# --- busy times --------------------------------------------------------------------------------


def test_busy_bands_per_attendee_merged_with_titles_only_where_allowed(agent, colleague, org):
    day = workday()
    room = ResourceFactory(organisation=org, name="Salle du conseil")
    make_event(agent, title="Point équipe", start=at(day, 10))
    make_event(agent, title="Dentiste", start=at(day, 10, 30), hours=1.5, privacy=Privacy.PRIVATE)
    make_event(colleague, title="Entretien annuel", start=at(day, 14))
    make_event(colleague, title="Commission", start=at(day, 9), resources=[room])

    response = ask(
        agent,
        {"users": [agent.pk, colleague.pk], "resources": [room.pk], "externals": ["x@exemple.fr"]},
        at(day, 0),
        at(day + dt.timedelta(days=1), 0),
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert dt.datetime.fromisoformat(body["start"]) == at(day, 0)
    by_key = {(a["type"], a["id"] or a["email"]): a for a in body["attendees"]}

    mine = by_key[("user", agent.pk)]["busy"]
    assert len(mine) == 1  # 10:00–11:00 and 10:30–12:00 merged
    assert times(mine[0]) == (at(day, 10), at(day, 12))
    assert mine[0]["title"] == "Point équipe ; Dentiste"

    theirs = by_key[("user", colleague.pk)]["busy"]
    assert [times(b) for b in theirs] == [(at(day, 9), at(day, 10)), (at(day, 14), at(day, 15))]
    assert {b["title"] for b in theirs} == {None}  # their calendar is not shared with me
    assert by_key[("user", colleague.pk)]["name"] == "Claire Roux"

    booked = by_key[("resource", room.pk)]
    assert booked["name"] == "Salle du conseil"
    assert [times(b) for b in booked["busy"]] == [(at(day, 9), at(day, 10))]
    assert booked["busy"][0]["title"] is None

    outside = by_key[("external", "x@exemple.fr")]
    assert outside["busy"] is None  # unknown, never "free"


def test_another_organisations_private_event_has_no_title(agent, other_agent, other_org):
    day = workday()
    services.share_calendar(agent, services.default_calendar(agent), other_org, "read")
    make_event(agent, title="Rendez-vous médical", start=at(day, 9), privacy=Privacy.PRIVATE)
    make_event(agent, title="Conseil municipal", start=at(day, 15))
    response = ask(other_agent, {"users": [agent.pk]}, at(day, 0), at(day, 23))
    assert response.status_code == 200
    bands = response.json()["attendees"][0]["busy"]
    assert [b["title"] for b in bands] == [None, "Conseil municipal"]
    assert "Rendez-vous" not in response.content.decode()


def test_without_any_share_only_busy_times_cross_organisations(agent, other_agent):
    day = workday()
    make_event(agent, title="Conseil municipal", start=at(day, 15))
    response = ask(other_agent, {"users": [agent.pk]}, at(day, 0), at(day, 23))
    assert response.status_code == 200
    bands = response.json()["attendees"][0]["busy"]
    assert [(times(b), b["title"]) for b in bands] == [((at(day, 15), at(day, 16)), None)]


@pytest.mark.parametrize(
    "attendees",
    [
        {},
        {"users": []},
        {"users": [999999]},
        {"users": ["douze"]},
        {"resources": [999999]},
        {"externals": ["pas-une-adresse"]},
        {"users": "1,2"},
    ],
)
def test_bad_attendees_are_a_400(agent, attendees):
    day = workday()
    response = ask(agent, attendees, at(day, 0), at(day, 23))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_people_one_may_not_see_are_refused_like_unknown_ones(agent, other_agent, other_org):
    other_org.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    other_org.policy.save()
    day = workday()
    hidden = ask(agent, {"users": [other_agent.pk]}, at(day, 0), at(day, 23))
    unknown = ask(agent, {"users": [999999]}, at(day, 0), at(day, 23))
    assert hidden.status_code == unknown.status_code == 400
    assert hidden.json() == unknown.json()


def test_a_room_of_another_organisation_not_open_to_booking_is_refused(agent, other_org):
    room = ResourceFactory(organisation=other_org, bookable_by_territory=False)
    day = workday()
    response = ask(agent, {"resources": [room.pk]}, at(day, 0), at(day, 23))
    assert response.status_code == 400
    assert "resources" in str(response.json()["errors"])


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-03-02T10:00:00+01:00", "2026-03-02T09:00:00+01:00"),
        ("2026-01-01T00:00:00Z", "2027-01-03T00:00:00Z"),
        ("lundi", "2026-03-02T09:00:00+01:00"),
        (None, "2026-03-02T09:00:00+01:00"),
    ],
)
def test_a_bad_window_is_a_400(agent, start, end):
    body = {"attendees": {"users": [agent.pk]}, "end": end}
    if start is not None:
        body["start"] = start
    response = api(agent).post(FREEBUSY, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_anonymous_is_refused(agent):
    from rest_framework.test import APIClient

    response = APIClient().post(FREEBUSY, {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_query_count_does_not_grow_with_attendees(agent, org, django_assert_max_num_queries):
    day = workday()
    few = [UserFactory(organisation=org) for _n in range(2)]
    many = few + [UserFactory(organisation=org) for _n in range(12)]
    for person in many:
        make_event(person, start=at(day, 9))
    with django_assert_max_num_queries(25) as small:
        ask(agent, {"users": [p.pk for p in few]}, at(day, 0), at(day, 23))
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = ask(agent, {"users": [p.pk for p in many]}, at(day, 0), at(day, 23))
    assert len(response.json()["attendees"]) == 14


# --- slots -------------------------------------------------------------------------------------


def test_slots_avoid_busy_rooms_and_prefer_everyone_free(agent, colleague, org):
    day = workday()
    room = ResourceFactory(organisation=org, name="Salle du conseil")
    make_event(colleague, title="Matinée prise", start=at(day, 8, 30), hours=3.5)
    make_event(agent, title="Salle prise", start=at(day, 13), hours=5, resources=[room])
    body = {
        "attendees": {
            "users": [colleague.pk],
            "resources": [room.pk],
            "externals": ["conseil@exemple.fr"],
        },
        "duration_minutes": 60,
        "start": at(day, 0).isoformat(),
        "end": at(day + dt.timedelta(days=1), 0).isoformat(),
    }
    response = api(agent).post(SLOTS, body, format="json")
    assert response.status_code == 200, response.content
    slots = response.json()
    assert slots
    first = slots[0]
    assert first["everyone_free"] is True
    assert times(first) == (at(day, 12), at(day, 13))
    assert first["unknown"] == ["conseil@exemple.fr"]
    for slot in slots:
        start, end = times(slot)
        assert end - start == dt.timedelta(hours=1)
        assert not (start < at(day, 18) and end > at(day, 13)), "the room is booked then"
        if start < at(day, 12):
            assert [b["id"] for b in slot["busy"]] == [colleague.pk]
            assert slot["busy"][0]["type"] == "user"
            assert slot["everyone_free"] is False


@pytest.mark.parametrize(
    "change",
    [
        {"duration_minutes": 5},
        {"duration_minutes": 600},
        {"duration_minutes": "une heure"},
        {"end": "2020-01-01T00:00:00Z"},
        {"attendees": {"users": [999999]}},
        {"attendees": {}},
        {"limit": 0},
    ],
)
def test_bad_slot_questions_are_a_400(agent, change):
    day = workday()
    body = {
        "attendees": {"users": [agent.pk]},
        "duration_minutes": 60,
        "start": at(day, 0).isoformat(),
        "end": at(day, 23).isoformat(),
        **change,
    }
    response = api(agent).post(SLOTS, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"


def test_a_search_window_longer_than_six_weeks_is_refused(agent):
    day = workday()
    body = {
        "attendees": {"users": [agent.pk]},
        "duration_minutes": 60,
        "start": at(day, 0).isoformat(),
        "end": at(day + dt.timedelta(weeks=7), 0).isoformat(),
    }
    response = api(agent).post(SLOTS, body, format="json")
    assert response.status_code == 400
    assert "6 semaines" in str(response.json()) or "42 jours" in str(response.json())
