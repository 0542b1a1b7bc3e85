"""Open sessions: a person lists and closes theirs; an admin signs a person out everywhere."""

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from entente.accounts import services
from entente.accounts.sessions import describe_user_agent, end_all_sessions
from entente.accounts.tests.factories import TEST_PASSWORD, UserFactory
from entente.audit.models import AuditEvent, EventKind

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
EDGE_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0"
)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def device_client(person, user_agent: str, ip: str) -> Client:
    """A browser of ``person`` that signed in through the real form."""
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    response = client.post("/compte/login/", {"login": person.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    return client


def is_signed_in(client: Client) -> bool:
    response = client.get("/compte/")
    return response.status_code == 200


@pytest.fixture
def admin_client(org_admin):
    client = Client()
    client.force_login(org_admin, backend=BACKEND)
    return client


# --- the person's own sessions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (FIREFOX_WINDOWS, "Firefox sur Windows"),
        (SAFARI_IPHONE, "Safari sur un iPhone"),
        (EDGE_WINDOWS, "Edge sur Windows"),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Mobile Safari/537.36",
            "Chrome sur Android",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/17.5 Safari/605.1.15",
            "Safari sur un Mac",
        ),
        ("curl/8.5.0", "Navigateur ou application non reconnu"),
        ("", "Navigateur ou application non reconnu"),
    ],
)
def test_devices_are_named_in_plain_words(user_agent, expected):
    assert describe_user_agent(user_agent) == expected


def test_a_person_sees_their_sessions_with_this_one_marked(agent):
    laptop = device_client(agent, FIREFOX_WINDOWS, "192.0.2.10")
    device_client(agent, SAFARI_IPHONE, "198.51.100.7")
    body = laptop.get("/compte/sessions/").content.decode()
    assert "Firefox sur Windows" in body and "Safari sur un iPhone" in body
    assert "192.0.2.10" in body and "198.51.100.7" in body
    mark = 'badge--success">cette session'
    assert body.count(mark) == 1
    assert body.index("Firefox sur Windows") < body.index(mark) < body.index("Safari sur un iPhone")
    assert "Fermer toutes les autres sessions" in body


def test_closing_another_session_signs_that_device_out(agent):
    laptop = device_client(agent, FIREFOX_WINDOWS, "192.0.2.10")
    phone = device_client(agent, SAFARI_IPHONE, "198.51.100.7")
    phone_session = UserSession.objects.get(user=agent, ip="198.51.100.7")

    response = laptop.post(f"/compte/sessions/{phone_session.pk}/fermer/")
    assert response.status_code == 302 and response["Location"] == "/compte/sessions/"
    assert "Safari sur un iPhone est fermée" in laptop.get("/compte/sessions/").content.decode()
    assert not is_signed_in(phone)
    assert is_signed_in(laptop)
    event = AuditEvent.objects.get(kind=EventKind.SESSION_REVOKED)
    assert event.actor == agent and event.data["device"] == "Safari sur un iPhone"


def test_closing_this_session_signs_out(agent):
    laptop = device_client(agent, FIREFOX_WINDOWS, "192.0.2.10")
    mine = UserSession.objects.get(user=agent)
    response = laptop.post(f"/compte/sessions/{mine.pk}/fermer/")
    assert response.status_code == 302 and response["Location"] == "/compte/login/"
    assert not is_signed_in(laptop)


def test_closing_every_other_session(agent):
    laptop = device_client(agent, FIREFOX_WINDOWS, "192.0.2.10")
    phone = device_client(agent, SAFARI_IPHONE, "198.51.100.7")
    tablet = device_client(agent, EDGE_WINDOWS, "198.51.100.8")
    laptop.post("/compte/sessions/")
    assert is_signed_in(laptop)
    assert not is_signed_in(phone) and not is_signed_in(tablet)
    assert AuditEvent.objects.filter(kind=EventKind.SESSION_REVOKED).count() == 2


def test_nobody_closes_someone_elses_session(agent, other_agent):
    device_client(other_agent, FIREFOX_WINDOWS, "192.0.2.10")
    theirs = UserSession.objects.get(user=other_agent)
    mine = device_client(agent, SAFARI_IPHONE, "198.51.100.7")
    assert mine.post(f"/compte/sessions/{theirs.pk}/fermer/").status_code == 404
    assert mine.get(f"/compte/sessions/{theirs.pk}/fermer/").status_code == 405
    assert UserSession.objects.filter(pk=theirs.pk).exists()


# --- an admin signs a person out -------------------------------------------------------------


def test_an_admin_signs_a_person_out_of_every_device(admin_client, org_admin, agent):
    laptop = device_client(agent, FIREFOX_WINDOWS, "192.0.2.10")
    phone = device_client(agent, SAFARI_IPHONE, "198.51.100.7")
    page = admin_client.get(f"/admin-org/personnes/{agent.pk}/").content.decode()
    assert "Déconnecter de tous les appareils" in page and "data-confirm" in page

    response = admin_client.post(f"/admin-org/personnes/{agent.pk}/deconnecter/")
    assert response.status_code == 302
    message = admin_client.get(response["Location"]).content.decode()
    assert "déconnecté·e de tous ses appareils" in message
    assert not is_signed_in(laptop) and not is_signed_in(phone)
    assert is_signed_in(admin_client), "the admin's own session goes on"
    assert not UserSession.objects.filter(user=agent).exists()
    event = AuditEvent.objects.get(kind=EventKind.FORCED_SIGN_OUT)
    assert event.actor == org_admin and event.target_id == str(agent.pk)
    assert event.data == {"sessions": 2}

    agent.refresh_from_db()
    assert agent.is_active, "the account stays open"
    assert is_signed_in(device_client(agent, FIREFOX_WINDOWS, "192.0.2.10"))


@pytest.mark.parametrize(
    "engine", ["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cache"]
)
def test_sessions_opened_without_a_record_end_too(settings, engine, org_admin, agent):
    """A session opened by Django's login() alone (no address known) ends, in any backend."""
    settings.SESSION_ENGINE = engine
    admin_client = Client()
    admin_client.force_login(org_admin, backend=BACKEND)
    hidden = Client()
    hidden.force_login(agent, backend=BACKEND)
    assert not UserSession.objects.filter(user=agent).exists()
    other = Client()
    other.force_login(UserFactory(organisation=agent.organisation), backend=BACKEND)

    admin_client.post(f"/admin-org/personnes/{agent.pk}/deconnecter/")
    assert not is_signed_in(hidden)
    assert is_signed_in(other), "only that person's sessions end"
    assert is_signed_in(admin_client)
    assert is_signed_in(device_client(agent, FIREFOX_WINDOWS, "192.0.2.10")), "sign in again"


def test_cache_sessions_end_too(settings, admin_client, agent):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    laptop = device_client(agent, FIREFOX_WINDOWS, "192.0.2.10")
    key = laptop.session.session_key
    assert not Session.objects.filter(session_key=key).exists(), "it lives in the cache"
    assert end_all_sessions(agent) == 1
    assert not is_signed_in(laptop)


@pytest.mark.parametrize("who", ["colleague", "other_admin", "operator"])
def test_only_the_persons_admins_may_sign_them_out(request, who, agent):
    victim_device = device_client(agent, FIREFOX_WINDOWS, "192.0.2.10")
    if who == "colleague":
        actor = UserFactory(organisation=agent.organisation)
    else:
        actor = request.getfixturevalue(who)
    client = Client()
    client.force_login(actor, backend=BACKEND)
    response = client.post(f"/admin-org/personnes/{agent.pk}/deconnecter/")
    assert response.status_code in (403, 404)
    assert is_signed_in(victim_device)
    assert not AuditEvent.objects.filter(kind=EventKind.FORCED_SIGN_OUT).exists()


def test_an_operator_signs_out_an_organisation_admin(operator, org_admin):
    admin_device = device_client_with_code(org_admin)
    client = Client()
    client.force_login(operator, backend=BACKEND)
    response = client.post(f"/admin-org/personnes/{org_admin.pk}/deconnecter/")
    assert response.status_code == 302
    assert not is_signed_in(admin_device)


def test_an_admin_cannot_sign_themself_out_from_the_console(admin_client, org_admin):
    assert admin_client.post(f"/admin-org/personnes/{org_admin.pk}/deconnecter/").status_code == 403
    assert is_signed_in(admin_client)


def test_sign_out_is_a_post(admin_client, agent):
    assert admin_client.get(f"/admin-org/personnes/{agent.pk}/deconnecter/").status_code == 405


def test_deactivating_a_person_ends_their_sessions(admin_client, org_admin, agent):
    laptop = device_client(agent, FIREFOX_WINDOWS, "192.0.2.10")
    key = laptop.session.session_key
    services.do_deactivate_person(org_admin, agent)
    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=agent).exists()
    assert not is_signed_in(laptop)


def device_client_with_code(person) -> Client:
    """A browser of someone with an authenticator app, signed in with password and code."""
    from entente.accounts.tests.factories import TEST_TOTP_SECRET
    from entente.accounts.tests.test_mfa import totp_code

    client = Client(HTTP_USER_AGENT=FIREFOX_WINDOWS, REMOTE_ADDR="192.0.2.20")
    client.post("/compte/login/", {"login": person.email, "password": TEST_PASSWORD})
    client.post("/compte/2fa/authenticate/", {"code": totp_code(TEST_TOTP_SECRET)})
    assert "_auth_user_id" in client.session
    return client
