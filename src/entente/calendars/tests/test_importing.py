"""Importing .ics files: preview, all or nothing, updates by UID, skipped items confirmed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.http import Http404

from entente.accounts.tests.factories import UserFactory
from entente.calendars import importing
from entente.calendars.ics import IcsError
from entente.calendars.models import (
    Attendee,
    CalendarKind,
    CalendarShare,
    Event,
    Occurrence,
    PartStat,
    ShareLevel,
)
from entente.calendars.tests.factories import CalendarFactory

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def calendar_of(user):
    return CalendarFactory(owner=user, kind=CalendarKind.PERSONAL, is_default=False)


def test_preview_says_what_would_be_created_and_writes_nothing(agent):
    calendar = calendar_of(agent)

    result = importing.preview(calendar, sample("thunderbird.ics"))

    assert [item.action for item in result.items] == ["create", "create", "create"]
    assert result.items[0].recurring and result.items[0].overrides == 1
    assert "janvier 2026" in result.items[0].when
    assert not Event.objects.exists()


def test_import_writes_series_overrides_and_occurrences(agent):
    calendar = calendar_of(agent)

    report = importing.import_calendar(agent, calendar, sample("thunderbird.ics"))

    assert (report.created, report.updated, report.skipped) == (3, 0, [])
    weekly = Event.objects.get(calendar=calendar, master=None, rrule__startswith="FREQ=WEEKLY")
    assert weekly.organiser == agent
    assert weekly.overrides.count() == 1
    # 20 Mondays, one removed (EXDATE), one moved (override keeps its own row)
    rows = Occurrence.objects.filter(calendar=calendar, event__in=[weekly, *weekly.overrides.all()])
    assert rows.count() == 19
    assert rows.filter(start=dt.datetime(2026, 3, 3, 13, 0, tzinfo=dt.UTC)).exists()
    assert not rows.filter(start=dt.datetime(2026, 2, 16, 9, 0, tzinfo=dt.UTC)).exists()


def test_reimporting_the_same_file_updates_without_duplicates(agent):
    calendar = calendar_of(agent)
    importing.import_calendar(agent, calendar, sample("thunderbird.ics"))
    changed = sample("thunderbird.ics").replace(
        b"SUMMARY:Rendez-vous m\xc3\xa9dical", b"SUMMARY:Rendez-vous d\xc3\xa9plac\xc3\xa9"
    )

    report = importing.import_calendar(agent, calendar, changed)

    assert (report.created, report.updated) == (0, 3)
    assert Event.objects.filter(calendar=calendar, master=None).count() == 3
    assert Event.objects.filter(calendar=calendar, master__isnull=False).count() == 1
    assert Event.objects.filter(title="Rendez-vous déplacé").exists()
    assert importing.preview(calendar, changed).to_update == 3


def test_attendees_are_recorded_without_sending_any_invitation(agent, org_admin):
    calendar = calendar_of(agent)

    importing.import_calendar(agent, calendar, sample("outlook.ics"))

    review = Event.objects.get(title="Revue marché voirie")
    assert review.organiser == agent
    people = {(a.user_id, a.email): a for a in review.attendees.all()}
    assert set(people) == {
        (org_admin.pk, ""),  # a person of the territory, matched by address
        (None, "claire.fontaine@bureau-etudes.example"),
    }  # the room (CUTYPE=ROOM) is not turned into an outside address
    assert people[(org_admin.pk, "")].partstat == PartStat.ACCEPTED
    assert mail.outbox == []


def test_someone_elses_meeting_keeps_its_organiser_as_an_address_only(org_admin):
    calendar = calendar_of(org_admin)

    importing.import_calendar(org_admin, calendar, sample("outlook.ics"))

    review = Event.objects.get(title="Revue marché voirie")
    assert review.organiser is None
    assert review.organiser_email == "agnes.martin@valmont.fr"


def test_skipped_items_stop_the_import_until_the_person_confirms(agent):
    calendar = calendar_of(agent)

    with pytest.raises(importing.SkipsNotAccepted):
        importing.import_calendar(agent, calendar, sample("mixed_problems.ics"))
    assert not Event.objects.exists()

    report = importing.import_calendar(
        agent, calendar, sample("mixed_problems.ics"), accept_skips=True
    )
    assert report.created == 1
    assert len(report.skipped) == 6
    assert Event.objects.get().uid == "bon-evenement@exemple.fr"


@pytest.mark.parametrize("name", ["truncated.ics"])
def test_a_broken_file_writes_nothing(agent, name):
    calendar = calendar_of(agent)

    with pytest.raises(IcsError):
        importing.import_calendar(agent, calendar, sample(name), accept_skips=True)
    assert not Event.objects.exists()
    assert not Attendee.objects.exists()


def test_a_failure_midway_rolls_everything_back(agent, monkeypatch):
    calendar = calendar_of(agent)
    calls = []

    def explode(event, until=None):
        calls.append(event)
        if len(calls) == 2:
            raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "rebuild_occurrences", explode)
    with pytest.raises(RuntimeError):
        importing.import_calendar(agent, calendar, sample("thunderbird.ics"))
    assert not Event.objects.exists()


def test_import_needs_write_access(agent, org, other_agent):
    calendar = calendar_of(agent)
    reader = UserFactory(organisation=org)
    CalendarShare.objects.create(calendar=calendar, user=reader, level=ShareLevel.READ)
    writer = UserFactory(organisation=org)
    CalendarShare.objects.create(calendar=calendar, user=writer, level=ShareLevel.WRITE)

    with pytest.raises(Http404):
        importing.import_calendar(other_agent, calendar, sample("google.ics"))
    with pytest.raises(PermissionDenied):
        importing.import_calendar(reader, calendar, sample("google.ics"))
    assert not Event.objects.exists()
    assert importing.import_calendar(writer, calendar, sample("google.ics")).created == 2
