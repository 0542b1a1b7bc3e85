"""A space's page and its members: members of several organisations, adding people found in
the directory, changing roles, removing them, leaving; the services' refusals in French."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from entente.accounts.tests.factories import UserFactory
from entente.core.testing import notices, signed_in, text
from entente.organisations.tests.factories import OrganisationFactory
from entente.spaces.models import Membership, SpaceRole, Visibility
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db


@pytest.fixture
def third_org(db):
    return OrganisationFactory(name="Commune de Bellerive", slug="bellerive")


@pytest.fixture
def third_agent(third_org):
    return UserFactory(
        organisation=third_org, first_name="Chloé", last_name="Roux", job_title="Urbaniste"
    )


@pytest.fixture
def space(org, agent):
    space = SpaceFactory(name="Projet école", organisation=org, description="Rénovation")
    add(space, agent, SpaceRole.OWNER)
    return space


def url(space, suffix: str = "") -> str:
    return f"/espaces/{space.pk}/{suffix}"


# ---------------------------------------------------------------- the space's page


def test_a_member_sees_the_space_its_organisations_and_its_documents(
    space, agent, other_agent, third_agent, guest
):
    add(space, other_agent, SpaceRole.CONTRIBUTOR)
    add(space, third_agent, SpaceRole.READER)
    add(space, guest, SpaceRole.READER)

    response = signed_in(third_agent).get(url(space))

    assert response.status_code == 200
    page = text(response)
    assert "Projet école" in page and "Rénovation" in page
    assert (
        "Espace de Commune de Valmont" in page and "Votre rôle : <strong>Lecteur</strong>" in page
    )
    assert f'href="/documents/espace/{space.pk}/"' in page
    assert f'href="/espaces/{space.pk}/membres/"' in page
    assert "/parametres/" not in page  # a reader does not manage
    names = [row["name"] for row in response.context["organisations"]]
    assert names == ["Commune de Bellerive", "Commune de Valmont", "Métropole du Lac", None]
    assert response.context["member_count"] == 4
    assert "Personnes invitées" in page


def test_a_non_member_of_a_territory_space_sees_only_its_header(space, other_agent):
    space.visibility = Visibility.TERRITORY
    space.save()

    response = signed_in(other_agent).get(url(space))

    assert response.status_code == 200
    page = text(response)
    assert "Vous n'êtes pas membre de cet espace" in page
    assert f"/espaces/{space.pk}/membres/" not in page
    assert f"/documents/espace/{space.pk}/" not in page
    assert "On y entre sur invitation" in page


def test_an_open_space_says_whom_to_ask(space, agent, other_agent):
    space.visibility = Visibility.OPEN
    space.save()

    page = text(signed_in(other_agent).get(url(space)))

    assert "Demander à rejoindre" in page
    assert "Agnès Martin" in page and "mailto:agnes.martin@valmont.fr" in page


def test_an_archived_space_says_so(space, agent):
    space.archived_at = timezone.now()
    space.save()

    page = text(signed_in(agent).get(url(space)))

    assert "Archivé" in page and "plus personne n'y ajoute ni n'y modifie rien" in page


# ---------------------------------------------------------------- the members page


def test_the_members_page_lists_people_of_several_organisations(
    space, agent, other_agent, third_agent
):
    add(space, other_agent, SpaceRole.MANAGER)
    add(space, third_agent, SpaceRole.READER)

    response = signed_in(third_agent).get(url(space, "membres/"))

    assert response.status_code == 200
    page = text(response)
    for expected in ("Agnès Martin", "Bernard Petit", "Chloé Roux", "Urbaniste"):
        assert expected in page
    for expected in ("Commune de Valmont", "Métropole du Lac", "Commune de Bellerive"):
        assert expected in page
    assert [row["role_label"] for row in response.context["rows"]] == [
        "Propriétaire",
        "Gestionnaire",
        "Lecteur",
    ]
    # a reader: no forms to manage, only « leave »
    assert "/role/" not in page and "/retirer/" not in page and "Ajouter des membres" not in page
    assert f"/espaces/{space.pk}/quitter/" in page


def test_a_manager_sees_the_forms_allowed_by_their_role(space, agent, other_agent, third_agent):
    manager = add(space, other_agent, SpaceRole.MANAGER)
    reader = add(space, third_agent, SpaceRole.READER)
    owner = space.memberships.get(user=agent)

    response = signed_in(other_agent).get(url(space, "membres/"))

    rows = {row["membership"].pk: row for row in response.context["rows"]}
    assert not rows[owner.pk]["can_change"] and not rows[owner.pk]["can_remove"]
    assert rows[manager.pk]["can_change"] and not rows[manager.pk]["can_remove"]  # yourself
    assert rows[reader.pk]["can_change"] and rows[reader.pk]["can_remove"]
    # a manager cannot name an owner: the choice is not even offered
    assert [value for value, _label in response.context["role_choices"]] == [
        "reader",
        "contributor",
        "manager",
    ]
    page = text(response)
    assert f"/membres/{reader.pk}/retirer/" in page and f"/membres/{owner.pk}/retirer/" not in page


def test_the_members_page_costs_the_same_queries_whatever_the_number_of_members(
    space, agent, other_org, third_org
):
    def count() -> int:
        client = signed_in(agent)
        client.get(url(space, "membres/"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(space, "membres/")).status_code == 200
        return len(queries)

    add(space, UserFactory(organisation=other_org), SpaceRole.READER)
    few = count()
    for index in range(10):
        add(space, UserFactory(organisation=(other_org, third_org)[index % 2]), SpaceRole.READER)
    assert count() == few


# ---------------------------------------------------------------- adding members


def test_a_manager_finds_people_of_other_organisations_and_adds_them(
    space, agent, other_agent, third_agent
):
    client = signed_in(agent)

    found = client.get(url(space, "membres/"), {"q": "bern"})
    assert [p.pk for p in found.context["candidates"]] == [other_agent.pk]
    assert "Bernard Petit" in text(found) and "Métropole du Lac" in text(found)

    added = client.post(
        url(space, "membres/ajouter/"), {"user": other_agent.pk, "role": "reader", "q": "bern"}
    )
    assert added.status_code == 302
    assert space.memberships.get(user=other_agent).role == SpaceRole.READER
    assert "Bernard Petit est maintenant membre de « Projet école » : lecteur." in notices(added)

    again = client.get(url(space, "membres/"), {"q": "bern"})
    assert again.context["candidates"] == [] and again.context["already"] == [other_agent]
    assert "Déjà membres :" in text(again)

    client.post(url(space, "membres/ajouter/"), {"user": third_agent.pk, "role": "contributor"})
    assert set(space.memberships.values_list("user__organisation__name", flat=True)) == {
        "Commune de Valmont",
        "Métropole du Lac",
        "Commune de Bellerive",
    }


def test_adding_a_member_twice_is_refused_in_french(space, agent, other_agent):
    add(space, other_agent, SpaceRole.READER)

    response = signed_in(agent).post(
        url(space, "membres/ajouter/"), {"user": other_agent.pk, "role": "manager", "q": "bern"}
    )

    assert response.status_code == 200
    assert "Bernard Petit est déjà membre de cet espace." in text(response)
    assert space.memberships.get(user=other_agent).role == SpaceRole.READER


def test_nobody_is_added_outside_what_the_manager_may_find(space, agent, other_agent, other_org):
    other_org.policy.directory_visibility = "organisation"
    other_org.policy.save()
    hidden = UserFactory(organisation=other_org)

    response = signed_in(agent).post(
        url(space, "membres/ajouter/"), {"user": hidden.pk, "role": "reader"}
    )

    assert response.status_code == 200
    assert "Cette personne est introuvable : cherchez-la à nouveau." in text(response)
    assert not space.memberships.filter(user=hidden).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"role": "reader"},
        {"user": "abc", "role": "reader"},
        {"user": "-3", "role": "reader"},
        {"user": "999999", "role": "reader"},
        {"role": "king", "user": "OTHER"},
        {"role": "", "user": "OTHER"},
    ],
)
def test_bad_input_to_add_a_member_is_refused_with_a_message(space, agent, other_agent, data):
    data = {k: (str(other_agent.pk) if v == "OTHER" else v) for k, v in data.items()}

    response = signed_in(agent).post(url(space, "membres/ajouter/"), data)

    assert response.status_code == 200
    assert 'class="notice notice--error"' in text(response)
    assert space.memberships.count() == 1


def test_a_manager_cannot_add_an_owner(space, agent, other_agent, third_agent):
    add(space, other_agent, SpaceRole.MANAGER)

    response = signed_in(other_agent).post(
        url(space, "membres/ajouter/"), {"user": third_agent.pk, "role": "owner"}
    )

    assert response.status_code == 200
    assert not space.memberships.filter(user=third_agent).exists()


def test_nobody_is_added_to_an_archived_space(space, agent, other_agent):
    space.archived_at = timezone.now()
    space.save()
    client = signed_in(agent)

    page = client.get(url(space, "membres/"), {"q": "bern"})
    assert "désarchivez-le dans ses paramètres" in text(page)
    assert page.context["candidates"] == []

    response = client.post(
        url(space, "membres/ajouter/"), {"user": other_agent.pk, "role": "reader"}
    )
    assert "Cet espace est archivé." in text(response)
    assert not space.memberships.filter(user=other_agent).exists()


# ---------------------------------------------------------------- roles, removal, leaving


def test_a_manager_changes_a_role(space, agent, other_agent):
    membership = add(space, other_agent, SpaceRole.CONTRIBUTOR)

    response = signed_in(agent).post(
        url(space, f"membres/{membership.pk}/role/"), {"role": "manager"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"/espaces/{space.pk}/membres/#membre-{membership.pk}"
    membership.refresh_from_db()
    assert membership.role == SpaceRole.MANAGER
    assert "Bernard Petit est maintenant gestionnaire." in notices(response)


def test_role_changes_the_services_refuse_are_explained(space, agent, other_agent):
    owner = space.memberships.get(user=agent)
    add(space, other_agent, SpaceRole.MANAGER)

    last_owner = signed_in(agent).post(url(space, f"membres/{owner.pk}/role/"), {"role": "reader"})
    assert "Un espace garde au moins un propriétaire." in notices(last_owner)

    by_manager = signed_in(other_agent).post(
        url(space, f"membres/{owner.pk}/role/"), {"role": "reader"}
    )
    assert "Vous ne pouvez pas changer le rôle d'un propriétaire." in notices(by_manager)

    unknown = signed_in(agent).post(url(space, f"membres/{owner.pk}/role/"), {"role": "roi"})
    assert "Choisissez un rôle dans la liste." in notices(unknown)
    owner.refresh_from_db()
    assert owner.role == SpaceRole.OWNER


def test_a_membership_of_another_space_is_not_found(space, agent, other_agent, other_org):
    elsewhere = SpaceFactory(organisation=other_org)
    add(elsewhere, other_agent, SpaceRole.OWNER)
    theirs = add(elsewhere, UserFactory(organisation=other_org), SpaceRole.READER)
    client = signed_in(agent)

    assert (
        client.post(url(space, f"membres/{theirs.pk}/role/"), {"role": "manager"}).status_code
        == 404
    )
    assert client.post(url(space, f"membres/{theirs.pk}/retirer/")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.role == SpaceRole.READER


def test_a_removed_member_loses_the_space_at_once(space, agent, other_agent):
    membership = add(space, other_agent, SpaceRole.CONTRIBUTOR)
    theirs = signed_in(other_agent)
    assert theirs.get(url(space, "membres/")).status_code == 200

    response = signed_in(agent).post(url(space, f"membres/{membership.pk}/retirer/"))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert (
        "Bernard Petit n'est plus membre de « Projet école » : son accès à l'espace a pris fin."
        in notices(response)
    )
    assert theirs.get(url(space)).status_code == 404
    assert theirs.get(url(space, "membres/")).status_code == 404
    assert theirs.get(f"/documents/espace/{space.pk}/").status_code == 404


def test_a_manager_cannot_remove_an_owner(space, agent, other_agent):
    add(space, other_agent, SpaceRole.MANAGER)
    owner = space.memberships.get(user=agent)

    response = signed_in(other_agent).post(url(space, f"membres/{owner.pk}/retirer/"))

    assert "Vous ne pouvez pas retirer un propriétaire." in notices(response)
    assert Membership.objects.filter(pk=owner.pk).exists()


def test_a_member_leaves_after_confirming(space, agent, other_agent):
    add(space, other_agent, SpaceRole.READER)
    client = signed_in(other_agent)

    confirm = client.get(url(space, "quitter/"))
    assert "Quitter l'espace « Projet école » ?" in text(confirm)
    assert "il faudra qu'un gestionnaire vous ajoute à nouveau" in text(confirm)

    response = client.post(url(space, "quitter/"))
    assert response.status_code == 302 and response["Location"] == "/espaces/"
    assert "Vous avez quitté l'espace « Projet école »." in notices(response)
    assert not space.memberships.filter(user=other_agent).exists()
    assert client.get(url(space)).status_code == 404


def test_the_last_owner_is_told_to_name_another_before_leaving(space, agent):
    client = signed_in(agent)

    confirm = client.get(url(space, "quitter/"))
    assert "Vous en êtes le seul propriétaire" in text(confirm)

    response = client.post(url(space, "quitter/"))
    assert "Un espace garde au moins un propriétaire." in notices(response)
    assert space.memberships.filter(user=agent).exists()


def test_removing_oneself_goes_through_the_leave_page(space, agent, other_agent):
    mine = add(space, other_agent, SpaceRole.MANAGER)

    response = signed_in(other_agent).post(url(space, f"membres/{mine.pk}/retirer/"))

    assert response["Location"] == f"/espaces/{space.pk}/quitter/"
    assert Membership.objects.filter(pk=mine.pk).exists()
