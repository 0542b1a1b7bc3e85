"""Documents in a real browser, every visited page audited by axe-core: the issue's "done
when" — an agent uploads a folder (the progress bar reaches 100 %), shares it with a space whose
members come from three organisations (confirming the warning), makes a public link that
expires, a member of another commune sends a new version of a file, the owner restores the old
one from the history — and the trash: delete, then restore from the trash page."""

from __future__ import annotations

import datetime as dt
import io
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone
from PIL import Image

from entente.accounts.tests.factories import UserFactory
from entente.drive import blobstore, services
from entente.drive.models import Node, PublicLink, Share
from entente.drive.tests.factories import make_file, make_folder, root_of
from entente.organisations.tests.factories import OrganisationFactory
from entente.spaces import services as spaces
from entente.spaces.models import SpaceRole

pytestmark = pytest.mark.e2e

REPORT = {
    "compte-rendu.txt": "Compte rendu du conseil d'école — version d'Agnès\n",
    "budget.csv": "poste;montant\ncantine;1200\n",
    "annexes/plan-acces.txt": "Entrée rue des Écoles\n",
    "annexes/photos/legende.txt": "Photos de la cour\n",
}


def content(node: Node) -> bytes:
    node = Node.objects.get(pk=node.pk)
    return b"".join(blobstore.read(node.current_version.blob))


def path_of(page) -> str:
    return urlsplit(page.url).path


def test_a_folder_is_uploaded_shared_across_communes_edited_and_restored(
    page, browser, live_server, sign_in_as, audit, agent, org, other_agent, tmp_path
):
    bellerive = OrganisationFactory(name="Commune de Bellerive", slug="bellerive")
    claire = UserFactory(
        organisation=bellerive, first_name="Claire", last_name="Roux", email="claire@bellerive.fr"
    )
    space = spaces.create_space(agent, name="Projet école")
    spaces.add_member(agent, space, other_agent, SpaceRole.CONTRIBUTOR)
    spaces.add_member(agent, space, claire, SpaceRole.CONTRIBUTOR)
    folder_on_disk = tmp_path / "Rapport"
    for relative, text in REPORT.items():
        target = folder_on_disk / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    # Agnès sends the whole folder from « Envoyer un dossier »: the bars reach 100 %
    sign_in_as(agent, next_url="/documents/")
    page.locator("[data-folder-input]").set_input_files(str(folder_on_disk))
    total = page.get_by_label("Progression de l'ensemble")
    page.wait_for_function(
        "() => document.querySelector('#envoi-total').value === 100", timeout=30_000
    )
    assert total.get_attribute("value") == "100"
    statuses = page.locator(".drive-progress__status")
    assert statuses.count() == len(REPORT)
    assert all(text == "Envoyé." for text in statuses.all_inner_texts())
    page.get_by_text("Envoi terminé : 4 fichiers envoyés.").wait_for(state="attached")
    listing = page.locator("[data-listing]")
    listing.get_by_role("link", name="Dossier : Rapport").wait_for()
    audit()
    report = Node.objects.get(name="Rapport", parent=root_of(agent))
    minutes = Node.objects.get(name="compte-rendu.txt", parent=report)
    assert Node.objects.filter(name="legende.txt", parent__name="photos").exists()

    # she shares it with the space, as editors: two members are from other communes
    with page.expect_navigation():
        listing.get_by_role("link", name="Dossier : Rapport").click()
    audit()
    with page.expect_navigation():
        page.get_by_role("link", name="Partager").first.click()
    assert path_of(page) == f"/documents/elements/{report.pk}/acces/"
    audit()
    page.get_by_label("Modification").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Partager avec Espace « Projet école »").click()
    audit()
    warning = page.get_by_role("alert").inner_text()
    assert "2 membres de l'espace « Projet école » n'appartiennent pas à Commune de Valmont" in (
        warning
    )
    assert "Bernard Petit (Métropole du Lac)" in warning and "Claire Roux" in warning
    with page.expect_navigation():
        page.get_by_role("button", name="Partager quand même hors de mon organisation").click()
    audit()
    assert (
        "est partagé avec Espace « Projet école » : modification."
        in page.locator(".messages").inner_text()
    )
    assert Share.objects.get(node=report).space == space

    # and makes a public link that expires in a week
    page.get_by_label("Consultation et téléchargement").check()
    expires = timezone.localdate() + dt.timedelta(days=7)
    page.get_by_label("Valable jusqu'au (inclus)").fill(expires.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Créer le lien").click()
    audit()
    link = PublicLink.objects.get(node=report)
    assert link.expires_at.date() <= expires + dt.timedelta(days=1)
    outsider = browser.new_context(base_url=live_server.url, locale="fr-FR")
    try:
        visitor = outsider.new_page()
        response = visitor.goto(f"/p/{link.token}/")
        assert response is not None and response.status == 200
        assert "compte-rendu.txt" in visitor.locator("main").inner_text()
    finally:
        outsider.close()

    # Bernard, of the metropolis, finds it in « Partagé avec moi » and sends a new version
    sign_in_as(other_agent, next_url="/documents/partages/")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Dossier : Rapport").click()
    audit()
    with page.expect_navigation():
        page.get_by_role("link", name="Texte : compte-rendu.txt").click()
    assert path_of(page) == f"/documents/fichier/{minutes.pk}/"
    audit()
    new_text = tmp_path / "compte-rendu-bernard.txt"
    new_text.write_text("Compte rendu corrigé par Bernard\n", encoding="utf-8")
    page.get_by_label("Fichier de la nouvelle version").set_input_files(str(new_text))
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer une nouvelle version").click()
    audit()
    assert "Compte rendu corrigé par Bernard" in page.locator(".drive-text").inner_text()
    assert content(minutes) == b"Compte rendu corrig\xc3\xa9 par Bernard\n"
    latest = Node.objects.get(pk=minutes.pk).current_version
    assert latest.number == 2 and latest.created_by == other_agent

    # Agnès opens the history and brings her version back
    sign_in_as(agent, next_url=f"/documents/fichier/{minutes.pk}/")
    history = page.locator("#versions")
    assert "Bernard Petit" in history.inner_text()
    with page.expect_navigation():
        history.get_by_role("button", name="Restaurer cette version (1)").click()
    audit()
    assert "La version 1 est rétablie" in page.locator(".messages").inner_text()
    assert content(minutes) == REPORT["compte-rendu.txt"].encode()
    assert Node.objects.get(pk=minutes.pk).current_version.number == 3


def test_a_file_goes_to_the_trash_and_comes_back(page, sign_in_as, audit, agent):
    folder = make_folder(agent, root_of(agent), "Conseil")
    doc = make_file(agent, folder, "deliberation.txt", b"Deliberation n 12")

    sign_in_as(agent, next_url=f"/documents/dossier/{folder.pk}/")
    page.locator("details.drive-menu > summary", has_text="deliberation.txt").click()
    menu = page.locator("details.drive-menu[open]")
    with page.expect_navigation():
        menu.get_by_role("button", name="Mettre à la corbeille").click()
    audit()
    assert "« deliberation.txt » est dans la corbeille." in page.locator(".drive-undo").inner_text()
    assert Node.objects.get(pk=doc.pk).deleted_at is not None

    with page.expect_navigation():
        page.get_by_role("navigation", name="Documents").get_by_role(
            "link", name="Corbeille"
        ).click()
    audit()
    row = page.get_by_role("row", name=re.compile("deliberation.txt"))
    assert "Conseil" in row.inner_text()
    with page.expect_navigation():
        row.get_by_role("button", name="Restaurer « deliberation.txt »").click()
    audit()
    assert (
        "« deliberation.txt » est revenu dans « Conseil »."
        in page.locator(".messages").inner_text()
    )
    assert Node.objects.get(pk=doc.pk).deleted_at is None
    assert "La corbeille est vide." in page.locator("main").inner_text()


def test_a_cut_upload_resumes_and_a_full_quota_is_explained(
    page, sign_in_as, audit, agent, org, tmp_path
):
    folder = make_folder(agent, root_of(agent), "Gros fichiers")
    cut: list[str] = []

    def cut_the_first_piece(route) -> None:
        if route.request.method == "PATCH" and not cut:
            cut.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r"/documents/envois/[0-9a-f-]+/$"), cut_the_first_piece)
    big = tmp_path / "mesures.bin"
    big.write_bytes(bytes(range(256)) * 12_288)  # 3 MiB
    sign_in_as(agent, next_url=f"/documents/dossier/{folder.pk}/")
    page.get_by_label("Envoyer des fichiers").set_input_files(str(big))
    page.get_by_role("button", name="Envoyer", exact=True).click()
    page.get_by_text("Envoi terminé : 1 fichier envoyé.").wait_for(state="attached")
    audit()
    assert cut, "the first piece was cut"
    stored = Node.objects.get(parent=folder, name="mesures.bin")
    assert content(stored) == big.read_bytes()

    org.policy.quota_per_person_mb = 10
    org.policy.save()
    huge = tmp_path / "enorme.bin"
    huge.write_bytes(b"x" * (11 * 1024 * 1024))
    page.get_by_label("Envoyer des fichiers").set_input_files(str(huge))
    page.get_by_role("button", name="Envoyer", exact=True).click()
    page.get_by_text("1 fichier n'a pas pu être envoyé").wait_for(state="attached")
    # (no second audit here: the refused announcement is a 413 the audit would count as a
    # failed resource; the page itself was audited above)
    status = page.locator(".drive-progress__item--error .drive-progress__status").inner_text()
    assert status.startswith("Espace insuffisant")
    assert not Node.objects.filter(name="enorme.bin").exists()


def test_an_english_reader_follows_the_upload_in_english(
    page, live_server, sign_in_as, audit, agent, tmp_path
):
    """The browser modules speak the page's language: Django's JavaScript catalogue."""
    folder = make_folder(agent, root_of(agent), "Minutes")
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )
    files = []
    for name in ("minutes.txt", "budget.csv"):
        files.append(tmp_path / name)
        files[-1].write_text(f"{name}\n", encoding="utf-8")

    sign_in_as(agent, next_url=f"/documents/dossier/{folder.pk}/")
    page.locator("#envoi-fichiers").set_input_files([str(file) for file in files])
    page.locator("[data-upload-form] button[type=submit]").click()
    page.get_by_text("Upload finished: 2 files uploaded.").wait_for(state="attached")
    assert page.locator(".drive-progress__status").all_inner_texts() == ["Uploaded.", "Uploaded."]
    assert page.get_by_label("Progress of minutes.txt").get_attribute("value") == "100"
    page.locator("[data-listing]").get_by_role("link", name=re.compile("budget.csv")).wait_for()
    page.locator('input[name="ids"]').first.check()
    assert page.locator("[data-selection-count]").inner_text() == "1 item selected"
    audit()


DROP_FILES = """
async () => {
  const transfer = new DataTransfer();
  transfer.items.add(new File(["Premier fichier"], "premier.txt", {type: "text/plain"}));
  transfer.items.add(new File(["Second fichier"], "second.txt", {type: "text/plain"}));
  const target = document.querySelector("main");
  for (const type of ["dragenter", "dragover", "drop"]) {
    target.dispatchEvent(
      new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: transfer})
    );
  }
}
"""


def test_files_dropped_on_the_folder_page_are_sent(page, sign_in_as, audit, agent):
    folder = make_folder(agent, root_of(agent), "Dépôt")

    sign_in_as(agent, next_url=f"/documents/dossier/{folder.pk}/")
    assert "Ce dossier est vide." in page.locator("main").inner_text()
    page.evaluate(DROP_FILES)
    page.get_by_text("Envoi terminé : 2 fichiers envoyés.").wait_for(state="attached")
    page.locator("[data-listing]").get_by_role("link", name="Texte : second.txt").wait_for()
    audit()
    assert page.locator("#envoi-total").get_attribute("value") == "100"
    assert sorted(Node.objects.filter(parent=folder).values_list("name", flat=True)) == [
        "premier.txt",
        "second.txt",
    ]


def test_every_documents_page_passes_the_audit(page, sign_in_as, visit, agent, other_agent):
    root = root_of(agent)
    folder = make_folder(agent, root, "Projets")
    make_folder(agent, folder, "Sous-dossier")
    doc = make_file(agent, folder, "note.txt", b"Une note\n" * 20)
    make_file(agent, root, "tableau.csv", b"a;b\n1;2\n")
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (29, 79, 145)).save(picture, format="PNG")
    photo = make_file(agent, root, "photo.png", picture.getvalue())
    services.share(agent, folder, other_agent, "reader", confirm_external=True)
    gone = make_file(agent, root, "ancien.txt", b"ancien")
    services.trash(agent, gone)

    sign_in_as(agent, next_url="/documents/")
    for path in (
        "/documents/?vue=grille",
        "/documents/?vue=liste&tri=taille&ordre=desc",
        f"/documents/dossier/{folder.pk}/",
        f"/documents/fichier/{doc.pk}/",
        f"/documents/fichier/{photo.pk}/",
        f"/documents/elements/{folder.pk}/acces/?q=bern",
        f"/documents/elements/{doc.pk}/renommer/",
        f"/documents/deplacer/?ids={doc.pk}&mode=move&dans={folder.pk}",
        "/documents/partages/",
        "/documents/corbeille/",
        "/documents/organisation/",
    ):
        visit(path)
    # the thumbnail made in the background is shown in the grid and on the file's page
    visit("/documents/?vue=grille")
    assert page.locator(f'img[src="/documents/apercu/{photo.pk}/"]').count() == 1
    visit(f"/documents/fichier/{photo.pk}/")
    assert page.get_by_role("img", name="Aperçu de « photo.png »").is_visible()
    visit("/documents/?vue=liste")
    # a row's menu opens with the keyboard and closes with Escape
    visit(f"/documents/dossier/{folder.pk}/")
    menu = page.locator("details.drive-menu > summary", has_text="note.txt")
    menu.focus()
    page.keyboard.press("Enter")
    assert page.get_by_role("link", name="Renommer").first.is_visible()
    page.keyboard.press("Escape")
    assert not page.locator("details.drive-menu[open]").count()

    sign_in_as(other_agent, next_url="/documents/partages/")
    visit(f"/documents/dossier/{folder.pk}/")
    visit(f"/documents/fichier/{doc.pk}/")
