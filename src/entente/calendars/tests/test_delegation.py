"""An assistant manages an élu's agenda: the élu's invitations go with their main calendar.

Read on someone's main calendar shows the meetings they are invited to (private ones as
busy); write also shows the details and lets the assistant answer for them (iTIP SENT-BY).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from entente.accounts.models import Status
from entente.accounts.tests.factories import UserFactory
from entente.calendars import services
from entente.calendars.models import CalendarShare, PartStat, Privacy, ShareLevel
from entente.calendars.tests.factories import YEAR, make_event, paris
from entente.core.permissions import can, visible

pytestmark = pytest.mark.django_db
BACKEND = "entente.accounts.backends.AuthenticationBackend"


@pytest.fixture
def elu(org):
    return UserFactory(organisation=org, first_name="Karim", last_name="Haddad", status=Status.ELU)


@pytest.fixture
def assistant(org):
    return UserFactory(organisation=org, first_name="Claire", last_name="Fontaine")


def delegate(elu, assistant, level):
    return CalendarShare.objects.create(
        calendar=services.default_calendar(elu), user=assistant, level=level
    )


def test_write_on_the_main_calendar_lets_the_assistant_see_and_answer_for_the_elu(
    elu, assistant, other_agent, django_capture_on_commit_callbacks
):
    meeting = make_event(other_agent, paris(YEAR, 5, 4, 10), title="Conseil d'école", users=[elu])
    assert not can(assistant, "view", meeting)
    delegate(elu, assistant, ShareLevel.WRITE)

    assert can(assistant, "view_details", meeting) and can(assistant, "respond", meeting)
    assert meeting in visible(assistant, type(meeting))
    with django_capture_on_commit_callbacks(execute=True):
        answer = services.respond(assistant, meeting, PartStat.ACCEPTED, on_behalf_of=elu)
    assert answer.user == elu and answer.partstat == PartStat.ACCEPTED


def test_read_shows_the_elus_meetings_but_private_ones_as_busy_and_no_answer(
    elu, assistant, other_agent
):
    public = make_event(other_agent, paris(YEAR, 5, 4, 10), users=[elu])
    private = make_event(other_agent, paris(YEAR, 5, 5, 10), users=[elu], privacy=Privacy.PRIVATE)
    delegate(elu, assistant, ShareLevel.READ)

    assert can(assistant, "view_details", public)
    assert can(assistant, "view", private) and not can(assistant, "view_details", private)
    assert not can(assistant, "respond", public)
    with pytest.raises(PermissionDenied):
        services.respond(assistant, public, PartStat.ACCEPTED, on_behalf_of=elu)


def test_nobody_answers_for_someone_whose_calendar_they_do_not_write(
    elu, assistant, other_agent, agent
):
    meeting = make_event(other_agent, paris(YEAR, 5, 4, 10), users=[elu, agent])
    delegate(agent, assistant, ShareLevel.WRITE)  # Claire manages Agnès's agenda, not Karim's

    with pytest.raises(ValidationError) as error:
        services.respond(assistant, meeting, PartStat.DECLINED, on_behalf_of=elu)
    assert error.value.code == "not_delegate"
    assert meeting.attendees.get(user=elu).partstat == PartStat.NEEDS_ACTION


def test_overlaying_the_elus_calendar_shows_the_meetings_they_are_invited_to(
    elu, assistant, other_agent
):
    meeting = make_event(other_agent, paris(YEAR, 5, 4, 10), users=[elu])
    declined = make_event(other_agent, paris(YEAR, 5, 4, 14), users=[elu])
    services.respond(elu, declined, PartStat.DECLINED)
    delegate(elu, assistant, ShareLevel.READ)
    window = (paris(YEAR, 5, 4, 0), paris(YEAR, 5, 5, 0))

    shown = services.agenda_occurrences(assistant, [services.default_calendar(elu)], *window)
    assert [o.event_id for o in shown] == [meeting.pk]
    assert services.agenda_occurrences(assistant, [], *window) == []


def test_the_event_page_offers_the_assistant_to_answer_for_the_elu(elu, assistant, other_agent):
    meeting = make_event(other_agent, paris(YEAR, 5, 4, 10), title="Conseil d'école", users=[elu])
    delegate(elu, assistant, ShareLevel.WRITE)
    client = Client()
    client.force_login(assistant, backend=BACKEND)

    page = client.get(f"/agenda/evenements/{meeting.pk}/").content.decode()
    assert "Réponse de Karim Haddad" in page and f'name="pour" value="{elu.pk}"' in page

    done = client.post(
        f"/agenda/evenements/{meeting.pk}/repondre/",
        {"reponse": "TENTATIVE", "pour": str(elu.pk)},
        follow=True,
    )
    assert "La réponse de Karim Haddad" in done.content.decode()
    assert meeting.attendees.get(user=elu).partstat == PartStat.TENTATIVE


def test_answering_for_a_stranger_through_the_page_changes_nothing(elu, assistant, other_agent):
    meeting = make_event(other_agent, paris(YEAR, 5, 4, 10), users=[elu, assistant])
    client = Client()
    client.force_login(assistant, backend=BACKEND)

    client.post(
        f"/agenda/evenements/{meeting.pk}/repondre/", {"reponse": "DECLINED", "pour": str(elu.pk)}
    )

    assert meeting.attendees.get(user=elu).partstat == PartStat.NEEDS_ACTION
