"""The administration consoles in a real browser: an organisation's admin, then an operator."""

import re
from urllib.parse import urlsplit

import pytest

from entente.accounts.models import User
from entente.accounts.tests.factories import UserFactory
from entente.organisations.models import Organisation

pytestmark = pytest.mark.e2e

PEOPLE = "/admin-org/personnes/"


def path_is(expected: str):
    return lambda url: urlsplit(url).path == expected


def path_matches(pattern: str):
    return lambda url: re.fullmatch(pattern, urlsplit(url).path) is not None


def side_nav_current(page) -> list[str]:
    return (
        page.get_by_role("navigation", name="Administration", exact=True)
        .locator('[aria-current="page"]')
        .all_inner_texts()
    )


def notices(page) -> str:
    return " ".join(page.locator(".messages").all_inner_texts())


def test_an_admin_opens_every_section_of_the_console(page, sign_in_as, audit, org_admin):
    sign_in_as(org_admin, next_url="/admin-org/")
    assert page.get_by_role("heading", level=1).inner_text() == "Administration"

    side_nav = page.get_by_role("navigation", name="Administration", exact=True)
    for label, path in [
        ("Personnes", PEOPLE),
        ("Services", "/admin-org/services/"),
        ("Groupes", "/admin-org/groupes/"),
        ("Politiques", "/admin-org/politiques/"),
    ]:
        side_nav.get_by_role("link", name=label, exact=True).click()
        page.wait_for_url(path_is(path))
        audit()
        assert side_nav_current(page) == [label]
    assert page.get_by_role("link", name="Organisations", exact=True).count() == 0


def test_an_admin_finds_a_person_by_searching(page, sign_in_as, audit, org, org_admin, agent):
    UserFactory(organisation=org, first_name="Hélène", last_name="Bérard", job_title="Urbaniste")
    sign_in_as(org_admin, next_url=PEOPLE)

    table = page.locator("table.data tbody")
    assert table.get_by_role("link", name="Martin Agnès").is_visible()
    assert table.get_by_role("link", name="Bérard Hélène").is_visible()

    page.get_by_label("Rechercher", exact=True).fill("berard")  # accents are optional
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "q=berard" in url)
    audit()
    assert table.get_by_role("link").all_inner_texts() == ["Bérard Hélène"]

    page.get_by_label("Rechercher", exact=True).fill("personne-inexistante")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    page.wait_for_url(lambda url: "q=personne-inexistante" in url)
    audit()
    assert "Personne ne correspond à cette recherche" in page.locator("main").inner_text()


def test_an_admin_adds_a_person_who_is_invited(page, sign_in_as, audit, org_admin, mailoutbox):
    sign_in_as(org_admin, next_url=PEOPLE)

    page.locator("main").get_by_role("link", name="Ajouter une personne").first.click()
    page.wait_for_url(path_is(PEOPLE + "nouvelle/"))
    audit()
    page.get_by_label("Prénom").fill("Claire")
    page.get_by_label(re.compile(r"^Nom\b")).fill("Fontaine")
    page.get_by_label("Adresse e-mail").fill("claire.fontaine@valmont.fr")
    invitation = page.get_by_label("Envoyer l'invitation par e-mail")
    assert invitation.is_checked(), "the invitation box is ticked by default"
    page.get_by_role("button", name="Ajouter la personne").click()

    page.wait_for_url(path_matches(r"/admin-org/personnes/\d+/"))
    audit()
    assert page.get_by_role("heading", level=1).inner_text() == "Claire Fontaine"
    assert "Une invitation part à claire.fontaine@valmont.fr" in notices(page)
    assert [message.to for message in mailoutbox] == [["claire.fontaine@valmont.fr"]]
    person = User.objects.get(email="claire.fontaine@valmont.fr")
    assert person.organisation == org_admin.organisation and person.invited_at is not None


def test_an_admin_deactivates_a_person_after_confirming(page, sign_in_as, audit, org_admin, agent):
    sign_in_as(org_admin, next_url=f"{PEOPLE}{agent.pk}/")

    page.get_by_role("link", name="Désactiver le compte…").click()
    page.wait_for_url(path_is(f"{PEOPLE}{agent.pk}/desactiver/"))
    audit()
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Désactiver le compte de Agnès Martin ?"
    )
    agent.refresh_from_db()
    assert agent.is_active, "nothing happens before the confirmation"

    page.get_by_role("button", name="Désactiver le compte").click()
    page.wait_for_url(path_is(f"{PEOPLE}{agent.pk}/"))
    audit()
    assert "Agnès Martin est désactivé·e" in notices(page)
    assert page.get_by_role("button", name="Réactiver le compte").is_visible()
    agent.refresh_from_db()
    assert not agent.is_active


def test_an_operator_lists_and_creates_organisations(page, sign_in_as, audit, operator, org):
    sign_in_as(operator, next_url="/admin-org/organisations/")

    main = page.locator("main")
    assert page.get_by_role("heading", level=1).inner_text() == "Organisations du territoire"
    assert side_nav_current(page) == ["Organisations"]
    assert main.get_by_text("Commune de Valmont").first.is_visible()
    assert main.get_by_text("Syndicat numérique").first.is_visible()

    main.get_by_role("link", name="Ajouter une organisation").first.click()
    page.wait_for_url(path_is("/admin-org/organisations/nouvelle/"))
    audit()
    page.get_by_label("Type").select_option("commune")
    page.get_by_label(re.compile(r"^Nom\b")).fill("Commune de Belrive")
    page.get_by_label("Domaines de messagerie").fill("belrive.fr")
    page.get_by_role("button", name="Ajouter l'organisation").click()

    page.wait_for_url(path_matches(r"/admin-org/organisations/[\w-]+/admins/"))
    audit()
    assert "Commune de Belrive fait maintenant partie du territoire" in notices(page)
    created = Organisation.objects.get(name="Commune de Belrive")
    assert created.domain_names == ["belrive.fr"]
