"""Public links in a real browser: the owner makes an expiring, password-protected read link
from the « Liens publics » panel; someone without an account opens it in a fresh browser,
types the password and downloads; an upload link receives a file. Every page is audited."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from entente.drive import services
from entente.drive.models import LinkKind, Node, PublicLink
from entente.drive.tests.factories import make_file, make_folder, root_of

pytestmark = pytest.mark.e2e

PASSWORD = "Parc-des-Saules-2025"


def _harness(request):
    """The e2e conftest module (its Watch registry and audit), found among the plugins."""
    for plugin in request.config.pluginmanager.get_plugins():
        if str(getattr(plugin, "__file__", "")).endswith("e2e/conftest.py"):
            return plugin
    raise AssertionError("e2e/conftest.py is not loaded")


@pytest.fixture
def stranger(request, browser, live_server, axe_source) -> Iterator:
    """A tab in a fresh browser context (no cookie, no session), audited like `page`."""
    harness = _harness(request)
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport=harness.DESKTOP,
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    context.add_init_script(harness.CSP_LISTENER)
    tab = context.new_page()
    watch = harness.Watch(origin=live_server.url.rstrip("/"))
    tab.on("request", watch.on_request)
    tab.on("response", watch.on_response)
    tab.on("console", watch.on_console)
    tab.on("pageerror", watch.on_page_error)
    tab.on("framenavigated", lambda frame: watch.on_navigated(tab, frame))
    harness._WATCHES[id(tab)] = watch
    tab.audit = lambda: harness.run_audit(tab, axe_source)
    try:
        yield tab
        never = sorted({url for url in watch.navigated if url != "about:blank"} - watch.audited)
        assert not never, f"pages visited without an accessibility audit: {never}"
    finally:
        harness._WATCHES.pop(id(tab), None)
        context.close()


def test_owner_makes_a_protected_link_and_a_stranger_downloads(
    page, sign_in_as, audit, stranger, agent
):
    folder = make_folder(agent, root_of(agent), "Projet parc")
    make_file(agent, folder, "plan.txt", b"Plan du parc des Saules\n")
    make_folder(agent, folder, "Annexes")
    make_file(agent, root_of(agent), "secret.txt", b"ailleurs")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    sign_in_as(agent, next_url=f"/documents/element/{folder.pk}/liens/")
    panel = page.get_by_role("region", name="Liens publics")
    assert "Aucun lien public actif." in panel.inner_text()
    until = timezone.localdate() + dt.timedelta(days=5)
    panel.get_by_label("Consultation et téléchargement").check()
    panel.get_by_label("Valable jusqu'au (inclus)").fill(until.isoformat())
    panel.get_by_label("Mot de passe (facultatif)").fill(PASSWORD)
    with page.expect_navigation():
        panel.get_by_role("button", name="Créer le lien").click()
    audit()
    assert "Le lien public de « Projet parc » est créé" in page.locator(".messages").inner_text()
    link = PublicLink.objects.get(node=folder)
    assert link.has_password and timezone.localdate(link.expires_at) == until

    address = page.get_by_label("Adresse du lien")
    url = address.input_value()
    assert url.endswith(f"/p/{link.token}/")
    page.get_by_role("button", name="Copier le lien").click()
    page.wait_for_function(
        f"""() => document.querySelector('[data-copy-status="lien-adresse-{link.pk}"]')
              .textContent.startsWith("Lien copié")"""
    )
    assert page.evaluate("() => navigator.clipboard.readText()") == url
    assert re.search(r"Mot de passe\s+oui", panel.inner_text())

    # someone without an account, in a browser that never saw the platform
    response = stranger.goto(urlsplit(url).path)
    assert response.status == 200
    assert response.headers["referrer-policy"] == "same-origin"
    stranger.audit()
    assert (
        stranger.get_by_role("heading", level=1).inner_text() == "Lien protégé par un mot de passe"
    )
    assert "Partagé par Commune de Valmont" in stranger.locator("header").inner_text()
    assert stranger.get_by_role("navigation", name="Navigation principale").count() == 0

    stranger.get_by_label("Mot de passe").fill("mauvais")
    with stranger.expect_navigation():
        stranger.get_by_role("button", name="Ouvrir").click()
    stranger.audit()
    assert "Mot de passe incorrect" in stranger.get_by_role("alert").inner_text()

    stranger.get_by_label("Mot de passe").fill(PASSWORD)
    with stranger.expect_navigation():
        stranger.get_by_role("button", name="Ouvrir").click()
    stranger.audit()
    main = stranger.locator("main").inner_text()
    assert "plan.txt" in main and "Annexes" in main and "secret.txt" not in main

    with stranger.expect_download() as info:
        stranger.get_by_role("link", name=re.compile("^Télécharger « plan.txt »")).click()
    download = info.value
    assert download.suggested_filename == "plan.txt"
    with open(download.path(), "rb") as handle:
        assert handle.read() == b"Plan du parc des Saules\n"
    link.refresh_from_db()
    assert link.download_count == 1

    with stranger.expect_navigation():
        stranger.get_by_role("link", name="Annexes").click()
    stranger.audit()
    assert stranger.get_by_role("heading", level=1).inner_text() == "Annexes"
    assert "Ce dossier est vide." in stranger.locator("main").inner_text()

    # the owner revokes it: the stranger's next visit finds it gone
    page.reload()
    audit()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Révoquer ce lien")).click()
    audit()
    assert "révoqué" in page.locator(".messages").inner_text()
    response = stranger.goto(urlsplit(url).path)
    assert response.status == 410
    stranger.audit()
    assert stranger.get_by_role("heading", level=1).inner_text() == "Ce lien ne fonctionne plus"


def test_an_upload_link_receives_a_file(stranger, agent, tmp_path):
    folder = make_folder(agent, root_of(agent), "Dépôt des associations")
    make_file(agent, folder, "budget.txt", b"confidentiel")
    link = services.create_link(
        agent, folder, kind=LinkKind.UPLOAD, expires_at=timezone.now() + dt.timedelta(days=3)
    )
    sent = tmp_path / "budget.txt"
    sent.write_bytes(b"Demande de subvention\n" * 1000)
    big = tmp_path / "photos.bin"
    big.write_bytes(b"\x00\x01" * (4 * 1024 * 1024 + 1000))  # two pieces of the protocol

    stranger.goto(f"/p/{link.token}/")
    stranger.audit()
    main = stranger.locator("main")
    assert stranger.get_by_role("heading", level=1).inner_text() == "Déposer des fichiers"
    assert "confidentiel" not in main.inner_text()
    assert "budget.txt" not in main.inner_text()

    stranger.get_by_label("Fichiers à déposer").set_input_files([str(sent), str(big)])
    form = stranger.locator("form[data-drop]")
    assert form.get_attribute("data-uploads-url") == f"/documents/depot/{link.token}/envois/"
    # resumable upload with a progress bar, without leaving the page
    stranger.get_by_role("button", name="Déposer", exact=True).click()
    stranger.wait_for_function(
        "() => document.querySelector('[data-drop-status]').textContent.includes('déposé')"
    )
    assert urlsplit(stranger.url).path == f"/p/{link.token}/"  # never left the page
    assert stranger.locator("progress").get_attribute("value") == "100"
    assert stranger.get_by_label("Progression du dépôt").is_visible()
    status = stranger.get_by_role("status").filter(has_text="déposés").inner_text()
    stranger.audit()
    assert "2 fichiers déposés : « budget.txt », « photos.bin »" in status
    assert "budget (2).txt" not in stranger.locator("main").inner_text()

    names = set(
        Node.objects.filter(parent=folder, deleted_at__isnull=True).values_list("name", flat=True)
    )
    assert names == {"budget.txt", "budget (2).txt", "photos.bin"}
    dropped = Node.objects.get(parent=folder, name="budget (2).txt")
    assert dropped.size == sent.stat().st_size
    assert Node.objects.get(parent=folder, name="photos.bin").size == big.stat().st_size
