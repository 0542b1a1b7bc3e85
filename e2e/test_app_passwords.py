"""App passwords in a real browser: create one, see it once, use it for the API, revoke it."""

import base64
import re
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.e2e

LIST = "/compte/mots-de-passe-application/"
SECRET_RE = re.compile(r"[a-z2-9]{4}(?:-[a-z2-9]{4}){5}")


def path_is(expected: str):
    return lambda url: urlsplit(url).path == expected


def api_status(base_url: str, email: str, secret: str) -> int:
    """Call the REST API as a script or a calendar client would: HTTP Basic, no cookie."""
    token = base64.b64encode(f"{email}:{secret}".encode()).decode()
    request = urllib.request.Request(
        f"{base_url}/api/v1/people/me/",
        headers={"Authorization": f"Basic {token}", "User-Agent": "Script de test/1.0"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_create_use_and_revoke_an_app_password(page, sign_in_as, audit, live_server, agent):
    sign_in_as(agent, next_url="/compte/")
    page.get_by_role("link", name="Mots de passe d'application").click()
    page.wait_for_url(path_is(LIST))
    audit()
    assert "Aucun mot de passe d'application pour l'instant" in page.locator("main").inner_text()

    page.locator("main").get_by_role("link", name="Créer un mot de passe d'application").click()
    page.wait_for_url(path_is(LIST + "nouveau/"))
    audit()
    page.get_by_label("Nom").fill("Agenda du téléphone")
    page.get_by_role("button", name="Créer le mot de passe").click()
    page.wait_for_load_state()
    audit()

    main = page.locator("main")
    assert "il ne sera plus jamais affiché" in main.inner_text()
    assert "utilisez votre adresse e-mail comme identifiant" in main.inner_text().lower()
    secret = page.get_by_label("Mot de passe d'application", exact=True).input_value()
    assert SECRET_RE.fullmatch(secret)
    assert page.get_by_label("Identifiant", exact=True).input_value() == agent.email

    assert api_status(live_server.url, agent.email, secret) == 200

    page.get_by_role("link", name="J'ai copié le mot de passe").click()
    page.wait_for_url(path_is(LIST))
    audit()
    table = page.locator("table.data")
    assert "Agenda du téléphone" in table.inner_text()
    assert "Script de test/1.0" in table.inner_text()  # the client that used it last
    assert secret not in page.content()  # shown once, never again

    table.get_by_role("link", name="Révoquer Agenda du téléphone").click()
    page.wait_for_url(lambda url: urlsplit(url).path.endswith("/revoquer/"))
    audit()
    page.get_by_role("button", name="Révoquer ce mot de passe").click()
    page.wait_for_url(path_is(LIST))
    audit()
    assert "est révoqué" in page.locator(".messages").inner_text()
    assert "Aucun mot de passe d'application pour l'instant" in page.locator("main").inner_text()

    assert api_status(live_server.url, agent.email, secret) == 401


def test_a_taken_name_is_explained_next_to_the_field(page, sign_in_as, audit, agent):
    from entente.accounts.app_passwords import do_create_app_password

    do_create_app_password(agent, agent, "Thunderbird")
    sign_in_as(agent, next_url=LIST + "nouveau/")
    page.get_by_label("Nom").fill("Thunderbird")
    page.get_by_role("button", name="Créer le mot de passe").click()
    page.wait_for_load_state()
    audit()
    assert "s'appelle déjà « Thunderbird »" in page.locator(".field__errors").inner_text()
    assert page.get_by_role("alert").is_visible()
