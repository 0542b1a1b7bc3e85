"""Single sign-on in a real browser, through real OpenID Connect providers on 127.0.0.1.

Two organisations, two providers at once (``oidc-provider-mock``, each in its own process),
plus a ProConnect-like provider (signed JWT userinfo, acr) in a thread: people type their
e-mail on the sign-in page, are sent to their organisation's provider, come back signed in
(created just in time with the claims mapped), and sign out at the provider too.

The providers' own pages are not the platform's: the tab's watch (e2e/conftest.py) is told
to forget the requests and navigations to their origins before each audit, so everything
else is still checked (no foreign request from our pages, axe-core, CSP, script errors).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from entente.accounts.models import User
from entente.accounts.tests.factories import OrgAdminFactory
from entente.directory.tests.factories import ServiceFactory
from entente.identity.models import IdentityProvider, ProviderKind
from entente.identity.tests.conftest import configure
from entente.identity.tests.oidc_servers import MockProvider, ProConnectLikeProvider
from entente.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.e2e

LOGIN = "/compte/login/"
MOCK_CDN = "https://cdn.jsdelivr.net/"


@pytest.fixture(scope="module")
def provider_a():
    server = MockProvider()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def provider_b():
    server = MockProvider()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proconnect():
    server = ProConnectLikeProvider()
    yield server
    server.stop()


def path_is(expected: str):
    return lambda url: urlsplit(url).path == expected


def at(origin: str):
    return lambda url: url.startswith(origin)


@pytest.fixture
def watch(request, page):
    """The tab's watch kept by e2e/conftest.py (found among pytest's plugins)."""
    for plugin in request.config.pluginmanager.get_plugins():
        watches = getattr(plugin, "_WATCHES", None)
        if isinstance(watches, dict) and id(page) in watches:
            return watches[id(page)]
    pytest.fail("the e2e watch of this tab was not found")


@pytest.fixture
def forget(watch):
    """Drop what the tab did on other origins (an identity provider's pages), or on our own
    transient relay pages (audited on their own in ``test_relay_and_error_pages``)."""

    def _forget(*prefixes: str) -> None:
        prefixes = (*prefixes, MOCK_CDN)  # the stylesheet of oidc-provider-mock's pages
        watch.foreign_requests[:] = [
            u for u in watch.foreign_requests if not u.startswith(prefixes)
        ]
        watch.failed_subresources[:] = [
            u for u in watch.failed_subresources if not u.split(" ", 1)[-1].startswith(prefixes)
        ]
        watch.navigated[:] = [u for u in watch.navigated if not u.startswith(prefixes)]

    return _forget


@pytest.fixture
def no_cdn(page):
    """oidc-provider-mock's pages load a stylesheet from a CDN: there is no Internet here."""
    page.route(re.compile(r"^https://cdn\.jsdelivr\.net/"), lambda route: route.abort())


def sso_claims(email: str, first: str, last: str, department: str, job: str) -> dict:
    return {
        "email": email,
        "email_verified": True,
        "given_name": first,
        "family_name": last,
        "department": department,
        "job_title": job,
    }


def type_email_and_continue(page, email: str) -> None:
    page.get_by_label("Adresse e-mail").fill(email)
    notice = page.locator("#sso-notice")
    assert "service de connexion" in notice.inner_text(), "the page says where it will go"
    assert page.locator("#password-step").is_hidden(), "no password for this organisation"
    page.get_by_role("button", name="Continuer").click()


def test_two_organisations_sign_in_through_two_providers(
    page, visit, audit, forget, no_cdn, live_server, org, other_org, provider_a, provider_b
):
    ServiceFactory(organisation=org, name="Urbanisme")
    ServiceFactory(organisation=other_org, name="Voirie")
    configure(org, provider_a.issuer, name="Connexion Valmont")
    configure(other_org, provider_b.issuer, name="Connexion Métropole")
    provider_a.set_user(
        "valmont-17",
        sso_claims("alice.moreau@valmont.fr", "Alice", "Moreau", "Urbanisme", "Instructrice"),
    )
    provider_b.set_user(
        "lac-42",
        sso_claims("bernard.roux@metropole-lac.fr", "Bernard", "Roux", "Voirie", "Chef d'équipe"),
    )
    site = live_server.url

    # Alice, of the commune, through the commune's provider
    visit(LOGIN)
    type_email_and_continue(page, "alice.moreau@valmont.fr")
    page.wait_for_url(at(provider_a.issuer))
    page.locator('input[name="sub"]').first.fill("valmont-17")
    page.get_by_role("button", name="Authorize").first.click()
    page.wait_for_url(path_is("/"))
    forget(provider_a.issuer)
    audit()
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Alice"
    assert page.locator(".account-menu__org").inner_text() == "Commune de Valmont"
    alice = User.objects.get(email="alice.moreau@valmont.fr")
    assert (alice.organisation, alice.last_name, alice.job_title) == (org, "Moreau", "Instructrice")
    assert alice.service.name == "Urbanisme"

    # she signs out: of the platform, then of her provider (id_token_hint), and back here
    page.locator("summary.account-menu__summary").click()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(at(provider_a.issuer))
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(path_is(LOGIN))
    forget(
        provider_a.issuer, f"{site}/compte/sso/fin-de-session/", f"{site}/compte/sso/deconnexion/"
    )
    audit()

    # Bernard, of the metropolis, through the metropolis's provider, in the same browser
    type_email_and_continue(page, "bernard.roux@metropole-lac.fr")
    page.wait_for_url(at(provider_b.issuer))
    page.locator('input[name="sub"]').first.fill("lac-42")
    page.get_by_role("button", name="Authorize").first.click()
    page.wait_for_url(path_is("/"))
    forget(provider_b.issuer)
    audit()
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Bernard"
    assert page.locator(".account-menu__org").inner_text() == "Métropole du Lac"
    bernard = User.objects.get(email="bernard.roux@metropole-lac.fr")
    assert (bernard.organisation, bernard.service.name) == (other_org, "Voirie")
    assert bernard.socialaccount_set.get().uid == "lac-42"


def test_a_proconnect_agent_signs_in_and_out(page, visit, audit, forget, live_server, proconnect):
    city = OrganisationFactory(name="Ville de Rivebelle", slug="rivebelle", kind="city")
    configure(
        city,
        proconnect.issuer,
        kind=ProviderKind.PROCONNECT,
        name="ProConnect",
        scopes="openid email given_name usual_name uid",
        acr_values="eidas1",
        claim_service="",
        claim_job_title="",
    )
    proconnect.users["pc-rivebelle-1"] = {
        "email": "chloe.lambert@rivebelle.fr",
        "given_name": "Chloé",
        "usual_name": "Lambert",
    }

    visit(LOGIN)
    type_email_and_continue(page, "chloe.lambert@rivebelle.fr")
    page.wait_for_url(at(proconnect.issuer))
    assert proconnect.authorization_requests[-1]["acr_values"] == "eidas1"
    page.get_by_label("Identifiant (sub)").fill("pc-rivebelle-1")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(path_is("/"))
    forget(proconnect.issuer)
    audit()
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Chloé"
    assert User.objects.get(email="chloe.lambert@rivebelle.fr").last_name == "Lambert"

    page.locator("summary.account-menu__summary").click()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(path_is(LOGIN))
    site = live_server.url
    forget(
        proconnect.issuer, f"{site}/compte/sso/fin-de-session/", f"{site}/compte/sso/deconnexion/"
    )
    audit()
    hint = proconnect.end_session_requests[-1]
    assert hint["id_token_hint"].count(".") == 2, "the id_token of the session, as a hint"
    assert hint["post_logout_redirect_uri"] == f"{site}/compte/sso/deconnexion/"


def test_an_admin_registers_the_provider_in_the_console(
    page, sign_in_as, audit, org, provider_a, live_server
):
    admin = OrgAdminFactory(organisation=org, first_name="Marc", email="marc@valmont.fr")
    sign_in_as(admin, "/admin-org/connexion/")
    assert f"{live_server.url}/compte/sso/org-valmont/callback/" in page.content()

    page.get_by_label("Keycloak").check()
    page.get_by_label("Nom affiché").fill("Connexion Valmont")
    page.get_by_label("Adresse de l'émetteur").fill(provider_a.issuer)
    page.get_by_label("Identifiant client (client_id)").fill("entente")
    page.get_by_label("Secret client (client_secret)").fill("un-secret-tres-long")
    page.get_by_role("button", name="Tester la configuration du fournisseur").click()
    page.wait_for_selector("#test-result")
    audit()
    assert "configuration est valide" in page.locator("#test-result").inner_text()

    page.get_by_label("Secret client (client_secret)").fill("un-secret-tres-long")
    page.get_by_label("Activé").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector(".messages")
    audit()
    assert "enregistré et activé" in page.locator(".messages").inner_text()
    assert "un-secret-tres-long" not in page.content()
    assert page.get_by_role("link", name="Connexion (SSO)").get_attribute("aria-current") == "page"
    assert IdentityProvider.objects.get(organisation=org).is_enabled


def test_relay_and_error_pages(page, visit, audit, forget, org, provider_a):
    configure(org, provider_a.issuer, name="Connexion Valmont")
    # the page that moves on to the provider, held in place (a 204 answer keeps the page)
    page.route(f"{provider_a.issuer}/**", lambda route: route.fulfill(status=204))
    visit(LOGIN)
    # the relay page moves on to the provider by itself: wait for that request before
    # forgetting it (on a loaded machine it can come after the page is drawn)
    with page.expect_request(lambda request: request.url.startswith(provider_a.issuer)):
        type_email_and_continue(page, "alice@valmont.fr")
        page.wait_for_selector("#continue-link")
    forget(provider_a.issuer)
    audit()
    assert "Connexion Valmont" in page.locator("main").inner_text()

    # an answer that matches no sign-in in progress
    visit("/compte/sso/org-valmont/callback/?code=x&state=inconnu", status=401)
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion impossible"
    assert page.get_by_role("alert").inner_text().strip()


def test_the_password_step_stays_for_other_addresses(page, visit, audit, agent, org, provider_a):
    configure(org, provider_a.issuer)  # valmont.fr now has a provider
    visit(LOGIN)
    page.get_by_label("Adresse e-mail").fill("quelquun@ailleurs.example")
    assert page.locator("#password-step").is_visible()
    assert page.get_by_role("button", name="Se connecter").is_visible()
    page.get_by_label("Adresse e-mail").fill(agent.email)
    assert page.locator("#password-step").is_hidden()
    page.get_by_role("button", name="Me connecter plutôt avec mon mot de passe").click()
    assert page.get_by_label("Mot de passe").is_visible()
