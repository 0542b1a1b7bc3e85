"""A space's agenda, and calendars shared with a space's members."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from entente.accounts.tests.factories import UserFactory
from entente.calendars import services
from entente.calendars.models import Calendar
from entente.calendars.permissions import access_level
from entente.core.permissions import can, visible
from entente.core.testing import signed_in
from entente.spaces import services as spaces
from entente.spaces.models import SpaceRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(agent, other_agent, other_org):
    space = spaces.create_space(agent, name="Fête de la musique")
    spaces.add_member(agent, space, other_agent, SpaceRole.CONTRIBUTOR)
    reader = UserFactory(organisation=other_org, first_name="Lise", last_name="Lecture")
    spaces.add_member(agent, space, reader, SpaceRole.READER)
    space.reader = reader
    return space


def fresh(calendar: Calendar) -> Calendar:
    return Calendar.objects.get(pk=calendar.pk)


def test_a_space_agenda_follows_the_roles_of_the_space(space, agent, other_agent, guest):
    calendar = services.space_calendar(space)
    assert services.space_calendar(space) == calendar, "one agenda per space"
    assert access_level(agent, calendar) == "manage"
    assert access_level(other_agent, calendar) == "write"
    assert access_level(space.reader, calendar) == "read"
    assert access_level(guest, calendar) is None
    assert calendar in visible(other_agent, Calendar)
    assert calendar not in visible(guest, Calendar)
    spaces.archive_space(agent, space)
    assert access_level(other_agent, fresh(calendar)) == "read"


def test_a_removed_member_loses_the_space_agenda_at_once(space, agent, other_agent):
    calendar = services.space_calendar(space)
    spaces.remove_member(agent, space.memberships.get(user=other_agent))
    assert not can(other_agent, "view", fresh(calendar))
    assert calendar not in visible(other_agent, Calendar)


def test_a_calendar_shared_with_a_space_reaches_its_members_within_their_role(
    space, agent, other_agent
):
    mine = services.create_calendar(agent, name="Permanences")
    services.share_calendar(agent, mine, space, "write")
    assert access_level(other_agent, mine) == "write"
    assert access_level(space.reader, mine) is None, "a reader may not write through the space"
    services.share_calendar(agent, mine, space, "read")
    assert access_level(space.reader, fresh(mine)) == "read"
    spaces.remove_member(agent, space.memberships.get(user=other_agent))
    assert access_level(other_agent, fresh(mine)) is None


def test_only_a_members_space_and_the_policy_allow_the_share(space, agent, org, other_agent):
    outsider_space = spaces.create_space(other_agent, name="Pas le mien")
    mine = services.create_calendar(agent, name="Interne")
    with pytest.raises(ValidationError):
        services.share_calendar(agent, mine, outsider_space, "read")
    org.policy.external_sharing_allowed = False
    org.policy.save()
    mine = fresh(mine)
    with pytest.raises(ValidationError):
        services.share_calendar(agent, mine, space, "read")  # members of other organisations
    inside = spaces.create_space(agent, name="Entre nous")
    services.share_calendar(agent, mine, inside, "read")


def test_the_space_page_leads_to_its_agenda(space, agent):
    response = signed_in(agent).get(f"/espaces/{space.pk}/agenda/")
    calendar = Calendar.objects.get(space=space)
    assert response.status_code == 302
    assert f"cal={calendar.pk}" in response["Location"]
    page = signed_in(agent).get(response["Location"])
    assert "Fête de la musique" in page.content.decode()


def test_the_agenda_of_a_space_is_not_for_outsiders(space, guest, other_org):
    stranger = UserFactory(organisation=other_org)
    assert signed_in(stranger).get(f"/espaces/{space.pk}/agenda/").status_code == 404
    calendar = Calendar.objects.get(space=space)
    assert not can(stranger, "view", calendar) and calendar not in visible(stranger, Calendar)


def test_the_share_form_offers_the_viewers_spaces(space, agent):
    mine = services.create_calendar(agent, name="À partager")
    client = signed_in(agent)
    page = client.get("/agenda/agendas/").content.decode()
    assert "ou les membres d'un de vos espaces" in page.replace("&#x27;", "'")
    response = client.post(
        f"/agenda/agendas/{mine.pk}/partager/",
        {f"partage-{mine.pk}-space": space.pk, f"partage-{mine.pk}-level": "read"},
    )
    assert response.status_code in (200, 302)
    assert mine.shares.filter(space=space).exists()


def test_a_meeting_planned_in_the_space_agenda_is_a_line_of_its_feed(space, other_agent):
    import datetime as dt

    from entente.calendars.tests.factories import paris
    from entente.spaces.models import Activity, ActivityVerb

    start = paris(2030, 3, 4, 14)
    data = services.EventData(
        title="Comité de pilotage", start=start, end=start + dt.timedelta(hours=1)
    )
    event = services.create_event(other_agent, services.space_calendar(space), data)
    services.create_event(other_agent, services.default_calendar(other_agent), data)

    line = Activity.objects.get(space=space, verb=ActivityVerb.EVENT_CREATED)
    assert (line.actor, line.target_label) == (other_agent, "Comité de pilotage")
    assert line.target_url == f"/agenda/evenements/{event.pk}/"
    assert Activity.objects.filter(verb=ActivityVerb.EVENT_CREATED).count() == 1


def test_a_new_space_has_its_agenda_at_once(agent):
    space = spaces.create_space(agent, name="Marché de Noël")
    assert Calendar.objects.filter(space=space, name="Marché de Noël").count() == 1
