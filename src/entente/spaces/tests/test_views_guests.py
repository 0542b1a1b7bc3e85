"""Inviting someone from outside the territory into a space, from its members page."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core import mail
from django.utils import timezone

from entente.accounts.models import Status, User
from entente.core.permissions import can
from entente.core.testing import signed_in
from entente.spaces.models import SpaceRole
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(org, agent):
    space = SpaceFactory(organisation=org, name="Fête du vélo")
    add(space, agent, SpaceRole.OWNER)
    return space


def invite(client, space, **overrides):
    data = {
        "invite-email": "lea@asso-velo.example",
        "invite-first_name": "Léa",
        "invite-last_name": "Moreau",
        "invite-guest_expires_at": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        "invite-role": "reader",
        **overrides,
    }
    return client.post(f"/espaces/{space.pk}/membres/inviter/", data)


def test_a_manager_invites_a_guest_by_e_mail(space, agent, django_capture_on_commit_callbacks):
    client = signed_in(agent)
    page = client.get(f"/espaces/{space.pk}/membres/").content.decode()
    assert "Inviter une personne extérieure" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, space)
    assert response.status_code == 302
    guest = User.objects.get(email="lea@asso-velo.example")
    assert guest.status == Status.GUEST and guest.organisation is None
    assert can(guest, "view_content", space)
    assert len(mail.outbox) == 1


def test_a_guest_is_never_made_manager_and_bad_input_is_explained(space, agent):
    client = signed_in(agent)
    response = invite(client, space, **{"invite-role": "manager"})
    assert response.status_code == 200
    assert not User.objects.filter(email="lea@asso-velo.example").exists()
    far = (timezone.localdate() + dt.timedelta(days=800)).isoformat()
    response = invite(client, space, **{"invite-guest_expires_at": far})
    assert "dans l'année qui vient" in html.unescape(response.content.decode())
    response = invite(client, space, **{"invite-email": "pas-une-adresse"})
    assert response.status_code == 200
    assert not User.objects.filter(status=Status.GUEST).exists()


def test_a_territory_address_is_sent_to_the_search(space, agent, other_agent):
    response = invite(signed_in(agent), space, **{"invite-email": other_agent.email})
    assert response.status_code == 200
    assert "une organisation du territoire" in html.unescape(response.content.decode())


def test_policy_forbidding_guests_hides_the_form_and_refuses(space, agent, org):
    org.policy.guests_allowed = False
    org.policy.save()
    client = signed_in(agent)
    page = client.get(f"/espaces/{space.pk}/membres/").content.decode()
    assert "n'autorise pas l'invitation" in html.unescape(page)
    invite(client, space)
    assert not User.objects.filter(email="lea@asso-velo.example").exists()


def test_only_managers_invite(space, other_agent):
    add(space, other_agent, SpaceRole.CONTRIBUTOR)
    assert invite(signed_in(other_agent), space).status_code == 403
    assert not User.objects.filter(email="lea@asso-velo.example").exists()
