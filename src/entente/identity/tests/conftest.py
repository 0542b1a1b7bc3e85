"""Fixtures of the single sign-on tests: real providers on 127.0.0.1 and configured organisations."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client

from entente.identity import services
from entente.identity.models import IdentityProvider, ProviderKind
from entente.identity.tests.oidc_servers import MockProvider, ProConnectLikeProvider

LOGIN = "/compte/login/"
REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]+)">')


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Discovery documents, signing keys and rate limits live in the cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def provider_a():
    server = MockProvider()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def provider_b():
    server = MockProvider()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def proconnect_server():
    server = ProConnectLikeProvider()
    yield server
    server.stop()


@pytest.fixture
def proconnect(proconnect_server):
    """The ProConnect-like provider, reset to its usual behaviour for each test."""
    proconnect_server.users.clear()
    proconnect_server.acr = "eidas1"
    proconnect_server.userinfo_as_jwt = True
    proconnect_server.sign_userinfo_with_unknown_key = False
    proconnect_server.authorization_requests.clear()
    proconnect_server.end_session_requests.clear()
    return proconnect_server


def configure(organisation, issuer: str, **fields) -> IdentityProvider:
    """Register ``organisation``'s provider through the service (with its discovery fetch)."""
    from entente.accounts.tests.factories import OrgAdminFactory

    admin = OrgAdminFactory(organisation=organisation)
    data = {
        "kind": ProviderKind.KEYCLOAK,
        "name": f"Connexion {organisation.name}"[:40],
        "issuer": issuer,
        "client_id": f"entente-{organisation.slug}",
        "client_secret": f"secret-{organisation.slug}-s3cr3t",
        "scopes": "openid email profile",
        "claim_service": "department",
        "claim_job_title": "job_title",
        "allow_local_password": True,
        "is_enabled": True,
        **fields,
    }
    return services.check_and_save_provider(admin, organisation, data)


@pytest.fixture
def sso_a(org, provider_a):
    return configure(org, provider_a.issuer)


@pytest.fixture
def sso_b(other_org, provider_b):
    return configure(other_org, provider_b.issuer)


def start_sign_in(client: Client, email: str) -> str:
    """Type the e-mail on the sign-in page; return the provider address the page moves on to."""
    response = client.post(LOGIN, {"login": email, "step": "email"})
    assert response.status_code == 200, response
    match = REFRESH.search(response.content.decode())
    assert match, "the sign-in page must move on to the provider"
    return html.unescape(match.group(1))


def finish_sign_in(client: Client, location: str):
    """The browser comes back from the provider to the platform's callback."""
    parts = urlsplit(location)
    assert parts.path.startswith("/compte/sso/") and parts.path.endswith("/callback/"), location
    return client.get(f"{parts.path}?{parts.query}")


def sso_sign_in(client: Client, server, email: str, sub: str):
    authorization_url = start_sign_in(client, email)
    return finish_sign_in(client, server.authorize(authorization_url, sub))


def query_of(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def signed_in_user_id(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def text_of(response) -> str:
    """The page as a person reads it (HTML entities decoded)."""
    return html.unescape(response.content.decode())
