"""Spaces in a real browser, every visited page audited by axe-core: an agent creates a space,
adds members from two other organisations found by name, changes a role, removes someone;
the removed member loses the space at once; a reader sees no management forms."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from entente.accounts.tests.factories import UserFactory
from entente.organisations.tests.factories import OrganisationFactory
from entente.spaces.models import Membership, Space, SpaceRole, Visibility
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.e2e


def path_of(page) -> str:
    return urlsplit(page.url).path


def search(page, audit, words: str) -> None:
    page.get_by_label("Nom, service ou organisation").fill(words)
    with page.expect_navigation():
        page.get_by_role("button", name="Rechercher", exact=True).click()
    audit()


def test_a_space_is_created_and_its_members_come_from_three_organisations(
    page, sign_in_as, audit, visit, agent, other_agent, other_org
):
    bellerive = OrganisationFactory(name="Commune de Bellerive", slug="bellerive")
    claire = UserFactory(
        organisation=bellerive,
        first_name="Claire",
        last_name="Roux",
        job_title="Urbaniste",
        email="claire@bellerive.fr",
    )
    SpaceFactory(name="Schéma cyclable", organisation=other_org, visibility=Visibility.OPEN)

    sign_in_as(agent, next_url="/espaces/")
    assert page.get_by_role("heading", level=1).inner_text() == "Espaces"
    assert page.get_by_text("Vous n'êtes membre d'aucun espace pour l'instant.").is_visible()
    assert page.get_by_role("link", name="Schéma cyclable").is_visible()

    # a bad name first: the field says what is wrong
    with page.expect_navigation():
        page.get_by_role("button", name="Créer l'espace").click()
    audit()
    assert page.get_by_role("alert").is_visible()
    assert page.locator(".field--error").count() >= 1

    page.get_by_label("Nom de l'espace").fill("Projet école Jean-Moulin")
    page.get_by_label("Description").fill("Rénovation de l'école, avec la métropole.")
    page.get_by_label("Visible du territoire : on y entre sur invitation").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Créer l'espace").click()
    audit()
    space = Space.objects.get(name="Projet école Jean-Moulin")
    assert path_of(page) == f"/espaces/{space.pk}/membres/"
    assert page.get_by_text("L'espace « Projet école Jean-Moulin » est créé.").is_visible()

    # Bernard, of the metropolis, as a contributor
    search(page, audit, "bern")
    results = page.locator(".space-candidates")
    assert results.get_by_text("Métropole du Lac").is_visible()
    page.get_by_label("Rôle donné").select_option("contributor")
    with page.expect_navigation():
        results.get_by_role("button", name="Ajouter Bernard Petit").click()
    audit()
    assert page.get_by_text("Bernard Petit est maintenant membre").is_visible()

    # Claire, of another commune, found by her job, as a reader
    search(page, audit, "urban")
    page.get_by_label("Rôle donné").select_option("reader")
    with page.expect_navigation():
        page.get_by_role("button", name="Ajouter Claire Roux").click()
    audit()
    members = page.get_by_role("table")
    for organisation in ("Commune de Valmont", "Métropole du Lac", "Commune de Bellerive"):
        assert members.get_by_text(organisation).is_visible()

    # Bernard becomes a manager
    page.get_by_label("Rôle de Bernard Petit").select_option("manager")
    with page.expect_navigation():
        page.get_by_role("button", name="Changer le rôle de Bernard Petit").click()
    audit()
    assert page.get_by_text("Bernard Petit est maintenant gestionnaire.").is_visible()
    assert Membership.objects.get(space=space, user=other_agent).role == SpaceRole.MANAGER

    # Claire is removed (the confirmation dialog accepted)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="Retirer Claire Roux de l'espace").click()
    audit()
    assert page.get_by_text("Claire Roux n'est plus membre").is_visible()
    assert not Membership.objects.filter(space=space, user=claire).exists()

    # the space's page, its settings, the list of my spaces
    visit(f"/espaces/{space.pk}/")
    assert page.get_by_role("link", name="Documents").first.is_visible()
    assert page.get_by_text("Commune de Valmont (1)").is_visible()
    visit(f"/espaces/{space.pk}/parametres/")
    page.get_by_label("Nom de l'espace").fill("Projet école Jean-Moulin (2027)")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()
    audit()
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Projet école Jean-Moulin (2027)")
    )
    visit("/espaces/")
    assert page.get_by_role("link", name="Projet école Jean-Moulin (2027)").is_visible()


def test_a_reader_sees_no_management_and_a_removed_member_loses_the_space(
    page, sign_in_as, audit, visit, agent, other_agent, org
):
    space = SpaceFactory(name="Conseil d'école", organisation=org)
    add(space, agent, SpaceRole.OWNER)
    reader = add(space, other_agent, SpaceRole.READER)

    sign_in_as(other_agent, next_url=f"/espaces/{space.pk}/membres/")
    assert page.get_by_text("Votre rôle : Lecteur").is_visible()
    assert page.get_by_role("button", name=re.compile("^Retirer")).count() == 0
    assert page.get_by_role("heading", name="Ajouter des membres").count() == 0
    visit(f"/espaces/{space.pk}/parametres/", status=403)

    reader.delete()  # removed by the owner meanwhile
    visit(f"/espaces/{space.pk}/", status=404)
    visit("/espaces/")
    assert page.get_by_role("link", name="Conseil d'école").count() == 0


def test_the_last_owner_leaving_is_told_what_to_do(page, sign_in_as, audit, agent, org):
    space = SpaceFactory(name="Solo", organisation=org)
    add(space, agent, SpaceRole.OWNER)

    sign_in_as(agent, next_url=f"/espaces/{space.pk}/quitter/")
    assert (
        page.get_by_role("heading", level=1)
        .inner_text()
        .startswith("Vous ne pouvez pas encore quitter")
    )
    with page.expect_navigation():
        page.get_by_role("link", name="Aller aux membres").click()
    audit()
    assert path_of(page) == f"/espaces/{space.pk}/membres/"
