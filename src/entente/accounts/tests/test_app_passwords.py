"""App passwords: use cases, account pages, REST API, permission grid and the command line."""

import base64
import hashlib
import html
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.test import APIClient

from entente.accounts.app_passwords import (
    ALPHABET,
    canonical,
    do_create_app_password,
    do_revoke_app_password,
    find_app_password,
)
from entente.accounts.models import AppPassword
from entente.accounts.tests.factories import UserFactory
from entente.audit.models import AuditEvent, EventKind
from entente.core.permissions import abilities, can, visible

pytestmark = pytest.mark.django_db

LIST = "/compte/mots-de-passe-application/"
CREATE = LIST + "nouveau/"
SECRET_RE = re.compile(r"\b[a-z2-9]{4}(?:-[a-z2-9]{4}){5}\b")


def revoke_url(app_password):
    return f"{LIST}{app_password.pk}/revoquer/"


def basic(email, secret):
    return "Basic " + base64.b64encode(f"{email}:{secret}".encode()).decode()


def signed_in(user, client_class=Client):
    """A browser session for ``user`` (second-factor check already done for this session)."""
    client = client_class()
    client.force_login(user, backend="entente.accounts.backends.AuthenticationBackend")
    from entente.accounts import mfa

    session = client.session
    session[mfa.SESSION_KEY] = mfa.OK
    session.save()
    return client


# --- use cases ---------------------------------------------------------------------------------


def test_a_new_app_password_is_random_and_stored_only_as_a_digest(agent):
    app_password, secret = do_create_app_password(agent, agent, "Agenda du téléphone")
    assert SECRET_RE.fullmatch(secret)
    compact = secret.replace("-", "")
    assert len(compact) == 24 and set(compact) <= set(ALPHABET)  # 24 × 5 bits = 120 bits
    assert app_password.digest == hashlib.sha256(compact.encode()).hexdigest()
    assert app_password.prefix == compact[:4]
    stored = AppPassword.objects.filter(pk=app_password.pk).values().get()
    assert not any(compact in str(value) or secret in str(value) for value in stored.values())
    other = do_create_app_password(agent, agent, "Thunderbird")[1]
    assert other != secret


def test_canonical_form_ignores_dashes_spaces_and_case():
    assert canonical("ABCD-efgh-2345-6789-jkmn-pqrs") == "abcdefgh23456789jkmnpqrs"
    assert canonical(" abcd efgh 2345 6789 jkmn pqrs ") == "abcdefgh23456789jkmnpqrs"
    assert canonical("abcd-efgh-2345-6789-jkmn-pqr0") is None  # 0 is not in the alphabet
    assert canonical("short") is None
    assert canonical("a" * 10_000) is None


def test_creation_and_revocation_are_audited(agent):
    app_password, _secret = do_create_app_password(agent, agent, "Agenda")
    created = AuditEvent.objects.get(kind=EventKind.APP_PASSWORD_CREATED)
    assert created.actor == agent
    assert created.organisation_id == agent.organisation_id
    assert created.data["name"] == "Agenda"
    assert created.target_id == str(app_password.pk)
    do_revoke_app_password(agent, app_password)
    do_revoke_app_password(agent, app_password)  # idempotent: one event only
    revoked = AuditEvent.objects.filter(kind=EventKind.APP_PASSWORD_REVOKED)
    assert revoked.count() == 1
    app_password.refresh_from_db()
    assert app_password.revoked_at is not None


def test_names_are_unique_among_active_app_passwords(agent):
    app_password, _ = do_create_app_password(agent, agent, "Agenda")
    with pytest.raises(ValidationError) as error:
        do_create_app_password(agent, agent, "  agenda ")
    assert "s'appelle déjà « agenda »" in error.value.message_dict["name"][0]
    do_revoke_app_password(agent, app_password)
    do_create_app_password(agent, agent, "Agenda")  # the name is free again
    colleague = UserFactory(organisation=agent.organisation)
    do_create_app_password(colleague, colleague, "Agenda")  # names are per person


def test_a_name_is_required_and_plain(agent):
    with pytest.raises(ValidationError) as error:
        do_create_app_password(agent, agent, "   ")
    assert "name" in error.value.message_dict
    with pytest.raises(ValidationError):
        do_create_app_password(agent, agent, "x" * 101)


def test_active_app_passwords_are_limited_with_a_clear_message(agent, settings):
    settings.APP_PASSWORDS_MAX_ACTIVE = 3
    created = [do_create_app_password(agent, agent, f"Appareil {n}")[0] for n in range(3)]
    with pytest.raises(ValidationError) as error:
        do_create_app_password(agent, agent, "Un de trop")
    assert "déjà 3 mots de passe d'application actifs" in error.value.messages[0]
    assert "révoquez" in error.value.messages[0]
    do_revoke_app_password(agent, created[0])
    do_create_app_password(agent, agent, "Un de trop")


def test_a_deactivated_person_gets_no_new_app_password(agent):
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        do_create_app_password(None, agent, "Agenda")


def test_find_app_password_checks_owner_state_and_revocation(agent):
    app_password, secret = do_create_app_password(agent, agent, "Agenda")
    assert find_app_password(agent.email, secret) == app_password
    assert find_app_password("someone@valmont.fr", secret) is None
    other_last = "z" if secret[-1] != "z" else "y"  # a different secret, whatever it ended with
    assert find_app_password(agent.email, secret[:-1] + other_last) is None
    do_revoke_app_password(agent, app_password)
    assert find_app_password(agent.email, secret) is None


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees", "revoke"),
    [
        ("agent", True, True),  # the owner
        ("colleague", False, False),
        ("org_admin", True, True),  # an administrator of the owner's organisation
        ("other_admin", False, False),
        ("other_agent", False, False),
        ("operator", True, True),
        ("guest", False, False),
    ],
)
def test_app_password_rules(request, agent, org, who, sees, revoke):
    user = UserFactory(organisation=org) if who == "colleague" else request.getfixturevalue(who)
    app_password, _ = do_create_app_password(agent, agent, "Agenda")
    assert (app_password in visible(user, AppPassword)) is sees
    assert can(user, "view", app_password) is sees
    assert can(user, "revoke", app_password) is revoke
    assert can(user, "create", AppPassword)
    if sees:
        assert abilities(user, app_password) == {"view": True, "revoke": True}


def test_nobody_may_revoke_an_already_revoked_app_password(agent):
    app_password, _ = do_create_app_password(agent, agent, "Agenda")
    do_revoke_app_password(agent, app_password)
    app_password.refresh_from_db()
    assert not can(agent, "revoke", app_password)


# --- account pages -------------------------------------------------------------------------------


def test_pages_need_a_signed_in_person():
    for url in [LIST, CREATE, f"{LIST}1/revoquer/"]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/login/")


def test_the_account_hub_links_the_app_passwords_page(agent):
    body = signed_in(agent).get("/compte/").content.decode()
    assert f'href="{LIST}"' in body


def test_empty_list_explains_and_offers_the_first_action(agent):
    body = signed_in(agent).get(LIST).content.decode()
    assert "Aucun mot de passe d'application pour l'instant" in body
    assert f'href="{CREATE}"' in body


def test_create_shows_the_secret_once_with_instructions(agent):
    client = signed_in(agent)
    assert client.get(CREATE).status_code == 200
    response = client.post(CREATE, {"name": "Agenda du téléphone"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    secret = SECRET_RE.search(body).group(0)
    assert "utilisez votre adresse e-mail comme identifiant" in body.lower()
    assert agent.email in body
    assert "il ne sera plus jamais affiché" in body
    assert find_app_password(agent.email, secret) is not None
    # never again: not in the list, not on the creation page
    listing = client.get(LIST).content.decode()
    assert "Agenda du téléphone" in listing
    assert secret not in listing and secret[:9] not in listing
    assert secret[:4] in listing  # the prefix, to recognise it
    assert secret not in client.get(CREATE).content.decode()


def test_create_with_a_taken_name_explains_what_to_do(agent):
    client = signed_in(agent)
    client.post(CREATE, {"name": "Agenda"})
    response = client.post(CREATE, {"name": "Agenda"})
    body = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "s'appelle déjà « Agenda »" in body
    assert not SECRET_RE.search(body)
    assert AppPassword.objects.filter(user=agent).count() == 1


def test_list_shows_name_creation_last_use_and_client(agent):
    client = signed_in(agent)
    app_password, secret = do_create_app_password(agent, agent, "Thunderbird au bureau")
    Client().get(
        "/api/v1/people/me/",
        HTTP_AUTHORIZATION=basic(agent.email, secret),
        HTTP_USER_AGENT="Thunderbird/128.0",
        REMOTE_ADDR="192.0.2.44",
    )
    body = client.get(LIST).content.decode()
    assert "Thunderbird au bureau" in body
    assert "Thunderbird/128.0" in body
    assert "192.0.2.44" in body
    assert f'href="{revoke_url(app_password)}"' in body


def test_list_shows_only_my_active_app_passwords(agent, org_admin):
    mine, _ = do_create_app_password(agent, agent, "Mon agenda")
    gone, _ = do_create_app_password(agent, agent, "Vieux téléphone")
    do_revoke_app_password(agent, gone)
    do_create_app_password(org_admin, org_admin, "Agenda de Marc")
    body = signed_in(agent).get(LIST).content.decode()
    assert "Mon agenda" in body
    assert "Vieux téléphone" not in body
    assert "Agenda de Marc" not in body


def test_list_query_count_does_not_grow_with_rows(agent, django_assert_max_num_queries):
    client = signed_in(agent)
    do_create_app_password(agent, agent, "Un")
    with django_assert_max_num_queries(8) as small:
        client.get(LIST)
    for n in range(15):
        do_create_app_password(agent, agent, f"Appareil {n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(LIST)


def test_revoke_asks_for_confirmation_then_revokes(agent):
    app_password, secret = do_create_app_password(agent, agent, "Agenda")
    client = signed_in(agent)
    page = client.get(revoke_url(app_password))
    assert page.status_code == 200
    assert "Révoquer le mot de passe « Agenda » ?" in page.content.decode()
    app_password.refresh_from_db()
    assert app_password.revoked_at is None  # GET changes nothing
    response = client.post(revoke_url(app_password))
    assert response.status_code == 302 and response["Location"] == LIST
    app_password.refresh_from_db()
    assert app_password.revoked_at is not None
    assert "est révoqué" in client.get(LIST).content.decode()
    assert client.get(revoke_url(app_password)).status_code == 404  # already gone
    denied = Client().get("/api/v1/people/me/", HTTP_AUTHORIZATION=basic(agent.email, secret))
    assert denied.status_code == 401


@pytest.mark.parametrize("who", ["colleague", "other_agent", "other_admin", "guest"])
def test_someone_elses_app_password_is_a_404(request, agent, org, who):
    user = UserFactory(organisation=org) if who == "colleague" else request.getfixturevalue(who)
    app_password, _ = do_create_app_password(agent, agent, "Agenda")
    client = signed_in(user)
    assert client.get(revoke_url(app_password)).status_code == 404
    assert client.post(revoke_url(app_password)).status_code == 404
    app_password.refresh_from_db()
    assert app_password.revoked_at is None


@pytest.mark.parametrize("who", ["org_admin", "operator"])
def test_admins_of_the_organisation_and_operators_may_revoke(request, agent, who):
    user = request.getfixturevalue(who)
    app_password, _ = do_create_app_password(agent, agent, "Agenda")
    client = signed_in(user)
    page = client.get(revoke_url(app_password))
    assert page.status_code == 200
    assert agent.get_full_name() in page.content.decode()
    client.post(revoke_url(app_password), {"next": "https://evil.example/"})
    app_password.refresh_from_db()
    assert app_password.revoked_at is not None
    event = AuditEvent.objects.get(kind=EventKind.APP_PASSWORD_REVOKED)
    assert event.actor == user


# --- REST API --------------------------------------------------------------------------------------


API = "/api/v1/app-passwords/"


def test_api_create_returns_the_secret_once(agent):
    api = signed_in(agent, APIClient)
    response = api.post(API, {"name": "Script de sauvegarde"}, format="json")
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert SECRET_RE.fullmatch(body["secret"])
    assert body["username"] == agent.email
    assert body["prefix"] == body["secret"][:4]
    listing = api.get(API).json()
    assert [row["name"] for row in listing["results"]] == ["Script de sauvegarde"]
    assert "secret" not in listing["results"][0]
    assert body["secret"] not in str(listing)
    detail = api.get(f"{API}{body['id']}/").json()
    assert "secret" not in detail and detail["abilities"] == {"view": True, "revoke": True}
    works = Client().get(
        "/api/v1/people/me/", HTTP_AUTHORIZATION=basic(agent.email, body["secret"])
    )
    assert works.status_code == 200


def test_api_create_errors_are_json_with_the_field(agent):
    api = signed_in(agent, APIClient)
    api.post(API, {"name": "Agenda"}, format="json")
    response = api.post(API, {"name": "Agenda"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "s'appelle déjà" in body["errors"]["name"][0]
    assert api.post(API, {}, format="json").json()["errors"]["name"]


def test_an_app_password_cannot_mint_or_revoke_app_passwords(agent):
    app_password, secret = do_create_app_password(agent, agent, "Script")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=basic(agent.email, secret))
    response = api.post(API, {"name": "Encore un"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "session_required"
    assert api.delete(f"{API}{app_password.pk}/").status_code == 403
    assert AppPassword.objects.filter(user=agent, revoked_at__isnull=True).count() == 1
    listing = api.get(API)  # reading is fine
    assert listing.status_code == 200
    assert [row["name"] for row in listing.json()["results"]] == ["Script"]


def test_api_revoke(agent):
    app_password, secret = do_create_app_password(agent, agent, "Script")
    api = signed_in(agent, APIClient)
    assert api.delete(f"{API}{app_password.pk}/").status_code == 204
    app_password.refresh_from_db()
    assert app_password.revoked_at is not None
    assert api.get(API).json()["results"] == []
    assert api.delete(f"{API}{app_password.pk}/").status_code == 404


def test_api_hides_other_peoples_app_passwords(agent, org_admin, other_agent):
    theirs, _ = do_create_app_password(other_agent, other_agent, "Agenda de Bernard")
    colleague_ap, _ = do_create_app_password(org_admin, org_admin, "Agenda de Marc")
    api = signed_in(agent, APIClient)
    assert api.get(API).json()["results"] == []
    for app_password in (theirs, colleague_ap):
        response = api.get(f"{API}{app_password.pk}/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
        assert api.delete(f"{API}{app_password.pk}/").status_code == 404
    # an administrator lists only their own, but may revoke their people's by id
    admin_api = signed_in(org_admin, APIClient)
    mine, _ = do_create_app_password(agent, agent, "Agenda d'Agnès")
    assert [r["name"] for r in admin_api.get(API).json()["results"]] == ["Agenda de Marc"]
    assert admin_api.delete(f"{API}{mine.pk}/").status_code == 204
    assert admin_api.delete(f"{API}{theirs.pk}/").status_code == 404


def test_api_list_query_count_does_not_grow_with_rows(agent, django_assert_max_num_queries):
    api = signed_in(agent, APIClient)
    do_create_app_password(agent, agent, "Un")
    with django_assert_max_num_queries(8) as small:
        api.get(API)
    for n in range(15):
        do_create_app_password(agent, agent, f"Appareil {n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        api.get(API)


# --- command line --------------------------------------------------------------------------------


def test_cli_prints_the_secret_once_on_standard_output(agent):
    out, err = StringIO(), StringIO()
    call_command("app-password", "Agnes.Martin@valmont.fr", name="Synchro", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert SECRET_RE.fullmatch(secret)
    assert "agnes.martin@valmont.fr" in err.getvalue()
    assert "plus jamais affiché" in err.getvalue()
    assert find_app_password(agent.email, secret).name == "Synchro"
    event = AuditEvent.objects.get(kind=EventKind.APP_PASSWORD_CREATED)
    assert event.actor is None and event.actor_label == "ligne de commande"
    assert event.organisation_id == agent.organisation_id


def test_cli_errors_are_clear_and_french(agent):
    with pytest.raises(CommandError, match="Aucune personne n'a l'adresse e-mail"):
        call_command("app-password", "nobody@valmont.fr", name="Synchro")
    call_command("app-password", agent.email, name="Synchro", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError, match="s'appelle déjà « Synchro »"):
        call_command("app-password", agent.email, name="Synchro")
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="est désactivé"):
        call_command("app-password", agent.email, name="Autre")
    assert AppPassword.objects.filter(user=agent).count() == 1


def test_the_entente_console_script_knows_the_command():
    script = Path(sys.executable).with_name("entente")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "entente"]
    result = subprocess.run(
        [*command, "app-password", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "--name" in result.stdout
    assert "une seule fois" in " ".join(result.stdout.split())
