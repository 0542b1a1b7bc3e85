"""Who opens which page of a space, and who may act on it: every role, people who are not
members (of the owner organisation and of another), guests and anonymous visitors, for a
private space and for one visible to the territory."""

from __future__ import annotations

import pytest
from django.test import Client

from entente.accounts.tests.factories import UserFactory
from entente.spaces.models import Membership, SpaceRole, Visibility
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"
ROLES = {
    "owner": SpaceRole.OWNER,
    "manager": SpaceRole.MANAGER,
    "contributor": SpaceRole.CONTRIBUTOR,
    "reader": SpaceRole.READER,
    "guest_member": SpaceRole.READER,
}
WHO = [*ROLES, "same_org", "other_org", "guest", "anonymous"]
LOGIN = 302  # anonymous visitors are sent to the sign-in page


@pytest.fixture
def people(org, other_org, agent, other_agent, guest):
    """The space's people: the owner of the owner organisation, members of another
    organisation, a guest member; and people outside it."""
    return {
        "owner": agent,
        "manager": other_agent,
        "contributor": UserFactory(organisation=other_org),
        "reader": UserFactory(organisation=org),
        "guest_member": UserFactory(organisation=None, status="guest"),
        "same_org": UserFactory(organisation=org),
        "other_org": UserFactory(organisation=other_org),
        "guest": guest,
        "anonymous": None,
    }


def make_space(people, org, visibility):
    space = SpaceFactory(name="Projet", organisation=org, visibility=visibility)
    for who, role in ROLES.items():
        add(space, people[who], role)
    return space


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend=BACKEND)
    return client


MEMBER_PAGES = {"owner": 200, "manager": 200, "contributor": 200, "reader": 200}
PRIVATE = {
    # who: (detail, members, settings, leave)
    "owner": (200, 200, 200, 200),
    "manager": (200, 200, 200, 200),
    "contributor": (200, 200, 403, 200),
    "reader": (200, 200, 403, 200),
    "guest_member": (200, 200, 403, 200),
    "same_org": (404, 404, 404, 404),
    "other_org": (404, 404, 404, 404),
    "guest": (404, 404, 404, 404),
    "anonymous": (LOGIN, LOGIN, LOGIN, LOGIN),
}
# visible to the territory: its header to everyone of the territory, its content to members
TERRITORY = {
    **PRIVATE,
    "same_org": (200, 404, 403, 404),
    "other_org": (200, 404, 403, 404),
}


@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.TERRITORY])
@pytest.mark.parametrize("who", WHO)
def test_who_opens_which_page(people, org, visibility, who):
    space = make_space(people, org, visibility)
    expected = (PRIVATE if visibility == Visibility.PRIVATE else TERRITORY)[who]
    client = client_for(people[who])

    got = tuple(
        client.get(f"/espaces/{space.pk}/{suffix}").status_code
        for suffix in ("", "membres/", "parametres/", "quitter/")
    )

    assert got == expected


# who: may add a member, change a role, remove a member (expected status of each POST)
ACTIONS = {
    "owner": 302,
    "manager": 302,
    "contributor": 403,
    "reader": 403,
    "guest_member": 403,
    "same_org": 404,
    "other_org": 404,
    "guest": 404,
    "anonymous": LOGIN,
}


@pytest.mark.parametrize("who", WHO)
def test_who_manages_the_members(people, org, who):
    space = make_space(people, org, Visibility.PRIVATE)
    newcomer = UserFactory(organisation=org)
    reader = Membership.objects.get(space=space, user=people["reader"])
    client = client_for(people[who])

    added = client.post(
        f"/espaces/{space.pk}/membres/ajouter/", {"user": newcomer.pk, "role": "reader"}
    )
    changed = client.post(f"/espaces/{space.pk}/membres/{reader.pk}/role/", {"role": "contributor"})
    removed = client.post(f"/espaces/{space.pk}/membres/{reader.pk}/retirer/")

    expected = ACTIONS[who]
    assert (added.status_code, changed.status_code, removed.status_code) == (
        expected,
        expected,
        expected,
    )
    allowed = expected == 302 and who != "anonymous"
    assert space.memberships.filter(user=newcomer).exists() is allowed
    assert space.memberships.filter(user=people["reader"]).exists() is not allowed


@pytest.mark.parametrize("who", WHO)
def test_who_changes_the_settings(people, org, who):
    space = make_space(people, org, Visibility.PRIVATE)
    client = client_for(people[who])

    saved = client.post(
        f"/espaces/{space.pk}/parametres/", {"name": "Renommé", "visibility": "open"}
    )
    archived = client.post(f"/espaces/{space.pk}/archiver/", {"archived": "1"})

    expected = ACTIONS[who]
    assert (saved.status_code, archived.status_code) == (expected, expected)
    space.refresh_from_db()
    allowed = expected == 302 and who != "anonymous"
    assert (space.name == "Renommé") is allowed
    assert space.is_archived is allowed


def test_a_missing_space_is_the_same_404_as_a_forbidden_one(agent):
    client = client_for(agent)
    for path in ("999999/", "999999/membres/", "999999/parametres/", "999999/quitter/"):
        assert client.get(f"/espaces/{path}").status_code == 404


def test_a_guest_member_sees_nothing_else_of_the_territory(people, org):
    space = make_space(people, org, Visibility.PRIVATE)
    SpaceFactory(name="Ouvert à tous", organisation=org, visibility=Visibility.OPEN)
    client = client_for(people["guest_member"])

    index = client.get("/espaces/")
    assert [s.pk for s in index.context["mine"]] == [space.pk]
    assert "Ouvert à tous" not in index.content.decode()
    # searching people to add is a manager's thing; a guest reader gets no search at all
    assert client.get(f"/espaces/{space.pk}/membres/", {"q": "a"}).context["candidates"] == []
