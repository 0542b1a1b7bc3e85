"""Second factor and sessions in a real browser, every page audited by axe-core.

An authenticator app (codes computed with allauth's own TOTP helpers), a security key
(Chromium's virtual authenticator, driven through the DevTools protocol), the enrolment that
policy imposes, the sessions page and an administrator's forced sign-out.

WebAuthn refuses IP addresses as relying-party ids: these tests reach the live server as
``http://localhost:<port>`` (a secure context, like any https origin).
"""

import time
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from entente.accounts.tests.factories import TEST_PASSWORD, OrgAdminFactory, UserFactory

pytestmark = pytest.mark.e2e

LOGIN = "/compte/login/"
ENROL = "/compte/securite/double-authentification/"
AUTHENTICATE = "/compte/2fa/authenticate/"
RECOVERY_CODES = "/compte/2fa/recovery-codes/"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


class _Localhost:
    """pytest-django's live server, named ``localhost`` instead of ``127.0.0.1``."""

    def __init__(self, server) -> None:
        self._server = server

    @property
    def url(self) -> str:
        return self._server.url.replace("127.0.0.1", "localhost")

    def __getattr__(self, name):
        return getattr(self._server, name)

    def __str__(self) -> str:
        return self.url


@pytest.fixture
def live_server(live_server):
    return _Localhost(live_server)


def path_is(expected: str):
    return lambda url: urlsplit(url).path == expected


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in_with_password(page, visit, audit, person) -> None:
    """The real sign-in form; lands (audited) wherever the platform sends the person next."""
    visit(LOGIN)
    page.get_by_label("Adresse e-mail").fill(person.email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: urlsplit(url).path != LOGIN)
    audit()


def sign_out(page, audit) -> None:
    page.locator("summary.account-menu__summary").click()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(path_is(LOGIN))
    audit()


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def virtual_security_key(page) -> tuple:
    """A platform authenticator (fingerprint-like) that says yes to every request."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return cdp, added["authenticatorId"]


def test_an_admin_enrols_an_authenticator_app_then_signs_in_with_a_code(page, visit, audit, org):
    admin = OrgAdminFactory(organisation=org, first_name="Marc", second_factor=False)
    sign_in_with_password(page, visit, audit, admin)
    assert urlsplit(page.url).path == ENROL, "a new admin is led to enrolment first"
    assert heading(page) == "Protégez votre compte"
    assert "Vous administrez votre organisation" in page.locator("main").inner_text()

    visit("/annuaire/")
    assert urlsplit(page.url).path == ENROL, "nothing else opens before enrolment"

    page.get_by_role("link", name="Une application sur votre téléphone").click()
    page.wait_for_url(path_is("/compte/2fa/totp/activate/"))
    audit()
    secret_box = page.locator("#totp-secret")
    secret = secret_box.get_attribute("data-secret")
    assert secret_box.inner_text().replace(" ", "") == secret, "the key is written out too"
    assert page.get_by_role("img", name="QR code").is_visible()

    page.get_by_label("Code à 6 chiffres").fill(totp_code(secret))
    page.get_by_role("button", name="Activer").click()
    page.wait_for_url(path_is(RECOVERY_CODES))
    audit()
    assert page.locator("#recovery-codes li").count() == 10
    assert page.get_by_role("button", name="Imprimer les codes").is_visible()
    assert page.get_by_role("link", name="Télécharger (fichier texte)").is_visible()
    page.get_by_role("link", name="C'est noté, continuer vers l'accueil").click()
    page.wait_for_url(path_is("/"))
    audit()

    visit("/compte/2fa/")
    assert "Votre compte est protégé" in page.locator("main").inner_text()
    sign_out(page, audit)

    sign_in_with_password(page, visit, audit, admin)
    assert urlsplit(page.url).path == AUTHENTICATE
    assert heading(page) == "Vérification en deux étapes"
    page.get_by_label("Code de votre application ou code de secours").fill("000000")
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state()
    audit()
    assert "Ce code ne convient pas" in page.locator("main").inner_text()
    page.get_by_label("Code de votre application ou code de secours").fill(totp_code(secret))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(path_is("/"))
    audit()
    assert heading(page) == "Bonjour Marc"


def test_a_guest_adds_a_security_key_then_signs_in_with_it(page, visit, audit):
    guest = UserFactory(organisation=None, status="guest", second_factor=False)
    virtual_security_key(page)
    sign_in_with_password(page, visit, audit, guest)
    assert urlsplit(page.url).path == ENROL

    page.get_by_role("link", name="Une clé de sécurité").click()
    page.wait_for_url(path_is("/compte/2fa/webauthn/add/"))
    audit()
    page.get_by_label("Nom de la clé").fill("Empreinte du portable")
    page.get_by_role("button", name="Ajouter la clé").click()
    page.wait_for_url(path_is(RECOVERY_CODES))
    audit()
    assert "Clé de sécurité ajoutée" in page.locator(".messages").inner_text()

    visit("/compte/2fa/webauthn/")
    assert page.get_by_role("rowheader", name="Empreinte du portable").is_visible()
    page.get_by_role("link", name="Retirer Empreinte du portable").click()
    page.wait_for_load_state()
    audit()
    assert urlsplit(page.url).path == "/compte/2fa/webauthn/", "the only key stays"
    assert "Vous ne pouvez pas retirer votre dernière méthode" in page.locator("main").inner_text()
    sign_out(page, audit)

    sign_in_with_password(page, visit, audit, guest)
    assert urlsplit(page.url).path == AUTHENTICATE
    page.get_by_role("button", name="Utiliser ma clé de sécurité").click()
    page.wait_for_url(path_is("/"))
    audit()
    assert urlsplit(page.url).path == "/"


def test_the_security_pages_of_an_enrolled_admin(page, sign_in_as, visit, audit, org_admin):
    sign_in_as(org_admin, next_url="/compte/2fa/")
    visit("/compte/2fa/totp/deactivate/")
    assert urlsplit(page.url).path == "/compte/reauthenticate/", "confirm access first"
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(path_is("/compte/2fa/totp/deactivate/"))
    audit()
    assert "Vous ne pouvez pas retirer votre dernière méthode" in page.locator("main").inner_text()

    visit(RECOVERY_CODES + "generate/")
    page.get_by_role("button", name="Générer de nouveaux codes").click()
    page.wait_for_url(path_is(RECOVERY_CODES))
    audit()
    assert page.locator("#recovery-codes li").count() == 10

    # a security key beside the app: it can be renamed, and removed (the app remains)
    virtual_security_key(page)
    visit("/compte/2fa/webauthn/")
    page.get_by_role("link", name="Ajouter une clé de sécurité").click()
    page.wait_for_url(path_is("/compte/2fa/webauthn/add/"))
    audit()
    page.get_by_role("button", name="Ajouter la clé").click()
    page.wait_for_url(path_is("/compte/2fa/"))
    audit()
    visit("/compte/2fa/webauthn/")
    page.get_by_role("link", name="Renommer Ma clé de sécurité").click()
    page.wait_for_url(lambda url: url.endswith("/edit/"))
    audit()
    page.get_by_label("Nom de la clé").fill("Clé bleue")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(path_is("/compte/2fa/webauthn/"))
    audit()
    page.get_by_role("link", name="Retirer Clé bleue").click()
    page.wait_for_url(lambda url: url.endswith("/remove/"))
    audit()
    page.get_by_role("button", name="Retirer la clé").click()
    page.wait_for_url(path_is("/compte/2fa/webauthn/"))
    audit()
    assert "Clé de sécurité retirée" in page.locator(".messages").inner_text()
    assert page.get_by_role("rowheader").count() == 0
    visit("/compte/2fa/reauthenticate/")
    visit(ENROL)  # already enrolled: back to the overview
    assert urlsplit(page.url).path == "/compte/2fa/"


def test_a_person_closes_a_session_and_an_admin_signs_someone_out(
    browser, page, sign_in_as, visit, audit, live_server, org, org_admin
):
    agent = UserFactory(organisation=org, first_name="Agnès")
    phone = browser.new_context(base_url=live_server.url, locale="fr-FR", user_agent=IPHONE)
    try:
        other = phone.new_page()
        other.goto(LOGIN)
        other.get_by_label("Adresse e-mail").fill(agent.email)
        other.get_by_label("Mot de passe").fill(TEST_PASSWORD)
        other.get_by_role("button", name="Se connecter").click()
        other.wait_for_url(lambda url: urlsplit(url).path == "/")

        sign_in_with_password(page, visit, audit, agent)
        visit("/compte/sessions/")
        main = page.locator("main").inner_text()
        assert "Safari sur un iPhone" in main and "cette session" in main
        page.get_by_role("button", name="Fermer cette session").click()
        page.wait_for_url(path_is("/compte/sessions/"))
        audit()
        assert "Safari sur un iPhone est fermée" in page.locator(".messages").inner_text()
        other.goto("/")
        assert urlsplit(other.url).path == LOGIN, "the phone must sign in again"

        other.get_by_label("Adresse e-mail").fill(agent.email)
        other.get_by_label("Mot de passe").fill(TEST_PASSWORD)
        other.get_by_role("button", name="Se connecter").click()
        other.wait_for_url(lambda url: urlsplit(url).path == "/")
        sign_out(page, audit)

        sign_in_as(org_admin, next_url=f"/admin-org/personnes/{agent.pk}/")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Déconnecter de tous les appareils").click()
        page.wait_for_load_state()
        audit()
        assert "déconnecté·e de tous ses appareils" in page.locator(".messages").inner_text()
        other.goto("/")
        assert urlsplit(other.url).path == LOGIN
    finally:
        phone.close()
