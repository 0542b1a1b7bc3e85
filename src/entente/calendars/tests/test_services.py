"""The agenda use cases: validation per field without partial writes, sharing under the
organisation's policy, answers, pending invitations, the agenda read, visio links and the
audit trail."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from entente.accounts.tests.factories import UserFactory
from entente.audit.models import AuditEvent, EventKind
from entente.calendars import services
from entente.calendars.models import (
    Attendee,
    Calendar,
    CalendarShare,
    Event,
    EventStatus,
    Occurrence,
    PartStat,
    Role,
)
from entente.calendars.services import EventData, Scope
from entente.calendars.tests.factories import (
    PARIS,
    YEAR,
    CalendarFactory,
    ResourceFactory,
    event_data,
    make_event,
    paris,
)
from entente.directory.tests.factories import GroupFactory
from entente.organisations.models import DirectoryVisibility
from entente.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Event, Attendee, Occurrence, CalendarShare, AuditEvent)
    )


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {name: [e.code for e in errors] for name, errors in error.error_dict.items()}


# --- creating and changing events: validation ----------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"title": "   "}, "title", "required"),
        ({"title": "x" * 256}, "title", "max_length"),
        ({"location": "x" * 256}, "location", "max_length"),
        ({"description": "x" * 20001}, "description", "max_length"),
        ({"end": paris(YEAR, 3, 3, 9)}, "end", "end_before_start"),
        ({"end": paris(YEAR, 3, 3, 10)}, "end", "end_before_start"),
        ({"end": paris(YEAR + 1, 3, 5, 10)}, "end", "too_long"),
        ({"visio_url": "http://visio.example/salle"}, "visio_url", "invalid_url"),
        ({"visio_url": "javascript:alert(1)"}, "visio_url", "invalid_url"),
        ({"externals": [("pas-une-adresse", "X")]}, "externals", "invalid_email"),
        ({"rrule": "FREQ=SECONDLY"}, "rrule", "rrule_too_frequent"),
        ({"tzid": "Mars/Olympus"}, "tzid", "invalid_timezone"),
        ({"reminders": [60 * 24 * 40]}, "reminders", "invalid"),
        ({"attachments": [{"url": "ftp://x"}]}, "attachments", "invalid"),
        ({"privacy": "secret"}, "privacy", "invalid"),
    ],
)
def test_each_invalid_field_is_named_with_a_french_message(agent, fields, field, code):
    calendar = services.default_calendar(agent)
    before = counts()

    with pytest.raises(ValidationError) as caught:
        services.create_event(agent, calendar, event_data(**fields))

    assert codes(caught.value)[field] == [code]
    assert all(caught.value.message_dict[field])
    assert counts() == before


def test_a_person_the_organiser_cannot_see_cannot_be_invited(agent, other_org):
    other_org.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    other_org.policy.save()
    hidden = UserFactory(organisation=other_org)
    gone = UserFactory(organisation=agent.organisation, is_active=False)
    calendar = services.default_calendar(agent)
    before = counts()

    for person in (hidden, gone):
        with pytest.raises(ValidationError) as caught:
            services.create_event(agent, calendar, event_data(users=[person]))
        assert codes(caught.value) == {"users": ["unknown_person"]}
    assert counts() == before


def test_a_room_another_organisation_did_not_open_cannot_be_booked(agent, other_org):
    closed = ResourceFactory(organisation=other_org)
    calendar = services.default_calendar(agent)
    before = counts()

    with pytest.raises(ValidationError) as caught:
        services.create_event(agent, calendar, event_data(resources=[closed]))

    assert codes(caught.value) == {"resources": ["not_bookable"]}
    assert counts() == before
    opened = ResourceFactory(organisation=other_org, bookable_by_territory=True)
    event = services.create_event(agent, calendar, event_data(resources=[opened]))
    assert event.attendees.get(resource=opened).partstat == PartStat.ACCEPTED


def test_several_errors_are_given_at_once(agent):
    with pytest.raises(ValidationError) as caught:
        services.create_event(
            agent,
            services.default_calendar(agent),
            event_data(title="", visio_url="ftp://x", externals=[("@", "")]),
        )

    assert set(codes(caught.value)) == {"title", "visio_url", "externals"}


def test_only_people_who_may_write_the_calendar_add_events(agent, other_agent):
    calendar = services.default_calendar(agent)
    before = counts()

    with pytest.raises(Http404):
        services.create_event(other_agent, calendar, event_data())
    services.share_calendar(agent, calendar, other_agent, "read")
    with pytest.raises(Exception) as caught:
        services.create_event(other_agent, calendar, event_data())
    assert caught.type.__name__ == "PermissionDenied"
    assert counts()[:3] == before[:3]


def test_a_delegate_writes_in_the_name_of_the_owner(agent, other_agent, org):
    calendar = services.default_calendar(agent)
    services.share_calendar(agent, calendar, other_agent, "write")
    guest_of_honour = UserFactory(organisation=org)

    event = services.create_event(other_agent, calendar, event_data(users=[guest_of_honour]))

    assert event.organiser == agent and event.created_by == other_agent
    assert event.attendees.get(user=agent).role == Role.CHAIR


def test_a_failed_change_leaves_the_event_as_it_was(agent):
    event = make_event(agent, title="Conseil")
    before = counts()
    data = EventData.from_event(event)
    data.title, data.end = "Nouveau titre", data.start - HOUR

    with pytest.raises(ValidationError):
        services.update_event(agent, event, data)

    event.refresh_from_db()
    assert event.title == "Conseil" and event.sequence == 0
    assert counts() == before


def test_the_use_cases_accept_the_lazy_user_of_a_request(agent, other_agent):
    """Views pass ``request.user``, a lazy proxy whose ``type()`` is not ``User``."""
    lazy = SimpleLazyObject(lambda: agent)
    calendar = services.default_calendar(agent)

    event = services.create_event(lazy, calendar, event_data(users=[other_agent]))
    share = services.share_calendar(lazy, calendar, other_agent, "read")

    assert event.attendees.filter(user=other_agent).exists()
    assert share.user == other_agent


def test_externals_are_normalised_and_deduplicated(agent):
    event = make_event(
        agent, externals=[(" Claire@Asso.example ", " Claire "), ("claire@asso.example", "")]
    )

    assert list(event.attendees.filter(user__isnull=True).values_list("email", "name")) == [
        ("claire@asso.example", "Claire")
    ]


def test_a_new_time_asks_everyone_again_other_changes_do_not(agent, other_agent, org):
    room = ResourceFactory(organisation=org)
    event = make_event(agent, users=[other_agent], resources=[room])
    services.respond(other_agent, event, PartStat.ACCEPTED)

    data = EventData.from_event(event)
    data.description = "Ordre du jour joint"
    services.update_event(agent, event, data)
    assert event.attendees.get(user=other_agent).partstat == PartStat.ACCEPTED

    data = EventData.from_event(event)
    data.start, data.end = data.start + HOUR, data.end + HOUR
    services.update_event(agent, event, data)
    answers = {(a.user_id, a.resource_id): a.partstat for a in event.attendees.all()}
    assert answers == {
        (other_agent.pk, None): PartStat.NEEDS_ACTION,
        (agent.pk, None): PartStat.ACCEPTED,  # the organiser
        (None, room.pk): PartStat.ACCEPTED,  # the room stays booked
    }


def test_a_changed_instance_keeps_the_answers_given_to_the_series(agent, other_agent):
    master = make_event(agent, paris(YEAR, 4, 5, 10), users=[other_agent], rrule="FREQ=WEEKLY")
    services.respond(other_agent, master, PartStat.ACCEPTED)
    rid = paris(YEAR, 4, 12, 10)

    data = EventData.from_event(master)
    data.start, data.end, data.title = rid, rid + HOUR, "Avec le maire"
    override = services.update_event(agent, master, data, Scope.THIS, rid)
    assert override.attendees.get(user=other_agent).partstat == PartStat.ACCEPTED

    data = EventData.from_event(override)
    data.start, data.end = rid + 2 * HOUR, rid + 3 * HOUR
    services.update_event(agent, override, data, Scope.THIS)
    assert override.attendees.get(user=other_agent).partstat == PartStat.NEEDS_ACTION
    assert master.attendees.get(user=other_agent).partstat == PartStat.ACCEPTED


def test_an_unknown_scope_is_refused(agent):
    event = make_event(agent)

    with pytest.raises(ValidationError) as caught:
        services.update_event(agent, event, EventData.from_event(event), scope="everything")
    assert caught.value.code == "invalid_scope"


# --- calendars and shares --------------------------------------------------------------------------


def test_the_main_calendar_is_made_once(agent):
    first = services.default_calendar(agent)
    second = services.default_calendar(agent)

    assert first.pk == second.pk
    assert Calendar.objects.filter(owner=agent).count() == 1
    assert first.is_default and first.organisation == agent.organisation


def test_sharing_outside_is_refused_when_the_policy_forbids_it(agent, org, other_agent, other_org):
    org.policy.external_sharing_allowed = False
    org.policy.save()
    calendar = services.default_calendar(agent)
    before = counts()

    for grantee in (other_agent, other_org, GroupFactory(organisation=other_org)):
        with pytest.raises(ValidationError) as caught:
            services.share_calendar(agent, calendar, grantee, "read")
        assert caught.value.code == "external_sharing_forbidden"
        assert caught.value.messages == [
            "Commune de Valmont n'autorise pas le partage avec les autres organisations du "
            "territoire."
        ]
    assert counts() == before
    colleague = UserFactory(organisation=org)
    assert services.share_calendar(agent, calendar, colleague, "write").level == "write"


@pytest.mark.parametrize(
    ("who", "level", "code"),
    [
        ("self", "read", "share_self"),
        ("guest", "read", "share_guest"),
        ("hidden", "read", "unknown_person"),
        ("other", "manage", "invalid_level"),
    ],
)
def test_shares_that_make_no_sense_are_refused(agent, guest, other_agent, who, level, code):
    hidden_org = OrganisationFactory()
    hidden_org.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    hidden_org.policy.save()
    grantee = {
        "self": agent,
        "guest": guest,
        "hidden": UserFactory(organisation=hidden_org),
        "other": other_agent,
    }[who]

    with pytest.raises(ValidationError) as caught:
        services.share_calendar(agent, services.default_calendar(agent), grantee, level)

    assert caught.value.code == code
    assert not CalendarShare.objects.exists()


def test_sharing_again_changes_the_level_and_both_are_audited(agent, other_agent):
    calendar = services.default_calendar(agent)

    services.share_calendar(agent, calendar, other_agent, "read")
    share = services.share_calendar(agent, calendar, other_agent, "write")
    services.unshare_calendar(agent, share)

    assert not CalendarShare.objects.exists()
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.kind for e in events] == [
        EventKind.CALENDAR_SHARED,
        EventKind.CALENDAR_SHARED,
        EventKind.CALENDAR_UNSHARED,
    ]
    assert [e.data.get("level") for e in events] == ["read", "write", None]
    assert {e.actor_id for e in events} == {agent.pk}
    assert {e.organisation_id for e in events} == {agent.organisation_id}
    assert events[0].target_id == str(calendar.pk)


def test_only_the_manager_shares(agent, other_agent):
    calendar = services.default_calendar(agent)
    services.share_calendar(agent, calendar, other_agent, "write")

    with pytest.raises(Exception) as caught:
        services.share_calendar(other_agent, calendar, other_agent, "write")
    assert caught.type.__name__ == "PermissionDenied"


def test_resources_are_made_and_changed_with_their_calendar_and_audited(org_admin, agent):
    room = services.save_resource(org_admin, {"name": "Salle du conseil", "capacity": 30})
    services.save_resource(org_admin, {"name": "Salle des mariages"}, room)

    room.refresh_from_db()
    assert room.organisation == org_admin.organisation
    assert room.calendar.name == "Salle des mariages"
    assert list(AuditEvent.objects.order_by("sequence").values_list("kind", flat=True)) == [
        EventKind.RESOURCE_CREATED,
        EventKind.RESOURCE_UPDATED,
    ]
    with pytest.raises(Exception) as caught:
        services.save_resource(agent, {"name": "Ma salle"})
    assert caught.type.__name__ in {"Http404", "PermissionDenied"}


def test_a_resource_name_is_unique_in_its_organisation(org_admin):
    services.save_resource(org_admin, {"name": "Salle A"})
    before = counts()

    with pytest.raises(ValidationError):
        services.save_resource(org_admin, {"name": "Salle A"})
    assert counts() == before


def test_the_main_calendar_cannot_be_deleted(agent):
    with pytest.raises(ValidationError) as caught:
        services.delete_calendar(agent, services.default_calendar(agent))
    assert caught.value.code == "calendar_protected"


# --- answers ---------------------------------------------------------------------------------------


def test_an_invited_person_answers_and_the_series_answer_covers_its_instances(
    agent, other_agent, django_capture_on_commit_callbacks
):
    master = make_event(agent, paris(YEAR, 4, 5, 10), users=[other_agent], rrule="FREQ=WEEKLY")
    rid = paris(YEAR, 4, 12, 10)
    data = EventData.from_event(master)
    data.start, data.end = rid + HOUR, rid + 2 * HOUR
    override = services.update_event(agent, master, data, Scope.THIS, rid)

    with django_capture_on_commit_callbacks() as callbacks:
        attendee = services.respond(other_agent, master, PartStat.TENTATIVE, " Si possible ")

    assert attendee.partstat == PartStat.TENTATIVE and attendee.comment == "Si possible"
    assert attendee.responded_at is not None
    assert override.attendees.get(user=other_agent).partstat == PartStat.TENTATIVE
    assert len(callbacks) == 1  # the organiser is told
    # answering one instance answers that one only
    services.respond(other_agent, override, PartStat.DECLINED)
    assert master.attendees.get(user=other_agent).partstat == PartStat.TENTATIVE


def test_an_outside_attendees_answer_to_the_series_covers_its_instances(agent):
    master = make_event(
        agent, paris(YEAR, 4, 5, 10), externals=[("luc@asso.fr", "Luc")], rrule="FREQ=WEEKLY"
    )
    rid = paris(YEAR, 4, 12, 10)
    data = EventData.from_event(master)
    data.start, data.end = rid + HOUR, rid + 2 * HOUR
    override = services.update_event(agent, master, data, Scope.THIS, rid)

    services.record_reply(master.attendees.get(email="luc@asso.fr"), PartStat.ACCEPTED, via="link")

    assert override.attendees.get(email="luc@asso.fr").partstat == PartStat.ACCEPTED


def test_answers_are_checked(agent, other_agent, org):
    event = make_event(agent, users=[other_agent])
    attendee = event.attendees.get(user=other_agent)

    with pytest.raises(ValidationError) as caught:
        services.record_reply(attendee, PartStat.NEEDS_ACTION)
    assert caught.value.code == "invalid_answer"
    with pytest.raises(ValidationError) as caught:
        services.record_reply(attendee, PartStat.ACCEPTED, "x" * 501)
    assert caught.value.code == "too_long"
    with pytest.raises(Http404):
        services.respond(UserFactory(organisation=org), event, PartStat.ACCEPTED)


def test_the_same_answer_twice_tells_the_organiser_once(
    agent, other_agent, django_capture_on_commit_callbacks
):
    event = make_event(agent, users=[other_agent])
    attendee = event.attendees.get(user=other_agent)

    with django_capture_on_commit_callbacks() as callbacks:
        services.record_reply(attendee, PartStat.ACCEPTED)
        services.record_reply(attendee, PartStat.ACCEPTED)
    assert len(callbacks) == 1


# --- pending invitations -----------------------------------------------------------------------


def soon(days: int = 3, hour: int = 10) -> dt.datetime:
    day = timezone.now().astimezone(PARIS).date() + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def test_pending_invitations_are_the_unanswered_upcoming_ones_soonest_first(
    agent, other_agent, org
):
    organiser2 = UserFactory(organisation=org)
    later = make_event(agent, soon(9), title="Plus tard", users=[other_agent])
    sooner = make_event(organiser2, soon(2), title="Bientôt", users=[other_agent])
    # a series that began long ago: its next instance decides its place
    series = make_event(agent, soon(-30), title="Hebdo", users=[other_agent], rrule="FREQ=WEEKLY")
    answered = make_event(agent, soon(4), title="Répondu", users=[other_agent])
    services.respond(other_agent, answered, PartStat.ACCEPTED)
    make_event(agent, soon(-3), title="Passé", users=[other_agent])
    cancelled = make_event(agent, soon(5), title="Annulé", users=[other_agent])
    services.delete_event(agent, cancelled)
    make_event(other_agent, soon(6), title="Le mien", users=[agent])

    pending = list(services.pending_invitations(other_agent))

    assert [a.event.title for a in pending] == ["Bientôt", "Hebdo", "Plus tard"]
    assert {a.event_id for a in pending} == {sooner.pk, series.pk, later.pk}
    assert list(services.pending_invitations(agent).values_list("event__title", flat=True)) == [
        "Le mien"
    ]


def test_a_changed_instance_awaits_an_answer_once_the_series_is_answered(agent, other_agent):
    master = make_event(agent, soon(1), users=[other_agent], rrule="FREQ=DAILY;COUNT=5")
    rid = master.start + dt.timedelta(days=2)
    data = EventData.from_event(master)
    data.start, data.end = rid + 3 * HOUR, rid + 4 * HOUR
    override = services.update_event(agent, master, data, Scope.THIS, rid)

    # the series awaits an answer: one line
    assert [a.event_id for a in services.pending_invitations(other_agent)] == [master.pk]
    services.respond(other_agent, master, PartStat.ACCEPTED)
    data = EventData.from_event(override)
    data.start, data.end = rid + 5 * HOUR, rid + 6 * HOUR
    services.update_event(agent, override, data, Scope.THIS)
    # the series is answered; the instance moved since awaits its own
    assert [a.event_id for a in services.pending_invitations(other_agent)] == [override.pk]


def test_pending_invitations_cost_one_query(agent, other_agent):
    for n in range(4):
        make_event(agent, soon(n + 1), users=[other_agent])

    with CaptureQueriesContext(connection) as queries:
        rows = [
            (a.event.title, a.event.organiser, a.event.calendar)
            for a in services.pending_invitations(other_agent)
        ]
    assert len(rows) == 4 and len(queries) == 1


# --- the agenda read ---------------------------------------------------------------------------------


def test_the_agenda_shows_readable_calendars_and_invitations_not_declined(agent, other_agent, org):
    colleague = UserFactory(organisation=org)
    mine = make_event(other_agent, soon(2), title="À moi")
    accepted = make_event(agent, soon(2, 14), title="Accepté", users=[other_agent])
    services.respond(other_agent, accepted, PartStat.ACCEPTED)
    unanswered = make_event(agent, soon(2, 16), title="Sans réponse", users=[other_agent])
    declined = make_event(agent, soon(2, 11), title="Décliné", users=[other_agent])
    services.respond(other_agent, declined, PartStat.DECLINED)
    secret = make_event(colleague, soon(2, 9), title="Pas partagé")
    window = (soon(1), soon(4))

    rows = services.agenda_occurrences(
        other_agent,
        [services.default_calendar(other_agent), services.default_calendar(colleague)],
        *window,
    )

    assert [r.event.title for r in rows] == ["À moi", "Accepté", "Sans réponse"]
    assert {r.event_id for r in rows}.isdisjoint({declined.pk, secret.pk})
    assert mine.pk in {r.event_id for r in rows} and unanswered.pk in {r.event_id for r in rows}


def test_a_declined_instance_leaves_the_agenda_the_series_stays(agent, other_agent):
    master = make_event(agent, soon(1), users=[other_agent], rrule="FREQ=DAILY;COUNT=3")
    rid = master.start + dt.timedelta(days=1)
    data = EventData.from_event(master)
    data.start, data.end, data.rrule = rid, rid + HOUR, ""
    override = services.update_event(agent, master, data, Scope.THIS, rid)
    services.respond(other_agent, override, PartStat.DECLINED)

    rows = services.agenda_occurrences(other_agent, [], soon(0), soon(10))

    assert [r.start for r in rows] == [master.start, master.start + dt.timedelta(days=2)]


def test_the_agenda_costs_the_same_queries_for_one_or_ten_calendars(agent, org):
    calendars = [services.default_calendar(agent)]
    make_event(agent, soon(2))
    with CaptureQueriesContext(connection) as one:
        services.agenda_occurrences(agent, calendars, soon(0), soon(5))
    for n in range(9):
        calendar = CalendarFactory(owner=agent, name=f"Agenda {n}")
        make_event(agent, soon(2), calendar=calendar)
        calendars.append(calendar)

    with CaptureQueriesContext(connection) as ten:
        rows = services.agenda_occurrences(agent, calendars, soon(0), soon(5))
        [(r.event.title, r.event.calendar.name, r.calendar.colour) for r in rows]

    assert len(rows) == 10
    assert len(ten) == len(one) <= 2


# --- visio ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "base", "pattern"),
    [
        ("jitsi", "https://visio.valmont.fr/", r"^https://visio\.valmont\.fr/valmont-[\w-]{12}$"),
        (
            "bbb",
            "https://bbb.valmont.fr",
            r"^https://bbb\.valmont\.fr/rooms/valmont-[\w-]{12}/join$",
        ),
        ("", "https://visio.valmont.fr", r"^$"),
        ("jitsi", "", r"^$"),
    ],
)
def test_visio_links_follow_the_organisation_service(org, service, base, pattern):
    org.policy.visio_service = service
    org.policy.visio_base_url = base
    org.policy.save()

    first, second = services.visio_link(org), services.visio_link(org)

    assert re.match(pattern, first)
    assert first == second == "" or first != second
    assert services.visio_link(None) == ""


# --- deletions and tombstones ------------------------------------------------------------------------


def test_a_deleted_meeting_stays_as_a_cancelled_tombstone_that_frees_the_room(
    agent, other_agent, org
):
    room = ResourceFactory(organisation=org)
    event = make_event(agent, soon(2), users=[other_agent], resources=[room])

    services.delete_event(agent, event)

    event.refresh_from_db()
    assert event.status == EventStatus.CANCELLED and event.sequence == 1
    assert not Occurrence.objects.filter(event=event).exists()
    assert not services.pending_invitations(other_agent).exists()
    assert services.free_rooms(agent, [(event.start, event.end)]) == [room]


def test_a_meeting_with_only_a_room_is_deleted_outright(agent, org):
    event = make_event(agent, soon(2), resources=[ResourceFactory(organisation=org)])

    services.delete_event(agent, event)

    assert not Event.objects.filter(pk=event.pk).exists()
