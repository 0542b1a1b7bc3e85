"""Signing in, out and resetting a password in a real browser, through the real forms."""

import re
from urllib.parse import urlsplit

import pytest

from entente.accounts.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.e2e

LOGIN = "/compte/login/"


def path_is(expected: str):
    return lambda url: urlsplit(url).path == expected


def focused(page) -> dict:
    return page.evaluate(
        """() => {
          const el = document.activeElement;
          return {tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name"),
                  text: (el.textContent || "").trim()};
        }"""
    )


def test_sign_in_with_the_keyboard_only(page, visit, audit, agent):
    visit(LOGIN)

    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Aller au contenu", "the first Tab must reach the skip link"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "contenu", "the skip link must move the focus to the content"

    page.keyboard.press("Tab")
    assert focused(page)["name"] == "login", "after the skip link, Tab reaches the e-mail field"
    page.keyboard.type(agent.email)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")

    page.wait_for_url(path_is("/"))
    audit()
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Agnès"


def _sign_in_error(page, visit, audit, email: str) -> str:
    visit(LOGIN)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill("ce n'est pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    audit()
    assert urlsplit(page.url).path == LOGIN, "a failed sign-in stays on the sign-in page"
    return page.get_by_role("alert").inner_text().strip()


def test_a_wrong_password_gets_a_generic_french_error(page, visit, audit, agent):
    wrong_password = _sign_in_error(page, visit, audit, agent.email)
    unknown_account = _sign_in_error(page, visit, audit, "personne@valmont.fr")

    assert wrong_password == unknown_account, "the message must not tell whether the account exists"
    assert "mot de passe" in wrong_password.lower()
    assert not re.search(r"existe|inconnu|aucun compte|introuvable", wrong_password, re.I)
    assert page.locator("html").get_attribute("lang") == "fr"


def test_sign_out_from_the_account_menu(page, sign_in_as, visit, audit, agent):
    sign_in_as(agent)

    page.locator("summary.account-menu__summary").click()
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(path_is(LOGIN))
    audit()

    visit("/")
    assert urlsplit(page.url).path == LOGIN, "once signed out, the home page asks to sign in"
    assert page.get_by_role("heading", level=1).inner_text() == "Connexion"


def test_password_reset_by_e_mail_then_sign_in(page, visit, audit, agent, mailoutbox):
    visit(LOGIN)
    page.get_by_role("link", name="Mot de passe oublié ou première connexion ?").click()
    page.wait_for_url(path_is("/compte/password/reset/"))
    audit()
    assert page.get_by_role("heading", level=1).inner_text() == "Mot de passe oublié"

    page.get_by_label("Adresse e-mail").fill(agent.email)
    page.get_by_role("button", name="Recevoir le lien").click()
    page.wait_for_url(path_is("/compte/password/reset/done/"))
    audit()

    assert len(mailoutbox) == 1
    link = re.search(r"https?://\S+/compte/password/reset/key/\S+/", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    visit(urlsplit(link.group(0)).path)
    new_password = "une phrase de passe toute neuve"
    new_password_fields = page.get_by_label(re.compile(r"^Nouveau mot de passe"))
    assert new_password_fields.count() == 2, "the new password and its confirmation"
    new_password_fields.nth(0).fill(new_password)
    new_password_fields.nth(1).fill(new_password)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.wait_for_url(path_is("/compte/password/reset/key/done/"))
    audit()

    visit(LOGIN)
    page.get_by_label("Adresse e-mail").fill(agent.email)
    page.get_by_label("Mot de passe").fill(new_password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(path_is("/"))
    audit()
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Agnès"


def test_an_unknown_address_gets_the_same_reset_answer(page, visit, audit, mailoutbox):
    visit("/compte/password/reset/")
    page.get_by_label("Adresse e-mail").fill("personne@valmont.fr")
    page.get_by_role("button", name="Recevoir le lien").click()
    page.wait_for_url(path_is("/compte/password/reset/done/"))
    audit()
    assert mailoutbox == []
