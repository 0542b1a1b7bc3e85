"""« Trouver un créneau » in a real browser: search a person, add them, see the slots."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from entente.accounts.tests.factories import UserFactory
from entente.calendars.tests.factories import ResourceFactory
from entente.directory.tests.factories import ServiceFactory

pytestmark = pytest.mark.e2e

FIND_TIME = "/agenda/trouver-un-creneau/"


def path_is(expected: str):
    return lambda url: urlsplit(url).path == expected


def test_agnes_finds_bernard_adds_him_and_a_room_and_sees_slots(
    page, sign_in_as, audit, agent, other_agent, other_org, org
):
    other_agent.service = ServiceFactory(organisation=other_org, name="Voirie")
    other_agent.save()
    UserFactory(organisation=other_org, first_name="Bernadette", last_name="Roux")
    ResourceFactory(organisation=org, name="Salle du conseil")

    sign_in_as(agent, next_url=FIND_TIME)
    main = page.locator("main")
    assert page.get_by_role("heading", level=1).inner_text() == "Trouver un créneau"
    assert "Agnès Martin" in main.get_by_role("group", name="Participants").inner_text()

    # typing is enough: the matches appear without leaving the page
    search = page.get_by_label("Rechercher une personne ou une salle")
    search.fill("bern voi")
    add_bernard = page.get_by_role("button", name="Ajouter Bernard Petit")
    add_bernard.wait_for()
    assert page.get_by_role("button", name="Ajouter Bernadette Roux").count() == 0
    add_bernard.click()
    page.wait_for_url(lambda url: "personne=" in url and "q=" not in url)
    audit()
    assert "Bernard Petit fait partie des participants." in page.locator(".messages").inner_text()

    # without waiting for the live search: Enter submits the search as a plain form
    search.fill("salle cons")
    search.press("Enter")
    page.wait_for_url(lambda url: "q=salle" in url)
    audit()
    page.get_by_role("button", name="Ajouter Salle du conseil").click()
    page.wait_for_url(lambda url: "salle=" in url and "q=" not in url)
    audit()

    assert page.get_by_role("heading", name="Créneaux proposés").is_visible()
    slots = main.get_by_role("link", name="Choisir ce créneau")
    assert slots.count() == 8
    link = urlsplit(slots.first.get_attribute("href"))
    assert link.path == "/agenda/nouveau/"
    query = parse_qs(link.query)
    assert query["personne"] == [str(agent.pk), str(other_agent.pk)]
    assert len(query["salle"]) == 1 and query["start"][0].endswith("Z")
    week = main.get_by_role("table")
    assert "Bernard Petit" in week.inner_text() and "Salle du conseil" in week.inner_text()


def test_bad_dates_show_the_form_again_with_a_message(page, visit, sign_in_as, agent):
    sign_in_as(agent, next_url=FIND_TIME)

    visit(f"{FIND_TIME}?suite=1&du=2030-03-10&au=2030-03-01")

    assert "Choisissez une date de fin après la date de début." in page.locator("main").inner_text()
    assert page.get_by_label("Jusqu'au (inclus)").get_attribute("aria-invalid") == "true"
