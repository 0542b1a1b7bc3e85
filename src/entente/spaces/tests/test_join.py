"""Requests to join an open space: asked from its page (only when open, not twice, never by a
guest), seen and answered by its managers (accept makes a reader, refuse), cancelled by the
person; everyone concerned notified; adding someone notifies them too; the API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from entente.accounts.tests.factories import UserFactory
from entente.core.testing import notices, signed_in, text
from entente.notifications.models import Notification, NotificationKind
from entente.spaces import services
from entente.spaces.models import (
    ActivityVerb,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    SpaceRole,
    Visibility,
)
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(org, agent):
    space = SpaceFactory(name="Fête du vélo", organisation=org, visibility=Visibility.OPEN)
    add(space, agent, SpaceRole.OWNER)
    return space


@pytest.fixture
def manager(org, space):
    person = UserFactory(organisation=org, first_name="Marie", last_name="Gérante")
    add(space, person, SpaceRole.MANAGER)
    return person


def ask(user, space, message="Je suis à la voirie."):
    return signed_in(user).post(f"/espaces/{space.pk}/rejoindre/", {"message": message})


def test_someone_of_another_organisation_asks_and_managers_are_notified(
    space, agent, manager, other_agent
):
    page = text(signed_in(other_agent).get(f"/espaces/{space.pk}/"))
    assert "Demander à rejoindre" in page

    response = ask(other_agent, space)

    assert response.status_code == 302
    assert "Votre demande est envoyée" in notices(response)[0]
    row = JoinRequest.objects.get()
    assert row.user == other_agent and row.status == JoinRequestStatus.PENDING
    assert row.message == "Je suis à la voirie."
    told = Notification.objects.filter(kind=NotificationKind.JOIN_REQUEST)
    assert {n.recipient for n in told} == {agent, manager}
    first = told.first()
    assert first.title == "Bernard Petit demande à rejoindre l'espace Fête du vélo"
    assert first.url == f"/espaces/{space.pk}/membres/#demandes" and first.space == space
    again = text(signed_in(other_agent).get(f"/espaces/{space.pk}/"))
    assert "votre demande attend la réponse" in again and "Annuler ma demande" in again


def test_one_cannot_ask_twice(space, other_agent):
    ask(other_agent, space)

    with pytest.raises(services.ValidationError):
        services.request_to_join(other_agent, space, "encore")
    assert JoinRequest.objects.count() == 1


def test_only_an_open_space_takes_requests(space, other_agent):
    space.visibility = Visibility.TERRITORY
    space.save()

    assert "Demander à rejoindre" not in text(signed_in(other_agent).get(f"/espaces/{space.pk}/"))
    assert ask(other_agent, space).status_code == 403
    space.visibility = Visibility.PRIVATE
    space.save()
    assert ask(other_agent, space).status_code == 404
    assert not JoinRequest.objects.exists()


def test_a_guest_or_a_member_cannot_ask(space, agent, guest):
    assert ask(guest, space).status_code == 404
    assert ask(agent, space).status_code == 403
    assert not JoinRequest.objects.exists()


def test_a_too_long_message_is_refused_in_the_form(space, other_agent):
    response = ask(other_agent, space, "x" * 1001)

    assert response.status_code == 200
    assert "1000 caractères" in text(response)
    assert not JoinRequest.objects.exists()


def test_the_requester_cancels(space, other_agent):
    ask(other_agent, space)

    response = signed_in(other_agent).post(f"/espaces/{space.pk}/rejoindre/annuler/")

    assert response.status_code == 302
    assert not JoinRequest.objects.exists()


def test_a_manager_accepts_as_a_reader(space, agent, manager, other_agent):
    ask(other_agent, space)
    row = JoinRequest.objects.get()
    client = signed_in(manager)
    page = text(client.get(f"/espaces/{space.pk}/membres/"))
    assert "1 demande pour rejoindre l'espace" in page and "Je suis à la voirie." in page

    response = client.post(f"/espaces/{space.pk}/demandes/{row.pk}/accepter/", {"role": "reader"})

    assert response.status_code == 302
    membership = Membership.objects.get(space=space, user=other_agent)
    assert membership.role == SpaceRole.READER and membership.added_by == manager
    row.refresh_from_db()
    assert row.status == JoinRequestStatus.ACCEPTED and row.decided_by == manager
    assert space.activities.filter(verb=ActivityVerb.MEMBER_JOINED, actor=other_agent).exists()
    answer = Notification.objects.get(recipient=other_agent)
    assert answer.kind == NotificationKind.JOIN_REQUEST and "est acceptée" in answer.title
    assert signed_in(other_agent).get(f"/espaces/{space.pk}/membres/").status_code == 200
    # answered once only
    again = client.post(f"/espaces/{space.pk}/demandes/{row.pk}/refuser/")
    assert "déjà reçu une réponse" in notices(again)[-1]


def test_a_manager_refuses(space, manager, other_agent):
    ask(other_agent, space)
    row = JoinRequest.objects.get()

    response = signed_in(manager).post(f"/espaces/{space.pk}/demandes/{row.pk}/refuser/")

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == JoinRequestStatus.REFUSED
    assert not Membership.objects.filter(user=other_agent).exists()
    answer = Notification.objects.get(recipient=other_agent)
    assert "n'est pas acceptée" in answer.title
    # and may ask again
    assert ask(other_agent, space).status_code == 302


def test_a_contributor_cannot_answer(space, org, other_agent):
    contributor = UserFactory(organisation=org)
    add(space, contributor, SpaceRole.CONTRIBUTOR)
    ask(other_agent, space)
    row = JoinRequest.objects.get()
    client = signed_in(contributor)

    assert "Je suis à la voirie." not in text(client.get(f"/espaces/{space.pk}/membres/"))
    assert client.post(f"/espaces/{space.pk}/demandes/{row.pk}/accepter/").status_code == 403
    assert client.post(f"/espaces/{space.pk}/demandes/{row.pk}/refuser/").status_code == 403
    row.refresh_from_db()
    assert row.status == JoinRequestStatus.PENDING


def test_a_request_of_another_space_is_not_answered_through_mine(space, agent, org, other_agent):
    other = SpaceFactory(organisation=org, visibility=Visibility.OPEN)
    services.request_to_join(other_agent, other, "")
    row = JoinRequest.objects.get()

    response = signed_in(agent).post(f"/espaces/{space.pk}/demandes/{row.pk}/accepter/")

    assert response.status_code == 404
    assert not Membership.objects.filter(user=other_agent).exists()


def test_adding_a_member_notifies_them(space, agent, other_agent):
    services.add_member(agent, space, other_agent, SpaceRole.CONTRIBUTOR)

    notification = Notification.objects.get(recipient=other_agent)
    assert notification.kind == NotificationKind.SPACE_INVITATION
    assert notification.title == "Agnès Martin vous a ajouté·e à l'espace Fête du vélo"
    assert notification.url == f"/espaces/{space.pk}/" and notification.actor == agent


# ---------------------------------------------------------------- API


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_flow(space, agent, other_agent, guest):
    base = f"/api/v1/spaces/{space.pk}/join-requests/"
    created = api(other_agent).post(base, {"message": "Bonjour"}, format="json")
    assert created.status_code == 201, created.json()
    twice = api(other_agent).post(base, {"message": "Encore"}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "pending"
    assert api(guest).post(base, {}, format="json").status_code == 404
    mine = api(other_agent).get(base).json()["results"]
    assert [r["message"] for r in mine] == ["Bonjour"]
    pk = created.json()["id"]
    assert api(other_agent).post(f"{base}{pk}/accept/", {}, format="json").status_code == 403

    listed = api(agent).get(base).json()["results"]
    assert [r["person"]["name"] for r in listed] == ["Bernard Petit"]
    accepted = api(agent).post(f"{base}{pk}/accept/", {"role": "contributor"}, format="json")

    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["role"] == "contributor"
    assert Membership.objects.get(user=other_agent).role == SpaceRole.CONTRIBUTOR
    done = api(agent).post(f"{base}{pk}/refuse/", {}, format="json")
    assert done.status_code == 400
