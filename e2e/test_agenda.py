"""The agenda in a real browser: every view audited, and an event created with the keyboard
alone (Tab, typing, Enter)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from entente.calendars import services
from entente.calendars.models import Event, Privacy
from entente.calendars.tests.factories import ResourceFactory

pytestmark = pytest.mark.e2e

PARIS = ZoneInfo("Europe/Paris")


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the focused element's accessible text starts with ``name``."""
    for _i in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el) return "";
              const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
              return (label || el.innerText || el.value || "").trim();
            }"""
        )
        if focused.startswith(name):
            return
    raise AssertionError(f"« {name} » never got the focus with Tab")


def test_every_page_of_the_agenda_passes_the_audit(
    page, sign_in_as, visit, agent, other_agent, org, other_org
):
    day = timezone.localdate()
    room = ResourceFactory(organisation=org, name="Salle du conseil", capacity=30)
    ResourceFactory(organisation=other_org, name="Auditorium", bookable_by_territory=True)
    mine = services.default_calendar(agent)
    project = services.create_calendar(agent, name="Projet école")
    services.share_calendar(other_agent, services.default_calendar(other_agent), agent, "read")
    event = services.create_event(
        agent,
        mine,
        services.EventData(
            title="Réunion voirie",
            start=at(day, 10),
            end=at(day, 11, 30),
            description="Ordre du jour\nPoint 1",
            resources=[room],
            users=[other_agent],
            attachments=[{"title": "Plan", "url": "https://docs.example.org/plan.pdf"}],
        ),
    )
    services.create_event(
        agent, project, services.EventData(title="Atelier", start=at(day, 10), end=at(day, 12))
    )
    services.create_event(
        other_agent,
        services.default_calendar(other_agent),
        services.EventData(
            title="Très privé", start=at(day, 14), end=at(day, 15), privacy=Privacy.PRIVATE
        ),
    )
    services.create_event(
        other_agent,
        services.default_calendar(other_agent),
        services.EventData(title="Comité", start=at(day, 16), end=at(day, 17), users=[agent]),
    )

    sign_in_as(agent, next_url="/agenda/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Agenda")
    assert page.get_by_role("heading", name="Une invitation attend votre réponse").is_visible()
    # the week lists the event, its time in the link's text
    link = page.get_by_role("link", name=re.compile(r"10 h 00 – 11 h 30 : Réunion voirie"))
    assert link.count() == 1

    for url in (
        f"/agenda/jour/{day}/",
        f"/agenda/semaine/{day}/?choix=1&cal={mine.pk}&cal={project.pk}&cal={services.default_calendar(other_agent).pk}",
        f"/agenda/mois/{day:%Y-%m}/",
        f"/agenda/liste/?du={day}",
        "/agenda/nouveau/",
        f"/agenda/evenements/{event.pk}/",
        f"/agenda/evenements/{event.pk}/modifier/",
        f"/agenda/evenements/{event.pk}/supprimer/",
        "/agenda/agendas/",
        "/agenda/salles/",
        f"/agenda/salles/{room.pk}/",
    ):
        visit(url)

    # a phone: the lists alone
    page.set_viewport_size({"width": 375, "height": 740})
    visit(f"/agenda/semaine/{day}/")
    assert not page.locator(".ag-grid").is_visible()
    assert page.get_by_role("heading", level=2, name=re.compile("aujourd'hui")).is_visible()


def test_an_event_is_created_with_the_keyboard_only(page, sign_in_as, audit, agent):
    sign_in_as(agent, next_url="/agenda/")

    tab_to(page, "Nouvel évènement")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/agenda/nouveau/")
    audit()

    tab_to(page, "Titre")
    page.keyboard.type("Réunion au clavier")
    tab_to(page, "Heure de début")
    page.keyboard.type("1430")
    tab_to(page, "Heure de fin")
    page.keyboard.type("1530")
    tab_to(page, "Lieu")
    page.keyboard.type("Mairie, salle 2")
    page.keyboard.press("Enter")

    page.wait_for_url(lambda url: re.search(r"/agenda/evenements/\d+/$", url) is not None)
    audit()
    assert page.get_by_role("heading", level=1).inner_text() == "Réunion au clavier"
    assert "« Réunion au clavier » est ajouté à l'agenda." in page.locator(".messages").inner_text()
    event = Event.objects.get(title="Réunion au clavier")
    local = event.start.astimezone(PARIS)
    assert (local.hour, local.minute) == (14, 30)
    assert event.location == "Mairie, salle 2"
    assert "14 h 30 – 15 h 30" in page.locator("main").inner_text()


def test_an_invitation_is_accepted_from_the_agenda(page, sign_in_as, audit, agent, other_agent):
    day = timezone.localdate() + dt.timedelta(days=1)
    services.create_event(
        other_agent,
        services.default_calendar(other_agent),
        services.EventData(title="Comité", start=at(day, 10), end=at(day, 11), users=[agent]),
    )
    sign_in_as(agent, next_url="/agenda/")

    page.get_by_role("button", name="Accepter : Comité").click()
    page.wait_for_load_state("load")
    audit()
    assert (
        "Votre réponse à « Comité » est enregistrée : Accepte."
        in page.locator(".messages").inner_text()
    )
    assert page.get_by_role("heading", name=re.compile("invitation")).count() == 0
