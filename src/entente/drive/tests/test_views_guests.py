"""Sharing a folder with someone from outside the territory from its sharing panel."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.utils import timezone

from entente.accounts.models import Status, User
from entente.core.permissions import can
from entente.core.testing import signed_in
from entente.drive.tests.factories import make_file, make_folder, root_of

pytestmark = pytest.mark.django_db


def invite(client, node, **overrides):
    data = {
        "invite-email": "paul@prestataire.example",
        "invite-first_name": "Paul",
        "invite-last_name": "Girard",
        "invite-guest_expires_at": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "invite-role": "editor",
        **overrides,
    }
    return client.post(f"/documents/elements/{node.pk}/inviter/", data)


def test_the_owner_invites_a_guest_who_reaches_only_that_folder(
    agent, django_capture_on_commit_callbacks
):
    folder = make_folder(agent, root_of(agent), "Cahier des charges")
    doc = make_file(agent, folder, "cctp.txt")
    other = make_file(agent, root_of(agent), "autre.txt")
    client = signed_in(agent)
    page = client.get(f"/documents/elements/{folder.pk}/acces/").content.decode()
    assert "Inviter une personne extérieure au territoire" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, folder)
    assert response.status_code == 302
    guest = User.objects.get(email="paul@prestataire.example")
    assert guest.status == Status.GUEST
    assert can(guest, "edit", doc) and not can(guest, "view", other)
    assert any("paul@prestataire.example" in m.to for m in mail.outbox)


def test_bad_input_and_policy_are_explained_and_nothing_is_written(agent, org):
    folder = make_folder(agent, root_of(agent), "Dossier")
    client = signed_in(agent)
    response = invite(client, folder, **{"invite-role": "manager"})
    assert response.status_code == 302
    assert list(get_messages(response.wsgi_request))
    org.policy.guests_allowed = False
    org.policy.save()
    page = client.get(f"/documents/elements/{folder.pk}/acces/").content.decode()
    assert "Inviter une personne extérieure au territoire" not in page
    response = invite(client, folder)
    assert "autorise pas" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert not User.objects.filter(status=Status.GUEST).exists()


def test_a_stranger_cannot_invite_on_someone_elses_folder(agent, other_agent):
    folder = make_folder(agent, root_of(agent), "Privé")
    assert invite(signed_in(other_agent), folder).status_code == 404
    assert not User.objects.filter(status=Status.GUEST).exists()
