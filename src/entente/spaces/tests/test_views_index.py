"""« Espaces »: my spaces, the ones of the territory I may discover, and creating one."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from entente.accounts.tests.factories import UserFactory
from entente.core.testing import notices, signed_in, text
from entente.spaces.models import Membership, Space, SpaceRole, Visibility
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db

INDEX = "/espaces/"
CREATE = "/espaces/nouveau/"


def test_my_spaces_show_organisation_role_members_and_archival(agent, other_agent, org, other_org):
    project = SpaceFactory(name="Projet école", organisation=other_org, description="Rénovation")
    add(project, other_agent, SpaceRole.OWNER)
    add(project, agent, SpaceRole.READER)
    old = SpaceFactory(name="Ancien projet", organisation=org, archived_at=timezone.now())
    add(old, agent, SpaceRole.OWNER)

    response = signed_in(agent).get(INDEX)

    assert response.status_code == 200
    mine = response.context["mine"]
    assert [s.name for s in mine] == ["Projet école", "Ancien projet"]  # archived ones last
    assert (mine[0].organisation, mine[0].my_role_label, mine[0].member_count) == (
        other_org,
        "Lecteur",
        2,
    )
    page = text(response)
    assert "Rénovation" in page and "Métropole du Lac" in page and "Archivé" in page
    assert f'href="/espaces/{project.pk}/"' in page


def test_spaces_of_the_territory_i_am_not_in_are_listed_apart(agent, other_agent, other_org):
    private = SpaceFactory(name="Secret", organisation=other_org)
    territory = SpaceFactory(name="Voirie", organisation=other_org, visibility=Visibility.TERRITORY)
    open_space = SpaceFactory(name="Cyclisme", organisation=other_org, visibility=Visibility.OPEN)
    SpaceFactory(
        name="Fini", organisation=other_org, visibility=Visibility.OPEN, archived_at=timezone.now()
    )
    for space in (private, territory, open_space):
        add(space, other_agent, SpaceRole.OWNER)

    response = signed_in(agent).get(INDEX)

    assert response.context["mine"] == []
    assert [s.name for s in response.context["others"]] == ["Cyclisme", "Voirie"]
    page = text(response)
    assert "Secret" not in page and "Fini" not in page
    assert "Demandez à le rejoindre depuis sa page." in page  # the open one
    assert "Sur invitation d'un gestionnaire." in page  # the territory one
    assert "Vous n'êtes membre d'aucun espace pour l'instant." in page


def test_the_spaces_of_the_territory_are_searched_by_name(agent, other_org):
    SpaceFactory(name="Schéma cyclable", organisation=other_org, visibility=Visibility.OPEN)
    SpaceFactory(name="Cantine", organisation=other_org, visibility=Visibility.OPEN)

    response = signed_in(agent).get(INDEX, {"q": "cycl"})

    assert [s.name for s in response.context["others"]] == ["Schéma cyclable"]
    nothing = signed_in(agent).get(INDEX, {"q": "piscine"})
    assert "Aucun espace ne correspond à « piscine »." in text(nothing)


def test_the_list_costs_the_same_queries_whatever_the_number_of_spaces(agent, other_org):
    def count() -> int:
        client = signed_in(agent)
        client.get(INDEX)  # session and the like warmed up
        with CaptureQueriesContext(connection) as queries:
            assert client.get(INDEX).status_code == 200
        return len(queries)

    add(SpaceFactory(organisation=other_org), agent, SpaceRole.READER)
    SpaceFactory(organisation=other_org, visibility=Visibility.OPEN)
    few = count()
    for _i in range(8):
        space = SpaceFactory(organisation=other_org)
        add(space, agent, SpaceRole.CONTRIBUTOR)
        add(space, UserFactory(organisation=other_org), SpaceRole.OWNER)
        SpaceFactory(organisation=other_org, visibility=Visibility.TERRITORY)
    assert count() == few


def test_a_guest_sees_only_their_spaces_and_cannot_create_one(guest, agent, org):
    theirs = SpaceFactory(name="Avec l'association", organisation=org)
    add(theirs, guest, SpaceRole.READER)
    SpaceFactory(name="Territoire", organisation=org, visibility=Visibility.OPEN)

    client = signed_in(guest)
    response = client.get(INDEX)

    assert [s.name for s in response.context["mine"]] == ["Avec l'association"]
    page = text(response)
    assert "Territoire" not in page and "Créer un espace" not in page
    refused = client.post(CREATE, {"nouvel-name": "Non", "nouvel-visibility": "private"})
    assert refused.status_code == 403
    assert not Space.objects.filter(name="Non").exists()


def test_anonymous_people_are_sent_to_sign_in():
    response = Client().get(INDEX)
    assert response.status_code == 302 and "/compte/" in response["Location"]
    assert Client().post(CREATE, {"nouvel-name": "X"}).status_code == 302
    assert not Space.objects.exists()


def test_a_space_is_created_and_its_creator_owns_it(agent, org):
    response = signed_in(agent).post(
        CREATE,
        {
            "nouvel-name": "  Projet école  ",
            "nouvel-description": "Rénovation de l'école",
            "nouvel-visibility": "territory",
        },
    )

    space = Space.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/espaces/{space.pk}/membres/"
    assert (space.name, space.description, space.visibility) == (
        "Projet école",
        "Rénovation de l'école",
        Visibility.TERRITORY,
    )
    assert space.organisation == org
    assert Membership.objects.get(space=space).user == agent
    assert Membership.objects.get(space=space).role == SpaceRole.OWNER
    assert "L'espace « Projet école » est créé. Ajoutez-y ses membres." in notices(response)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"nouvel-name": "", "nouvel-visibility": "private"}, "name"),
        ({"nouvel-name": "   ", "nouvel-visibility": "private"}, "name"),
        ({"nouvel-name": "x" * 151, "nouvel-visibility": "private"}, "name"),
        ({"nouvel-name": "Piège\u202e", "nouvel-visibility": "private"}, "name"),
        ({"nouvel-name": "Projet", "nouvel-visibility": "everyone"}, "visibility"),
        ({"nouvel-name": "Projet"}, "visibility"),
        (
            {
                "nouvel-name": "Projet",
                "nouvel-visibility": "open",
                "nouvel-description": "d" * 2001,
            },
            "description",
        ),
    ],
)
def test_bad_input_is_shown_by_its_field_and_nothing_is_created(agent, data, field):
    response = signed_in(agent).post(CREATE, data)

    assert response.status_code == 200
    assert field in response.context["create_form"].errors
    assert "Le formulaire contient" in text(response)
    assert not Space.objects.exists()
