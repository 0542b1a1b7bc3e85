"""Reading iCalendar files from Thunderbird, Outlook and Google, refusing broken ones, and
writing calendars back without losing what clients sent nor leaking private details."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest

from entente.accounts.tests.factories import UserFactory
from entente.calendars import importing
from entente.calendars.ics import (
    IcsError,
    calendar_to_ics,
    export_events,
    iana_name,
    parse_calendar,
)
from entente.calendars.models import CalendarKind, CalendarShare, Event, Privacy, ShareLevel
from entente.calendars.tests.factories import CalendarFactory

SAMPLES = Path(__file__).parent / "samples"
UTC = dt.UTC


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def parts(rule: str) -> set[str]:
    return set(rule.split(";"))


def calendar_of(user):
    return CalendarFactory(owner=user, kind=CalendarKind.PERSONAL, is_default=False)


# --- reading -----------------------------------------------------------------------------------


def test_thunderbird_series_with_exception_override_alarm_private_and_all_day():
    parsed = parse_calendar(sample("thunderbird.ics"))

    assert parsed.skipped == []
    weekly, private, all_day = parsed.items
    assert weekly.title == "Point hebdomadaire du service urbanisme"
    assert weekly.location == "Mairie de Valmont, salle du conseil"
    assert weekly.tzid == "Europe/Paris"
    assert weekly.start == utc(2026, 1, 5, 9, 0)  # 10:00 in Paris, winter
    assert weekly.end == utc(2026, 1, 5, 10, 0)
    assert parts(weekly.rrule) == {"FREQ=WEEKLY", "BYDAY=MO", "COUNT=20"}
    assert weekly.exdates == ["2026-02-16T09:00:00+00:00"]
    assert weekly.reminders == [15]
    assert weekly.sequence == 2
    assert "X-MOZ-GENERATION:3" in weekly.ical
    [override] = weekly.overrides
    assert override.recurrence_id == utc(2026, 3, 2, 9, 0)
    assert override.start == utc(2026, 3, 3, 13, 0)
    assert override.title == "Point hebdomadaire (décalé au mardi)"
    assert private.privacy == Privacy.PRIVATE
    assert all_day.all_day is True
    assert all_day.start == utc(2026, 4, 3, 22, 0)  # midnight in Paris, summer time
    assert all_day.end == utc(2026, 4, 4, 22, 0)
    assert all_day.busy is False


def test_outlook_windows_zone_names_attendees_confidential_and_duration():
    review, call = parse_calendar(sample("outlook.ics")).items

    assert review.tzid == "Europe/Paris"  # "Romance Standard Time"
    assert review.start == utc(2026, 3, 20, 9, 0)
    assert review.privacy == Privacy.PRIVATE  # CLASS:CONFIDENTIAL
    assert review.title == "Revue marché voirie"
    assert review.description.endswith("Merci d'apporter les plans.")
    assert review.organiser_email == "agnes.martin@valmont.fr"
    assert review.organiser_name == "Martin, Agnès"
    assert review.reminders == [60]
    assert review.sequence == 1
    people = {a.email: a for a in review.attendees}
    assert set(people) == {
        "marc.durand@valmont.fr",
        "claire.fontaine@bureau-etudes.example",
        "salle.lumiere@valmont.fr",
    }
    assert people["marc.durand@valmont.fr"].name == "Durand, Marc"
    assert people["marc.durand@valmont.fr"].partstat == "ACCEPTED"
    assert people["claire.fontaine@bureau-etudes.example"].role == "OPT-PARTICIPANT"
    assert people["claire.fontaine@bureau-etudes.example"].partstat == "TENTATIVE"
    assert people["salle.lumiere@valmont.fr"].cutype == "ROOM"
    assert call.tzid == "Europe/Berlin"  # "W. Europe Standard Time"
    assert call.end - call.start == dt.timedelta(minutes=45)
    assert call.status == "TENTATIVE"


def test_google_utc_times_meet_link_until_and_all_day():
    committee, holiday = parse_calendar(sample("google.ics")).items

    assert committee.start == utc(2026, 4, 8, 8, 0)
    assert committee.tzid == "Europe/Paris"
    assert committee.visio_url == "https://meet.google.com/abc-defg-hij"
    assert parts(committee.rrule) == {
        "FREQ=WEEKLY",
        "WKST=MO",
        "UNTIL=20260527T215959Z",
        "BYDAY=WE",
    }
    assert [a.email for a in committee.attendees] == [
        "agnes.martin@valmont.fr",
        "paul.leclerc@gmail.com",
    ]
    assert holiday.all_day and holiday.busy is False
    assert holiday.end - holiday.start == dt.timedelta(days=1)


def test_each_unusable_item_is_listed_with_a_french_reason():
    parsed = parse_calendar(sample("mixed_problems.ics"))

    [good] = parsed.items
    assert good.uid == "bon-evenement@exemple.fr"
    assert good.start == utc(2026, 5, 5, 12, 0)  # floating time read in Paris
    reasons = {s.summary: s.reason for s in parsed.skipped}
    assert "identifiant" in reasons["Sans identifiant"]
    assert "date de début" in reasons["Sans date de début"]
    assert "avant son début" in reasons["Fin avant début"]
    assert "Mars/Olympus_Mons" in reasons["Fuseau inconnu"]
    assert "chaque jour" in reasons["Toutes les minutes"]
    assert "tâches" in reasons["Envoyer le compte rendu"]


@pytest.mark.parametrize(
    ("data", "code", "words"),
    [
        (b"", "empty", "vide"),
        (b"Bonjour, voici le compte rendu.\n", "not_ical", "iCalendar"),
        (b"\x89PNG\r\n\x1a\n\x00\x00garbage", "encoding", "UTF-8"),
        (
            "BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:1\nDTSTART:20260101T100000Z\n"
            "SUMMARY:Réunion à l'hôtel de ville\nEND:VEVENT\nEND:VCALENDAR\n".encode("cp1252"),
            "encoding",
            "UTF-8",
        ),
        (
            b"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VTODO\nUID:1\nEND:VTODO\nEND:VCALENDAR\n",
            "no_events",
            "aucun évènement",
        ),
        (b"BEGIN:VCALENDAR\nnot a content line\nEND:VCALENDAR\n", "malformed", "mal formé"),
    ],
)
def test_unreadable_files_raise_a_clear_error(data, code, words):
    with pytest.raises(IcsError) as error:
        parse_calendar(data)
    assert error.value.code == code
    assert words in error.value.message


def test_truncated_file_is_refused():
    with pytest.raises(IcsError) as error:
        parse_calendar(sample("truncated.ics"))
    assert error.value.code == "truncated"
    assert "incomplet" in error.value.message


def test_file_over_the_size_limit_is_refused_before_reading(settings):
    settings.CALENDAR_IMPORT_MAX_BYTES = 1024
    with pytest.raises(IcsError) as error:
        parse_calendar(sample("thunderbird.ics"))
    assert error.value.code == "too_large"


def test_byte_order_mark_and_crlf_are_accepted():
    data = b"\xef\xbb\xbf" + sample("google.ics").replace(b"\n", b"\r\n")
    assert len(parse_calendar(data).items) == 2


@pytest.mark.parametrize(
    ("tzid", "expected"),
    [
        ("Europe/Paris", "Europe/Paris"),
        ("Romance Standard Time", "Europe/Paris"),
        ("/mozilla.org/20050126_1/Europe/Paris", "Europe/Paris"),
        ("Mars/Olympus_Mons", None),
    ],
)
def test_zone_names_from_every_client(tzid, expected):
    assert iana_name(tzid) == expected


# --- writing -----------------------------------------------------------------------------------


def test_export_keeps_series_exceptions_overrides_alarms_and_unknown_properties(agent):
    calendar = calendar_of(agent)
    importing.import_calendar(agent, calendar, sample("thunderbird.ics"))

    data = calendar_to_ics(calendar, export_events(calendar), agent)

    parsed = icalendar.Calendar.from_ical(data)
    assert parsed["PRODID"] == "-//Entente//Agenda//FR"
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = parsed.walk("VEVENT")
    weekly = [e for e in events if "RRULE" in e][0]
    assert weekly["RRULE"]["FREQ"] == ["WEEKLY"]
    assert weekly["RRULE"]["COUNT"] == [20]
    assert weekly["X-MOZ-GENERATION"] == "3"  # unknown property survived
    assert weekly["DTSTART"].params["TZID"] == "Europe/Paris"
    assert weekly["EXDATE"].dts[0].dt.astimezone(UTC) == utc(2026, 2, 16, 9, 0)
    [alarm] = weekly.walk("VALARM")
    assert alarm["TRIGGER"].dt == -dt.timedelta(minutes=15)
    [override] = [e for e in events if "RECURRENCE-ID" in e]
    assert str(override["UID"]) == str(weekly["UID"])
    all_day = [e for e in events if e["SUMMARY"] == "Journée portes ouvertes"][0]
    assert all_day["DTSTART"].dt == dt.date(2026, 4, 4)
    assert all_day["TRANSP"] == "TRANSPARENT"
    # and Entente reads its own export back to the same events
    again = parse_calendar(data)
    assert {e.uid for e in again.items} == set(
        Event.objects.filter(calendar=calendar, master=None).values_list("uid", flat=True)
    )
    assert again.skipped == []


def test_export_shows_private_events_as_busy_to_readers_and_feeds(agent, org):
    calendar = calendar_of(agent)
    importing.import_calendar(agent, calendar, sample("outlook.ics"))
    reader = UserFactory(organisation=org)
    CalendarShare.objects.create(calendar=calendar, user=reader, level=ShareLevel.READ)

    for viewer in (reader, None):
        data = calendar_to_ics(calendar, export_events(calendar), viewer)

        text = data.decode()
        assert "Revue marché voirie" not in text
        assert "bureau d'études" not in text
        assert "claire.fontaine" not in text
        assert "Salle Lumière" not in text
        busy = [
            e for e in icalendar.Calendar.from_ical(data).walk("VEVENT") if e["SUMMARY"] == "Occupé"
        ]
        assert len(busy) == 1
        assert "Appel fournisseur" in text  # public events keep their details

    owner_view = calendar_to_ics(calendar, export_events(calendar), agent).decode()
    assert "Revue marché voirie" in owner_view
    assert "mailto:claire.fontaine@bureau-etudes.example" in owner_view.replace("\r\n ", "")
