"""The agenda issue's "done when", in a real browser: an agent of one commune finds a slot with
an élu of another commune, two people of the metropolis and a room, sends the invitation; the
attendees accept in the app, an outside attendee by the answer link of the e-mail, and
everyone's agenda shows the meeting."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from entente.accounts.models import Status
from entente.accounts.tests.factories import UserFactory
from entente.calendars.models import Event, PartStat
from entente.calendars.tests.factories import ResourceFactory
from entente.directory.tests.factories import ServiceFactory
from entente.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.e2e

OUTSIDER = "luc.martin@asso-orbelle.org"
TITLE = "Aménagement de la place du marché"


def test_a_meeting_across_three_organisations_is_planned_answered_and_everywhere(
    page, browser, live_server, sign_in_as, audit, agent, org, other_org
):
    metropolis = OrganisationFactory(
        name="Val d'Orbelle Métropole", slug="metropole", kind="metropolis"
    )
    roads = ServiceFactory(organisation=metropolis, name="Voirie")
    bernard = UserFactory(
        organisation=metropolis, first_name="Bernard", last_name="Roux", service=roads
    )
    nadia = UserFactory(
        organisation=metropolis, first_name="Nadia", last_name="Benali", service=roads
    )
    elu = UserFactory(
        organisation=other_org,
        first_name="Karim",
        last_name="Haddad",
        status=Status.ELU,
        mandate="Adjoint au maire délégué aux travaux",
    )
    ResourceFactory(organisation=org, name="Salle du conseil", capacity=30)
    mail.outbox.clear()

    # Agnès (agent) looks for a time with the élu, two people of the metropolis and a room
    sign_in_as(agent, next_url="/agenda/trouver-un-creneau/")
    search = page.get_by_label("Rechercher une personne ou une salle")
    for query, name in [
        ("karim had", "Karim Haddad"),
        ("bern voi", "Bernard Roux"),
        ("nadia", "Nadia Benali"),
        ("salle cons", "Salle du conseil"),
    ]:
        search.fill(query)
        search.press("Enter")
        page.wait_for_url(lambda url: "q=" in url)
        audit()
        page.get_by_role("button", name=f"Ajouter {name}").click()
        page.wait_for_url(lambda url: "q=" not in url)
        audit()
    participants = page.locator("main").get_by_role("group", name="Participants").inner_text()
    for name in ("Karim Haddad", "Bernard Roux", "Nadia Benali", "Salle du conseil"):
        assert name in participants

    # she takes the first proposed slot: the event form comes prefilled
    page.get_by_role("link", name="Choisir ce créneau").first.click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/agenda/nouveau/")
    audit()
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Personnes extérieures au territoire (adresses e-mail)").fill(OUTSIDER)
    page.get_by_role("button", name="Enregistrer", exact=True).last.click()
    page.wait_for_url(lambda url: re.search(r"/agenda/evenements/\d+/$", urlsplit(url).path))
    audit()
    assert page.get_by_role("heading", level=1).inner_text() == TITLE
    event = Event.objects.get(title=TITLE)
    people = {a.user_id for a in event.attendees.filter(user__isnull=False)}
    assert people == {agent.pk, elu.pk, bernard.pk, nadia.pk}
    assert event.attendees.filter(resource__name="Salle du conseil").exists()

    # everyone invited was told: the people of the territory by e-mail, the outsider by iMIP
    recipients = {address for message in mail.outbox for address in message.to}
    assert {elu.email, bernard.email, nadia.email, OUTSIDER} <= recipients
    imip = next(m for m in mail.outbox if OUTSIDER in m.to)
    link = re.search(r"https?://[^\s\"<>]+/agenda/reponse/[^\s\"<>]+", imip.body).group(0)

    # the élu accepts from his home page, the metropolis people from their agenda and the event
    sign_in_as(elu, next_url="/")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Accepter : {TITLE}").click()
    assert urlsplit(page.url).path == "/"
    audit()
    assert page.get_by_role("button", name=f"Accepter : {TITLE}").count() == 0
    sign_in_as(bernard, next_url="/agenda/")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Accepter : {TITLE}").click()
    audit()
    sign_in_as(nadia, next_url=f"/agenda/evenements/{event.pk}/")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Accepter")).first.click()
    audit()

    # the outsider answers from the e-mail's link, without an account
    outsider = browser.new_context(base_url=live_server.url, locale="fr-FR")
    try:
        answer = outsider.new_page()
        answer.goto(
            urlsplit(link).path + ("?" + urlsplit(link).query if urlsplit(link).query else "")
        )
        with answer.expect_navigation():
            answer.get_by_role("button", name="Accepter").click()
        assert (
            "Accepte" in answer.locator("main").inner_text()
            or "accept" in answer.locator("main").inner_text().lower()
        )
    finally:
        outsider.close()

    answers = {a.user_id or a.email or a.resource_id: a.partstat for a in event.attendees.all()}
    assert answers[elu.pk] == PartStat.ACCEPTED, "the élu, from his home page"
    assert answers[bernard.pk] == PartStat.ACCEPTED, "Bernard, from his agenda"
    assert answers[nadia.pk] == PartStat.ACCEPTED, "Nadia, from the event's page"
    assert answers[OUTSIDER] == PartStat.ACCEPTED

    # everyone's agenda shows the meeting, on the week of the slot
    day = event.start.astimezone().date().isoformat()
    for person in (agent, elu, bernard, nadia):
        sign_in_as(person, next_url=f"/agenda/semaine/{day}/")
        assert TITLE in page.locator("main").inner_text(), f"not in {person}'s agenda"
    # and the organiser sees every answer on the event's page
    sign_in_as(agent, next_url=f"/agenda/evenements/{event.pk}/")
    attendees = page.locator("main").inner_text()
    for name in ("Karim Haddad", "Bernard Roux", "Nadia Benali", OUTSIDER):
        assert name in attendees
