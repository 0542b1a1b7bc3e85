"""The drive browser: my documents, a folder, a space's and the organisation's documents, for
the owner, a share recipient of another organisation, a stranger and a guest; sorting, list and
grid views, new folder, rename, the bulk bar (trash with « Annuler », move, copy)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entente.core.testing import notices, signed_in, text
from entente.drive import services
from entente.drive.models import Node, ShareRole
from entente.drive.tests.factories import make_file, make_folder, root_of
from entente.drive.views import VIEW_COOKIE
from entente.spaces import services as spaces
from entente.spaces.models import SpaceRole, Visibility

pytestmark = pytest.mark.django_db


def folder_url(node) -> str:
    return f"/documents/dossier/{node.pk}/"


def live(pk) -> Node:
    return Node.objects.get(pk=pk)


@pytest.fixture
def tree(agent):
    root = root_of(agent)
    projects = make_folder(agent, root, "Projets")
    make_file(agent, root, "budget.csv", b"a;b\n1;2\n" * 100)
    make_file(agent, root, "avis.txt", b"court")
    make_file(agent, projects, "plan.txt", b"plan du projet")
    return root, projects


# --- the owner -------------------------------------------------------------------------------


def test_my_documents_list_folders_first_with_the_quota(agent, tree):
    response = signed_in(agent).get("/documents/")

    assert response.status_code == 200
    page = text(response)
    assert "<h1>Mes documents</h1>" in page
    assert page.index("Projets") < page.index("avis.txt") < page.index("budget.csv")
    assert "utilisés sur" in page and "<meter" in page
    assert 'name="ids"' in page  # multi-select
    assert "Nouveau dossier" in page
    assert 'aria-current="page"' in page


def test_the_upload_form_works_without_javascript_and_feeds_the_resumable_one(agent, tree):
    root, _projects = tree

    page = text(signed_in(agent).get("/documents/"))

    assert f'action="/documents/dossier/{root.pk}/envoyer/"' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file" id="envoi-fichiers" name="files" multiple' in page
    assert 'data-uploads-url="/documents/envois/"' in page
    assert "webkitdirectory" in page  # « Envoyer un dossier », shown by upload.js
    assert f'href="/documents/dossier/{_projects.pk}/zip/"' in page
    assert "/documents/telecharger/" in page


def test_sorting_by_size_descending_and_the_grid_view_is_remembered(agent, tree):
    client = signed_in(agent)

    response = client.get("/documents/?tri=taille&ordre=desc&vue=grille")

    page = text(response)
    assert 'class="drive-grid"' in page
    assert page.index("Projets") < page.index("budget.csv") < page.index("avis.txt")
    assert response.cookies[VIEW_COOKIE].value == "grille"
    again = client.get("/documents/")
    assert 'class="drive-grid"' in text(again)
    listed = client.get("/documents/?vue=liste")
    assert "drive-table" in text(listed) and 'class="drive-grid"' not in text(listed)


def test_bad_sort_parameters_fall_back_to_the_name(agent, tree):
    response = signed_in(agent).get("/documents/?tri=%27;drop&ordre=sideways&vue=x")

    assert response.status_code == 200
    page = text(response)
    assert page.index("avis.txt") < page.index("budget.csv")


def test_a_subfolder_has_breadcrumbs_back_to_my_documents(agent, tree):
    _root, projects = tree

    page = text(signed_in(agent).get(folder_url(projects)))

    assert 'href="/documents/">Mes documents</a>' in page
    assert '<span aria-current="page">Projets</span>' in page
    assert "plan.txt" in page


def test_the_root_folder_address_redirects_to_my_documents(agent, tree):
    root, _projects = tree

    response = signed_in(agent).get(folder_url(root))

    assert response.status_code == 302 and response.url == "/documents/"


def test_an_empty_folder_says_what_to_do(agent):
    empty = make_folder(agent, root_of(agent), "Vide")

    page = text(signed_in(agent).get(folder_url(empty)))

    assert "Ce dossier est vide." in page
    assert "glissez des fichiers" in page


def test_the_listing_costs_the_same_number_of_queries_whatever_its_length(agent):
    root = root_of(agent)
    folder = make_folder(agent, root, "Beaucoup")
    client = signed_in(agent)
    make_file(agent, folder, "f0.txt", b"0")
    client.get(folder_url(folder))
    with CaptureQueriesContext(connection) as few:
        client.get(folder_url(folder))
    for number in range(1, 15):
        make_file(agent, folder, f"f{number}.txt", str(number).encode())
    with CaptureQueriesContext(connection) as many:
        client.get(folder_url(folder))
    assert len(many) == len(few)


# --- someone else ----------------------------------------------------------------------------


def test_a_stranger_gets_the_same_404_everywhere(agent, other_agent, tree):
    _root, projects = tree
    doc = Node.objects.get(name="plan.txt")
    client = signed_in(other_agent)

    for url in (
        folder_url(projects),
        f"/documents/fichier/{doc.pk}/",
        f"/documents/elements/{projects.pk}/acces/",
        f"/documents/elements/{projects.pk}/renommer/",
        f"/documents/deplacer/?ids={doc.pk}&mode=copy",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/documents/dossier/{projects.pk}/selection/",
        f"/documents/elements/{doc.pk}/corbeille/",
        f"/documents/dossier/{projects.pk}/nouveau-dossier/",
    ):
        assert client.post(url, {"ids": [doc.pk], "action": "delete"}).status_code == 404, url
    assert live(doc.pk).deleted_at is None


def test_a_reader_of_another_organisation_sees_the_folder_without_edit_buttons(
    agent, other_agent, tree
):
    _root, projects = tree
    services.share(agent, projects, other_agent, ShareRole.READER, confirm_external=True)

    response = signed_in(other_agent).get(folder_url(projects))

    assert response.status_code == 200
    page = text(response)
    assert "plan.txt" in page
    assert 'href="/documents/partages/">Partagé avec moi</a>' in page  # breadcrumbs
    assert "Nouveau dossier" not in page
    assert "Mettre à la corbeille" not in page
    assert "/envoyer/" not in page and "upload.js" not in page
    assert 'value="copy"' in page and 'value="delete"' not in page


def test_an_editor_of_another_organisation_may_add_a_folder(agent, other_agent, tree):
    _root, projects = tree
    services.share(agent, projects, other_agent, ShareRole.EDITOR, confirm_external=True)
    client = signed_in(other_agent)

    assert "Nouveau dossier" in text(client.get(folder_url(projects)))
    response = client.post(
        f"/documents/dossier/{projects.pk}/nouveau-dossier/", {"nouveau-name": "Annexes"}
    )

    assert response.status_code == 302
    assert Node.objects.filter(parent=projects, name="Annexes").exists()


def test_a_guest_has_no_personal_drive_nor_organisation_folders(guest):
    client = signed_in(guest)

    assert client.get("/documents/").url == "/documents/partages/"
    assert client.get("/documents/organisation/").status_code == 404
    page = text(client.get("/documents/partages/"))
    assert "Mes documents" not in page and "Dossiers de l'organisation" not in page


def test_a_space_drive_is_open_to_its_members_only(agent, org_admin, other_agent, guest, org):
    space = spaces.create_space(agent, name="Projet école", visibility=Visibility.TERRITORY)
    spaces.add_member(agent, space, other_agent, SpaceRole.CONTRIBUTOR)
    spaces.add_member(agent, space, guest, SpaceRole.READER)
    url = f"/documents/espace/{space.pk}/"

    for member in (agent, other_agent, guest):
        response = signed_in(member).get(url)
        assert response.status_code == 200
        assert "Espace « Projet école »" in text(response)
    assert "Nouveau dossier" in text(signed_in(other_agent).get(url))
    assert "Nouveau dossier" not in text(signed_in(guest).get(url))
    # the space is visible to the territory, but its documents are its members'
    assert signed_in(org_admin).get(url).status_code == 404
    assert signed_in(agent).get("/documents/espace/999999/").status_code == 404
    # it is listed in the side navigation of its members
    assert url in text(signed_in(guest).get("/documents/partages/"))


def test_organisation_folders_are_read_by_agents_and_managed_by_admins(agent, org_admin):
    reader = text(signed_in(agent).get("/documents/organisation/"))
    admin = text(signed_in(org_admin).get("/documents/organisation/"))

    assert "<h1>Dossiers de l&#x27;organisation</h1>" in reader
    assert "Nouveau dossier" not in reader and "Stockage de Commune de Valmont" not in reader
    assert "Nouveau dossier" in admin and "Stockage de Commune de Valmont" in admin


# --- new folder and rename -------------------------------------------------------------------


def test_new_folder_bad_input_is_shown_by_the_field(agent, tree):
    root, _projects = tree
    client = signed_in(agent)
    url = f"/documents/dossier/{root.pk}/nouveau-dossier/"

    empty = client.post(url, {"nouveau-name": "  "})
    taken = client.post(url, {"nouveau-name": "projets"})
    dots = client.post(url, {"nouveau-name": ".."})

    assert empty.status_code == 200 and "Donnez un nom au dossier." in text(empty)
    assert "« projets » existe déjà dans ce dossier." in text(taken)
    assert "Ce nom n&#x27;est pas utilisable" in text(dots)
    assert Node.objects.filter(parent=root, kind="folder").count() == 1


def test_a_reader_cannot_create_a_folder(agent, other_agent, tree):
    _root, projects = tree
    services.share(agent, projects, other_agent, ShareRole.READER, confirm_external=True)

    response = signed_in(other_agent).post(
        f"/documents/dossier/{projects.pk}/nouveau-dossier/", {"nouveau-name": "Intrus"}
    )

    assert response.status_code == 403
    assert not Node.objects.filter(name="Intrus").exists()


def test_rename_with_good_and_bad_names(agent, tree):
    _root, projects = tree
    client = signed_in(agent)
    url = f"/documents/elements/{projects.pk}/renommer/"

    assert 'value="Projets"' in text(client.get(url))
    bad = client.post(url, {"name": "budget.csv"})
    assert bad.status_code == 200 and "existe déjà" in text(bad)
    good = client.post(url, {"name": "Projets 2025", "next": "/documents/"})
    assert good.status_code == 302 and good.url == "/documents/"
    assert live(projects.pk).name == "Projets 2025"
    assert "« Projets » s'appelle maintenant « Projets 2025 »." in notices(good)
    # an address of another site is never followed
    outside = client.post(url, {"name": "Projets", "next": "https://evil.example/"})
    assert outside.url == "/documents/"


# --- the bulk bar ----------------------------------------------------------------------------


def test_bulk_trash_offers_undo_on_the_next_page(agent, tree):
    root, projects = tree
    avis = Node.objects.get(name="avis.txt")
    client = signed_in(agent)

    response = client.post(
        f"/documents/dossier/{root.pk}/selection/",
        {"ids": [projects.pk, avis.pk], "action": "delete", "next": "/documents/"},
    )

    assert response.status_code == 302
    assert live(projects.pk).deleted_at and live(avis.pk).deleted_at
    page = text(client.get("/documents/"))
    assert "2 éléments sont dans la corbeille." in page
    assert f'name="ids" value="{projects.pk}"' in page and ">Annuler<" in page
    undo = client.post(
        "/documents/corbeille/restaurer/",
        {"ids": [projects.pk, avis.pk], "next": "/documents/"},
    )
    assert undo.url == "/documents/"
    assert live(projects.pk).deleted_at is None and live(avis.pk).deleted_at is None
    assert live(Node.objects.get(name="plan.txt").pk).deleted_at is None
    # the offer is made once
    assert "sont dans la corbeille" not in text(client.get("/documents/"))


def test_a_rows_own_trash_button_sends_only_that_item(agent, tree):
    root, projects = tree
    avis = Node.objects.get(name="avis.txt")

    signed_in(agent).post(
        f"/documents/dossier/{root.pk}/selection/", {"corbeille": avis.pk, "ids": [projects.pk]}
    )

    assert live(avis.pk).deleted_at and live(projects.pk).deleted_at is None


def test_bulk_without_a_ticked_item_or_with_an_unknown_action_changes_nothing(agent, tree):
    root, projects = tree
    client = signed_in(agent)
    url = f"/documents/dossier/{root.pk}/selection/"

    nothing = client.post(url, {"action": "delete"})
    unknown = client.post(url, {"action": "explode", "ids": [projects.pk]})
    garbage = client.post(url, {"action": "delete", "ids": ["abc", "-4"]})

    assert "Cochez d'abord un ou plusieurs éléments, puis choisissez l'action." in notices(nothing)
    assert unknown.status_code == 302 and garbage.status_code == 302
    assert live(projects.pk).deleted_at is None


def test_bulk_on_an_item_of_another_folder_is_a_404(agent, tree):
    root, projects = tree
    plan = Node.objects.get(name="plan.txt")

    response = signed_in(agent).post(
        f"/documents/dossier/{root.pk}/selection/", {"ids": [plan.pk], "action": "delete"}
    )

    assert response.status_code == 404
    assert live(plan.pk).deleted_at is None


def test_bulk_move_goes_through_the_folder_picker(agent, tree):
    root, projects = tree
    avis = Node.objects.get(name="avis.txt")
    budget = Node.objects.get(name="budget.csv")
    client = signed_in(agent)

    chosen = client.post(
        f"/documents/dossier/{root.pk}/selection/",
        {"ids": [avis.pk, budget.pk], "action": "move"},
    )
    assert chosen.status_code == 302 and chosen.url.startswith("/documents/deplacer/?")
    picker = client.get(chosen.url)
    assert picker.status_code == 200
    assert "Déplacer 2 éléments" in text(picker)
    assert "Projets" in text(picker)  # a subfolder to open
    inside = client.get(
        f"/documents/deplacer/?ids={avis.pk}&ids={budget.pk}&mode=move&dans={projects.pk}"
    )
    assert "Déplacer dans « Projets »" in text(inside)

    moved = client.post(
        "/documents/deplacer/",
        {"ids": [avis.pk, budget.pk], "mode": "move", "dans": projects.pk},
    )

    assert moved.status_code == 302 and moved.url == folder_url(projects)
    assert live(avis.pk).parent_id == projects.pk and live(budget.pk).parent_id == projects.pk
    assert "2 éléments déplacés dans « Projets »." in notices(moved)


def test_moving_a_folder_into_itself_is_refused_and_nothing_moves(agent, tree):
    root, projects = tree
    inner = make_folder(agent, projects, "Dedans")
    avis = Node.objects.get(name="avis.txt")
    client = signed_in(agent)

    page = client.get(f"/documents/deplacer/?ids={projects.pk}&mode=move&dans={inner.pk}")
    assert "Un dossier ne peut pas aller dans lui-même" in text(page)
    response = client.post(
        "/documents/deplacer/",
        {"ids": [avis.pk, projects.pk], "mode": "move", "dans": inner.pk},
    )

    assert response.status_code == 400
    assert "Impossible de déplacer un dossier dans lui-même." in text(response)
    assert live(avis.pk).parent_id == root.pk  # all or nothing


def test_copy_into_a_space_and_bad_picker_input(agent, tree):
    _root, projects = tree
    space = spaces.create_space(agent, name="Voirie")
    client = signed_in(agent)

    picker = client.get(f"/documents/deplacer/?ids={projects.pk}&mode=copy")
    assert "Espace « Voirie »" in text(picker)
    target = services.space_drive(space).root
    copied = client.post(
        "/documents/deplacer/", {"ids": [projects.pk], "mode": "copy", "dans": target.pk}
    )

    assert copied.status_code == 302 and copied.url == f"/documents/espace/{space.pk}/"
    clone = Node.objects.get(parent=target, name="Projets")
    assert Node.objects.filter(parent=clone, name="plan.txt").exists()
    assert live(projects.pk).parent_id == _root.pk
    assert client.get("/documents/deplacer/?ids=abc&mode=copy").status_code == 404
    assert client.get(f"/documents/deplacer/?ids={projects.pk}&mode=steal").status_code == 404


def test_a_reader_cannot_move_into_a_folder_they_only_read(agent, other_agent, tree):
    _root, projects = tree
    services.share(agent, projects, other_agent, ShareRole.READER, confirm_external=True)
    theirs = make_file(other_agent, root_of(other_agent), "mien.txt")
    client = signed_in(other_agent)

    page = client.get(f"/documents/deplacer/?ids={theirs.pk}&mode=copy&dans={projects.pk}")
    assert "Vous ne pouvez pas ajouter de documents dans ce dossier" in text(page)
    response = client.post(
        "/documents/deplacer/", {"ids": [theirs.pk], "mode": "copy", "dans": projects.pk}
    )

    assert response.status_code == 400
    assert not Node.objects.filter(parent=projects, name="mien.txt").exists()


def test_bulk_download_goes_to_the_file_or_the_folders_zip(agent, tree):
    root, projects = tree
    avis = Node.objects.get(name="avis.txt")
    client = signed_in(agent)
    url = f"/documents/dossier/{root.pk}/selection/"

    one_file = client.post(url, {"ids": [avis.pk], "action": "download"})
    one_folder = client.post(url, {"ids": [projects.pk], "action": "download"})
    several = client.post(url, {"ids": [avis.pk, projects.pk], "action": "download"})

    assert one_file.url == f"/documents/telecharger/{avis.pk}/"
    assert one_folder.url == f"/documents/dossier/{projects.pk}/zip/"
    assert several.url == "/documents/"
    assert "téléchargez le dossier entier (zip)" in notices(several)[-1]


def test_a_file_shared_alone_is_copied_without_showing_its_folder(agent, other_agent):
    secret = make_folder(agent, root_of(agent), "Dossier confidentiel")
    doc = make_file(agent, secret, "extrait.txt", b"extrait")
    services.share(agent, doc, other_agent, ShareRole.READER, confirm_external=True)
    client = signed_in(other_agent)

    file_page = text(client.get(f"/documents/fichier/{doc.pk}/"))
    picker = client.get(f"/documents/deplacer/?ids={doc.pk}&mode=copy")

    assert "Dossier confidentiel" not in file_page
    assert f"/documents/deplacer/?ids={doc.pk}&amp;mode=copy" in file_page
    assert picker.status_code == 200
    assert "Dossier confidentiel" not in text(picker)
    assert "Copier dans « Mes documents »" in text(picker)
