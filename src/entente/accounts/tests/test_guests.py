"""Guests: invited from outside the territory, no organisation, access until a date."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from entente.accounts import services
from entente.accounts.models import Status, User
from entente.audit.models import AuditEvent, EventKind
from entente.core.permissions import can, visible

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"


def invite(actor, email="luc.moreau@asso-riviere.example", days=90):
    return services.do_invite_guest(
        actor,
        email=email,
        first_name="Luc",
        last_name="Moreau",
        expires_at=timezone.now() + timedelta(days=days),
        reason="Projet de la rivière",
    )


def test_an_agent_invites_a_guest_who_gets_a_one_time_link(
    agent, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        guest = invite(agent)
    assert guest.organisation is None and guest.status == Status.GUEST
    assert guest.is_guest and not guest.has_usable_password()
    assert mailoutbox[0].to == ["luc.moreau@asso-riviere.example"]
    assert "/compte/invitation/" in mailoutbox[0].body
    event = AuditEvent.objects.get(kind=EventKind.GUEST_INVITED)
    assert event.organisation == agent.organisation and event.actor == agent


def test_the_inviters_policy_can_forbid_guests(agent, org):
    org.policy.guests_allowed = False
    org.policy.save()
    with pytest.raises(ValidationError, match="n'autorise pas"):
        invite(agent)
    assert not User.objects.filter(status=Status.GUEST).exists()


@pytest.mark.parametrize(
    ("email", "days", "message"),
    [
        ("bernard.petit@metropole-lac.fr", 30, "organisation du territoire"),
        ("someone@asso.example", 0, "date de fin"),
        ("someone@asso.example", 400, "date de fin"),
    ],
)
def test_bad_guest_invitations_are_refused(agent, other_org, email, days, message):
    with pytest.raises(ValidationError, match=message):
        invite(agent, email=email, days=days)
    assert not User.objects.filter(email=email).exists()


def test_guests_cannot_invite_guests(agent):
    guest = invite(agent)
    with pytest.raises(ValidationError):
        invite(guest, email="autre@asso.example")


def test_a_guest_sees_only_themself(agent, other_agent):
    guest = invite(agent)
    assert list(visible(guest, User)) == [guest]
    assert not can(guest, "view", agent)


def test_an_expired_guest_is_refused_everywhere(client, agent):
    guest = invite(agent)
    guest.set_password("une phrase de passe bien longue")
    guest.save()
    client.force_login(guest, backend=BACKEND)
    assert client.get("/compte/").status_code in (200, 302)
    guest.guest_expires_at = timezone.now() - timedelta(minutes=1)
    guest.save()
    assert guest.access_expired
    response = client.get("/compte/")
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
    assert not client.login(email=guest.email, password="une phrase de passe bien longue")
    assert visible(guest, User).count() == 0
