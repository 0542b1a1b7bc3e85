"""A space's settings: rename, describe, change its visibility, archive and unarchive."""

from __future__ import annotations

import pytest
from django.utils import timezone

from entente.core.testing import notices, signed_in, text
from entente.spaces.models import SpaceRole, Visibility
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(org, agent):
    space = SpaceFactory(name="Projet école", organisation=org)
    add(space, agent, SpaceRole.OWNER)
    return space


def settings_url(space) -> str:
    return f"/espaces/{space.pk}/parametres/"


def test_a_manager_renames_describes_and_opens_the_space(space, agent, other_agent):
    add(space, other_agent, SpaceRole.MANAGER)
    client = signed_in(other_agent)
    assert client.get(settings_url(space)).status_code == 200

    response = client.post(
        settings_url(space),
        {"name": "Projet collège", "description": "Extension", "visibility": "open"},
    )

    assert response.status_code == 302 and response["Location"] == settings_url(space)
    assert "Les paramètres de l'espace sont enregistrés." in notices(response)
    space.refresh_from_db()
    assert (space.name, space.description, space.visibility) == (
        "Projet collège",
        "Extension",
        Visibility.OPEN,
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "visibility": "private"}, "name"),
        ({"name": "Nom\u202e", "visibility": "private"}, "name"),
        ({"name": "Projet", "visibility": "public"}, "visibility"),
        ({"name": "Projet", "visibility": "private", "description": "x" * 2001}, "description"),
    ],
)
def test_bad_settings_are_shown_by_their_field_and_nothing_changes(space, agent, data, field):
    response = signed_in(agent).post(settings_url(space), data)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    # the page's header still shows the saved name, not the refused one
    assert response.context["space"].name == "Projet école"
    space.refresh_from_db()
    assert (space.name, space.visibility) == ("Projet école", Visibility.PRIVATE)


@pytest.mark.parametrize("role", [SpaceRole.CONTRIBUTOR, SpaceRole.READER])
def test_members_who_do_not_manage_cannot_change_the_settings(space, other_agent, role):
    add(space, other_agent, role)
    client = signed_in(other_agent)

    assert client.get(settings_url(space)).status_code == 403
    response = client.post(settings_url(space), {"name": "Pris", "visibility": "open"})
    assert response.status_code == 403
    assert client.post(f"/espaces/{space.pk}/archiver/", {"archived": "1"}).status_code == 403
    space.refresh_from_db()
    assert (space.name, space.archived_at) == ("Projet école", None)


def test_a_space_is_archived_then_unarchived(space, agent):
    client = signed_in(agent)

    archived = client.post(f"/espaces/{space.pk}/archiver/", {"archived": "1"})
    space.refresh_from_db()
    assert space.is_archived
    assert (
        "L'espace « Projet école » est archivé : ses membres le consultent encore, "
        "plus personne ne le modifie." in notices(archived)
    )
    page = text(client.get(settings_url(space)))
    assert "Désarchiver l'espace" in page and 'name="name"' not in page

    refused = client.post(settings_url(space), {"name": "Autre", "visibility": "private"})
    assert "Cet espace est archivé : désarchivez-le pour le modifier." in text(refused)
    space.refresh_from_db()
    assert space.name == "Projet école"

    back = client.post(f"/espaces/{space.pk}/archiver/", {"archived": "0"})
    space.refresh_from_db()
    assert not space.is_archived
    assert "L'espace « Projet école » est de nouveau actif." in notices(back)


def test_an_archived_territory_space_disappears_for_non_members(space, agent, other_agent):
    space.visibility = Visibility.TERRITORY
    space.archived_at = timezone.now()
    space.save()

    assert signed_in(other_agent).get(f"/espaces/{space.pk}/").status_code == 404
    assert signed_in(agent).get(f"/espaces/{space.pk}/").status_code == 200


def test_archiving_only_answers_post(space, agent):
    assert signed_in(agent).get(f"/espaces/{space.pk}/archiver/").status_code == 405
