"""Agenda REST API: calendars and shares, events and series, answers, rooms, permission grid
across two organisations, privacy of private events, Basic auth, OpenAPI schema."""

import base64
import datetime as dt
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from entente.accounts.app_passwords import do_create_app_password
from entente.accounts.tests.factories import TEST_PASSWORD, UserFactory
from entente.calendars import services
from entente.calendars.models import (
    Attendee,
    Calendar,
    CalendarShare,
    Event,
    Occurrence,
    PartStat,
    Privacy,
)
from entente.calendars.tests.factories import CalendarFactory, ResourceFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


# --- helpers -----------------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def basic(email: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{secret}".encode()).decode()


def monday(weeks: int = 2, hour: int = 10) -> dt.datetime:
    """A Monday at ``hour`` (Paris) a few weeks ahead: inside the expansion horizon."""
    today = timezone.now().astimezone(PARIS).date() + dt.timedelta(weeks=weeks)
    day = today - dt.timedelta(days=today.weekday())
    return dt.datetime.combine(day, dt.time(hour), PARIS)


def make_event(user, calendar=None, hours=1, **fields) -> Event:
    start = fields.pop("start", monday())
    data = services.EventData(
        title=fields.pop("title", "Réunion"),
        start=start,
        end=start + dt.timedelta(hours=hours),
        **fields,
    )
    return services.create_event(user, calendar or services.default_calendar(user), data)


def window(start: dt.datetime, days: int = 7) -> dict[str, str]:
    return {"start": start.isoformat(), "end": (start + dt.timedelta(days=days)).isoformat()}


def scoped(url: str, scope: str, recurrence_id: dt.datetime | None = None) -> str:
    params = {"scope": scope}
    if recurrence_id is not None:
        params["recurrence_id"] = recurrence_id.isoformat()
    return f"{url}?{urlencode(params)}"


def occurrences(user, start: dt.datetime, days: int = 7, **params) -> list[dict]:
    response = api(user).get("/api/v1/events/", {**window(start, days), **params})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def colleague(org):
    return UserFactory(organisation=org, first_name="Claire", last_name="Roux")


# --- calendars ---------------------------------------------------------------------------------


def test_calendar_list_gives_each_access_level_and_flags_freebusy_only(
    agent, colleague, other_agent, org
):
    mine = services.default_calendar(agent)
    shared = services.default_calendar(colleague)
    services.share_calendar(colleague, shared, agent, "write")
    remote = services.default_calendar(other_agent)
    services.share_calendar(other_agent, remote, agent, "freebusy")
    room = ResourceFactory(organisation=org)
    hidden = CalendarFactory(owner=UserFactory(organisation=org))

    body = api(agent).get("/api/v1/calendars/").json()
    by_id = {c["id"]: c for c in body["results"]}
    assert by_id[mine.pk]["access"] == "manage"
    assert by_id[shared.pk]["access"] == "write"
    assert by_id[remote.pk]["access"] == "freebusy"
    assert by_id[remote.pk]["freebusy_only"] is True
    assert by_id[mine.pk]["freebusy_only"] is False
    assert by_id[room.calendar.pk]["access"] == "read"
    assert by_id[room.calendar.pk]["kind"] == "resource"
    assert hidden.pk not in by_id
    assert by_id[mine.pk]["owner"] == agent.pk
    assert by_id[mine.pk]["organisation"] == "valmont"
    assert all(c["feed_url"] is None for c in body["results"] if c["access"] != "manage")


def test_calendar_list_query_count_does_not_grow_with_rows(
    agent, org, django_assert_max_num_queries
):
    services.default_calendar(agent)
    for _n in range(2):
        owner = UserFactory(organisation=org)
        services.share_calendar(owner, services.default_calendar(owner), agent, "read")
    with django_assert_max_num_queries(20) as small:
        api(agent).get("/api/v1/calendars/")
    for _n in range(10):
        owner = UserFactory(organisation=org)
        services.share_calendar(owner, services.default_calendar(owner), agent, "read")
        ResourceFactory(organisation=org)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(api(agent).get("/api/v1/calendars/").json()["results"]) == 23


def test_create_update_and_delete_a_personal_calendar(agent):
    client = api(agent)
    response = client.post(
        "/api/v1/calendars/",
        {"name": "Conseil municipal", "colour": "#0f6b4f", "tzid": "America/Martinique"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "personal" and body["owner"] == agent.pk
    assert body["access"] == "manage"
    assert body["tzid"] == "America/Martinique"
    calendar = Calendar.objects.get(pk=body["id"])

    response = client.patch(f"/api/v1/calendars/{calendar.pk}/", {"name": "Conseil"})
    assert response.status_code == 200
    assert response.json()["name"] == "Conseil"
    assert response.json()["colour"] == "#0f6b4f"

    bad = client.patch(f"/api/v1/calendars/{calendar.pk}/", {"colour": "#ffffff"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid" and "colour" in bad.json()["errors"]

    assert client.delete(f"/api/v1/calendars/{calendar.pk}/").status_code == 204
    assert not Calendar.objects.filter(pk=calendar.pk).exists()


def test_the_main_calendar_cannot_be_deleted(agent):
    calendar = services.default_calendar(agent)
    response = api(agent).delete(f"/api/v1/calendars/{calendar.pk}/")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert Calendar.objects.filter(pk=calendar.pk).exists()


@pytest.mark.parametrize(
    ("share", "expected"), [(None, 404), ("freebusy", 404), ("read", 403), ("write", 403)]
)
def test_only_managers_change_a_calendar(agent, colleague, share, expected):
    calendar = services.default_calendar(agent)
    if share:
        services.share_calendar(agent, calendar, colleague, share)
    client = api(colleague)
    url = f"/api/v1/calendars/{calendar.pk}/"
    assert client.patch(url, {"name": "Piraté"}).status_code == expected
    assert client.delete(url).status_code == expected
    assert client.get(f"{url}shares/").status_code == expected
    calendar.refresh_from_db()
    assert calendar.name != "Piraté"


@pytest.mark.parametrize("who", ["other_agent", "other_admin", "guest", "org_admin"])
def test_someone_elses_personal_calendar_is_a_404(request, agent, who):
    calendar = services.default_calendar(agent)
    client = api(request.getfixturevalue(who))
    assert client.get(f"/api/v1/calendars/{calendar.pk}/").status_code == 404
    response = client.patch(f"/api/v1/calendars/{calendar.pk}/", {"name": "x"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_shares_are_listed_created_and_removed_by_the_manager(agent, colleague, other_org):
    calendar = services.default_calendar(agent)
    client = api(agent)
    url = f"/api/v1/calendars/{calendar.pk}/shares/"
    created = client.post(url, {"user": colleague.pk, "level": "read"}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["grantee_type"] == "user"
    assert created.json()["grantee_name"] == "Claire Roux"
    org_share = client.post(url, {"organisation": other_org.slug, "level": "freebusy"})
    assert org_share.status_code == 201
    listed = client.get(url).json()
    assert {(s["grantee_type"], s["level"]) for s in listed} == {
        ("user", "read"),
        ("organisation", "freebusy"),
    }
    share_id = created.json()["id"]
    assert client.delete(f"{url}{share_id}/").status_code == 204
    assert not CalendarShare.objects.filter(pk=share_id).exists()
    assert client.delete(f"{url}{share_id}/").status_code == 404


def test_share_errors_are_400_with_a_code(agent, other_agent, other_org):
    calendar = services.default_calendar(agent)
    url = f"/api/v1/calendars/{calendar.pk}/shares/"
    client = api(agent)
    for body in (
        {"user": 999999, "level": "read"},
        {"user": "abc", "level": "read"},
        {"user": other_agent.pk, "level": "owner"},
        {"level": "read"},
        {"user": other_agent.pk, "organisation": "valmont", "level": "read"},
        {"organisation": "nulle-part", "level": "read"},
        {"user": agent.pk, "level": "read"},  # oneself
    ):
        response = client.post(url, body, format="json")
        assert response.status_code == 400, body
        assert response.json()["code"] == "invalid"
    agent.organisation.policy.external_sharing_allowed = False
    agent.organisation.policy.save()
    response = client.post(url, {"user": other_agent.pk, "level": "read"}, format="json")
    assert response.status_code == 400
    assert "n'autorise pas le partage" in str(response.json()["errors"])
    assert not CalendarShare.objects.exists()


def test_a_share_of_another_calendar_cannot_be_removed_through_mine(agent, colleague):
    theirs = services.default_calendar(colleague)
    share = services.share_calendar(colleague, theirs, agent, "write")
    mine = services.default_calendar(agent)
    response = api(agent).delete(f"/api/v1/calendars/{mine.pk}/shares/{share.pk}/")
    assert response.status_code == 404
    assert CalendarShare.objects.filter(pk=share.pk).exists()


# --- events: reading ---------------------------------------------------------------------------


def test_occurrences_in_a_window(agent):
    event = make_event(agent, title="Point équipe", location="Mairie", rrule="FREQ=DAILY;COUNT=3")
    rows = occurrences(agent, monday() - dt.timedelta(hours=1))
    assert [r["title"] for r in rows] == ["Point équipe"] * 3
    first = rows[0]
    assert first["event"] == event.pk and first["series"] == event.pk
    assert first["details"] is True
    assert first["location"] == "Mairie"
    assert first["calendar"] == event.calendar_id
    assert first["is_recurring"] is True
    assert dt.datetime.fromisoformat(first["start"]) == monday()
    assert dt.datetime.fromisoformat(first["recurrence_id"]) == monday()
    assert occurrences(agent, monday() + dt.timedelta(days=10)) == []


def test_occurrences_of_one_calendar_only(agent):
    other = services.create_calendar(agent, name="Associatif")
    make_event(agent, title="Dans le principal")
    make_event(agent, calendar=other, title="Dans l'autre")
    rows = occurrences(agent, monday() - dt.timedelta(hours=1), calendar=other.pk)
    assert [r["title"] for r in rows] == ["Dans l'autre"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"start": "2026-03-01T00:00:00+01:00"},
        {"end": "2026-03-01T00:00:00+01:00"},
        {"start": "hier", "end": "2026-03-01T00:00:00+01:00"},
        {"start": "2026-03-02T00:00:00+01:00", "end": "2026-03-01T00:00:00+01:00"},
        {"start": "2026-01-01T00:00:00+01:00", "end": "2027-01-03T00:00:00+01:00"},
        {"start": "2026-03-01T00:00:00Z", "end": "2026-03-02T00:00:00Z", "calendar": "x"},
    ],
)
def test_a_bad_window_is_a_400_with_a_code(agent, params):
    response = api(agent).get("/api/v1/events/", params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"]


def test_a_window_of_366_days_is_accepted(agent):
    response = api(agent).get(
        "/api/v1/events/", {"start": "2026-01-01T00:00:00Z", "end": "2027-01-02T00:00:00Z"}
    )
    assert response.status_code == 200


def test_a_calendar_one_may_not_read_is_refused_as_a_filter(agent, other_agent):
    theirs = services.default_calendar(other_agent)
    make_event(other_agent)
    response = api(agent).get("/api/v1/events/", {**window(monday()), "calendar": theirs.pk})
    assert response.status_code == 400
    assert "calendar" in response.json()["errors"]


def test_occurrence_list_query_count_does_not_grow_with_a_series(
    agent, django_assert_max_num_queries
):
    make_event(agent, rrule="FREQ=DAILY;COUNT=2")
    start = monday() - dt.timedelta(hours=1)
    with django_assert_max_num_queries(30) as small:
        occurrences(agent, start, days=30)
    Event.objects.all().delete()
    Occurrence.objects.all().delete()
    make_event(agent, rrule="FREQ=DAILY;COUNT=25")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(occurrences(agent, start, days=30)) == 25


# --- privacy -----------------------------------------------------------------------------------


def test_another_organisations_private_event_reads_occupe(agent, other_agent, other_org):
    calendar = services.default_calendar(agent)
    services.share_calendar(agent, calendar, other_org, "read")
    secret = make_event(
        agent, title="Rendez-vous médical", location="Clinique", privacy=Privacy.PRIVATE
    )
    make_event(agent, title="Conseil", start=monday(hour=14))

    rows = occurrences(other_agent, monday() - dt.timedelta(hours=1))
    by_title = {r["title"]: r for r in rows}
    assert set(by_title) == {"Occupé", "Conseil"}
    hidden = by_title["Occupé"]
    assert hidden["details"] is False
    assert hidden["location"] is None and hidden["description"] is None
    assert hidden["event"] == secret.pk
    assert "Rendez-vous" not in str(rows) and "Clinique" not in str(rows)

    detail = api(other_agent).get(f"/api/v1/events/{secret.pk}/").json()
    assert detail["title"] == "Occupé"
    assert detail["details"] is False
    assert detail["location"] is None and detail["attendees"] == []
    assert detail["start"] is not None
    assert "Rendez-vous" not in str(detail) and "Clinique" not in str(detail)

    own = api(agent).get(f"/api/v1/events/{secret.pk}/").json()
    assert own["title"] == "Rendez-vous médical" and own["details"] is True


def test_a_private_event_shows_to_writers_and_attendees(agent, colleague, other_agent):
    calendar = services.default_calendar(agent)
    services.share_calendar(agent, calendar, colleague, "write")
    event = make_event(agent, title="Entretien", privacy=Privacy.PRIVATE, users=[other_agent])
    for user in (colleague, other_agent):
        body = api(user).get(f"/api/v1/events/{event.pk}/").json()
        assert body["title"] == "Entretien", user
        assert {a["kind"] for a in body["attendees"]} == {"user"}


# --- events: writing ---------------------------------------------------------------------------


def test_create_retrieve_update_and_delete_an_event(agent, colleague, org):
    room = ResourceFactory(organisation=org, name="Salle du conseil")
    client = api(agent)
    start = monday()
    response = client.post(
        "/api/v1/events/",
        {
            "title": "Comité",
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=2)).isoformat(),
            "location": "Mairie",
            "users": [colleague.pk],
            "externals": [{"email": "Conseil@Exemple.fr", "name": "Cabinet"}],
            "resources": [room.pk],
            "reminders": [15],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    event = Event.objects.get(pk=body["id"])
    assert event.calendar == services.default_calendar(agent)
    assert body["organiser"]["id"] == agent.pk
    kinds = {(a["kind"], a["email"] or a["name"]) for a in body["attendees"]}
    assert ("external", "conseil@exemple.fr") in kinds
    assert ("resource", room.name) in {(a["kind"], a["name"]) for a in body["attendees"]}
    assert {a["user"] for a in body["attendees"] if a["kind"] == "user"} == {agent.pk, colleague.pk}

    detail = client.get(f"/api/v1/events/{event.pk}/").json()
    assert detail["reminders"] == [15]
    assert detail["abilities"]["edit"] is True

    response = client.patch(f"/api/v1/events/{event.pk}/", {"title": "Comité de pilotage"})
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Comité de pilotage"
    assert response.json()["location"] == "Mairie"  # untouched fields keep their value
    assert len(response.json()["attendees"]) == 4

    assert client.delete(f"/api/v1/events/{event.pk}/").status_code == 204
    event.refresh_from_db()
    assert event.status == "CANCELLED"  # kept as a tombstone: attendees are told
    assert occurrences(agent, start - dt.timedelta(hours=1)) == []


def test_an_event_in_another_calendar_one_may_write(agent, colleague):
    calendar = services.default_calendar(colleague)
    services.share_calendar(colleague, calendar, agent, "write")
    start = monday()
    response = api(agent).post(
        "/api/v1/events/",
        {
            "calendar": calendar.pk,
            "title": "Pour Claire",
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201
    assert Event.objects.get(pk=response.json()["id"]).calendar == calendar


def test_writing_in_a_calendar_shared_for_reading_is_a_403(agent, colleague):
    calendar = services.default_calendar(colleague)
    services.share_calendar(colleague, calendar, agent, "read")
    start = monday()
    response = api(agent).post(
        "/api/v1/events/",
        {
            "calendar": calendar.pk,
            "title": "x",
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"users": [999999]},
        {"users": ["douze"]},
        {"resources": [999999]},
        {"externals": [{"email": "pas-une-adresse"}]},
        {"calendar": 999999},
        {"rrule": "FREQ=MINUTELY"},
        {"tzid": "Mars/Olympus"},
        {"end": "2020-01-01T00:00:00Z"},
        {"title": ""},
        {"visio_url": "http://visio.example"},
    ],
)
def test_invalid_event_input_is_a_400_never_a_500(agent, change):
    start = monday()
    body = {
        "title": "Réunion",
        "start": start.isoformat(),
        "end": (start + dt.timedelta(hours=1)).isoformat(),
        **change,
    }
    response = api(agent).post("/api/v1/events/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"]
    assert not Event.objects.exists()


def test_a_room_of_another_organisation_not_open_to_booking_is_unknown(agent, other_org):
    room = ResourceFactory(organisation=other_org, bookable_by_territory=False)
    start = monday()
    response = api(agent).post(
        "/api/v1/events/",
        {
            "title": "x",
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=1)).isoformat(),
            "resources": [room.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "resources" in response.json()["errors"]


def test_a_booked_room_is_a_409_with_free_rooms(agent, colleague, org):
    council = ResourceFactory(organisation=org, name="Salle du conseil")
    weddings = ResourceFactory(organisation=org, name="Salle des mariages")
    make_event(colleague, resources=[council], title="Déjà là")
    start = monday()
    response = api(agent).post(
        "/api/v1/events/",
        {
            "title": "Commission",
            "start": (start + dt.timedelta(minutes=30)).isoformat(),
            "end": (start + dt.timedelta(hours=2)).isoformat(),
            "resources": [council.pk],
        },
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "room_unavailable"
    assert "Salle du conseil" in body["detail"]
    assert body["conflicts"] == [{"id": council.pk, "name": "Salle du conseil"}]
    assert {"id": weddings.pk, "name": "Salle des mariages"} in body["free_rooms"]
    assert Event.objects.count() == 1


def test_moving_an_event_onto_a_booked_room_is_a_409(agent, colleague, org):
    council = ResourceFactory(organisation=org, name="Salle du conseil")
    make_event(colleague, resources=[council])
    mine = make_event(agent, resources=[council], start=monday(hour=15))
    response = api(agent).patch(
        f"/api/v1/events/{mine.pk}/",
        {"start": monday().isoformat(), "end": monday(hour=11).isoformat()},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "room_unavailable"
    mine.refresh_from_db()
    assert mine.start == monday(hour=15)


def test_an_event_does_not_change_calendar(agent):
    event = make_event(agent)
    other = services.create_calendar(agent, name="Autre")
    response = api(agent).patch(f"/api/v1/events/{event.pk}/", {"calendar": other.pk})
    assert response.status_code == 400
    assert "calendar" in response.json()["errors"]


# --- series ------------------------------------------------------------------------------------


def test_series_scopes_through_the_api(agent):
    series = make_event(agent, title="Hebdo", rrule="FREQ=WEEKLY;COUNT=5")
    client = api(agent)
    start = monday() - dt.timedelta(hours=1)
    instants = [monday() + dt.timedelta(weeks=n) for n in range(5)]

    # this one: the third instance only
    url = f"/api/v1/events/{series.pk}/"
    response = client.patch(
        scoped(url, "this", instants[2]),
        {"title": "Hebdo exceptionnel"},
        format="json",
    )
    assert response.status_code == 200, response.content
    override = response.json()
    assert override["id"] != series.pk and override["series"] == series.pk
    assert dt.datetime.fromisoformat(override["start"]) == instants[2]
    titles = [r["title"] for r in occurrences(agent, start, days=40)]
    assert titles == ["Hebdo", "Hebdo", "Hebdo exceptionnel", "Hebdo", "Hebdo"]

    # delete the second instance only
    response = client.delete(scoped(url, "this", instants[1]))
    assert response.status_code == 204
    rows = occurrences(agent, start, days=40)
    assert [dt.datetime.fromisoformat(r["start"]) for r in rows] == [
        instants[0],
        instants[2],
        instants[3],
        instants[4],
    ]

    # this one and the following, from the fourth: a new series
    response = client.patch(
        scoped(url, "following", instants[3]),
        {"title": "Hebdo (nouvel horaire)"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["id"] != series.pk
    titles = [r["title"] for r in occurrences(agent, start, days=40)]
    assert titles == ["Hebdo", "Hebdo exceptionnel", "Hebdo (nouvel horaire)"] + [
        "Hebdo (nouvel horaire)"
    ]

    # all: the first series renamed (its override keeps its own title)
    response = client.patch(scoped(url, "all"), {"location": "Salle B"}, format="json")
    assert response.status_code == 200
    assert response.json()["location"] == "Salle B"
    assert response.json()["rrule"].startswith("FREQ=WEEKLY")


def test_a_bad_scope_or_instance_is_a_400(agent):
    series = make_event(agent, rrule="FREQ=WEEKLY;COUNT=3")
    client = api(agent)
    url = f"/api/v1/events/{series.pk}/"
    assert client.patch(f"{url}?scope=some", {"title": "x"}).status_code == 400
    assert client.patch(f"{url}?scope=this&recurrence_id=demain", {"title": "x"}).status_code == 400
    wrong = monday() + dt.timedelta(hours=3)
    response = client.patch(scoped(url, "this", wrong), {"title": "x"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


# --- answers -----------------------------------------------------------------------------------


def test_an_attendee_responds(agent, colleague):
    event = make_event(agent, users=[colleague])
    response = api(colleague).post(
        f"/api/v1/events/{event.pk}/respond/",
        {"partstat": "ACCEPTED", "comment": "Avec plaisir"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["partstat"] == "ACCEPTED"
    attendee = Attendee.objects.get(event=event, user=colleague)
    assert attendee.partstat == PartStat.ACCEPTED and attendee.comment == "Avec plaisir"
    detail = api(agent).get(f"/api/v1/events/{event.pk}/").json()
    answers = {a["user"]: a["partstat"] for a in detail["attendees"]}
    assert answers[colleague.pk] == "ACCEPTED"


def test_respond_errors(agent, colleague, other_agent):
    event = make_event(agent, users=[colleague])
    bad = api(colleague).post(f"/api/v1/events/{event.pk}/respond/", {"partstat": "MAYBE"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    services.share_calendar(agent, event.calendar, other_agent, "read")
    reader = api(other_agent).post(f"/api/v1/events/{event.pk}/respond/", {"partstat": "ACCEPTED"})
    assert reader.status_code == 403  # sees it, is not invited
    stranger = api(UserFactory(organisation=other_agent.organisation)).post(
        f"/api/v1/events/{event.pk}/respond/", {"partstat": "ACCEPTED"}
    )
    assert stranger.status_code == 404


# --- permission grid ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["colleague", "org_admin", "other_agent", "other_admin", "guest"])
def test_without_access_an_event_is_a_404_everywhere(request, agent, who):
    event = make_event(agent, title="Confidentiel")
    client = api(request.getfixturevalue(who))
    url = f"/api/v1/events/{event.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"title": "x"}).status_code == 404
    assert client.put(url, {"title": "x"}).status_code == 404
    assert client.delete(url).status_code == 404
    assert client.post(f"{url}respond/", {"partstat": "ACCEPTED"}).status_code == 404
    assert "Confidentiel" not in str(client.get("/api/v1/events/", window(monday(), 2)).json())
    event.refresh_from_db()
    assert event.title == "Confidentiel" and event.status == "CONFIRMED"


@pytest.mark.parametrize(
    ("level", "read", "write"),
    [("freebusy", 404, 404), ("read", 200, 403), ("write", 200, 200)],
)
def test_share_levels_across_organisations(agent, other_agent, level, read, write):
    calendar = services.default_calendar(agent)
    services.share_calendar(agent, calendar, other_agent, level)
    event = make_event(agent, title="Réunion")
    client = api(other_agent)
    url = f"/api/v1/events/{event.pk}/"
    assert client.get(url).status_code == read
    assert client.patch(url, {"title": "Changée"}).status_code == write
    expected = 204 if write == 200 else write
    assert client.delete(url).status_code == expected


def test_anonymous_gets_a_json_403(agent):
    event = make_event(agent)
    for url in ("/api/v1/calendars/", f"/api/v1/events/{event.pk}/", "/api/v1/resources/"):
        response = APIClient().get(url)
        assert response.status_code == 403
        assert response.json()["code"] == "not_authenticated"


# --- resources ---------------------------------------------------------------------------------


def test_resources_visible_and_free_ones(agent, colleague, org, other_org):
    council = ResourceFactory(organisation=org, name="Salle du conseil")
    weddings = ResourceFactory(organisation=org, name="Salle des mariages")
    van = ResourceFactory(organisation=org, name="Camionnette", kind="vehicle")
    shared = ResourceFactory(organisation=other_org, name="Auditorium", bookable_by_territory=True)
    ResourceFactory(organisation=other_org, name="Bureau du président")
    make_event(colleague, resources=[council])
    client = api(agent)

    names = {r["name"] for r in client.get("/api/v1/resources/").json()["results"]}
    assert names == {"Salle du conseil", "Salle des mariages", "Camionnette", "Auditorium"}
    rooms = client.get("/api/v1/resources/", {"kind": "room"}).json()["results"]
    assert van.pk not in {r["id"] for r in rooms}
    free = client.get(
        "/api/v1/resources/",
        {
            "kind": "room",
            "free_from": monday().isoformat(),
            "free_to": monday(hour=11).isoformat(),
        },
    ).json()["results"]
    assert {r["id"] for r in free} == {weddings.pk, shared.pk}
    detail = client.get(f"/api/v1/resources/{shared.pk}/").json()
    assert detail["organisation"] == "metropole-lac"
    assert detail["calendar"] == shared.calendar.pk


@pytest.mark.parametrize(
    "params",
    [
        {"free_from": "2026-03-01T10:00:00Z"},
        {"free_from": "2026-03-01T10:00:00Z", "free_to": "2026-03-01T09:00:00Z"},
        {"free_from": "demain", "free_to": "2026-03-01T09:00:00Z"},
        {"kind": "spaceship"},
    ],
)
def test_bad_resource_filters_are_400(agent, params):
    response = api(agent).get("/api/v1/resources/", params)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_org_admins_create_and_change_resources(agent, org_admin, other_admin):
    response = api(org_admin).post(
        "/api/v1/resources/",
        {"name": "Salle polyvalente", "kind": "room", "capacity": 40},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["organisation"] == "valmont"
    assert body["calendar"] is not None
    url = f"/api/v1/resources/{body['id']}/"
    changed = api(org_admin).patch(url, {"bookable_by_territory": True}, format="json")
    assert changed.status_code == 200 and changed.json()["bookable_by_territory"] is True

    assert api(agent).patch(url, {"name": "x"}).status_code == 403
    assert api(other_admin).patch(url, {"name": "x"}).status_code == 403  # visible, not theirs
    denied = api(agent).post("/api/v1/resources/", {"name": "Salle pirate"}, format="json")
    assert denied.status_code == 403
    duplicate = api(org_admin).post("/api/v1/resources/", {"name": "Salle polyvalente"})
    assert duplicate.status_code == 400


def test_another_organisations_private_resource_is_a_404(agent, other_admin):
    response = api(other_admin).post("/api/v1/resources/", {"name": "Bureau"}, format="json")
    url = f"/api/v1/resources/{response.json()['id']}/"
    assert api(agent).get(url).status_code == 404
    assert api(agent).patch(url, {"name": "x"}).status_code == 404


# --- authentication ----------------------------------------------------------------------------


def test_basic_auth_with_an_app_password(agent):
    make_event(agent, title="Depuis Thunderbird")
    _app_password, secret = do_create_app_password(agent, agent, "Thunderbird")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(agent.email, secret))
    response = client.get("/api/v1/events/", window(monday(), 2))
    assert response.status_code == 200
    assert [r["title"] for r in response.json()] == ["Depuis Thunderbird"]
    start = monday(hour=16)
    created = client.post(
        "/api/v1/events/",
        {
            "title": "Créé par un client",
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201  # no CSRF token needed with Basic


def test_the_account_password_is_refused_over_basic(agent):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(agent.email, TEST_PASSWORD))
    response = client.get("/api/v1/calendars/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert response["WWW-Authenticate"].startswith("Basic")


# --- schema ------------------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_agenda_without_warnings(agent):
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    # enum naming collisions name no view: the whole schema must be clean
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    GENERATOR_STATS.reset()
    assert problems == []
    paths = schema["paths"]
    for route in (
        "/api/v1/calendars/",
        "/api/v1/calendars/{id}/",
        "/api/v1/calendars/{id}/shares/",
        "/api/v1/calendars/{id}/shares/{share_id}/",
        "/api/v1/events/",
        "/api/v1/events/{id}/",
        "/api/v1/events/{id}/respond/",
        "/api/v1/resources/",
        "/api/v1/resources/{id}/",
        "/api/v1/freebusy/",
        "/api/v1/freebusy/slots/",
    ):
        assert route in paths, route
    assert "409" in paths["/api/v1/events/"]["post"]["responses"]
    listed = {p["name"] for p in paths["/api/v1/events/"]["get"]["parameters"]}
    assert listed == {"start", "end", "calendar"}  # not paginated: the window bounds it
    served = api(agent).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert served.status_code == 200
    assert b"/api/v1/freebusy/slots/" in served.content


def test_the_subscription_address_is_only_given_to_managers(agent, colleague):
    calendar = services.default_calendar(agent)
    services.share_calendar(agent, calendar, colleague, "write")
    seen = api(colleague).get(f"/api/v1/calendars/{calendar.pk}/")
    assert seen.json()["access"] == "write"
    assert seen.json()["feed_url"] is None
    assert calendar.feed_token not in seen.content.decode()
    mine = api(agent).get(f"/api/v1/calendars/{calendar.pk}/").json()
    assert mine["feed_url"].startswith("http")
    assert calendar.feed_token in mine["feed_url"]


def test_guests_may_not_create_calendars(guest):
    response = api(guest).post("/api/v1/calendars/", {"name": "Le mien"}, format="json")
    assert response.status_code == 403
    assert not Calendar.objects.filter(owner=guest, name="Le mien").exists()
