"""Signing in through an organisation's provider: two real providers, matched on ``sub``."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from entente.accounts.models import User
from entente.accounts.tests.factories import TEST_PASSWORD, UserFactory
from entente.audit.models import AuditEvent, EventKind
from entente.directory.models import Service
from entente.directory.tests.factories import ServiceFactory
from entente.identity.tests.conftest import (
    query_of,
    signed_in_user_id,
    sso_sign_in,
    start_sign_in,
    text_of,
)

pytestmark = pytest.mark.django_db


def claims(email: str, **extra) -> dict:
    return {
        "email": email,
        "email_verified": True,
        "given_name": "Alice",
        "family_name": "Moreau",
        **extra,
    }


def test_two_organisations_sign_in_through_their_own_providers(
    org, other_org, sso_a, sso_b, provider_a, provider_b
):
    ServiceFactory(organisation=org, name="Urbanisme")
    ServiceFactory(organisation=other_org, name="Voirie")
    provider_a.set_user(
        "a-001",
        claims("alice.moreau@valmont.fr", department="urbanisme", job_title="Instructrice ADS"),
    )
    provider_b.set_user(
        "b-001",
        claims(
            "bernard.roux@metropole-lac.fr",
            given_name="Bernard",
            family_name="Roux",
            department="Voirie",
            job_title="Chef d'équipe",
        ),
    )

    alice_client, bernard_client = Client(), Client()
    response = sso_sign_in(alice_client, provider_a, "alice.moreau@valmont.fr", "a-001")
    assert response.status_code == 302 and response["Location"] == "/"
    response = sso_sign_in(bernard_client, provider_b, "bernard.roux@metropole-lac.fr", "b-001")
    assert response.status_code == 302 and response["Location"] == "/"

    alice = User.objects.get(email="alice.moreau@valmont.fr")
    bernard = User.objects.get(email="bernard.roux@metropole-lac.fr")
    assert (alice.organisation, alice.first_name, alice.last_name) == (org, "Alice", "Moreau")
    assert (alice.service.name, alice.job_title) == ("Urbanisme", "Instructrice ADS")
    assert (bernard.organisation, bernard.service.name) == (other_org, "Voirie")
    assert not alice.has_usable_password()
    assert signed_in_user_id(alice_client) == alice.pk
    assert signed_in_user_id(bernard_client) == bernard.pk
    assert SocialAccount.objects.get(user=alice).provider == "org-valmont"
    assert SocialAccount.objects.get(user=alice).uid == "a-001"
    assert SocialAccount.objects.get(user=bernard).provider == "org-metropole-lac"
    home = alice_client.get("/").content.decode()
    assert "Bonjour Alice" in home and "Commune de Valmont" in home
    assert "Métropole du Lac" in bernard_client.get("/").content.decode()


def test_a_known_sub_signs_in_its_person_and_claims_update_the_card(org, sso_a, provider_a):
    provider_a.set_user("a-100", claims("alice.moreau@valmont.fr", job_title="Stagiaire"))
    sso_sign_in(Client(), provider_a, "alice.moreau@valmont.fr", "a-100")
    alice = User.objects.get(email="alice.moreau@valmont.fr")

    provider_a.set_user(
        "a-100",
        claims("alice.martin@valmont.fr", family_name="Martin", job_title="Instructrice"),
    )
    client = Client()
    sso_sign_in(client, provider_a, "alice.martin@valmont.fr", "a-100")

    alice.refresh_from_db()
    assert signed_in_user_id(client) == alice.pk, "matched on sub, not on the address"
    assert (alice.email, alice.last_name, alice.job_title) == (
        "alice.martin@valmont.fr",
        "Martin",
        "Instructrice",
    )
    assert User.objects.filter(organisation=org).count() == 2  # Alice and the admin


def test_same_address_with_another_sub_is_not_merged(org, sso_a, provider_a):
    provider_a.set_user("a-200", claims("alice.moreau@valmont.fr"))
    sso_sign_in(Client(), provider_a, "alice.moreau@valmont.fr", "a-200")
    alice = User.objects.get(email="alice.moreau@valmont.fr")

    provider_a.set_user("a-201", claims("alice.moreau@valmont.fr", given_name="Intruse"))
    client = Client()
    response = sso_sign_in(client, provider_a, "alice.moreau@valmont.fr", "a-201")

    assert response.status_code == 403
    assert "déjà relié à une autre identité" in text_of(response)
    assert signed_in_user_id(client) is None
    assert list(SocialAccount.objects.values_list("uid", flat=True)) == ["a-200"]
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_an_address_of_another_organisation_is_refused(org, other_org, sso_a, provider_a):
    provider_a.set_user("a-300", claims("bernard.petit@metropole-lac.fr"))
    client = Client()
    response = sso_sign_in(client, provider_a, "alice.moreau@valmont.fr", "a-300")

    body = text_of(response)
    assert response.status_code == 403
    assert "relève de Métropole du Lac" in body
    assert signed_in_user_id(client) is None
    assert not User.objects.filter(email="bernard.petit@metropole-lac.fr").exists()
    failure = AuditEvent.objects.get(kind=EventKind.LOGIN_FAILED)
    assert failure.data["reason"] == "sso:email_other_organisation"


def test_a_deactivated_person_cannot_sign_in_through_the_provider(org, sso_a, provider_a):
    provider_a.set_user("a-400", claims("alice.moreau@valmont.fr"))
    sso_sign_in(Client(), provider_a, "alice.moreau@valmont.fr", "a-400")
    alice = User.objects.get(email="alice.moreau@valmont.fr")
    alice.is_active = False
    alice.save(update_fields=["is_active"])

    client = Client()
    response = sso_sign_in(client, provider_a, "alice.moreau@valmont.fr", "a-400")

    assert response.status_code == 403
    assert "Votre compte est désactivé" in text_of(response)
    assert signed_in_user_id(client) is None


def test_a_deactivated_local_account_is_not_linked(org, agent, sso_a, provider_a):
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    provider_a.set_user("a-401", claims(agent.email))
    client = Client()
    response = sso_sign_in(client, provider_a, agent.email, "a-401")
    assert response.status_code == 403
    assert not SocialAccount.objects.exists()
    assert signed_in_user_id(client) is None


def test_an_existing_account_is_linked_only_with_a_verified_address(org, agent, sso_a, provider_a):
    provider_a.set_user("a-500", claims(agent.email, email_verified=False))
    client = Client()
    response = sso_sign_in(client, provider_a, agent.email, "a-500")
    assert response.status_code == 403
    assert "n'indique pas que cette adresse est vérifiée" in text_of(response)
    assert not SocialAccount.objects.exists()
    assert signed_in_user_id(client) is None

    provider_a.set_user("a-500", claims(agent.email, email_verified=True, given_name="Agnès"))
    response = sso_sign_in(client, provider_a, agent.email, "a-500")
    assert response.status_code == 302
    assert signed_in_user_id(client) == agent.pk
    account = SocialAccount.objects.get()
    assert (account.user_id, account.uid) == (agent.pk, "a-500")
    linked = AuditEvent.objects.get(kind=EventKind.SSO_LINKED)
    assert linked.data == {"provider": "org-valmont", "sub": "a-500", "created": False}
    assert AuditEvent.objects.filter(kind=EventKind.SSO_LOGIN, actor=agent).count() == 1


def test_an_organisation_may_trust_its_provider_addresses(org, agent, provider_a):
    from entente.identity.tests.conftest import configure

    configure(org, provider_a.issuer, trust_email=True)
    provider_a.set_user("a-501", {"email": agent.email})  # no email_verified claim at all
    client = Client()
    sso_sign_in(client, provider_a, agent.email, "a-501")
    assert signed_in_user_id(client) == agent.pk


def test_a_person_of_another_organisation_with_that_address_is_not_linked(
    org, sso_a, provider_a, guest
):
    provider_a.set_user("a-502", claims(guest.email))
    client = Client()
    response = sso_sign_in(client, provider_a, "x@valmont.fr", "a-502")
    assert response.status_code == 403
    assert "autre organisation ou d'une personne invitée" in text_of(response)
    assert not SocialAccount.objects.exists()


def test_services_are_matched_never_created(org, sso_a, provider_a):
    ServiceFactory(organisation=org, name="Urbanisme")
    before = Service.objects.count()
    provider_a.set_user("a-600", claims("alice.moreau@valmont.fr", department="Service inconnu"))
    sso_sign_in(Client(), provider_a, "alice.moreau@valmont.fr", "a-600")
    assert User.objects.get(email="alice.moreau@valmont.fr").service is None
    assert Service.objects.count() == before


def test_names_fall_back_on_the_address_when_claims_lack_them(org, sso_a, provider_a):
    provider_a.set_user("a-700", {"email": "jean-paul.dupont@valmont.fr"})
    sso_sign_in(Client(), provider_a, "jean-paul.dupont@valmont.fr", "a-700")
    person = User.objects.get(email="jean-paul.dupont@valmont.fr")
    assert (person.first_name, person.last_name) == ("Jean", "Paul Dupont")


def test_without_an_address_the_sign_in_is_refused(org, sso_a, provider_a):
    provider_a.set_user("a-701", {"given_name": "Sans"})
    client = Client()
    response = sso_sign_in(client, provider_a, "sans@valmont.fr", "a-701")
    assert response.status_code == 403
    assert "portée « email »" in text_of(response)
    assert not User.objects.filter(first_name="Sans").exists()


def test_sign_in_events_are_recorded(org, sso_a, provider_a):
    provider_a.set_user("a-800", claims("alice.moreau@valmont.fr"))
    sso_sign_in(Client(), provider_a, "alice.moreau@valmont.fr", "a-800")
    alice = User.objects.get(email="alice.moreau@valmont.fr")
    events = AuditEvent.objects.filter(organisation=org, actor=alice)
    kinds = set(events.values_list("kind", flat=True))
    assert {EventKind.SSO_LINKED, EventKind.SSO_LOGIN, EventKind.LOGIN} <= kinds
    login = events.get(kind=EventKind.SSO_LOGIN)
    assert login.data["provider"] == "org-valmont" and login.data["sub"] == "a-800"
    assert events.get(kind=EventKind.SSO_LINKED).data["created"] is True


# --- the e-mail-first page ---------------------------------------------------------------------


def test_an_address_of_an_organisation_with_a_provider_goes_there(client, org, sso_a, provider_a):
    url = start_sign_in(client, "Alice.Moreau@Valmont.fr")
    assert url.startswith(provider_a.issuer + "/oauth2/authorize?")
    params = query_of(url)
    assert params["login_hint"] == "alice.moreau@valmont.fr"
    assert params["client_id"] == "entente-valmont"
    assert params["redirect_uri"] == "http://testserver/compte/sso/org-valmont/callback/"
    assert len(params["nonce"]) >= 32 and params["state"]
    assert set(params["scope"].split()) == {"openid", "email", "profile"}
    assert "acr_values" not in params


def _without_csrf(body: str) -> str:
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_any_other_address_gets_the_password_step_without_revealing_accounts(client, agent):
    known = client.post("/compte/login/", {"login": agent.email, "step": "email"})
    unknown = client.post("/compte/login/", {"login": "personne@valmont.fr", "step": "email"})
    assert known.status_code == unknown.status_code == 200
    body = known.content.decode()
    assert 'role="alert"' not in body, "passing to the password step is not an error"
    assert 'name="password"' in body and 'name="step" value="password"' in body
    assert "autofocus" in body
    assert "disabled" not in body.split('name="password"')[1].split(">")[0]
    assert _without_csrf(body).replace(agent.email, "X") == _without_csrf(
        unknown.content.decode()
    ).replace("personne@valmont.fr", "X")
    assert signed_in_user_id(client) is None


def test_the_first_page_asks_for_the_address_only(client, org, sso_a):
    body = client.get("/compte/login/").content.decode()
    assert 'name="step" value="email"' in body
    password_input = body.split('name="password"')[1].split(">")[0]
    assert "disabled" in password_input, "without JavaScript the password is a second step"
    assert '<div id="password-step" hidden>' in body
    assert '"valmont.fr": {"organisation": "Commune de Valmont"' in body
    assert "identity/js/login.js" in body


def test_an_empty_password_at_the_password_step_is_an_error(client, agent):
    response = client.post("/compte/login/", {"login": agent.email, "step": "password"})
    body = text_of(response)
    assert 'role="alert"' in body and "Saisissez votre mot de passe" in body
    assert signed_in_user_id(client) is None


def test_a_local_password_still_works_when_the_organisation_allows_it(client, org, agent, sso_a):
    response = client.post("/compte/login/", {"login": agent.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert signed_in_user_id(client) == agent.pk


def test_a_local_password_is_not_checked_when_the_organisation_requires_its_provider(
    client, org, agent, provider_a
):
    from entente.identity.tests.conftest import REFRESH, configure

    configure(org, provider_a.issuer, allow_local_password=False)
    response = client.post("/compte/login/", {"login": agent.email, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert REFRESH.search(text_of(response)), "sent to the provider instead"
    assert signed_in_user_id(client) is None
    assert not AuditEvent.objects.filter(kind=EventKind.LOGIN_FAILED).exists()


def test_a_personal_address_of_a_provider_only_organisation_goes_to_its_provider(
    client, org, provider_a
):
    from entente.identity.tests.conftest import REFRESH, configure

    configure(org, provider_a.issuer, allow_local_password=False)
    elu = UserFactory(organisation=org, email="maire.valmont@perso.example", status="elu")
    response = client.post("/compte/login/", {"login": elu.email, "password": TEST_PASSWORD})
    match = REFRESH.search(text_of(response))
    assert match and match.group(1).startswith(provider_a.issuer)
    assert signed_in_user_id(client) is None


def test_a_disabled_provider_routes_nobody_and_its_callback_is_gone(client, org, sso_a, org_admin):
    from entente.identity import services

    services.do_set_enabled(org_admin, sso_a, False)
    response = client.post("/compte/login/", {"login": "alice@valmont.fr", "step": "email"})
    assert 'name="step" value="password"' in text_of(response)
    assert client.get("/compte/sso/org-valmont/callback/?code=x&state=y").status_code == 404
