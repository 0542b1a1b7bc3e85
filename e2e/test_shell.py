"""The shell in a real browser: home, navigation, account menu, error page, phone size, language."""

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.e2e

OPEN_SECTIONS = ["Agenda", "Documents", "Espaces", "Annuaire"]
PHONE = {"width": 375, "height": 740}


def path_is(expected: str):
    return lambda url: urlsplit(url).path == expected


def current_nav_items(page) -> list[str]:
    return page.locator(
        'nav[aria-label="Navigation principale"] [aria-current="page"]'
    ).all_inner_texts()


def test_home_greets_the_person_with_their_organisation(page, sign_in_as, agent):
    sign_in_as(agent)

    assert page.title() == "Accueil · Entente"
    assert page.get_by_role("heading", level=1).inner_text() == "Bonjour Agnès"
    assert "Commune de Valmont" in page.locator("main").inner_text()
    assert current_nav_items(page) == ["Accueil"]
    assert page.get_by_role("link", name="Administration").count() == 0


def test_home_is_marked_current_again_after_a_section(page, sign_in_as, audit, agent):
    sign_in_as(agent)
    nav = page.get_by_role("navigation", name="Navigation principale")
    nav.get_by_role("link", name="Annuaire", exact=True).click()
    page.wait_for_url(path_is("/annuaire/"))
    audit()
    assert page.get_by_role("heading", level=1).inner_text() == "Annuaire"
    assert current_nav_items(page) == ["Annuaire"], "only the open section is marked current"

    nav.get_by_role("link", name="Accueil", exact=True).click()
    page.wait_for_url(path_is("/"))
    audit()
    assert current_nav_items(page) == ["Accueil"]


def test_open_sections_are_reached_from_the_navigation(page, sign_in_as, audit, agent):
    sign_in_as(agent)
    nav = page.get_by_role("navigation", name="Navigation principale")
    for label in OPEN_SECTIONS:
        with page.expect_navigation():
            nav.get_by_role("link", name=label, exact=True).click()
        audit()
        assert current_nav_items(page) == [label]
        assert page.locator("main .badge", has_text="Bientôt").count() == 0


def test_admins_find_the_administration_in_the_navigation(page, sign_in_as, audit, org_admin):
    sign_in_as(org_admin)

    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Administration"
    ).click()
    page.wait_for_url(path_is("/admin-org/"))
    audit()
    assert current_nav_items(page) == ["Administration"]


def test_the_account_menu_opens_and_closes_with_the_keyboard(page, sign_in_as, audit, agent):
    sign_in_as(agent)
    menu = page.locator("details.account-menu")
    summary = menu.locator("summary")

    for _ in range(8):  # skip link, brand, search field and button, bell, then the menu
        page.keyboard.press("Tab")
        if summary.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the account menu is not reachable with Tab from the top of the page")

    assert menu.get_attribute("open") is None
    page.keyboard.press("Enter")
    assert menu.get_attribute("open") is not None, "Enter on the summary opens the menu"
    audit()  # the open menu too

    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.matches('.account-menu__panel a')"), (
        "Tab goes into the open menu, to its first link"
    )
    page.keyboard.press("Escape")
    assert menu.get_attribute("open") is None, "Escape closes the menu"
    assert summary.evaluate("el => el === document.activeElement"), "focus goes back to it"

    page.keyboard.press("Space")
    assert menu.get_attribute("open") is not None, "Space opens it too"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: urlsplit(url).path == "/compte/")
    audit()
    assert page.get_by_role("heading", level=1).is_visible()


def test_a_missing_page_is_a_styled_404(page, sign_in_as, visit, agent):
    sign_in_as(agent)

    visit("/nulle-part/", status=404)

    assert page.title() == "Page introuvable · Entente"
    assert "Cette page n'existe pas" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator("link[rel=stylesheet]").evaluate("link => link.sheet.cssRules.length") > 0
    assert (
        page.locator("main").evaluate("el => getComputedStyle(el).fontFamily") != "Times New Roman"
    )
    assert page.get_by_role("link", name="Revenir à l'accueil").is_visible()
    assert page.get_by_role("navigation", name="Navigation principale").is_visible()


def test_a_phone_sized_screen_has_no_horizontal_scroll(page, sign_in_as, visit, agent):
    page.set_viewport_size(PHONE)

    visit("/compte/login/")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]

    sign_in_as(agent)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.locator("summary.account-menu__summary").is_visible()


def test_the_language_can_be_switched_to_english_and_back(page, sign_in_as, audit, agent):
    sign_in_as(agent, next_url="/agenda/")

    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Changer").click()
    page.wait_for_load_state()
    audit()
    assert urlsplit(page.url).path == "/agenda/", "the switch keeps the person on the same page"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("#language-select").input_value() == "en"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Calendar")

    page.locator("#language-select").select_option("fr")
    page.locator(".language-form button").click()
    page.wait_for_load_state()
    audit()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Agenda")
