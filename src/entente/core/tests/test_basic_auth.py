"""The shared Basic-auth door: app passwords only, strict parsing, throttled like the web form."""

import base64
import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from entente.accounts.app_passwords import do_create_app_password, do_revoke_app_password
from entente.accounts.models import AppPassword
from entente.accounts.tests.factories import TEST_PASSWORD, UserFactory
from entente.audit.models import AuditEvent, EventKind
from entente.core.authentication import (
    CHALLENGE,
    BasicThrottled,
    InvalidBasicHeader,
    authenticate_basic,
    parse_basic,
    throttled_response,
    unauthorized_response,
)

pytestmark = pytest.mark.django_db

ME = "/api/v1/people/me/"
KEY_LIMIT = 5
IP_LIMIT = 10


def basic(email: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{secret}".encode()).decode()


def raw_basic(payload: bytes) -> str:
    return "Basic " + base64.b64encode(payload).decode()


@pytest.fixture(autouse=True)
def _login_failed_rate(settings):
    """The project's rule, spelled out here so the numbers below read as they are."""
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "login_failed": f"{IP_LIMIT}/m/ip,{KEY_LIMIT}/5m/key",
    }


@pytest.fixture
def secret(agent):
    return do_create_app_password(agent, agent, "Agenda du téléphone")[1]


def get_me(authorization: str, ip: str = "127.0.0.1", **extra):
    return Client().get(ME, HTTP_AUTHORIZATION=authorization, REMOTE_ADDR=ip, **extra)


def wrong_secret(n: int) -> str:
    return f"aaaa-bbbb-cccc-dddd-eeee-{n:04d}".replace("0", "a").replace("1", "b")


# --- the door accepts app passwords, and only them ----------------------------------------------


def test_an_app_password_opens_the_api(agent, secret):
    response = get_me(basic(agent.email, secret))
    assert response.status_code == 200
    assert response.json()["email"] == agent.email


def test_the_account_password_is_refused_with_a_basic_challenge(agent, secret):
    response = get_me(basic(agent.email, TEST_PASSWORD))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="Entente"'
    body = response.json()
    assert body["code"] == "authentication_failed"
    assert "mot de passe d'application" in body["detail"]


def test_email_case_grouping_and_capitals_do_not_matter(agent, secret):
    assert get_me(basic(agent.email.upper(), secret.upper())).status_code == 200
    assert get_me(basic(agent.email, secret.replace("-", ""))).status_code == 200


def test_someone_elses_email_with_my_app_password_is_refused(agent, secret, org):
    colleague = UserFactory(organisation=org)
    assert get_me(basic(colleague.email, secret)).status_code == 401


def test_a_revoked_app_password_stops_working_at_once(agent, secret):
    assert get_me(basic(agent.email, secret)).status_code == 200
    do_revoke_app_password(agent, AppPassword.objects.get(user=agent))
    response = get_me(basic(agent.email, secret))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE


def test_a_deactivated_person_is_refused_at_once(agent, secret):
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert get_me(basic(agent.email, secret)).status_code == 401


def test_a_guest_whose_access_expired_is_refused(guest):
    from datetime import timedelta

    from django.utils import timezone

    secret = do_create_app_password(guest, guest, "Script")[1]
    assert get_me(basic(guest.email, secret)).status_code == 200
    guest.guest_expires_at = timezone.now() - timedelta(minutes=1)
    guest.save(update_fields=["guest_expires_at"])
    assert get_me(basic(guest.email, secret)).status_code == 401


def test_last_use_records_time_client_and_address(agent, secret):
    get_me(basic(agent.email, secret), ip="192.0.2.7", HTTP_USER_AGENT="DAVx5/4.4 (Android)")
    app_password = AppPassword.objects.get(user=agent)
    assert app_password.last_used_at is not None
    assert app_password.last_used_client == "DAVx5/4.4 (Android)"
    assert app_password.last_used_ip == "192.0.2.7"
    get_me(basic(agent.email, secret), ip="192.0.2.8", HTTP_USER_AGENT="Thunderbird/128")
    app_password.refresh_from_db()
    assert (app_password.last_used_client, app_password.last_used_ip) == (
        "Thunderbird/128",
        "192.0.2.8",
    )


def test_basic_requests_open_no_session_and_need_no_csrf_token(agent, secret):
    client = Client(enforce_csrf_checks=True)
    response = client.get(ME, HTTP_AUTHORIZATION=basic(agent.email, secret))
    assert response.status_code == 200
    assert "entente_session" not in response.cookies
    assert Session.objects.count() == 0
    # a write without any CSRF token reaches the view (which refuses it for its own reason)
    response = client.post(
        "/api/v1/people/",
        {"email": "x@valmont.fr"},
        content_type="application/json",
        HTTP_AUTHORIZATION=basic(agent.email, secret),
    )
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_without_basic_header_the_api_answers_as_before(agent):
    assert Client().get(ME).status_code == 403
    response = Client().get(ME, HTTP_AUTHORIZATION="Bearer abc")
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_a_browser_session_still_works_beside_basic(agent, secret):
    client = APIClient()
    client.force_login(agent)
    response = client.get("/api/v1/app-passwords/")
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Agenda du téléphone"]


def test_authenticated_basic_request_costs_few_queries_whatever_the_data(
    agent, org, secret, django_assert_max_num_queries
):
    get_me(basic(agent.email, secret))  # first use: records the last use
    with django_assert_max_num_queries(2) as small:  # the lookup by digest, and the serializer
        assert get_me(basic(agent.email, secret)).status_code == 200
    for n in range(20):
        do_create_app_password(agent, agent, f"Appareil {n}")
    UserFactory.create_batch(10, organisation=org)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert get_me(basic(agent.email, secret)).status_code == 200


# --- strict parsing: never a 500 ---------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        raw_basic(b"agnes.martin@valmont.fr"),  # no colon
        "Basic !!!not-base64!!!",
        "Basic YWJj",  # base64 of "abc": no colon either
        "Basic YWJjZA",  # missing padding
        raw_basic("agnès.martin@valmont.fr:secret".encode("latin-1")),  # not UTF-8
        "Basic é",  # not even ASCII in the header
        "Basic " + "A" * 10_000,  # overlong
        "Basic ",  # empty
        "Basic",
        raw_basic(b":"),  # empty e-mail and password
        raw_basic(b"agnes.martin@valmont.fr:"),  # empty password
        raw_basic(b"agnes\x00@valmont.fr:aaaa-bbbb"),  # control character
        basic("agnes.martin@valmont.fr", "x" * 5000),  # overlong once decoded
    ],
)
def test_malformed_headers_are_refused_cleanly(agent, secret, authorization):
    response = get_me(authorization)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == CHALLENGE
    assert response.json()["code"] == "authentication_failed"


def test_parse_basic_accepts_a_colon_inside_the_password():
    assert parse_basic(basic("a@b.fr", "x:y")) == ("a@b.fr", "x:y")
    assert parse_basic("basic " + base64.b64encode(b"a@b.fr:p").decode()) == ("a@b.fr", "p")
    with pytest.raises(InvalidBasicHeader):
        parse_basic("Digest abc")


def test_the_door_function_for_other_protocols(agent, secret):
    factory = RequestFactory()
    request = factory.get("/dav/", HTTP_AUTHORIZATION=basic(agent.email, secret))
    assert authenticate_basic(request) == agent
    assert authenticate_basic(factory.get("/dav/")) is None
    request = factory.get("/dav/", HTTP_AUTHORIZATION=basic(agent.email, TEST_PASSWORD))
    assert authenticate_basic(request) is None
    response = unauthorized_response()
    assert response.status_code == 401 and response["WWW-Authenticate"] == CHALLENGE
    response = throttled_response(BasicThrottled(42))
    assert response.status_code == 429 and response["Retry-After"] == "42"


# --- brute force: the same counters as the web form -------------------------------------------


def test_after_too_many_failures_even_the_right_app_password_is_refused(agent, secret):
    for n in range(KEY_LIMIT):
        assert get_me(basic(agent.email, wrong_secret(n))).status_code == 401
    response = get_me(basic(agent.email, secret))
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert "Trop de tentatives" in body["detail"]
    assert int(response["Retry-After"]) > 0
    # another address does not help: the account is locked, not only the address
    assert get_me(basic(agent.email, secret), ip="198.51.100.9").status_code == 429
    # another account from the same address is not locked by these failures
    colleague = UserFactory(organisation=agent.organisation)
    colleague_secret = do_create_app_password(colleague, colleague, "Agenda")[1]
    assert get_me(basic(colleague.email, colleague_secret)).status_code == 200


def test_successes_do_not_count_as_failures(agent, secret):
    for _ in range(IP_LIMIT + KEY_LIMIT):
        assert get_me(basic(agent.email, secret)).status_code == 200


def test_failures_on_the_account_password_count_too(agent, secret):
    for _ in range(KEY_LIMIT):
        assert get_me(basic(agent.email, TEST_PASSWORD)).status_code == 401
    assert get_me(basic(agent.email, secret)).status_code == 429


def test_throttling_per_address_across_accounts(agent, secret, org):
    for n in range(IP_LIMIT):
        assert get_me(basic(f"personne{n}@valmont.fr", wrong_secret(n))).status_code == 401
    assert get_me(basic(agent.email, secret)).status_code == 429
    assert get_me(basic(agent.email, secret), ip="198.51.100.9").status_code == 200


def test_the_message_does_not_reveal_whether_the_account_exists(agent, secret):
    def lock(email):
        for n in range(KEY_LIMIT):
            get_me(basic(email, wrong_secret(n)), ip=f"203.0.113.{len(email)}")
        return get_me(basic(email, wrong_secret(99)), ip=f"203.0.113.{len(email)}")

    known, unknown = lock(agent.email), lock("nobody.here@valmont.fr")
    assert known.status_code == unknown.status_code == 429

    def without_numbers(response):
        return re.sub(r"\d+", "N", response.json()["detail"])

    assert without_numbers(known) == without_numbers(unknown)


def test_get_requests_are_throttled_too(agent, secret):
    """allauth counts POSTs only by default; protocol clients fail on GET and PROPFIND."""
    for n in range(KEY_LIMIT):
        Client().get(ME, HTTP_AUTHORIZATION=basic(agent.email, wrong_secret(n)))
    assert Client().get(ME, HTTP_AUTHORIZATION=basic(agent.email, secret)).status_code == 429


def test_failures_on_the_web_form_and_on_basic_share_one_counter(agent, secret):
    for _ in range(KEY_LIMIT):
        Client().post("/compte/login/", {"login": agent.email, "password": "pas le bon"})
    assert get_me(basic(agent.email, secret), ip="198.51.100.9").status_code == 429


def test_a_lockout_is_recorded_once_with_every_failure(agent, secret):
    for n in range(KEY_LIMIT):
        get_me(basic(agent.email, wrong_secret(n)))
    for _ in range(4):
        assert get_me(basic(agent.email, secret)).status_code == 429
    throttled = AuditEvent.objects.filter(kind=EventKind.THROTTLED)
    assert throttled.count() == 1
    event = throttled.get()
    assert event.actor_label == agent.email
    assert event.organisation_id == agent.organisation_id
    assert event.data["door"] == "basic"
    failures = AuditEvent.objects.filter(kind=EventKind.LOGIN_FAILED)
    assert failures.count() == KEY_LIMIT
    assert {e.actor_label for e in failures} == {agent.email}


def test_a_throttled_door_function_raises_for_other_protocols(agent, secret):
    factory = RequestFactory()
    for n in range(KEY_LIMIT):
        authenticate_basic(
            factory.get("/dav/", HTTP_AUTHORIZATION=basic(agent.email, wrong_secret(n)))
        )
    with pytest.raises(BasicThrottled) as error:
        authenticate_basic(factory.get("/dav/", HTTP_AUTHORIZATION=basic(agent.email, secret)))
    assert 0 < error.value.wait <= 300
