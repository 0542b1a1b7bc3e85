"""The console page of an organisation's provider: who may open it, what it saves, what it hides."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialApp
from django.test import Client

from entente.audit.models import AuditEvent, EventKind
from entente.identity.models import IdentityProvider
from entente.identity.tests.conftest import configure, text_of

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"
PAGE = "/admin-org/connexion/"
SECRET = "tr3s-s3cret-ne-pas-afficher"


def signed_in(person) -> Client:
    client = Client()
    client.force_login(person, backend=BACKEND)
    return client


def form_data(issuer: str, **overrides) -> dict:
    return {
        "action": "save",
        "kind": "keycloak",
        "name": "Connexion Valmont",
        "issuer": issuer,
        "client_id": "entente",
        "client_secret": SECRET,
        "scopes": "openid email profile",
        "acr_values": "",
        "claim_first_name": "",
        "claim_last_name": "",
        "claim_email": "",
        "claim_service": "department",
        "claim_job_title": "",
        "allow_local_password": "on",
        "is_enabled": "on",
        **overrides,
    }


def test_the_console_links_the_page_for_admins(org_admin):
    body = signed_in(org_admin).get("/admin-org/").content.decode()
    assert f'href="{PAGE}"' in body and "Connexion (SSO)" in body


def test_an_admin_registers_the_provider_and_never_sees_the_secret_again(
    org, org_admin, provider_a
):
    client = signed_in(org_admin)
    page = client.get(PAGE)
    body = text_of(page)
    assert page.status_code == 200
    assert "http://testserver/compte/sso/org-valmont/callback/" in body, (
        "the redirect URI to declare"
    )
    assert "http://testserver/compte/sso/deconnexion/" in body

    response = client.post(PAGE, form_data(provider_a.issuer))

    assert response.status_code == 302 and response["Location"] == PAGE
    provider = IdentityProvider.objects.get(organisation=org)
    assert (provider.client_secret, provider.is_enabled, provider.claim_service) == (
        SECRET,
        True,
        "department",
    )
    assert SocialApp.objects.get(provider_id="org-valmont").secret == SECRET
    after = client.get(PAGE)
    assert SECRET not in after.content.decode()
    assert "Un secret est enregistré" in text_of(after)
    assert "Activée" in text_of(after)
    event = AuditEvent.objects.get(kind=EventKind.SSO_PROVIDER_UPDATED)
    assert "client_secret" in event.data["fields"] and SECRET not in str(event.data)
    assert event.actor == org_admin


def test_an_empty_secret_keeps_the_stored_one(org, org_admin, provider_a):
    client = signed_in(org_admin)
    client.post(PAGE, form_data(provider_a.issuer))
    client.post(PAGE, form_data(provider_a.issuer, client_secret="", name="Valmont SSO"))
    provider = IdentityProvider.objects.get(organisation=org)
    assert (provider.name, provider.client_secret) == ("Valmont SSO", SECRET)


def test_a_refused_form_does_not_echo_the_secret(org_admin):
    response = signed_in(org_admin).post(PAGE, form_data("https://fournisseur.invalid"))
    body = text_of(response)
    assert response.status_code == 200
    assert "introuvable" in body
    assert SECRET not in body
    assert not IdentityProvider.objects.exists()


def test_testing_the_configuration_saves_nothing(org_admin, provider_a):
    response = signed_in(org_admin).post(PAGE, form_data(provider_a.issuer, action="test"))
    body = text_of(response)
    assert "Le fournisseur répond et sa configuration est valide" in body
    assert provider_a.issuer + "/oauth2/authorize" in body
    assert not IdentityProvider.objects.exists()


def test_an_admin_switches_the_provider_off_without_calling_it(org, org_admin, provider_a):
    configure(org, provider_a.issuer)
    response = signed_in(org_admin).post(PAGE, {"action": "disable"})
    assert response.status_code == 302
    assert not IdentityProvider.objects.get().is_enabled
    assert not SocialApp.objects.exists()


def test_an_operator_configures_any_organisation(other_org, operator, provider_b):
    url = f"/admin-org/organisations/{other_org.slug}/connexion/"
    client = signed_in(operator)
    assert client.get(url).status_code == 200
    response = client.post(url, form_data(provider_b.issuer))
    assert response.status_code == 302
    assert IdentityProvider.objects.get().organisation == other_org
    assert AuditEvent.objects.get(kind=EventKind.SSO_PROVIDER_UPDATED).organisation == other_org


@pytest.mark.parametrize("who", ["agent", "other_admin", "guest"])
def test_others_get_nothing_and_change_nothing(request, org, provider_a, who):
    provider = configure(org, provider_a.issuer)
    person = request.getfixturevalue(who)
    client = signed_in(person)
    urls = [f"/admin-org/organisations/{org.slug}/connexion/"]
    if who == "agent":
        urls.append(PAGE)
    for url in urls:
        assert client.get(url).status_code in (403, 404), url
        response = client.post(url, form_data(provider_a.issuer, name="Piratée"))
        assert response.status_code in (403, 404), url
        assert client.post(url, {"action": "disable"}).status_code in (403, 404), url
    provider.refresh_from_db()
    assert provider.name != "Piratée" and provider.is_enabled


def test_another_admin_edits_only_their_own_organisation(org, other_org, other_admin, provider_a):
    configure(org, provider_a.issuer)
    signed_in(other_admin).post(PAGE, form_data(provider_a.issuer, name="Autre"))
    assert IdentityProvider.objects.get(organisation=org).name != "Autre"
    assert IdentityProvider.objects.get(organisation=other_org).name == "Autre"


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")


def test_the_secret_is_in_no_api_schema(operator):
    body = signed_in(operator).get("/api/schema/").content.decode()
    assert "client_secret" not in body
