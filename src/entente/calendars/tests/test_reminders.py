"""Reminders sent by Entente: due at the right instant (across a change of time), for each
instance of a series, to the owner and the invited people who did not decline, once only."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from entente.accounts.tests.factories import UserFactory
from entente.calendars import services
from entente.calendars.models import EventStatus, Occurrence, Privacy, ReminderSent
from entente.calendars.recurrence import UTC
from entente.calendars.reminders import due_reminders, send_due_reminders
from entente.calendars.services import EventData, Scope
from entente.calendars.tests.factories import YEAR, last_sunday, make_event, paris

pytestmark = pytest.mark.django_db


def at(value: dt.datetime) -> dt.datetime:
    return value.astimezone(UTC)


def run(now: dt.datetime) -> int:
    """One run of the command, as cron would start it at ``now``."""
    return send_due_reminders(now=now)


def test_reminder_is_sent_at_its_time_and_not_before(agent):
    make_event(agent, paris(YEAR, 3, 3, 10), reminders=[30])

    assert run(paris(YEAR, 3, 3, 9, 25)) == 0
    assert run(paris(YEAR, 3, 3, 9, 31)) == 1

    assert [m.to for m in mail.outbox] == [[agent.email]]


def test_due_reminders_reads_only_the_window(agent):
    event = make_event(agent, paris(YEAR, 3, 3, 10), reminders=[10, 60])

    due = due_reminders(paris(YEAR, 3, 3, 9, 5), paris(YEAR, 3, 3, 8, 55))

    assert [(d.person, d.occurrence.event, d.minutes) for d in due] == [(agent, event, [60])]
    assert due_reminders(paris(YEAR, 3, 3, 9, 40), paris(YEAR, 3, 3, 9, 25)) == []


def test_the_time_of_a_weekly_reminder_follows_the_change_of_time(agent):
    sunday = last_sunday(YEAR, 3)
    before = sunday - dt.timedelta(days=6)  # the Monday before the change
    make_event(
        agent, paris(YEAR, before.month, before.day, 10), rrule="FREQ=WEEKLY", reminders=[30]
    )
    after = before + dt.timedelta(days=7)

    # 9:30 in Paris is 7:30 UTC after the change (8:30 UTC before): a UTC clock would be late
    assert run(at(paris(YEAR, after.month, after.day, 8, 35))) == 0
    assert run(at(paris(YEAR, after.month, after.day, 9, 31))) == 1

    assert "10 h 00" in mail.outbox[0].subject


def test_each_instance_of_a_series_is_reminded_with_its_own_link(agent):
    event = make_event(agent, paris(YEAR, 3, 3, 10), rrule="FREQ=DAILY;COUNT=5", reminders=[15])

    assert run(paris(YEAR, 3, 3, 9, 50)) == 1
    assert run(paris(YEAR, 3, 5, 9, 50)) == 1

    third = mail.outbox[1]
    assert " 5 mars" in third.subject
    instance = at(paris(YEAR, 3, 5, 10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert f"/agenda/evenements/{event.pk}/?occurrence={instance}" in third.body


def test_an_edited_instance_is_reminded_at_its_new_time(agent):
    event = make_event(agent, paris(YEAR, 3, 3, 10), rrule="FREQ=DAILY;COUNT=5", reminders=[15])
    moved = dataclasses.replace(
        EventData.from_event(event),
        start=paris(YEAR, 3, 4, 14),
        end=paris(YEAR, 3, 4, 15),
        rrule="",
    )
    services.update_event(
        agent, event, moved, Scope.THIS, recurrence_id=at(paris(YEAR, 3, 4, 10)), notify=False
    )

    assert run(paris(YEAR, 3, 4, 9, 50)) == 0
    assert run(paris(YEAR, 3, 4, 13, 50)) == 1


def test_invited_people_are_reminded_except_those_who_declined(agent, org):
    coming = UserFactory(organisation=org, email="claire@valmont.fr")
    declining = UserFactory(organisation=org, email="denis@valmont.fr")
    gone = UserFactory(organisation=org, email="eve@valmont.fr")
    event = make_event(
        agent, paris(YEAR, 3, 3, 10), reminders=[30], users=[coming, declining, gone]
    )
    services.respond(declining, event, "DECLINED")
    gone.is_active = False  # left since the invitation
    gone.save(update_fields=["is_active"])

    assert run(paris(YEAR, 3, 3, 9, 31)) == 2

    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent.email, coming.email])


def test_running_twice_or_late_reminds_once(agent):
    event = make_event(agent, paris(YEAR, 3, 3, 10), reminders=[30])

    assert run(paris(YEAR, 3, 3, 9, 31)) == 1
    assert run(paris(YEAR, 3, 3, 9, 31)) == 0
    assert run(paris(YEAR, 3, 3, 9, 36)) == 0  # the next run's window overlaps

    assert len(mail.outbox) == 1
    assert ReminderSent.objects.filter(user=agent, event=event, minutes=30).count() == 1


def test_a_reminder_another_run_recorded_is_not_sent(agent):
    """Two runs at once: the one that records first sends; the other finds the record."""
    event = make_event(agent, paris(YEAR, 3, 3, 10), reminders=[30])
    ReminderSent.objects.create(user=agent, event=event, occurrence_start=event.start, minutes=30)

    assert run(paris(YEAR, 3, 3, 9, 31)) == 0
    assert mail.outbox == []


def test_two_due_delays_make_one_mail(agent):
    make_event(agent, paris(YEAR, 3, 3, 10), reminders=[20, 30])

    assert run(paris(YEAR, 3, 3, 9, 42)) == 1  # a late run: both are due

    assert len(mail.outbox) == 1
    assert ReminderSent.objects.count() == 2


def test_nothing_for_a_cancelled_event(agent):
    event = make_event(agent, paris(YEAR, 3, 3, 10), reminders=[30])
    cancelled = dataclasses.replace(EventData.from_event(event), status=EventStatus.CANCELLED)
    services.update_event(agent, event, cancelled, notify=False)
    make_event(
        agent, paris(YEAR, 3, 3, 10), reminders=[30], status=EventStatus.CANCELLED, title="Non"
    )

    assert run(paris(YEAR, 3, 3, 9, 31)) == 0
    assert mail.outbox == []


def test_nothing_for_an_event_cancelled_after_its_occurrences_were_written(agent):
    event = make_event(agent, paris(YEAR, 3, 3, 10), reminders=[30])
    type(event).objects.filter(pk=event.pk).update(status=EventStatus.CANCELLED)
    assert Occurrence.objects.filter(event=event).exists()

    assert run(paris(YEAR, 3, 3, 9, 31)) == 0


def test_nothing_for_an_inactive_owner(agent):
    make_event(agent, paris(YEAR, 3, 3, 10), reminders=[30])
    agent.is_active = False
    agent.save(update_fields=["is_active"])

    assert run(paris(YEAR, 3, 3, 9, 31)) == 0


def test_a_private_event_is_reminded_to_its_own_people(agent):
    make_event(
        agent, paris(YEAR, 3, 3, 10), reminders=[30], privacy=Privacy.PRIVATE, title="Médecin"
    )

    assert run(paris(YEAR, 3, 3, 9, 31)) == 1

    assert "Médecin" in mail.outbox[0].subject


def test_the_mail_is_in_french_with_the_place_visio_and_link(agent, settings):
    settings.SITE_URL = "https://entente.example"
    event = make_event(
        agent,
        paris(YEAR, 3, 3, 10),
        reminders=[30],
        title="Conseil municipal",
        location="Salle du conseil",
        visio_url="https://visio.example/conseil",
    )

    run(paris(YEAR, 3, 3, 9, 31))

    message = mail.outbox[0]
    assert message.subject.startswith("Rappel : Conseil municipal — ")
    assert f"3 mars {YEAR}, 10 h 00 – 11 h 00" in message.subject
    assert f"Bonjour {agent.first_name}," in message.body
    assert "cet évènement commence dans 29\xa0minutes" in message.body
    assert "Lieu : Salle du conseil" in message.body
    assert "Visioconférence : https://visio.example/conseil" in message.body
    link = f"https://entente.example/agenda/evenements/{event.pk}/"
    assert link in message.body
    html = message.alternatives[0][0]
    assert f'href="{link}"' in html and "Voir l'évènement" in html


def test_the_command_sends_what_is_due_and_says_how_many(agent):
    soon = timezone.now() + dt.timedelta(minutes=20)
    make_event(agent, soon.replace(second=0, microsecond=0), reminders=[30])
    out = io.StringIO()

    call_command("send_reminders", stdout=out)
    call_command("send_reminders", stdout=out)

    assert out.getvalue().splitlines() == ["1 rappel(s) envoyé(s).", "0 rappel(s) envoyé(s)."]
    assert len(mail.outbox) == 1
