"""Pages of the iCalendar side: answer page (no sign-in), export, private feed, import."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from entente.accounts.tests.factories import UserFactory
from entente.calendars import importing, itip
from entente.calendars.models import CalendarShare, Event, PartStat, ShareLevel
from entente.calendars.tests.factories import CalendarFactory
from entente.calendars.tests.test_itip import GUEST, guest_of, meeting

BACKEND = "entente.accounts.backends.AuthenticationBackend"
SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


# --- answer page -------------------------------------------------------------------------------


def test_answer_page_shows_the_event_and_get_changes_nothing(client, agent):
    event = meeting(agent)
    url = reverse("calendars:answer", args=[itip.answer_token(guest_of(event))])

    response = client.get(url + "?choix=accepter")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Revue du marché de voirie" in page
    assert "Agnès Martin" in page
    assert "Accepter" in page and "Peut-être" in page and "Décliner" in page
    assert guest_of(event).partstat == PartStat.NEEDS_ACTION
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(("answer", "label"), [("ACCEPTED", "Accepte"), ("DECLINED", "Décline")])
def test_answer_page_post_records_the_answer(client, agent, answer, label):
    event = meeting(agent)
    url = reverse("calendars:answer", args=[itip.answer_token(guest_of(event))])

    response = client.post(url, {"reponse": answer, "commentaire": "Avec les plans."})

    assert response.status_code == 200
    assert label in response.content.decode()
    guest = guest_of(event)
    assert guest.partstat == answer
    assert guest.comment == "Avec les plans."


def test_forged_or_expired_answer_link_gets_a_clear_400(client, agent):
    forged = client.get(reverse("calendars:answer", args=["pas-un-jeton"]))
    assert forged.status_code == 400
    assert "pas valide" in forged.content.decode()

    past = meeting(agent, days=-2)
    url = reverse("calendars:answer", args=[itip.answer_token(guest_of(past))])
    expired = client.post(url, {"reponse": "ACCEPTED"})
    assert expired.status_code == 400
    assert "passé" in expired.content.decode()
    assert guest_of(past).partstat == PartStat.NEEDS_ACTION


def test_answer_page_refuses_an_unknown_answer(client, agent):
    event = meeting(agent)
    url = reverse("calendars:answer", args=[itip.answer_token(guest_of(event))])

    response = client.post(url, {"reponse": "DELEGATED"})

    assert response.status_code == 400
    assert guest_of(event).partstat == PartStat.NEEDS_ACTION


# --- export and feed ---------------------------------------------------------------------------


def test_export_needs_view_and_hides_private_details(client, agent, org, other_agent):
    calendar = CalendarFactory(owner=agent)
    importing.import_calendar(agent, calendar, sample("outlook.ics"))
    url = reverse("calendars:export_ics", args=[calendar.pk])

    client.force_login(other_agent, backend=BACKEND)
    assert client.get(url).status_code == 404

    reader = UserFactory(organisation=org)
    CalendarShare.objects.create(calendar=calendar, user=reader, level=ShareLevel.READ)
    client.force_login(reader, backend=BACKEND)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert "Revue marché voirie" not in text and "Occupé" in text
    assert "Appel fournisseur" in text

    client.force_login(agent, backend=BACKEND)
    assert "Revue marché voirie" in client.get(url).content.decode()


def test_export_requires_sign_in(client, agent):
    calendar = CalendarFactory(owner=agent)
    response = client.get(reverse("calendars:export_ics", args=[calendar.pk]))
    assert response.status_code == 302


def test_private_feed_by_token_shows_private_events_as_busy(client, agent):
    calendar = CalendarFactory(owner=agent)
    importing.import_calendar(agent, calendar, sample("outlook.ics"))

    response = client.get(reverse("calendars:feed", args=[calendar.feed_token]))

    assert response.status_code == 200
    parsed = icalendar.Calendar.from_ical(response.content)
    titles = sorted(str(e["SUMMARY"]) for e in parsed.walk("VEVENT"))
    assert titles == ["Appel fournisseur", "Occupé"]
    assert client.get(reverse("calendars:feed", args=["inconnu"])).status_code == 404


# --- import page -------------------------------------------------------------------------------


def upload(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data if data is not None else sample(name), "text/calendar")


def test_import_page_previews_then_imports_on_confirmation(client, agent):
    calendar = CalendarFactory(owner=agent)
    url = reverse("calendars:import_ics", args=[calendar.pk])
    client.force_login(agent, backend=BACKEND)

    assert client.get(url).status_code == 200
    preview = client.post(url, {"fichier": upload("google.ics")})
    assert preview.status_code == 200
    assert "Comité de pilotage numérique" in preview.content.decode()
    assert not Event.objects.exists()

    done = client.post(url, {"jeton": preview.context["token"]}, follow=True)
    assert done.status_code == 200
    assert "2 évènements ajoutés" in done.content.decode()
    assert Event.objects.filter(calendar=calendar).count() == 2


def test_import_page_needs_confirmation_of_skipped_items(client, agent):
    calendar = CalendarFactory(owner=agent)
    url = reverse("calendars:import_ics", args=[calendar.pk])
    client.force_login(agent, backend=BACKEND)
    preview = client.post(url, {"fichier": upload("mixed_problems.ics")})
    page = preview.content.decode()
    assert "Fuseau inconnu" in page and "Mars/Olympus_Mons" in page

    refused = client.post(url, {"jeton": preview.context["token"]})
    assert refused.status_code == 400
    assert not Event.objects.exists()

    client.post(url, {"jeton": preview.context["token"], "accepter_ignores": "1"})
    assert Event.objects.filter(calendar=calendar).count() == 1


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("tronque.ics", sample("truncated.ics"), "incomplet"),
        ("ancien.ics", "BEGIN:VCALENDAR\nSUMMARY:Été\n".encode("cp1252"), "UTF-8"),
        ("photo.ics", b"\xff\xd8\xff\xe0 JFIF garbage", "UTF-8"),
        ("notes.ics", b"Ceci n'est pas un agenda", "iCalendar"),
    ],
)
def test_import_page_refuses_bad_files_with_400_and_writes_nothing(
    client, agent, name, data, words
):
    calendar = CalendarFactory(owner=agent)
    client.force_login(agent, backend=BACKEND)

    response = client.post(
        reverse("calendars:import_ics", args=[calendar.pk]), {"fichier": upload(name, data)}
    )

    assert response.status_code == 400
    assert words in response.content.decode()
    assert not Event.objects.exists()


def test_import_page_refuses_files_over_the_limit(client, agent, settings):
    settings.CALENDAR_IMPORT_MAX_BYTES = 1024
    calendar = CalendarFactory(owner=agent)
    client.force_login(agent, backend=BACKEND)

    response = client.post(
        reverse("calendars:import_ics", args=[calendar.pk]),
        {"fichier": upload("thunderbird.ics")},
    )

    assert response.status_code == 400
    assert "taille maximale" in response.content.decode()


def test_import_page_needs_write_access(client, agent, org, other_agent):
    calendar = CalendarFactory(owner=agent)
    url = reverse("calendars:import_ics", args=[calendar.pk])
    reader = UserFactory(organisation=org)
    CalendarShare.objects.create(calendar=calendar, user=reader, level=ShareLevel.READ)

    client.force_login(other_agent, backend=BACKEND)
    assert client.get(url).status_code == 404
    client.force_login(reader, backend=BACKEND)
    assert client.post(url, {"fichier": upload("google.ics")}).status_code == 403
    assert not Event.objects.exists()


def test_guest_answer_reaches_the_attendee_row_only(client, agent):
    event = meeting(agent)
    other = meeting(agent)
    url = reverse("calendars:answer", args=[itip.answer_token(guest_of(event))])

    client.post(url, {"reponse": "TENTATIVE"})

    assert guest_of(event).partstat == PartStat.TENTATIVE
    assert guest_of(other).partstat == PartStat.NEEDS_ACTION
    assert GUEST in client.get(url).content.decode()


def test_files_of_abandoned_previews_are_removed_by_the_next_upload(client, agent):
    import os
    import time

    from django.core.files.storage import default_storage

    from entente.calendars.views_ics import IMPORT_DIR

    calendar = CalendarFactory(owner=agent)
    url = reverse("calendars:import_ics", args=[calendar.pk])
    client.force_login(agent, backend=BACKEND)
    before = (
        set(default_storage.listdir(IMPORT_DIR)[1]) if default_storage.exists(IMPORT_DIR) else set()
    )
    client.post(url, {"fichier": upload("google.ics")})
    (first,) = set(default_storage.listdir(IMPORT_DIR)[1]) - before
    old = default_storage.path(f"{IMPORT_DIR}/{first}")
    two_days_ago = time.time() - 2 * 86400
    os.utime(old, (two_days_ago, two_days_ago))

    client.post(url, {"fichier": upload("google.ics")})

    after = set(default_storage.listdir(IMPORT_DIR)[1])
    assert first not in after and len(after - before) == 1
