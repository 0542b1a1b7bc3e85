"""The trash page: what was deleted, from where, when and by whom, how long it stays;
restore (a folder comes back with its content), delete for good, empty my trash."""

from __future__ import annotations

import pytest

from entente.drive import services
from entente.drive.models import Node, ShareRole
from entente.drive.tests.factories import make_file, make_folder, root_of
from entente.drive.tests.test_views_browse import live, notices, signed_in, text
from entente.spaces import services as spaces
from entente.spaces.models import SpaceRole

pytestmark = pytest.mark.django_db

TRASH = "/documents/corbeille/"


@pytest.fixture
def trashed(agent):
    root = root_of(agent)
    folder = make_folder(agent, root, "Archives 2023")
    inner = make_file(agent, folder, "bilan.txt", b"bilan")
    note = make_file(agent, root, "note.txt", b"note")
    services.trash(agent, folder)
    services.trash(agent, note)
    return folder, inner, note


def test_the_trash_lists_what_was_deleted_with_its_retention(agent, org, trashed):
    org.policy.trash_retention_days = 15
    org.policy.save()

    page = text(signed_in(agent).get(TRASH))

    assert "Archives 2023" in page and "note.txt" in page
    assert "bilan.txt" not in page  # it went with its folder
    assert "reste ici 15 jours" in page
    assert "Mes documents" in page  # where it was
    assert "Agnès Martin" in page
    assert "Vider la corbeille de mes documents" in page


def test_an_empty_trash_explains_itself(agent):
    page = text(signed_in(agent).get(TRASH))

    assert "La corbeille est vide." in page
    assert "Vider la corbeille" not in page


def test_restoring_a_folder_brings_back_its_content(agent, trashed):
    folder, inner, _note = trashed

    response = signed_in(agent).post(f"{TRASH}restaurer/", {"ids": [folder.pk]})

    assert response.status_code == 302 and response.url == TRASH
    assert live(folder.pk).deleted_at is None and live(inner.pk).deleted_at is None
    assert notices(response) == ["« Archives 2023 » est revenu dans « Mes documents »."]


def test_restoring_into_a_taken_name_keeps_both(agent, trashed):
    _folder, _inner, note = trashed
    make_file(agent, root_of(agent), "note.txt", b"nouvelle")

    signed_in(agent).post(f"{TRASH}restaurer/", {"ids": [note.pk]})

    assert live(note.pk).name == "note (2).txt"


def test_delete_for_good_and_empty_the_trash(agent, trashed):
    folder, inner, note = trashed
    client = signed_in(agent)

    client.post(f"{TRASH}{note.pk}/supprimer/")
    assert not Node.objects.filter(pk=note.pk).exists()
    emptied = client.post(f"{TRASH}vider/")

    assert not Node.objects.filter(pk__in=[folder.pk, inner.pk]).exists()
    assert notices(emptied)[-1] == "La corbeille de vos documents est vidée."
    again = client.post(f"{TRASH}vider/")
    assert notices(again)[-1] == "La corbeille de vos documents était déjà vide."


def test_someone_else_cannot_see_restore_or_purge_my_trash(agent, other_agent, guest, trashed):
    folder, _inner, note = trashed
    for person in (other_agent, guest):
        client = signed_in(person)
        assert "Archives 2023" not in text(client.get(TRASH))
        assert client.post(f"{TRASH}restaurer/", {"ids": [folder.pk]}).status_code == 404
        assert client.post(f"{TRASH}{note.pk}/supprimer/").status_code == 404
    assert signed_in(guest).post(f"{TRASH}vider/").status_code == 404
    assert live(folder.pk).deleted_at is not None and Node.objects.filter(pk=note.pk).exists()


def test_bad_restore_input_is_a_404(agent, trashed):
    client = signed_in(agent)

    assert client.post(f"{TRASH}restaurer/", {"ids": ["x"]}).status_code == 404
    assert client.post(f"{TRASH}restaurer/", {}).status_code == 404
    assert client.get(f"{TRASH}restaurer/").status_code == 405


def test_a_space_contributor_restores_what_another_member_deleted(agent, other_agent):
    space = spaces.create_space(agent, name="Projet école")
    spaces.add_member(agent, space, other_agent, SpaceRole.CONTRIBUTOR)
    doc = make_file(agent, services.space_drive(space).root, "menu.txt", b"menu")
    services.trash(agent, doc)
    client = signed_in(other_agent)

    page = text(client.get(TRASH))
    assert "menu.txt" in page and "Espace « Projet école »" in page
    client.post(f"{TRASH}restaurer/", {"ids": [doc.pk]})

    assert live(doc.pk).deleted_at is None


def test_an_editor_by_share_sees_only_what_they_deleted(agent, other_agent):
    folder = make_folder(agent, root_of(agent), "Partagé")
    mine = make_file(agent, folder, "de-agnes.txt")
    theirs = make_file(agent, folder, "par-bernard.txt")
    services.share(agent, folder, other_agent, ShareRole.EDITOR, confirm_external=True)
    services.trash(agent, mine)
    services.trash(other_agent, theirs)

    page = text(signed_in(other_agent).get(TRASH))

    assert "par-bernard.txt" in page and "de-agnes.txt" not in page
