"""Take the documentation screenshots from the real application loaded with the demo territory.

    .venv/bin/python docs/screenshots/capture.py
    .venv/bin/python docs/screenshots/capture.py recherche.png notifications.png   # only these

Starts its own server on a free port with a throw-away data directory, signs in through the
real sign-in pages (the demo's published password and authenticator key), and writes the PNG
files beside this script. Needs Debian's Chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PYTHON = sys.executable
PASSWORD = "entente-demo-2026"
TOTP_SECRET = "IVXHIZLOORSS2ZDFNVXS2MRQGI3CC4JR"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def totp_code() -> str:
    """The current 6-digit code of the demo key (RFC 6238, what any authenticator app shows)."""
    key = base64.b32decode(TOTP_SECRET)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


#: the last authenticator code each account signed in with
USED_CODES: dict[str, str] = {}


def sign_in(page, base: str, email: str, code: bool = False) -> None:
    page.goto(f"{base}/compte/login/")
    page.locator("#id_login").fill(email)
    if not page.locator("#id_password").is_visible():
        page.locator("#login-submit").click()
        page.locator("#id_password").wait_for(state="visible")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()
    if code:
        # a code is accepted once: wait for the next one if this account just used it
        while USED_CODES.get(email) == totp_code():
            time.sleep(1)
        USED_CODES[email] = totp_code()
        page.locator('input[name="code"]').fill(USED_CODES[email])
        page.locator('input[name="code"]').press("Enter")
        page.wait_for_load_state()


def demo_week() -> str:
    """The week the demo fills with meetings: this one, or the next one on a weekend (as
    ``entente.core.demo.agenda.anchor_monday`` decides)."""
    today = dt.datetime.now(ZoneInfo("Europe/Paris")).date()
    monday = today - dt.timedelta(days=today.weekday())
    if today.weekday() >= 5:
        monday += dt.timedelta(days=7)
    return f"/agenda/semaine/{monday.isoformat()}/"


def plu_meeting(page, base: str) -> str:
    """The page of Agnès's meeting with Bernard (in the week the demo fills)."""
    page.goto(f"{base}{demo_week()}")
    link = page.locator(".ag-days a", has_text="Révision du PLU").first
    return link.get_attribute("href")


def find_time_with_bernard(page, base: str) -> str:
    """« Trouver un créneau » with Bernard: found by typing « bern voi », as in the journey."""
    page.goto(f"{base}/agenda/trouver-un-creneau/?suite=1&q=bern+voi")
    button = page.locator("li", has_text="Bernard Roux").locator('button[name="ajouter"]').first
    person = button.get_attribute("value").removeprefix("personne-")
    return f"/agenda/trouver-un-creneau/?personne={person}"


# --- documents and spaces (docs/fr/documents.md, docs/fr/espaces.md) -------------------------


def open_link(page, text: str) -> None:
    """Follow the first link of the page's main content named ``text``, and wait for the page."""
    page.locator("main a", has_text=text).first.click()
    page.wait_for_load_state()


def agnes_urbanism(page, base: str) -> str:
    """Agnès's « Urbanisme » folder, reached from « Mes documents » (list view)."""
    page.goto(f"{base}/documents/?vue=liste")
    open_link(page, "Urbanisme")
    return page.url.removeprefix(base)


def agnes_share_panel(page, base: str) -> str:
    """« Partager » of « Pour la métropole », shared with Bernard (another organisation)."""
    page.goto(f"{base}/documents/")
    open_link(page, "Pour la métropole")
    page.locator("main .drive-header__actions a", has_text="Partager").click()
    page.wait_for_load_state()
    return page.url.removeprefix(base)


def space_report(page, base: str) -> str:
    """The space's report (two versions), opened by Bernard from his documents' side menu."""
    page.goto(f"{base}/documents/")
    page.locator(".drive-nav a", has_text="Schéma cyclable intercommunal").click()
    page.wait_for_load_state()
    open_link(page, "Compte-rendu de la réunion de lancement.md")
    return page.url.removeprefix(base)


def agnes_trash(page, base: str) -> str:
    """Agnès makes a throw-away folder, sends a draft into it, puts the draft in the trash."""
    page.goto(f"{base}/documents/")
    page.locator("summary", has_text="Nouveau dossier").click()
    page.locator("#id_nouveau-name").fill("Essais à jeter")
    page.locator("button", has_text="Créer le dossier").click()
    page.wait_for_load_state()
    open_link(page, "Essais à jeter")
    page.locator("#envoi-fichiers").set_input_files(
        {
            "name": "Brouillon de note.txt",
            "mimeType": "text/plain",
            "buffer": "Brouillon : à supprimer.\n".encode(),
        }
    )
    page.locator("[data-upload-form] button[type=submit]").click()
    row = page.locator("#contenu-dossier tr", has_text="Brouillon de note.txt")
    row.wait_for()
    row.locator('input[name="ids"]').check()
    page.locator('button[name="action"][value="delete"]').click()
    page.wait_for_load_state()
    return "/documents/corbeille/"


def public_map_link(page, base: str) -> str:
    """The public link of « Carte des itinéraires.png », read by Bernard in its « Liens
    publics » panel, then opened without an account."""
    browser = page.context.browser
    owner = browser.new_context(locale="fr-FR")
    owner_page = owner.new_page()
    sign_in(owner_page, base, "bernard.roux@valdorbelle-metropole.fr")
    owner_page.goto(f"{base}/documents/")
    owner_page.locator(".drive-nav a", has_text="Schéma cyclable intercommunal").click()
    owner_page.wait_for_load_state()
    open_link(owner_page, "Carte des itinéraires.png")
    address = owner_page.locator("#liens-publics input[readonly]").first.input_value()
    owner.close()
    return address.removeprefix(base)


def space_members(page, base: str) -> str:
    """The members of « Schéma cyclable intercommunal », reached from « Espaces »."""
    page.goto(f"{base}/espaces/")
    open_link(page, "Schéma cyclable intercommunal")
    page.locator(".space-tabs a", has_text="Membres").click()
    page.wait_for_load_state()
    return page.url.removeprefix(base)


# --- collaboration, directory, notifications, search (issue 6) ----------------------------------


def space_tab(page, base: str, tab: str, space: str = "Schéma cyclable intercommunal") -> None:
    """Open ``space`` from « Espaces », then its tab named ``tab``."""
    page.goto(f"{base}/espaces/")
    open_link(page, space)
    page.locator(".space-tabs a", has_text=tab).click()
    page.wait_for_load_state()


def space_thread(page, base: str) -> str:
    """Agnès opens the thread where Bernard mentions her (Discussion tab)."""
    space_tab(page, base, "Discussion")
    open_link(page, "Itinéraire nord")
    return page.url.removeprefix(base)


def space_board(page, base: str) -> str:
    """Bernard's « Tableau par état » of the space's tasks."""
    space_tab(page, base, "Tâches")
    page.locator(".tasks-views a", has_text="Tableau par état").click()
    page.wait_for_load_state()
    return page.url.removeprefix(base)


def space_note(page, base: str) -> str:
    """The note « Charte des aménagements cyclables », opened from the Notes tab."""
    space_tab(page, base, "Notes")
    open_link(page, "Charte des aménagements cyclables")
    return page.url.removeprefix(base)


def space_note_version(page, base: str) -> str:
    """The note's history, then its latest version (Agnès's change, with the diff)."""
    space_note(page, base)
    page.locator(".note-actions a", has_text="Historique").click()
    page.wait_for_load_state()
    page.locator("main table a").first.click()
    page.wait_for_load_state()
    return page.url.removeprefix(base)


def space_activity(page, base: str) -> str:
    """The activity feed of the space, as Agnès sees it the first time (opening it marks it
    read: the page is opened once, by the address of the space's « Activité » tab)."""
    page.goto(f"{base}/espaces/")
    open_link(page, "Schéma cyclable intercommunal")
    return page.locator(".space-tabs a", has_text="Activité").get_attribute("href")


def join_request(page, base: str) -> str:
    """Marc, owner of the open space « Plan de mobilité des écoles », sees Claire's request."""
    space_tab(page, base, "Membres", space="Plan de mobilité des écoles")
    return page.url.removeprefix(base) + "#demandes"


def marc_profile(page, base: str) -> str:
    """Marc (administrator of Lauzières) sets his own manager in the console, then Agnès opens
    his page in the directory, found by typing « marc delm »."""
    browser = page.context.browser
    admin = browser.new_context(locale="fr-FR")
    admin_page = admin.new_page()
    sign_in(admin_page, base, "marc.delmas@mairie-lauzieres.fr", code=True)
    admin_page.goto(f"{base}/admin-org/personnes/?q=directeur")
    rows = admin_page.locator("main tbody th a")
    manager = None
    for index in range(rows.count()):
        href = rows.nth(index).get_attribute("href")
        if "Delmas" not in rows.nth(index).inner_text():
            manager = href.rstrip("/").rsplit("/", 1)[-1]
            break
    admin_page.goto(f"{base}/admin-org/personnes/?q=delmas")
    admin_page.locator("main tbody th a", has_text="Delmas").first.click()
    admin_page.wait_for_load_state()
    if manager:
        admin_page.locator("#id_manager").select_option(value=manager)
        admin_page.locator("main form button", has_text="Enregistrer").click()
        admin_page.wait_for_load_state()
    admin.close()
    page.goto(f"{base}/annuaire/?q=marc+delm")
    page.locator("main .directory-person a", has_text="Marc Delmas").first.click()
    page.wait_for_load_state()
    return page.url.removeprefix(base)


def main() -> None:
    env = {
        **os.environ,
        "DEBUG": "1",
        "ENTENTE_DATA_DIR": tempfile.mkdtemp(prefix="entente-shots-"),
    }
    entente = [PYTHON, "-m", "entente"]
    subprocess.run([*entente, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*entente, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    # the background tasks of the demo's documents (antivirus, thumbnails), then stop
    subprocess.run(
        [*entente, "db_worker", "--batch", "--no-startup-delay", "--no-reload", "-v0"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*entente, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310 — our server
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            shots = [
                ("connexion.png", None, "/compte/login/", {"width": 1100, "height": 700}),
                (
                    "accueil.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    "/",
                    {"width": 1280, "height": 1500},
                ),
                (
                    "accueil-mobile.png",
                    ("karim.haddad@ville-bellerive.fr", False),
                    "/",
                    {"width": 390, "height": 800},
                ),
                (
                    "console-personnes.png",
                    ("marc.delmas@mairie-lauzieres.fr", True),
                    "/admin-org/personnes/",
                    {"width": 1280, "height": 860},
                ),
                (
                    "console-politiques.png",
                    ("marc.delmas@mairie-lauzieres.fr", True),
                    "/admin-org/politiques/",
                    {"width": 1280, "height": 900},
                ),
                (
                    "operateur-organisations.png",
                    ("sophie.garnier@numerique-orbelle.fr", True),
                    "/admin-org/organisations/",
                    {"width": 1280, "height": 860},
                ),
                # the agenda (docs/fr/agenda.md, docs/en/agenda.md)
                (
                    "agenda-semaine.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    lambda page, base: demo_week(),
                    {"width": 1280, "height": 1080},
                ),
                (
                    "agenda-evenement.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    plu_meeting,
                    {"width": 1280, "height": 900},
                ),
                (
                    "agenda-creneau.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    find_time_with_bernard,
                    {"width": 1280, "height": 1100},
                ),
                (
                    "accueil-invitation.png",
                    ("karim.haddad@ville-bellerive.fr", False),
                    "/",
                    {"width": 1280, "height": 760},
                ),
                # documents and spaces (docs/fr/documents.md, docs/fr/espaces.md)
                (
                    "documents-dossier.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    agnes_urbanism,
                    {"width": 1280, "height": 1000},
                ),
                (
                    "documents-partage.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    agnes_share_panel,
                    {"width": 1280, "height": 1450},
                ),
                (
                    "documents-versions.png",
                    ("bernard.roux@valdorbelle-metropole.fr", False),
                    space_report,
                    {"width": 1280, "height": 1330},
                ),
                (
                    "documents-corbeille.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    agnes_trash,
                    {"width": 1280, "height": 700},
                ),
                (
                    "documents-lien-public.png",
                    None,
                    public_map_link,
                    {"width": 1280, "height": 760},
                ),
                (
                    "espace-membres.png",
                    ("bernard.roux@valdorbelle-metropole.fr", False),
                    space_members,
                    {"width": 1280, "height": 1300},
                ),
                # collaboration, directory, notifications, search (issue 6)
                (
                    "espace-discussion.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    space_thread,
                    {"width": 1280, "height": 1500},
                ),
                (
                    "espace-taches.png",
                    ("bernard.roux@valdorbelle-metropole.fr", False),
                    space_board,
                    {"width": 1280, "height": 1050},
                ),
                (
                    "espace-note.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    space_note,
                    {"width": 1280, "height": 720},
                ),
                (
                    "espace-note-version.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    space_note_version,
                    {"width": 1280, "height": 1100},
                ),
                (
                    "espace-activite.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    space_activity,
                    {"width": 1280, "height": 900},
                ),
                (
                    "espace-demande.png",
                    ("marc.delmas@mairie-lauzieres.fr", True),
                    join_request,
                    {"width": 1280, "height": 700},
                ),
                (
                    "annuaire-recherche.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    "/annuaire/?q=bernrad",
                    {"width": 1280, "height": 900},
                ),
                (
                    "annuaire-fiche.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    marc_profile,
                    {"width": 1280, "height": 900},
                ),
                (
                    "notifications.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    "/notifications/",
                    {"width": 1280, "height": 800},
                ),
                (
                    "notifications-preferences.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    "/notifications/preferences/",
                    {"width": 1280, "height": 1300},
                ),
                (
                    "recherche.png",
                    ("agnes.lefevre@ville-bellerive.fr", False),
                    "/recherche/?q=itin%C3%A9raire",
                    {"width": 1280, "height": 1000},
                ),
                (
                    "portail-tuiles.png",
                    ("sophie.garnier@numerique-orbelle.fr", True),
                    "/portail/tuiles/",
                    {"width": 1280, "height": 1000},
                ),
            ]
            only = set(sys.argv[1:])
            for name, who, path, viewport in shots:
                if only and name not in only:
                    continue
                context = browser.new_context(locale="fr-FR", viewport=viewport)
                page = context.new_page()
                if who:
                    sign_in(page, base, *who)
                if callable(path):
                    path = path(page, base)
                page.goto(f"{base}{path}")
                page.screenshot(path=str(HERE / name))
                print("écrit", HERE / name)
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
