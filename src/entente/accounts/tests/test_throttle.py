"""Brute force on the web sign-in: after N failures even the right password is refused."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from entente.accounts.tests.factories import TEST_PASSWORD
from entente.audit.models import AuditEvent, EventKind

pytestmark = pytest.mark.django_db

LOGIN = "/compte/login/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The counters live in the cache: start clean, and leave nothing for other tests."""
    cache.clear()
    yield
    cache.clear()


def per_account_limit() -> int:
    """N, read from ACCOUNT_RATE_LIMITS["login_failed"] (e.g. "10/m/ip,5/5m/key" → 5)."""
    rates = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    return next(int(rate.split("/")[0]) for rate in rates if rate.endswith("/key"))


def attempt(client: Client, email: str, password: str, ip: str):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=ip)


def error_text(response) -> str:
    body = response.content.decode()
    match = re.search(r'role="alert"[^>]*>(.*?)</div>', body, re.S)
    return re.sub(r"<[^>]+>|\s+", " ", match.group(1)).strip() if match else ""


def test_the_n_plus_first_attempt_is_refused_even_with_the_right_password(client, agent):
    n = per_account_limit()
    for i in range(n):
        response = attempt(client, agent.email, f"mauvais mot de passe {i}", "192.0.2.1")
        assert "_auth_user_id" not in client.session
    wrong_message = error_text(response)

    response = attempt(client, agent.email, TEST_PASSWORD, "192.0.2.1")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session, "the right password does not get through"
    message = error_text(response)
    assert message != wrong_message
    assert "Trop de tentatives" in message and "quelques minutes" in message
    assert "Mot de passe oublié" in message, "the message says what to do"


def test_the_limit_is_per_account_whatever_the_address(client, agent):
    """An attacker who changes address at each try is still stopped on the account."""
    for i in range(per_account_limit()):
        attempt(client, agent.email, "mauvais mot de passe", f"192.0.2.{10 + i}")
    attempt(client, agent.email, TEST_PASSWORD, "198.51.100.99")
    assert "_auth_user_id" not in client.session


def test_the_message_does_not_reveal_whether_the_account_exists(agent):
    n = per_account_limit()
    known, unknown = Client(), Client()
    for i in range(n):
        attempt(known, agent.email, f"mauvais {i}", "192.0.2.1")
        attempt(unknown, "personne@valmont.fr", f"mauvais {i}", "192.0.2.2")
    known_message = error_text(attempt(known, agent.email, TEST_PASSWORD, "192.0.2.1"))
    unknown_message = error_text(attempt(unknown, "personne@valmont.fr", "x" * 12, "192.0.2.2"))
    assert known_message == unknown_message
    assert not re.search(r"existe|inconnu|aucun compte|introuvable", known_message, re.I)


def test_other_accounts_still_sign_in(client, agent, org):
    from entente.accounts.tests.factories import UserFactory

    colleague = UserFactory(organisation=org)
    for i in range(per_account_limit()):
        attempt(client, agent.email, f"mauvais {i}", "192.0.2.1")
    other = Client()
    attempt(other, colleague.email, TEST_PASSWORD, "192.0.2.3")
    assert "_auth_user_id" in other.session


def test_throttling_is_recorded_once_per_minute(client, agent):
    for i in range(per_account_limit()):
        attempt(client, agent.email, f"mauvais {i}", "192.0.2.1")
    for _ in range(3):
        attempt(client, agent.email, TEST_PASSWORD, "192.0.2.1")
    events = AuditEvent.objects.filter(kind=EventKind.THROTTLED)
    assert events.count() == 1
    event = events.get()
    assert event.organisation == agent.organisation and event.target_id == str(agent.pk)
    assert event.actor is None and event.actor_label == agent.email
    assert event.ip_address == "192.0.2.1" and event.data == {"door": "web"}
    assert "password" not in str(event.data).lower()


def test_throttling_an_unknown_address_goes_to_the_platform_chain(client, db):
    for i in range(per_account_limit() + 1):
        attempt(client, "personne@nulle-part.example", f"mauvais {i}", "192.0.2.1")
    event = AuditEvent.objects.get(kind=EventKind.THROTTLED)
    assert event.organisation is None and event.chain.key == "platform"
