"""Spaces REST API: list and create, settings and archival, members (add, change a role,
remove, leave), the same 404 for what is not visible, JSON errors in French, clean schema."""

from __future__ import annotations

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from entente.accounts.tests.factories import UserFactory
from entente.spaces.models import Membership, Space, SpaceRole, Visibility
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db

SPACES = "/api/v1/spaces/"


def api(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def space(org, agent):
    space = SpaceFactory(name="Projet école", organisation=org)
    add(space, agent, SpaceRole.OWNER)
    return space


def members_url(space, membership=None) -> str:
    return f"{SPACES}{space.pk}/members/" + (f"{membership.pk}/" if membership else "")


def test_the_list_shows_my_spaces_and_those_of_the_territory(space, agent, other_agent, other_org):
    add(space, other_agent, SpaceRole.READER)
    SpaceFactory(name="Secret", organisation=other_org)
    SpaceFactory(name="Vélo", organisation=other_org, visibility=Visibility.OPEN)

    body = api(other_agent).get(SPACES).json()

    rows = {row["name"]: row for row in body["results"]}
    assert set(rows) == {"Projet école", "Vélo"}
    assert rows["Projet école"]["my_role"] == "reader"
    assert rows["Projet école"]["member_count"] == 2
    assert rows["Projet école"]["organisation"] == "valmont"
    assert rows["Projet école"]["abilities"]["view_content"] is True
    assert rows["Projet école"]["abilities"]["manage"] is False
    assert rows["Vélo"]["my_role"] is None and rows["Vélo"]["abilities"]["join"] is True
    mine = api(other_agent).get(SPACES, {"member": "1"}).json()["results"]
    assert [row["name"] for row in mine] == ["Projet école"]


def test_a_space_is_created_through_the_api(agent, org):
    response = api(agent).post(
        SPACES, {"name": "Schéma cyclable", "visibility": "territory"}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert body["my_role"] == "owner" and body["visibility"] == "territory"
    assert Space.objects.get(pk=body["id"]).organisation == org


@pytest.mark.parametrize(
    "data",
    [{}, {"name": ""}, {"name": "x" * 151}, {"name": "Ok", "visibility": "everyone"}],
)
def test_bad_input_is_a_json_error_and_nothing_is_created(agent, data):
    response = api(agent).post(SPACES, data, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Space.objects.exists()


def test_a_guest_cannot_create_a_space(guest):
    response = api(guest).post(SPACES, {"name": "Non"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_settings_and_archival_are_for_managers(space, agent, other_agent):
    add(space, other_agent, SpaceRole.CONTRIBUTOR)

    refused = api(other_agent).patch(f"{SPACES}{space.pk}/", {"name": "Pris"}, format="json")
    assert refused.status_code == 403
    renamed = api(agent).patch(f"{SPACES}{space.pk}/", {"name": "Projet collège"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Projet collège"

    assert api(other_agent).post(f"{SPACES}{space.pk}/archive/").status_code == 403
    archived = api(agent).post(f"{SPACES}{space.pk}/archive/", {"archived": True}, format="json")
    assert archived.status_code == 200 and archived.json()["archived"] is True
    frozen = api(agent).patch(f"{SPACES}{space.pk}/", {"name": "Autre"}, format="json")
    assert frozen.status_code == 400
    back = api(agent).post(f"{SPACES}{space.pk}/archive/", {"archived": False}, format="json")
    assert back.json()["archived"] is False


@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.TERRITORY])
def test_members_are_kept_from_non_members_with_a_404(space, other_agent, visibility):
    space.visibility = visibility
    space.save()
    client = api(other_agent)

    assert client.get(f"{SPACES}{space.pk}/").status_code == (
        404 if visibility == Visibility.PRIVATE else 200
    )
    assert client.get(members_url(space)).status_code == 404


def test_a_missing_space_and_a_private_one_answer_the_same(space, other_agent):
    hidden = api(other_agent).get(f"{SPACES}{space.pk}/")
    missing = api(other_agent).get(f"{SPACES}999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_a_manager_adds_changes_and_removes_members(space, agent, other_agent, other_org):
    client = api(agent)

    added = client.post(
        members_url(space), {"user": other_agent.pk, "role": "reader"}, format="json"
    )
    assert added.status_code == 201
    body = added.json()
    assert body["person"]["organisation"] == "Métropole du Lac" and body["role"] == "reader"
    membership = Membership.objects.get(pk=body["id"])

    listed = api(other_agent).get(members_url(space)).json()["results"]
    assert [row["person"]["name"] for row in listed] == ["Agnès Martin", "Bernard Petit"]

    changed = client.patch(members_url(space, membership), {"role": "manager"}, format="json")
    assert changed.status_code == 200 and changed.json()["role"] == "manager"

    twice = client.post(members_url(space), {"user": other_agent.pk}, format="json")
    assert twice.status_code == 400
    assert "Bernard Petit est déjà membre de cet espace." in str(twice.json()["errors"])

    assert client.delete(members_url(space, membership)).status_code == 204
    assert api(other_agent).get(f"{SPACES}{space.pk}/").status_code == 404


def test_readers_do_not_manage_members(space, agent, other_agent, org):
    mine = add(space, other_agent, SpaceRole.READER)
    owner = space.memberships.get(user=agent)
    client = api(other_agent)
    newcomer = UserFactory(organisation=org)

    assert client.post(members_url(space), {"user": newcomer.pk}, format="json").status_code == 403
    assert (
        client.patch(members_url(space, owner), {"role": "reader"}, format="json").status_code
        == 403
    )
    assert client.delete(members_url(space, owner)).status_code == 403
    # but a member leaves on their own
    assert client.delete(members_url(space, mine)).status_code == 204


def test_nobody_is_added_beyond_the_directory(space, agent, other_org):
    other_org.policy.directory_visibility = "organisation"
    other_org.policy.save()
    hidden = UserFactory(organisation=other_org)

    response = api(agent).post(members_url(space), {"user": hidden.pk}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["user"] == ["Cette personne est introuvable."]


def test_the_last_owner_stays(space, agent):
    owner = space.memberships.get(user=agent)

    response = api(agent).delete(members_url(space, owner))

    assert response.status_code == 400
    assert "Un espace garde au moins un propriétaire." in str(response.json()["errors"])


def test_anonymous_callers_get_a_json_error():
    response = api(None).get(SPACES)
    assert response.status_code in (401, 403) and "code" in response.json()


def test_the_openapi_schema_documents_spaces_without_warnings():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    GENERATOR_STATS.reset()
    assert problems == []
    for route in (
        "/api/v1/spaces/",
        "/api/v1/spaces/{id}/",
        "/api/v1/spaces/{id}/archive/",
        "/api/v1/spaces/{space_pk}/members/",
        "/api/v1/spaces/{space_pk}/members/{id}/",
    ):
        assert route in schema["paths"]
