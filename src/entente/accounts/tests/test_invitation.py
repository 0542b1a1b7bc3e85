"""Invitation links: one-time, expiring, replaced by a newer invitation, strong password only."""

import re
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from entente.accounts.tasks import invitation_link, send_invitation_email
from entente.accounts.tests.factories import UserFactory
from entente.accounts.tokens import invitation_token

pytestmark = pytest.mark.django_db

STRONG = "une phrase de passe bien longue"


@pytest.fixture
def invited(org):
    person = UserFactory(organisation=org, email="nouvelle@valmont.fr", first_name="Nadia")
    person.set_unusable_password()
    person.invited_at = timezone.now()
    person.save()
    return person


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def test_invitation_email_has_a_working_link(invited, mailoutbox):
    send_invitation_email.call(invited.pk, None)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["nouvelle@valmont.fr"]
    assert "Commune de Valmont" in message.subject
    assert "l'administrateur" in message.body  # plain text, not HTML-escaped
    assert "valable 14 jours" in message.body
    link = re.search(r"http://\S+/compte/invitation/\S+/", message.body).group(0)
    assert path_of(link).startswith("/compte/invitation/")
    assert message.alternatives and "Choisir mon mot de passe" in message.alternatives[0][0]


def test_no_email_once_the_invitation_was_accepted(invited, mailoutbox):
    invited.set_password(STRONG)
    invited.save()
    send_invitation_email.call(invited.pk, None)
    assert mailoutbox == []


def test_accepting_sets_the_password_and_signs_in(client, invited):
    path = path_of(invitation_link(invited))
    page = client.get(path)
    assert page.status_code == 200
    assert "Bienvenue, Nadia" in page.content.decode()
    response = client.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    assert response.status_code == 302 and response["Location"] == "/"
    invited.refresh_from_db()
    assert invited.check_password(STRONG)
    assert int(client.session["_auth_user_id"]) == invited.pk


def test_the_link_works_only_once(client, invited):
    path = path_of(invitation_link(invited))
    client.post(path, {"new_password1": STRONG, "new_password2": STRONG})
    client.logout()
    again = client.get(path)
    assert again.status_code == 400
    assert "n'est plus valable" in again.content.decode()


def test_a_weak_password_is_refused_in_french(client, invited):
    path = path_of(invitation_link(invited))
    response = client.post(path, {"new_password1": "court", "new_password2": "court"})
    assert response.status_code == 200
    assert "trop court" in response.content.decode()
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_a_new_invitation_replaces_the_previous_link(client, invited):
    old = path_of(invitation_link(invited))
    invited.invited_at = timezone.now() + timedelta(seconds=5)
    invited.save()
    assert client.get(old).status_code == 400


def test_the_link_expires(invited, settings):
    token = invitation_token.make_token(invited)
    later = datetime.now() + timedelta(days=settings.INVITATION_TIMEOUT_DAYS, hours=1)  # noqa: DTZ005 — Django's token clock is naive local time
    with mock.patch.object(type(invitation_token), "_now", return_value=later):
        assert not invitation_token.check_token(invited, token)
    assert invitation_token.check_token(invited, token)


def test_a_deactivated_person_cannot_use_the_link(client, invited):
    path = path_of(invitation_link(invited))
    invited.is_active = False
    invited.save()
    assert client.get(path).status_code == 400


@pytest.mark.parametrize("token", ["", "abc", "zzzz-zzzz", "1-2-3"])
def test_garbage_links_get_a_clear_page_never_a_500(client, invited, token):
    uid = urlsafe_base64_encode(force_bytes(invited.pk))
    assert client.get(f"/compte/invitation/{uid}/{token or 'x'}/").status_code == 400
    assert client.get("/compte/invitation/%%%%/abc-def/").status_code in (400, 404)
    assert client.get("/compte/invitation/MTIzNDU2Nzg5/abc-def/").status_code == 400
