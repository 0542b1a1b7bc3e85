"""Registering a provider checks its discovery document, with a French message for each fault."""

from __future__ import annotations

import socket

import pytest
from allauth.socialaccount.models import SocialApp
from django.core.exceptions import ValidationError

from entente.identity import oidc, services
from entente.identity.models import IdentityProvider
from entente.identity.tests.conftest import configure
from entente.identity.tests.oidc_servers import HOST, free_port

pytestmark = pytest.mark.django_db


def issuer_error(organisation, issuer: str) -> str:
    with pytest.raises(ValidationError) as raised:
        configure(organisation, issuer)
    assert not IdentityProvider.objects.exists(), "nothing saved"
    assert not SocialApp.objects.exists()
    return " ".join(raised.value.message_dict["issuer"])


def test_a_valid_provider_is_saved_with_its_allauth_app(org, provider_a):
    provider = configure(org, provider_a.issuer + "/")

    assert provider.provider_id == "org-valmont"
    assert provider.issuer == provider_a.issuer, "stored without the trailing slash"
    assert provider.metadata["jwks_uri"] == provider_a.issuer + "/jwks"
    assert provider.end_session_endpoint == provider_a.issuer + "/oauth2/end_session"
    assert provider.checked_at is not None
    app = SocialApp.objects.get(provider="openid_connect", provider_id="org-valmont")
    assert app.client_id == "entente-valmont" and app.secret == "secret-valmont-s3cr3t"
    assert app.settings["server_url"] == provider_a.issuer
    assert app.settings["scope"] == ["openid", "email", "profile"]
    assert app.settings["kind"] == "keycloak"


def test_an_unreachable_provider(org):
    port = free_port()  # nobody listens there
    message = issuer_error(org, f"http://{HOST}:{port}")
    assert "injoignable" in message and "/.well-known/openid-configuration" in message


def test_a_provider_that_never_answers(org, monkeypatch):
    monkeypatch.setattr(oidc, "TIMEOUT_SECONDS", 0.5)
    with socket.socket() as silent:
        silent.bind((HOST, 0))
        silent.listen(1)
        message = issuer_error(org, f"http://{HOST}:{silent.getsockname()[1]}")
    assert "ne répond pas dans le délai" in message


def test_an_unknown_host(org):
    assert "introuvable" in issuer_error(org, "https://fournisseur.invalid")


def test_plain_http_is_refused_outside_development(org, provider_a, settings):
    settings.DEBUG = False
    settings.TESTING = False
    assert "https://" in issuer_error(org, provider_a.issuer)


def test_the_metadata_service_of_a_cloud_is_refused(org):
    assert "réseau interdit" in issuer_error(org, "https://169.254.169.254/latest")


def test_the_loopback_is_refused_over_https_outside_development(org, settings):
    settings.DEBUG = False
    settings.TESTING = False
    assert "réseau interdit" in issuer_error(org, "https://127.0.0.1:8443")


def test_credentials_in_the_address_are_refused(org):
    assert "identifiant" in issuer_error(org, "https://user:pw@idp.example")


def test_a_page_that_is_not_a_configuration(org, proconnect):
    message = issuer_error(org, proconnect.issuer + "/html")
    assert "ne renvoie pas une configuration OpenID Connect" in message


def test_a_configuration_for_another_issuer(org, proconnect):
    message = issuer_error(org, proconnect.issuer + "/wrong-issuer")
    assert "se présente comme « https://someone-else.example »" in message


def test_an_incomplete_configuration(org, proconnect):
    assert "il manque jwks_uri" in issuer_error(org, proconnect.issuer + "/incomplete")


def test_a_missing_configuration(org, provider_a):
    assert "erreur HTTP 404" in issuer_error(org, provider_a.issuer + "/nulle-part")


def test_a_first_registration_needs_the_secret(org, provider_a):
    with pytest.raises(ValidationError) as raised:
        configure(org, provider_a.issuer, client_secret="")
    assert "secret client" in raised.value.message_dict["client_secret"][0]


def test_switching_off_removes_the_allauth_app_and_on_again_restores_it(org, provider_a, org_admin):
    provider = configure(org, provider_a.issuer)
    services.do_set_enabled(org_admin, provider, False)
    assert not SocialApp.objects.exists()
    services.do_set_enabled(org_admin, provider, True)
    assert SocialApp.objects.get().provider_id == "org-valmont"


def test_pkce_and_client_authentication_follow_the_discovery(org, proconnect):
    configure(org, proconnect.issuer)
    settings = SocialApp.objects.get().settings
    assert settings["token_auth_method"] == "client_secret_post"
    assert settings["oauth_pkce_enabled"] is False
