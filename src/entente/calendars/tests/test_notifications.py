"""Telling people: invitations, changes, removals and cancellations in French with a link to
the event, answers to the organiser; never a message to a room or to the organiser."""

from __future__ import annotations

import datetime as dt

import pytest

from entente.accounts.tests.factories import UserFactory
from entente.calendars import services
from entente.calendars.models import PartStat
from entente.calendars.services import EventData, Scope
from entente.calendars.tests.factories import YEAR, ResourceFactory, paris

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
TEN = paris(YEAR, 3, 3, 10)  # a Wednesday when YEAR is 2027


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a use case and the jobs it queues after its commit."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def invite(send, organiser, *people, **fields):
    calendar = services.default_calendar(organiser)
    data = EventData(title="Commission voirie", start=TEN, end=TEN + HOUR, users=list(people))
    for name, value in fields.items():
        setattr(data, name, value)
    return send(services.create_event, organiser, calendar, data)


def test_an_invited_person_gets_one_french_email_with_a_link_to_the_event(
    send, mailoutbox, agent, other_agent, org, settings
):
    room = ResourceFactory(organisation=org)

    event = invite(send, agent, other_agent, resources=[room], location="Mairie")

    assert len(mailoutbox) == 1  # not the organiser, not the room
    mail = mailoutbox[0]
    assert mail.to == [other_agent.email]
    assert mail.subject.startswith("Invitation : Commission voirie — ")
    assert "10 h 00 – 11 h 00" in mail.subject
    assert "Bonjour Bernard," in mail.body
    assert "Agnès Martin vous invite à une réunion" in mail.body
    assert "Lieu : Mairie" in mail.body
    link = f"{settings.SITE_URL}/agenda/evenements/{event.pk}/"
    assert link in mail.body
    html = mail.alternatives[0][0]
    assert f'href="{link}"' in html and 'lang="fr"' in html


def test_nothing_is_sent_when_asked_not_to_or_to_nobody(send, mailoutbox, agent, org):
    calendar = services.default_calendar(agent)
    send(
        services.create_event,
        agent,
        calendar,
        EventData(title="Rien", start=TEN, end=TEN + HOUR, users=[UserFactory(organisation=org)]),
        notify=False,
    )
    # a room and its organiser: nobody to write to
    send(
        services.create_event,
        agent,
        calendar,
        EventData(
            title="Salle seule",
            start=TEN + 3 * HOUR,
            end=TEN + 4 * HOUR,
            resources=[ResourceFactory(organisation=org)],
        ),
    )

    assert mailoutbox == []


def test_a_deactivated_person_is_not_written_to(send, mailoutbox, agent, org):
    from entente.calendars import notifications

    person = UserFactory(organisation=org)
    event = invite(send, agent, person)
    mailoutbox.clear()
    person.is_active = False
    person.save()

    notifications.send_invitations.call(event.pk, [event.attendees.get(user=person).pk])

    assert mailoutbox == []


def test_a_change_notifies_the_attendees_again(send, mailoutbox, agent, other_agent):
    event = invite(send, agent, other_agent)
    mailoutbox.clear()

    data = EventData.from_event(event)
    data.start, data.end = TEN + HOUR, TEN + 2 * HOUR
    send(services.update_event, agent, event, data)

    assert [m.to for m in mailoutbox] == [[other_agent.email]]
    assert mailoutbox[0].subject.startswith("Modifié : Commission voirie — ")
    assert "11 h 00 – 12 h 00" in mailoutbox[0].subject
    assert "a modifié une réunion" in mailoutbox[0].body


def test_a_removed_person_is_told_and_the_others_get_the_change(send, mailoutbox, agent, org):
    stays, leaves = UserFactory(organisation=org), UserFactory(organisation=org)
    event = invite(send, agent, stays, leaves)
    mailoutbox.clear()

    data = EventData.from_event(event)
    data.users = [stays]
    send(services.update_event, agent, event, data)

    by_person = {m.to[0]: m.subject for m in mailoutbox}
    assert by_person.keys() == {stays.email, leaves.email}
    assert by_person[leaves.email].startswith("Annulé : Commission voirie")
    assert by_person[stays.email].startswith("Modifié : Commission voirie")


def test_a_cancelled_meeting_is_announced_to_everyone_invited(
    send, mailoutbox, agent, other_agent, org
):
    colleague = UserFactory(organisation=org)
    event = invite(
        send, agent, other_agent, colleague, resources=[ResourceFactory(organisation=org)]
    )
    mailoutbox.clear()

    send(services.delete_event, agent, event)

    assert sorted(m.to[0] for m in mailoutbox) == sorted([other_agent.email, colleague.email])
    assert all(m.subject.startswith("Annulé : Commission voirie") for m in mailoutbox)
    assert "a annulé cette réunion" in mailoutbox[0].body


def test_a_cancelled_instance_names_its_own_date(send, mailoutbox, agent, other_agent):
    event = invite(send, agent, other_agent, rrule="FREQ=WEEKLY;COUNT=4")
    mailoutbox.clear()
    second = TEN + dt.timedelta(weeks=1)

    send(services.delete_event, agent, event, Scope.THIS, second)

    assert len(mailoutbox) == 1
    assert f" {second.day} mars" in mailoutbox[0].subject or "avril" in mailoutbox[0].subject
    assert "10 h 00" in mailoutbox[0].subject


def test_deleting_a_calendar_still_tells_the_attendees_of_its_events(
    send, mailoutbox, agent, other_agent
):
    calendar = services.create_calendar(agent, name="Commissions")
    send(
        services.create_event,
        agent,
        calendar,
        EventData(title="Commission finances", start=TEN, end=TEN + HOUR, users=[other_agent]),
    )
    mailoutbox.clear()

    send(services.delete_calendar, agent, calendar)

    assert [m.to for m in mailoutbox] == [[other_agent.email]]
    assert mailoutbox[0].subject.startswith("Annulé : Commission finances — ")


def test_the_organiser_hears_each_answer(send, mailoutbox, agent, other_agent):
    event = invite(send, agent, other_agent)
    mailoutbox.clear()

    send(services.respond, other_agent, event, PartStat.DECLINED, "En congés")

    assert [m.to for m in mailoutbox] == [[agent.email]]
    assert mailoutbox[0].subject.startswith("Bernard Petit : Décline — Commission voirie")
    assert "En congés" in mailoutbox[0].body


def test_outside_attendees_get_an_imip_invitation_and_cancellation(send, mailoutbox, agent):
    event = invite(send, agent, externals=[("claire@asso.example", "Claire Dupont")])

    assert [m.to for m in mailoutbox] == [["claire@asso.example"]]
    calendars = [a for a in mailoutbox[0].alternatives if "text/calendar" in a[1]]
    assert calendars and "METHOD:REQUEST" in calendars[0][0]
    mailoutbox.clear()

    send(services.delete_event, agent, event)

    assert [m.to for m in mailoutbox] == [["claire@asso.example"]]
    calendars = [a for a in mailoutbox[0].alternatives if "text/calendar" in a[1]]
    assert "METHOD:CANCEL" in calendars[0][0]
