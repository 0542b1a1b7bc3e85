"""Who may do what with calendars, events and resources: every rule of the docstring of
``calendars/permissions.py``, as a grid over how access was granted, through ``can``,
``visible`` and ``abilities``."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entente.accounts.tests.factories import UserFactory
from entente.calendars import services
from entente.calendars.models import Calendar, CalendarKind, CalendarShare, Event, Privacy, Resource
from entente.calendars.permissions import access_level
from entente.calendars.tests.factories import CalendarFactory, ResourceFactory, make_event
from entente.core.permissions import abilities, can, visible
from entente.directory.tests.factories import GroupFactory, ServiceFactory

pytestmark = pytest.mark.django_db

NOTHING = {"freebusy": False, "view": False, "write": False, "manage": False}
FREEBUSY = {**NOTHING, "freebusy": True}
READ = {**FREEBUSY, "view": True}
WRITE = {**READ, "write": True}
MANAGE = {**WRITE, "manage": True}
BY_LEVEL = {None: NOTHING, "freebusy": FREEBUSY, "read": READ, "write": WRITE, "manage": MANAGE}


def check(user, calendar, expected: dict[str, bool]) -> None:
    """``abilities`` says ``expected``, and ``visible`` lists the calendar iff it may be read."""
    assert abilities(user, calendar) == expected
    assert (calendar in visible(user, Calendar)) is expected["view"]
    level = next((lv for lv, grid in BY_LEVEL.items() if grid == expected), None)
    assert access_level(user, calendar) == level


# --- personal calendars and shares ----------------------------------------------------------------


def test_the_owner_manages_their_calendar_and_nobody_else_sees_it(agent, org_admin, other_agent):
    calendar = services.default_calendar(agent)

    check(agent, calendar, MANAGE)
    check(org_admin, calendar, NOTHING)  # an administrator does not read people's agendas
    check(other_agent, calendar, NOTHING)
    check(AnonymousUser(), calendar, NOTHING)


def grant(how: str, calendar, grantee, actor, level: str) -> None:
    if how == "user":
        services.share_calendar(actor, calendar, grantee, level)
    elif how == "group":
        group = GroupFactory(organisation=grantee.organisation)
        group.members.add(grantee)
        services.share_calendar(actor, calendar, group, level)
    else:
        services.share_calendar(actor, calendar, grantee.organisation, level)


@pytest.mark.parametrize("how", ["user", "group", "organisation"])
@pytest.mark.parametrize("level", ["freebusy", "read", "write"])
def test_a_share_gives_its_level_however_it_reaches_the_person(agent, other_agent, how, level):
    calendar = services.default_calendar(agent)

    grant(how, calendar, other_agent, agent, level)

    check(other_agent, calendar, BY_LEVEL[level])
    stranger = UserFactory()  # in a third organisation, in no group
    check(stranger, calendar, NOTHING)


def test_the_strongest_of_several_shares_wins(agent, other_agent):
    calendar = services.default_calendar(agent)
    grant("organisation", calendar, other_agent, agent, "write")
    grant("user", calendar, other_agent, agent, "freebusy")

    check(other_agent, calendar, WRITE)


@pytest.mark.parametrize("how", ["user", "group", "organisation"])
def test_a_policy_against_external_sharing_caps_existing_shares(agent, other_agent, org, how):
    calendar = services.default_calendar(agent)
    colleague = UserFactory(organisation=org)
    grant(how, calendar, other_agent, agent, "write")
    grant("user", calendar, colleague, agent, "read")

    org.policy.external_sharing_allowed = False
    org.policy.save()

    check(other_agent, calendar, NOTHING)
    check(colleague, calendar, READ)  # people of the organisation still get their share
    assert not visible(other_agent, Event).filter(calendar=calendar).exists()


# --- service and resource calendars ----------------------------------------------------------------


def test_a_service_calendar_is_read_by_its_organisation_written_by_its_people(
    org, agent, org_admin, other_agent, other_admin
):
    service = ServiceFactory(organisation=org)
    calendar = services.create_service_calendar(org_admin, service, name="Urbanisme")
    member = UserFactory(organisation=org, service=service)

    check(agent, calendar, READ)
    check(member, calendar, WRITE)
    check(org_admin, calendar, MANAGE)
    check(other_agent, calendar, NOTHING)
    check(other_admin, calendar, NOTHING)


def test_a_service_calendar_can_be_shared_further(org, org_admin, other_agent):
    calendar = services.create_service_calendar(
        org_admin, ServiceFactory(organisation=org), name="Accueil"
    )
    services.share_calendar(org_admin, calendar, other_agent, "read")

    check(other_agent, calendar, READ)


def test_a_room_calendar_is_read_by_its_organisation_managed_by_its_administrators(
    org, agent, org_admin, other_agent, other_admin
):
    room = ResourceFactory(organisation=org)
    calendar = room.calendar

    check(agent, calendar, READ)
    check(org_admin, calendar, MANAGE)
    check(other_agent, calendar, NOTHING)
    check(other_admin, calendar, NOTHING)
    assert can(agent, "book", room) and not can(agent, "manage", room)
    assert can(org_admin, "manage", room)
    assert not can(other_agent, "view", room) and not can(other_agent, "book", room)
    assert room not in visible(other_agent, Resource)


def test_a_room_opened_to_the_territory_shows_only_its_busy_times_elsewhere(
    org, agent, other_agent, other_admin
):
    room = ResourceFactory(organisation=org, bookable_by_territory=True)

    check(other_agent, room.calendar, FREEBUSY)
    check(other_admin, room.calendar, FREEBUSY)
    check(agent, room.calendar, READ)
    assert room in visible(other_agent, Resource)
    assert can(other_agent, "book", room) and not can(other_admin, "manage", room)


def test_an_inactive_room_is_neither_bookable_nor_shown_elsewhere(
    org, agent, org_admin, other_agent
):
    room = ResourceFactory(organisation=org, bookable_by_territory=True, is_active=False)

    assert not can(agent, "book", room)
    assert room not in visible(agent, Resource)
    assert room in visible(org_admin, Resource)  # its administrators still see it to reopen it
    assert abilities(other_agent, room.calendar) == NOTHING


def test_only_administrators_create_resources(agent, org_admin, guest):
    assert can(org_admin, "create", Resource)
    assert not can(agent, "create", Resource)
    assert not can(guest, "create", Resource)


# --- guests, inactive people, anonymous ------------------------------------------------------------


def test_guests_see_nothing_they_were_not_given(guest, agent, org):
    ResourceFactory(organisation=org, bookable_by_territory=True)
    services.default_calendar(agent)

    assert not can(guest, "create", Calendar)
    assert not visible(guest, Calendar).exists()
    assert not visible(guest, Resource).exists()
    assert not visible(guest, Event).exists()


def test_a_guest_reads_a_calendar_shared_with_them_through_a_group(guest, agent, org):
    calendar = CalendarFactory(owner=agent)
    group = GroupFactory(organisation=org)
    group.members.add(guest)
    CalendarShare.objects.create(calendar=calendar, group=group, level="read")

    check(guest, calendar, READ)


def test_inactive_people_can_do_nothing_even_with_their_own_calendar(agent, other_agent):
    calendar = services.default_calendar(agent)
    services.share_calendar(agent, calendar, other_agent, "write")
    event = make_event(agent)

    for person in (agent, other_agent):
        person.is_active = False
        person.save()
        check(person, calendar, NOTHING)
        assert not can(person, "view", event)
        assert not visible(person, Event).exists()
        assert not can(person, "create", Calendar)


def test_anonymous_people_can_do_nothing(agent):
    event = make_event(agent)

    assert abilities(AnonymousUser(), event) == dict.fromkeys(
        ["view", "view_details", "edit", "delete", "respond"], False
    )
    assert not visible(AnonymousUser(), Event).exists()
    assert not can(AnonymousUser(), "create", Calendar)


def test_every_active_person_of_an_organisation_may_create_a_calendar(agent, org_admin):
    assert can(agent, "create", Calendar) and can(org_admin, "create", Calendar)


# --- events ------------------------------------------------------------------------------------------

EVENT_NOTHING = dict.fromkeys(["view", "view_details", "edit", "delete", "respond"], False)


def test_invited_people_see_the_event_and_answer_without_seeing_the_calendar(
    agent, other_agent, org
):
    event = make_event(agent, users=[other_agent], privacy=Privacy.PRIVATE)
    bystander = UserFactory(organisation=org)

    assert abilities(other_agent, event) == {
        "view": True,
        "view_details": True,
        "edit": False,
        "delete": False,
        "respond": True,
    }
    assert event in visible(other_agent, Event)
    assert not can(other_agent, "view", event.calendar)
    assert abilities(bystander, event) == EVENT_NOTHING
    assert event not in visible(bystander, Event)


def test_a_private_event_is_only_busy_time_for_readers(agent, other_agent, org):
    event = make_event(agent, privacy=Privacy.PRIVATE)
    public = make_event(agent, title="Visible")
    reader = UserFactory(organisation=org)
    writer = UserFactory(organisation=org)
    calendar = event.calendar
    services.share_calendar(agent, calendar, reader, "read")
    services.share_calendar(agent, calendar, writer, "write")
    services.share_calendar(agent, calendar, other_agent, "freebusy")

    assert abilities(reader, event) == {**EVENT_NOTHING, "view": True}
    assert abilities(reader, public) == {**EVENT_NOTHING, "view": True, "view_details": True}
    full = {"view": True, "view_details": True, "edit": True, "delete": True, "respond": False}
    assert abilities(writer, event) == full
    assert abilities(agent, event) == full
    # free/busy is not reading: the events stay out of sight
    assert abilities(other_agent, public) == EVENT_NOTHING
    assert not visible(other_agent, Event).exists()


def test_an_invitation_to_a_series_shows_its_changed_instances(agent, other_agent):
    from entente.calendars.tests.factories import YEAR, paris

    master = make_event(
        agent, paris(YEAR, 4, 5, 10), users=[other_agent], rrule="FREQ=WEEKLY;COUNT=3"
    )
    data = services.EventData.from_event(master)
    rid = paris(YEAR, 4, 12, 10)
    data.start, data.end, data.rrule, data.users = rid, paris(YEAR, 4, 12, 11), "", []
    override = services.update_event(agent, master, data, services.Scope.THIS, rid)

    # removed from that instance, still invited to the series: sees it, may not answer it alone
    assert override in visible(other_agent, Event)
    assert can(other_agent, "view", override)
    assert can(other_agent, "respond", override)  # answering it answers the series


def test_visible_calendars_and_events_cost_one_query(agent, other_agent, org):
    calendar = services.default_calendar(agent)
    services.share_calendar(agent, calendar, other_agent, "read")
    service_calendar = CalendarFactory(
        kind=CalendarKind.SERVICE, service=ServiceFactory(organisation=org), organisation=org
    )
    for _n in range(3):
        make_event(agent)

    with CaptureQueriesContext(connection) as queries:
        calendars = list(visible(other_agent, Calendar))
        events = list(visible(other_agent, Event))

    assert calendars == [calendar] and service_calendar not in calendars
    assert len(events) == 3
    assert len(queries) == 2


@pytest.mark.parametrize("level", [None, "freebusy", "read", "write"])
def test_can_and_visible_always_agree(agent, other_agent, org, other_org, level):
    """``access_level`` (one calendar) and ``calendars_at_least`` (a queryset) are twins."""
    calendar = services.default_calendar(agent)
    if level:
        services.share_calendar(agent, calendar, other_org, level)
    service = ServiceFactory(organisation=org)
    service_calendar = CalendarFactory(kind=CalendarKind.SERVICE, service=service, organisation=org)
    room = ResourceFactory(organisation=org, bookable_by_territory=True)
    people = [agent, other_agent, UserFactory(organisation=org, service=service)]
    for person in people:
        for cal in (calendar, service_calendar, room.calendar):
            assert can(person, "view", cal) == visible(person, Calendar).filter(pk=cal.pk).exists()
