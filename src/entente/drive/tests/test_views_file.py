"""A file's page: inline text preview (escaped, the first 200 KB), details, versions (restore
one, send a new one without JavaScript), to the trash; for the owner, an editor and a reader of
another organisation, a stranger and a guest."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from entente.drive import blobstore, services
from entente.drive.models import Node, ShareRole
from entente.drive.tests.factories import make_file, make_folder, root_of
from entente.drive.tests.test_views_browse import live, notices, signed_in, text
from entente.drive.views_items import TEXT_PREVIEW_BYTES

pytestmark = pytest.mark.django_db


def page_of(node) -> str:
    return f"/documents/fichier/{node.pk}/"


def content(node) -> bytes:
    node = live(node.pk)
    return b"".join(blobstore.read(node.current_version.blob))


@pytest.fixture
def doc(agent):
    folder = make_folder(agent, root_of(agent), "Conseil")
    make_file(agent, folder, "ordre-du-jour.txt", b"Version 1 <script>alert(1)</script>")
    return make_file(agent, folder, "ordre-du-jour.txt", b"Version 2, corrigee")


def test_the_owner_sees_the_text_escaped_the_details_and_the_versions(agent, doc):
    services.restore_version(agent, doc.versions.get(number=1))

    response = signed_in(agent).get(page_of(doc))

    assert response.status_code == 200
    page = text(response)
    assert "<h1" in page and "ordre-du-jour.txt" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "Historique des versions" in page and "3 versions" in page
    assert "Restaurée depuis la version 1" in page
    assert page.count("Restaurer cette version") == 2  # not for the current one
    assert "Texte" in page and "Agnès Martin" in page
    assert 'href="/documents/dossier/' in page  # its folder
    assert "Qui a accès" in page and "propriétaire" in page


def test_a_long_text_shows_only_its_beginning(agent):
    big = make_file(agent, root_of(agent), "journal.txt", b"a" * (TEXT_PREVIEW_BYTES + 10))

    page = text(signed_in(agent).get(page_of(big)))

    assert "Seul le début du fichier (200 Ko) est affiché" in page
    assert "a" * TEXT_PREVIEW_BYTES in page and "a" * (TEXT_PREVIEW_BYTES + 1) not in page


def test_a_binary_file_has_no_inline_preview(agent):
    blob = make_file(agent, root_of(agent), "donnees.bin", b"\x00\x01\x02" * 50)

    page = text(signed_in(agent).get(page_of(blob)))

    assert "Pas d'aperçu pour ce type de fichier (Fichier)" in page
    assert "<pre" not in page


def test_a_folder_address_on_the_file_page_redirects(agent):
    folder = make_folder(agent, root_of(agent), "Dossier")

    response = signed_in(agent).get(page_of(folder))

    assert response.status_code == 302 and response.url == f"/documents/dossier/{folder.pk}/"


def test_restoring_a_version_makes_it_the_newest(agent, doc):
    first = doc.versions.get(number=1)

    response = signed_in(agent).post(f"/documents/versions/{first.pk}/restaurer/")

    assert response.status_code == 302 and response.url.endswith("#versions")
    assert content(doc).startswith(b"Version 1")
    assert live(doc.pk).current_version.number == 3
    assert "La version 1 est rétablie : elle devient la version 3" in notices(response)[0]


def test_a_reader_cannot_restore_a_version(agent, other_agent, doc):
    services.share(agent, doc.parent, other_agent, ShareRole.READER, confirm_external=True)
    client = signed_in(other_agent)

    page = text(client.get(page_of(doc)))
    assert "Restaurer cette version" not in page
    assert "Votre accès : <strong>Lecture</strong>" in page
    assert "Envoyer une nouvelle version" not in page
    response = client.post(f"/documents/versions/{doc.versions.get(number=1).pk}/restaurer/")

    assert response.status_code == 302
    assert notices(response) == ["Vous n'avez pas le droit de faire cette action."]
    assert content(doc) == b"Version 2, corrigee"


def test_an_editor_of_another_commune_sends_a_new_version(agent, other_agent, doc):
    services.share(agent, doc.parent, other_agent, ShareRole.EDITOR, confirm_external=True)
    client = signed_in(other_agent)
    assert "Envoyer une nouvelle version" in text(client.get(page_of(doc)))

    response = client.post(
        f"/documents/fichier/{doc.pk}/nouvelle-version/",
        {"file": SimpleUploadedFile("autre-nom.txt", b"Version 3 de Bernard")},
    )

    assert response.status_code == 302
    assert notices(response) == ["Nouvelle version de « ordre-du-jour.txt » enregistrée."]
    node = live(doc.pk)
    assert node.name == "ordre-du-jour.txt" and content(node) == b"Version 3 de Bernard"
    assert node.current_version.created_by == other_agent
    assert Node.objects.filter(parent=doc.parent).count() == 1


def test_a_new_version_without_a_file_or_over_the_quota_is_refused(agent, org, doc):
    client = signed_in(agent)
    url = f"/documents/fichier/{doc.pk}/nouvelle-version/"

    empty = client.post(url, {})
    org.policy.quota_per_person_mb = 10
    org.policy.save()
    huge = client.post(url, {"file": SimpleUploadedFile("x.txt", b"x" * (11 * 1024 * 1024))})

    assert notices(empty) == ["Choisissez le fichier à envoyer."]
    assert "Espace insuffisant" in notices(huge)[-1]
    assert live(doc.pk).current_version.number == 2


def test_strangers_and_guests_get_a_404(doc, other_agent, guest):
    for person in (other_agent, guest):
        client = signed_in(person)
        assert client.get(page_of(doc)).status_code == 404
        assert (
            client.post(f"/documents/versions/{doc.versions.first().pk}/restaurer/").status_code
            == 404
        )
        assert (
            client.post(
                f"/documents/fichier/{doc.pk}/nouvelle-version/",
                {"file": SimpleUploadedFile("x.txt", b"pirate")},
            ).status_code
            == 404
        )
    assert content(doc) == b"Version 2, corrigee"


def test_a_guest_member_of_a_space_opens_its_files(agent, guest):
    from entente.spaces import services as spaces
    from entente.spaces.models import SpaceRole

    space = spaces.create_space(agent, name="Association")
    spaces.add_member(agent, space, guest, SpaceRole.READER)
    note = make_file(agent, services.space_drive(space).root, "note.txt", b"Bienvenue")

    page = text(signed_in(guest).get(page_of(note)))

    assert "Bienvenue" in page and "Espace « Association »" in page


def test_to_the_trash_from_the_file_page_then_undo(agent, doc):
    client = signed_in(agent)

    response = client.post(f"/documents/elements/{doc.pk}/corbeille/")

    assert response.url == f"/documents/dossier/{doc.parent_id}/"
    assert live(doc.pk).deleted_at is not None
    assert "« ordre-du-jour.txt » est dans la corbeille." in text(client.get(response.url))
    assert client.get(page_of(doc)).status_code == 404


def test_a_file_shared_on_its_own_takes_a_new_version_from_its_page(agent, other_agent):
    folder = make_folder(agent, root_of(agent), "Privé")
    doc = make_file(agent, folder, "budget.txt", b"v1")
    services.share(agent, doc, other_agent, ShareRole.EDITOR, confirm_external=True)
    client = signed_in(other_agent)
    page = client.get(f"/documents/fichier/{doc.pk}/").content.decode()
    assert "Envoyer une nouvelle version" in page and "data-upload " not in page
    upload = SimpleUploadedFile("budget.txt", b"v2 de Bernard")
    client.post(f"/documents/fichier/{doc.pk}/nouvelle-version/", {"file": upload})
    assert doc.versions.count() == 2
