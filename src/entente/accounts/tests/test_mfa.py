"""Second factor: enrolment, sign-in with a code, recovery codes, who must have one, audit."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    format_hotp_value,
    hotp_value,
)
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from entente.accounts.mfa import SESSION_KEY, second_factor_reason
from entente.accounts.tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    OperatorFactory,
    OrgAdminFactory,
    UserFactory,
)
from entente.audit.models import AuditEvent, EventKind
from entente.organisations.models import MfaRequirement

pytestmark = pytest.mark.django_db

LOGIN = "/compte/login/"
ENROL = "/compte/securite/double-authentification/"
AUTHENTICATE = "/compte/2fa/authenticate/"
ACTIVATE_TOTP = "/compte/2fa/totp/activate/"
DEACTIVATE_TOTP = "/compte/2fa/totp/deactivate/"
RECOVERY_CODES = "/compte/2fa/recovery-codes/"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and used TOTP codes live in the cache: keep tests independent."""
    cache.clear()
    yield
    cache.clear()


def totp_code(secret: str, offset: int = 0) -> str:
    """The code an authenticator app shows now, computed with allauth's own helpers."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def sign_in(client: Client, person, password: str = TEST_PASSWORD):
    return client.post(LOGIN, {"login": person.email, "password": password})


def confirm_password(client: Client, password: str = TEST_PASSWORD) -> None:
    """allauth asks for the password again before a change of second factors."""
    response = client.post("/compte/reauthenticate/", {"password": password})
    assert response.status_code == 302, "the password confirmation was refused"


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def kinds(person) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(person.pk))
        .order_by("created_at", "pk")
        .values_list("kind", flat=True)
    )


# --- enrolment and sign-in with an authenticator app -----------------------------------------


def test_totp_enrolment_then_sign_in_with_a_code(client, agent, django_capture_on_commit_callbacks):
    sign_in(client, agent)
    assert client.get(ACTIVATE_TOTP)["Location"].startswith("/compte/reauthenticate/")
    confirm_password(client)
    page = client.get(ACTIVATE_TOTP)
    body = page.content.decode()
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert 'src="data:image/svg+xml;base64,' in body, "a QR code to scan"
    assert f'data-secret="{secret}"' in body and secret[:4] + " " + secret[4:8] in body, (
        "the key is also written out, in groups of four, for people who cannot scan"
    )
    assert "otpauth://totp/" in body, "a link opens the app directly on a phone"

    wrong = client.post(ACTIVATE_TOTP, {"code": "000000"})
    assert wrong.status_code == 200 and "Ce code ne convient pas" in wrong.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ACTIVATE_TOTP, {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == RECOVERY_CODES
    assert Authenticator.objects.filter(user=agent, type="totp").exists()
    assert Authenticator.objects.filter(user=agent, type="recovery_codes").exists()
    assert EventKind.MFA_ADDED in kinds(agent)
    assert EventKind.RECOVERY_CODES_GENERATED in kinds(agent)

    client.post("/compte/logout/")
    response = sign_in(client, agent)
    assert response.status_code == 302 and response["Location"] == AUTHENTICATE
    assert not signed_in(client), "the password alone does not open the session"
    page = client.get(AUTHENTICATE).content.decode()
    assert "Vérification en deux étapes" in page and 'autocomplete="one-time-code"' in page

    wrong = client.post(AUTHENTICATE, {"code": "123456"})
    assert wrong.status_code == 200 and not signed_in(client)
    assert "Ce code ne convient pas" in wrong.content.decode()
    assert EventKind.MFA_FAILED in kinds(agent)
    response = client.post(AUTHENTICATE, {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in(client)


def test_a_code_is_accepted_only_once(client):
    person = UserFactory(second_factor=True)
    sign_in(client, person)
    code = totp_code(TEST_TOTP_SECRET)
    assert client.post(AUTHENTICATE, {"code": code}).status_code == 302
    client.post("/compte/logout/")
    sign_in(client, person)
    client.post(AUTHENTICATE, {"code": code})
    assert not signed_in(client), "a code seen once cannot be replayed"


def test_recovery_codes_sign_in_once_each(client):
    person = UserFactory(second_factor=True)
    codes = RecoveryCodes.activate(person).get_unused_codes()
    assert len(codes) == 10

    sign_in(client, person)
    assert client.post(AUTHENTICATE, {"code": codes[0]}).status_code == 302
    assert signed_in(client)
    client.post("/compte/logout/")

    sign_in(client, person)
    client.post(AUTHENTICATE, {"code": codes[0]})
    assert not signed_in(client), "a used recovery code is refused"
    client.post(AUTHENTICATE, {"code": codes[1]})
    assert signed_in(client)
    remaining = Authenticator.objects.get(user=person, type="recovery_codes").wrap()
    assert remaining.get_unused_codes() == codes[2:]


def test_recovery_codes_can_be_read_printed_and_downloaded(client):
    person = UserFactory(second_factor=True)
    codes = RecoveryCodes.activate(person).get_unused_codes()
    _confirm_access(client, person)

    page = client.get(RECOVERY_CODES).content.decode()
    assert all(f"<code>{code}</code>" in page for code in codes)
    assert "data-print" in page and "security.js" in page
    download = client.get(RECOVERY_CODES + "download/")
    assert download["Content-Disposition"].startswith("attachment")
    text = download.content.decode()
    assert person.email in text and all(code in text for code in codes)
    assert "une seule fois" in text


def test_new_recovery_codes_replace_the_old_ones(client, django_capture_on_commit_callbacks):
    person = UserFactory(second_factor=True)
    old = RecoveryCodes.activate(person).get_unused_codes()
    _confirm_access(client, person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RECOVERY_CODES + "generate/")
    assert response.status_code == 302
    new = Authenticator.objects.get(user=person, type="recovery_codes").wrap().get_unused_codes()
    assert set(new).isdisjoint(old)
    assert EventKind.RECOVERY_CODES_GENERATED in kinds(person)


# --- who must have a second factor -------------------------------------------------------------


def test_the_reasons(org, agent, org_admin, operator, guest):
    assert second_factor_reason(agent) is None
    assert second_factor_reason(org_admin) == "admin"
    assert second_factor_reason(operator) == "operator"
    assert second_factor_reason(guest) == "guest"
    org.policy.mfa_required = MfaRequirement.EVERYONE
    org.policy.save()
    assert second_factor_reason(agent) == "policy"


def _unenrolled(kind, org):
    if kind == "admin":
        return OrgAdminFactory(organisation=org, second_factor=False)
    if kind == "operator":
        return OperatorFactory(organisation=org, second_factor=False)
    if kind == "guest":
        return UserFactory(organisation=None, status="guest", second_factor=False)
    org.policy.mfa_required = MfaRequirement.EVERYONE
    org.policy.save()
    return UserFactory(organisation=org, second_factor=False)


@pytest.mark.parametrize(
    ("kind", "why"),
    [
        ("admin", "Vous administrez votre organisation"),
        ("operator", "Vous êtes opérateur de la plateforme"),
        ("guest", "Vous êtes invité·e de l'extérieur"),
        ("everyone", "Votre organisation demande la double authentification"),
    ],
)
def test_a_person_who_must_have_a_factor_is_led_to_enrolment(client, org, kind, why):
    person = _unenrolled(kind, org)
    response = sign_in(client, person)
    assert signed_in(client)
    assert client.get(response["Location"])["Location"] == ENROL

    for url in ["/", "/compte/", "/compte/sessions/", "/admin-org/", "/annuaire/", "/compte/2fa/"]:
        response = client.get(url)
        if url == "/compte/2fa/":
            assert response.status_code == 200, "the second-factor overview stays open"
            continue
        assert response.status_code == 302 and response["Location"] == ENROL, url
    assert client.post("/admin-org/personnes/nouvelle/", {})["Location"] == ENROL
    api = client.get("/api/v1/people/")
    assert api.status_code == 403 and api.json()["enrolment_url"] == ENROL

    page = client.get(ENROL)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Protégez votre compte" in body and why.replace("'", "&#x27;") in body
    assert ACTIVATE_TOTP in body and "/compte/2fa/webauthn/add/" in body
    assert client.get(ACTIVATE_TOTP).status_code == 200
    assert client.get("/compte/2fa/webauthn/add/").status_code == 200
    assert client.get("/healthz").status_code == 200

    client.post("/compte/logout/")
    assert not signed_in(client), "signing out still works"


def test_once_enrolled_every_page_opens_again(client, org):
    admin = OrgAdminFactory(organisation=org, second_factor=False)
    sign_in(client, admin)
    assert client.get("/")["Location"] == ENROL
    client.get(ACTIVATE_TOTP)
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(ACTIVATE_TOTP, {"code": totp_code(secret)})
    assert response["Location"] == RECOVERY_CODES
    assert client.get(RECOVERY_CODES).status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/admin-org/").status_code == 200
    assert client.get(ENROL)["Location"] == "/compte/2fa/", "nothing left to do there"


def test_an_agent_whose_organisation_asks_admins_only_is_not_stopped(client, agent):
    sign_in(client, agent)
    assert client.get("/").status_code == 200
    assert client.session[SESSION_KEY] == "ok"
    page = client.get(ENROL).content.decode()
    assert "vivement recommandée" in page, "the page still explains, without forcing"


def test_a_stricter_policy_applies_at_the_next_sign_in(client, org, agent):
    sign_in(client, agent)
    org.policy.mfa_required = MfaRequirement.EVERYONE
    org.policy.save()
    assert client.get("/").status_code == 200, "the open session goes on"
    client.post("/compte/logout/")
    sign_in(client, agent)
    assert client.get("/")["Location"] == ENROL


def test_a_session_opened_before_the_rule_is_checked_on_its_next_page(client, org):
    admin = OrgAdminFactory(organisation=org, second_factor=False)
    sign_in(client, admin)
    session = client.session
    del session[SESSION_KEY]
    session.save()
    assert client.get("/")["Location"] == ENROL


def test_an_enrolled_admin_costs_no_query_for_the_rule(client, org_admin):
    client.force_login(org_admin, backend="entente.accounts.backends.AuthenticationBackend")
    assert client.session[SESSION_KEY] == "ok", "decided once, at sign-in"
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/espaces/").status_code == 200
    tables = " ".join(query["sql"] for query in queries.captured_queries)
    assert "mfa_authenticator" not in tables and "organisations_policy" not in tables


# --- removing the last factor ------------------------------------------------------------------


def _confirm_access(client, person):
    """Sign in with password and code, then confirm the password as allauth asks before any
    change of second factors (it then lets changes happen for five minutes)."""
    sign_in(client, person)
    client.post(AUTHENTICATE, {"code": totp_code(TEST_TOTP_SECRET)})
    assert signed_in(client)
    confirm_password(client)


def test_the_last_required_factor_cannot_be_removed(client, org_admin):
    _confirm_access(client, org_admin)
    page = client.get(DEACTIVATE_TOTP).content.decode()
    assert "Vous ne pouvez pas retirer votre dernière méthode" in page
    assert "Désactiver l&#x27;application</button>" not in page
    client.post(DEACTIVATE_TOTP)
    assert Authenticator.objects.filter(user=org_admin, type="totp").exists()
    assert EventKind.MFA_REMOVED not in kinds(org_admin)


def test_the_last_required_security_key_cannot_be_removed(client, org_admin):
    _confirm_access(client, org_admin)
    Authenticator.objects.filter(user=org_admin, type="totp").delete()
    key = Authenticator.objects.create(
        user=org_admin, type="webauthn", data={"name": "Clé bleue", "credential": {}}
    )
    url = f"/compte/2fa/webauthn/keys/{key.pk}/remove/"
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == "/compte/2fa/webauthn/"
    assert Authenticator.objects.filter(pk=key.pk).exists()
    listing = client.get("/compte/2fa/webauthn/").content.decode()
    assert "Vous ne pouvez pas retirer votre dernière méthode" in listing
    assert "Clé bleue" in listing


def test_a_factor_can_go_when_another_one_remains(client, org_admin):
    _confirm_access(client, org_admin)
    key = Authenticator.objects.create(
        user=org_admin, type="webauthn", data={"name": "Clé bleue", "credential": {}}
    )
    client.post(f"/compte/2fa/webauthn/keys/{key.pk}/remove/")
    assert not Authenticator.objects.filter(pk=key.pk).exists()
    assert EventKind.MFA_REMOVED in kinds(org_admin)


def test_someone_elses_key_is_not_found(client, org_admin, other_admin):
    _confirm_access(client, org_admin)
    key = Authenticator.objects.create(
        user=other_admin, type="webauthn", data={"name": "Clé", "credential": {}}
    )
    assert client.post(f"/compte/2fa/webauthn/keys/{key.pk}/remove/").status_code == 404
    assert Authenticator.objects.filter(pk=key.pk).exists()


def test_an_optional_factor_can_be_removed(client, django_capture_on_commit_callbacks):
    person = UserFactory(second_factor=True)
    _confirm_access(client, person)
    client.post(DEACTIVATE_TOTP)
    assert not Authenticator.objects.filter(user=person).exists()
    assert EventKind.MFA_REMOVED in kinds(person)


# --- pages -------------------------------------------------------------------------------------


def test_the_overview_is_french_and_shows_each_method(client, org_admin):
    _confirm_access(client, org_admin)
    RecoveryCodes.activate(org_admin)
    body = client.get("/compte/2fa/").content.decode()
    assert "Votre compte est protégé" in body
    assert "Application d'authentification" in body and "Active" in body
    assert "Clés de sécurité" in body and "Codes de secours" in body
    assert "10 codes sur 10 encore utilisables" in body
    assert 'aria-current="page">Double authentification' in body
