"""The resumable upload protocol (POST to announce, PATCH pieces, HEAD to resume, DELETE to
abandon), for a signed-in person and through an upload link; and the plain upload form.

Checked: round trip and resume, offset mismatch, pieces past the length, quota refused at the
announcement (nothing written) and in the middle of a folder upload (earlier files kept, the
refused one leaves no file, blob nor part), hostile relative paths and names, CSRF, links with
and without password, abandon."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from entente.drive import blobstore, services, uploads
from entente.drive.models import Blob, LinkKind, Node, NodeKind, Upload, Version
from entente.drive.tests.factories import make_file, make_folder, root_of

pytestmark = pytest.mark.django_db

UPLOADS = "/documents/envois/"
KB = 1024


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def signed_in(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def announce(client, parent, name, length, *, path=None, url=UPLOADS, **headers):
    metadata = [f"parent {b64(str(parent.pk))}", f"name {b64(name)}"]
    if path is not None:
        metadata.append(f"path {b64(path)}")
    return client.post(
        url,
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=",".join(metadata),
        HTTP_TUS_RESUMABLE="1.0.0",
        **headers,
    )


def send(client, location, offset, data, **headers):
    return client.generic(
        "PATCH",
        location,
        data=data,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=str(offset),
        **headers,
    )


def error(response) -> dict:
    return json.loads(response.content)


def upload_all(client, parent, name, content, *, path=None, piece=256 * KB, url=UPLOADS):
    created = announce(client, parent, name, len(content), path=path, url=url)
    assert created.status_code == 201, created.content
    location = created["Location"]
    offset = 0
    answer = created
    while offset < len(content):
        answer = send(client, location, offset, content[offset : offset + piece])
        assert answer.status_code == 204, answer.content
        offset = int(answer["Upload-Offset"])
    return answer


def files_under(prefix: str) -> list[str]:
    try:
        folders, files = default_storage.listdir(prefix)
    except FileNotFoundError:
        return []
    found = [f"{prefix}/{name}" for name in files]
    for folder in folders:
        found += files_under(f"{prefix}/{folder}")
    return found


def read(node) -> bytes:
    node = Node.objects.select_related("current_version__blob").get(pk=node.pk)
    return b"".join(blobstore.read(node.current_version.blob))


# --- round trip -------------------------------------------------------------------------------


def test_a_file_sent_in_pieces_appears_only_at_the_last_byte(agent):
    root = root_of(agent)
    client = signed_in(agent)
    content = bytes(range(256)) * 3000  # 768,000 bytes

    created = announce(client, root, "rapport annuel.pdf", len(content))

    assert created.status_code == 201
    assert created["Upload-Offset"] == "0" and created["Tus-Resumable"] == "1.0.0"
    location = created["Location"]
    assert location.startswith("/documents/envois/")
    first = send(client, location, 0, content[: 300 * KB])
    assert first.status_code == 204 and first["Upload-Offset"] == str(300 * KB)
    assert "Entente-Node" not in first
    assert not Node.objects.filter(name="rapport annuel.pdf").exists(), "nothing before the end"
    assert files_under(f"uploads/{location.rstrip('/').rsplit('/', 1)[1]}")

    last = send(client, location, 300 * KB, content[300 * KB :])

    assert last.status_code == 204 and last["Upload-Offset"] == str(len(content))
    node = Node.objects.get(pk=int(last["Entente-Node"]))
    assert last["Entente-Node-Url"] == f"/documents/fichier/{node.pk}/"
    assert node.parent_id == root.pk and node.name == "rapport annuel.pdf"
    assert read(node) == content
    assert node.current_version.blob_id == hashlib.sha256(content).hexdigest()
    assert node.created_by == agent
    assert not Upload.objects.exists()
    assert files_under("uploads") == [] and files_under("tmp") == []
    assert client.head(location).status_code == 404


def test_resume_after_a_cut_asks_where_it_stopped(agent):
    client = signed_in(agent)
    content = b"0123456789" * 50_000
    location = announce(client, root_of(agent), "video.mp4", len(content))["Location"]
    send(client, location, 0, content[:200_000])

    where = client.head(location)

    assert where.status_code == 200
    assert where["Upload-Offset"] == "200000" and where["Upload-Length"] == str(len(content))
    assert where["Cache-Control"] == "no-store"
    done = send(client, location, 200_000, content[200_000:])
    assert done.status_code == 204 and read(Node.objects.get(pk=done["Entente-Node"])) == content


def test_a_piece_from_the_wrong_offset_is_409_and_changes_nothing(agent):
    client = signed_in(agent)
    content = b"a" * 1000
    location = announce(client, root_of(agent), "a.txt", 1000)["Location"]
    send(client, location, 0, content[:400])

    behind = send(client, location, 0, content[:400])
    ahead = send(client, location, 600, content[600:])

    for answer in (behind, ahead):
        assert answer.status_code == 409
        assert error(answer)["code"] == "offset_mismatch" and error(answer)["detail"]
        assert answer["Upload-Offset"] == "400"
    assert Upload.objects.get().offset == 400 and Upload.objects.get().parts == 1
    assert len(files_under("uploads")) == 1


def test_more_bytes_than_announced_are_refused_and_nothing_of_them_kept(agent):
    client = signed_in(agent)
    location = announce(client, root_of(agent), "a.txt", 100)["Location"]

    answer = send(client, location, 0, b"x" * 150)

    assert answer.status_code == 413 and error(answer)["code"] == "too_large"
    assert Upload.objects.get().offset == 0
    assert files_under("uploads") == [] and files_under("tmp") == []
    assert not Node.objects.filter(name="a.txt").exists()


def test_a_piece_needs_the_protocol_content_type(agent):
    client = signed_in(agent)
    location = announce(client, root_of(agent), "a.txt", 10)["Location"]

    answer = client.generic(
        "PATCH", location, data=b"x" * 10, content_type="text/plain", HTTP_UPLOAD_OFFSET="0"
    )

    assert answer.status_code == 415 and error(answer)["code"] == "bad_content_type"


def test_an_empty_file_is_committed_by_the_announcement(agent):
    answer = announce(signed_in(agent), root_of(agent), "vide.txt", 0)

    assert answer.status_code == 201 and answer["Location"]
    node = Node.objects.get(pk=answer["Entente-Node"])
    assert node.name == "vide.txt" and node.size == 0 and not Upload.objects.exists()


def test_the_same_name_makes_a_new_version(agent):
    root = root_of(agent)
    old = make_file(agent, root, "budget.csv", b"v1")

    done = upload_all(signed_in(agent), root, "Budget.csv", b"v2;v2")

    assert int(done["Entente-Node"]) == old.pk
    assert list(Version.objects.filter(node=old).values_list("number", flat=True)) == [2, 1]
    assert read(old) == b"v2;v2"


def test_each_piece_renews_the_upload_for_24_hours(agent):
    client = signed_in(agent)
    location = announce(client, root_of(agent), "a.txt", 100)["Location"]
    Upload.objects.update(expires_at=timezone.now() + dt.timedelta(minutes=5))

    send(client, location, 0, b"x" * 10)

    left = Upload.objects.get().expires_at - timezone.now()
    assert dt.timedelta(hours=23, minutes=59) < left <= dt.timedelta(hours=24)


def test_an_expired_upload_is_gone(agent):
    client = signed_in(agent)
    location = announce(client, root_of(agent), "a.txt", 100)["Location"]
    Upload.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    assert client.head(location).status_code == 404
    assert send(client, location, 0, b"x").status_code == 404


# --- rights, CSRF, abandon -----------------------------------------------------------------------


def test_the_announcement_checks_rights_before_any_byte(agent, other_agent):
    root = root_of(agent)
    reader_folder = make_folder(agent, root, "Lecture")
    services.share(agent, reader_folder, other_agent, "reader", confirm_external=True)

    hidden = announce(signed_in(other_agent), root, "x.txt", 10)
    read_only = announce(signed_in(other_agent), reader_folder, "x.txt", 10)
    anonymous = announce(Client(), root, "x.txt", 10)

    assert hidden.status_code == 404 and error(hidden)["code"] == "not_found"
    assert read_only.status_code == 403 and error(read_only)["code"] == "forbidden"
    assert anonymous.status_code == 403 and error(anonymous)["code"] == "not_authenticated"
    assert not Upload.objects.exists()


def test_bad_announcements_are_400_with_a_code(agent):
    client = signed_in(agent)
    root = root_of(agent)

    no_length = client.post(UPLOADS, HTTP_UPLOAD_METADATA=f"parent {b64(str(root.pk))}")
    negative = announce(client, root, "a.txt", -1)
    garbled = client.post(UPLOADS, HTTP_UPLOAD_LENGTH="3", HTTP_UPLOAD_METADATA="parent %%%")
    no_parent = client.post(
        UPLOADS, HTTP_UPLOAD_LENGTH="3", HTTP_UPLOAD_METADATA=f"name {b64('a')}"
    )
    into_a_file = announce(client, make_file(agent, root, "f.txt"), "a.txt", 3)

    assert error(no_length)["code"] == "invalid_size"
    assert error(negative)["code"] == "invalid_size"
    assert error(garbled)["code"] == "invalid_metadata"
    assert error(no_parent)["code"] == "invalid_parent"
    assert error(into_a_file)["code"] == "not_a_folder"
    for answer in (no_length, negative, garbled, no_parent, into_a_file):
        assert answer.status_code == 400 and error(answer)["detail"]


def test_someone_else_cannot_touch_an_upload(agent, org_admin):
    location = announce(signed_in(agent), root_of(agent), "a.txt", 10)["Location"]
    stranger = signed_in(org_admin)

    assert stranger.head(location).status_code == 404
    assert send(stranger, location, 0, b"x" * 10).status_code == 404
    assert stranger.delete(location).status_code == 404
    assert Upload.objects.get().offset == 0


def test_the_protocol_needs_the_csrf_token_in_a_header(agent):
    client = signed_in(agent, enforce_csrf_checks=True)
    root = root_of(agent)
    client.get("/documents/")  # any page sets the CSRF cookie
    token = client.cookies["entente_csrf"].value if "entente_csrf" in client.cookies else None
    if token is None:
        from django.middleware.csrf import _get_new_csrf_string

        token = _get_new_csrf_string()
        client.cookies["entente_csrf"] = token

    refused = announce(client, root, "a.txt", 3)
    accepted = announce(client, root, "a.txt", 3, HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403
    assert accepted.status_code == 201
    location = accepted["Location"]
    assert send(client, location, 0, b"abc").status_code == 403
    assert send(client, location, 0, b"abc", HTTP_X_CSRFTOKEN=token).status_code == 204


def test_abandoning_removes_the_upload_and_its_parts(agent):
    client = signed_in(agent)
    location = announce(client, root_of(agent), "a.txt", 1000)["Location"]
    send(client, location, 0, b"x" * 500)
    assert files_under("uploads")

    answer = client.delete(location)

    assert answer.status_code == 204
    assert not Upload.objects.exists() and files_under("uploads") == []
    assert client.head(location).status_code == 404
    assert not Node.objects.filter(name="a.txt").exists()


# --- quotas ------------------------------------------------------------------------------------


def set_quota(user, megabytes: int) -> None:
    policy = user.organisation.policy
    policy.quota_per_person_mb = megabytes
    policy.save()


def test_quota_exceeded_at_the_announcement_is_413_and_writes_nothing(agent):
    set_quota(agent, 1)
    client = signed_in(agent)

    answer = announce(client, root_of(agent), "gros.iso", 2 * 1024 * KB, path="Images/gros.iso")

    assert answer.status_code == 413
    assert error(answer)["code"] == "quota_exceeded" and "quota" in error(answer)["detail"]
    assert not Upload.objects.exists() and not Blob.objects.exists()
    assert not Node.objects.filter(name__in=["Images", "gros.iso"]).exists()
    assert files_under("uploads") == [] and files_under("tmp") == []


def test_running_uploads_count_against_the_quota(agent):
    set_quota(agent, 1)
    client = signed_in(agent)

    first = announce(client, root_of(agent), "a.bin", 700 * KB)
    second = announce(client, root_of(agent), "b.bin", 700 * KB)

    assert first.status_code == 201
    assert second.status_code == 413 and error(second)["code"] == "quota_exceeded"


def test_quota_exceeded_in_the_middle_of_a_folder_upload(agent):
    set_quota(agent, 1)
    client = signed_in(agent)
    root = root_of(agent)
    pieces = {f"Rapport/annexes/{n}.bin": bytes([n]) * (400 * KB) for n in range(3)}

    answers = []
    for path, content in pieces.items():
        created = announce(client, root, path.rsplit("/", 1)[1], len(content), path=path)
        answers.append(created)
        if created.status_code == 201:
            done = send(client, created["Location"], 0, content)
            assert done.status_code == 204 and done["Entente-Node"]

    assert [a.status_code for a in answers] == [201, 201, 413]
    assert error(answers[2])["code"] == "quota_exceeded"
    rapport = Node.objects.get(parent=root, name="Rapport")
    annexes = Node.objects.get(parent=rapport, name="annexes")
    assert sorted(annexes.children.values_list("name", flat=True)) == ["0.bin", "1.bin"]
    assert not Node.objects.filter(name="2.bin").exists()
    assert Blob.objects.count() == 2
    assert not Upload.objects.exists()
    assert files_under("uploads") == [] and files_under("tmp") == []


# --- names and paths ---------------------------------------------------------------------------


def test_a_folder_upload_makes_its_folders_only_when_the_file_is_in(agent):
    client = signed_in(agent)
    root = root_of(agent)
    created = announce(client, root, "b.txt", 3, path="Projet/2026/b.txt")

    assert not Node.objects.filter(name="Projet").exists()
    done = send(client, created["Location"], 0, b"abc")

    node = Node.objects.get(pk=done["Entente-Node"])
    assert node.parent.name == "2026" and node.parent.parent.name == "Projet"
    again = upload_all(client, root, "c.txt", b"c", path="Projet/2026/c.txt")
    assert Node.objects.get(pk=again["Entente-Node"]).parent_id == node.parent_id


@pytest.mark.parametrize(
    "path",
    ["../etc/passwd", "Rapport/../../secret.txt", "./a.txt", "a/../b.txt", "..\\..\\x.txt"],
)
def test_relative_paths_that_climb_are_refused(agent, path):
    answer = announce(signed_in(agent), root_of(agent), "x.txt", 3, path=path)

    assert answer.status_code == 400 and error(answer)["code"] == "invalid_path"
    assert not Upload.objects.exists()


def test_a_file_in_the_way_of_a_folder_refuses_the_upload(agent):
    make_file(agent, root_of(agent), "Rapport", b"un fichier")

    answer = announce(signed_in(agent), root_of(agent), "a.txt", 3, path="Rapport/a.txt")

    assert answer.status_code == 400 and error(answer)["code"] == "name_taken"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("fac\x00ture.pdf", "facture.pdf"),
        ("facture\u202efdp.exe", "facturefdp.exe"),
        ("con.txt", "_con.txt"),
        ("a/b\\c.txt", "a_b_c.txt"),
    ],
)
def test_hostile_names_are_cleaned(agent, sent, kept):
    done = upload_all(signed_in(agent), root_of(agent), sent, b"abc")

    assert Node.objects.get(pk=done["Entente-Node"]).name == kept


def test_a_300_character_name_keeps_its_extension(agent):
    done = upload_all(signed_in(agent), root_of(agent), "r" * 300 + ".pdf", b"%PDF-1.4")

    name = Node.objects.get(pk=done["Entente-Node"]).name
    assert len(name) == 255 and name.endswith("r.pdf")


def test_hostile_folder_names_in_a_path_are_cleaned(agent):
    path = "\u202eAnnexes\x00/" + "d" * 300 + "/x.txt"

    done = upload_all(signed_in(agent), root_of(agent), "x.txt", b"abc", path=path)

    node = Node.objects.get(pk=done["Entente-Node"])
    assert node.parent.name == "d" * 255 and node.parent.parent.name == "Annexes"


@pytest.mark.parametrize("name", ["..", "", "   ", "\u202e"])
def test_unusable_names_are_refused(agent, name):
    answer = announce(signed_in(agent), root_of(agent), name, 3)

    assert answer.status_code == 400 and error(answer)["code"] == "invalid_name"


# --- through an upload link --------------------------------------------------------------------


@pytest.fixture
def drop(agent):
    folder = make_folder(agent, root_of(agent), "Dépôts")
    return services.create_link(
        agent,
        folder,
        kind=LinkKind.UPLOAD,
        expires_at=timezone.now() + dt.timedelta(days=3),
    )


def link_url(link) -> str:
    return f"/documents/depot/{link.token}/envois/"


def test_a_drop_through_a_link_needs_no_account_and_never_overwrites(agent, drop):
    make_file(agent, drop.node, "devis.pdf", b"original")
    stranger = Client(enforce_csrf_checks=True)

    done = upload_all(stranger, drop.node, "devis.pdf", b"%PDF-1.4 du public", url=link_url(drop))

    node = Node.objects.get(pk=done["Entente-Node"])
    assert "Entente-Node-Url" not in done, "a drop never tells where the file went"
    assert node.parent_id == drop.node_id and node.name == "devis (2).pdf"
    assert node.created_by is None
    assert read(Node.objects.get(parent=drop.node, name="devis.pdf")) == b"original"


def test_a_drop_goes_into_the_links_folder_whatever_parent_is_sent(agent, drop):
    elsewhere = make_folder(agent, root_of(agent), "Privé")

    done = upload_all(Client(), elsewhere, "a.txt", b"abc", url=link_url(drop))

    assert Node.objects.get(pk=done["Entente-Node"]).parent_id == drop.node_id
    assert not elsewhere.children.exists()


def test_a_folder_dropped_through_a_link(agent, drop):
    done = upload_all(Client(), drop.node, "b.txt", b"abc", path="Pièces/b.txt", url=link_url(drop))

    node = Node.objects.get(pk=done["Entente-Node"])
    assert node.parent.name == "Pièces" and node.parent.parent_id == drop.node_id


def test_a_password_protected_drop(agent):
    folder = make_folder(agent, root_of(agent), "Dépôt protégé")
    link = services.create_link(
        agent,
        folder,
        kind=LinkKind.UPLOAD,
        expires_at=timezone.now() + dt.timedelta(days=3),
        password="sésame ouvre-toi",
    )
    client = Client()

    locked = announce(client, folder, "a.txt", 3, url=link_url(link))
    wrong = announce(
        client, folder, "a.txt", 3, url=link_url(link), HTTP_ENTENTE_LINK_PASSWORD="faux"
    )
    by_header = announce(
        client,
        folder,
        "a.txt",
        3,
        url=link_url(link),
        HTTP_ENTENTE_LINK_PASSWORD=quote("sésame ouvre-toi"),
    )
    session = client.session
    session[f"link-unlocked-{link.pk}"] = True
    session.save()
    unlocked = announce(client, folder, "b.txt", 3, url=link_url(link))

    assert locked.status_code == 403 and error(locked)["code"] == "password_required"
    assert wrong.status_code == 403
    assert by_header.status_code == 201  # percent-encoded UTF-8, as encodeURIComponent does
    assert unlocked.status_code == 201
    done = send(client, unlocked["Location"], 0, b"abc")
    assert done.status_code == 204 and done["Entente-Node"]


def test_too_many_wrong_passwords_are_refused_for_a_while(agent):
    folder = make_folder(agent, root_of(agent), "Dépôt")
    link = services.create_link(
        agent,
        folder,
        kind=LinkKind.UPLOAD,
        expires_at=timezone.now() + dt.timedelta(days=3),
        password="correct-horse",
    )
    client = Client()
    for _n in range(10):
        announce(client, folder, "a.txt", 3, url=link_url(link), HTTP_ENTENTE_LINK_PASSWORD="x")

    answer = announce(
        client, folder, "a.txt", 3, url=link_url(link), HTTP_ENTENTE_LINK_PASSWORD="correct-horse"
    )

    assert answer.status_code == 429 and error(answer)["code"] == "too_many_attempts"


def test_an_expired_revoked_or_read_only_link_cannot_drop(agent, drop):
    folder = drop.node
    read_link = services.create_link(
        agent, folder, kind=LinkKind.READ, expires_at=timezone.now() + dt.timedelta(days=1)
    )
    client = Client()
    location = announce(client, folder, "a.txt", 3, url=link_url(drop))["Location"]

    services.revoke_link(agent, drop)

    revoked = announce(client, folder, "b.txt", 3, url=link_url(drop))
    piece = send(client, location, 0, b"abc")
    read_only = announce(client, folder, "b.txt", 3, url=link_url(read_link))
    unknown = client.post("/documents/depot/inconnu/envois/", HTTP_UPLOAD_LENGTH="3")

    assert revoked.status_code == 410 and error(revoked)["code"] == "link_gone"
    assert piece.status_code == 410
    assert read_only.status_code == 404 and unknown.status_code == 404
    assert not Node.objects.filter(name__in=["a.txt", "b.txt"]).exists()


def test_an_upload_of_a_link_is_reachable_only_through_that_link(agent, drop):
    other = services.create_link(
        agent,
        make_folder(agent, root_of(agent), "Autre"),
        kind=LinkKind.UPLOAD,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    location = announce(Client(), drop.node, "a.txt", 3, url=link_url(drop))["Location"]
    upload_id = location.rstrip("/").rsplit("/", 1)[1]

    through_other = Client().head(f"{link_url(other)}{upload_id}/")
    through_account = signed_in(agent).head(f"{UPLOADS}{upload_id}/")

    assert through_other.status_code == 404 and through_account.status_code == 404


def test_a_drop_counts_against_the_owners_quota(agent, drop):
    set_quota(agent, 1)

    answer = announce(Client(), drop.node, "gros.bin", 2 * 1024 * KB, url=link_url(drop))

    assert answer.status_code == 413 and error(answer)["code"] == "quota_exceeded"


# --- the plain form (no JavaScript) --------------------------------------------------------------


def form_url(folder) -> str:
    return f"/documents/dossier/{folder.pk}/envoyer/"


def test_the_plain_form_sends_several_files(agent):
    folder = make_folder(agent, root_of(agent), "Conseil")
    files = [
        SimpleUploadedFile("ordre du jour.txt", b"1. budget"),
        SimpleUploadedFile("annexe.pdf", b"%PDF-1.4 annexe"),
    ]

    response = signed_in(agent).post(
        form_url(folder), {"files": files, "next": "/documents/"}, follow=True
    )

    assert response.redirect_chain[0] == ("/documents/", 302)
    assert sorted(folder.children.values_list("name", flat=True)) == [
        "annexe.pdf",
        "ordre du jour.txt",
    ]
    shown = [str(m) for m in response.context["messages"]]
    assert any("2 fichiers envoyés" in m for m in shown)
    assert files_under("tmp") == []


def test_the_plain_form_keeps_earlier_files_when_the_quota_refuses_one(agent):
    set_quota(agent, 1)
    folder = make_folder(agent, root_of(agent), "Photos")
    files = [
        SimpleUploadedFile("a.bin", b"a" * (600 * KB)),
        SimpleUploadedFile("b.bin", b"b" * (600 * KB)),
        SimpleUploadedFile("c.bin", b"c" * (100 * KB)),
    ]

    response = signed_in(agent).post(form_url(folder), {"files": files}, follow=True)

    assert sorted(folder.children.values_list("name", flat=True)) == ["a.bin", "c.bin"]
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "« b.bin » n'a pas été envoyé" in shown and "quota" in shown
    assert "2 fichiers envoyés" in shown
    assert Blob.objects.count() == 2
    assert files_under("tmp") == []


def test_the_plain_form_without_file_or_rights(agent, other_agent):
    folder = make_folder(agent, root_of(agent), "Conseil")
    client = signed_in(agent)

    empty = client.post(form_url(folder), {}, follow=True)
    stranger = signed_in(other_agent).post(
        form_url(folder), {"files": [SimpleUploadedFile("a.txt", b"a")]}
    )
    read = client.get(form_url(folder))

    assert "Choisissez au moins un fichier" in " ".join(str(m) for m in empty.context["messages"])
    assert stranger.status_code == 404
    assert read.status_code == 405
    assert not folder.children.exists()


def test_the_plain_form_checks_csrf(agent):
    folder = make_folder(agent, root_of(agent), "Conseil")
    client = signed_in(agent, enforce_csrf_checks=True)

    response = client.post(form_url(folder), {"files": [SimpleUploadedFile("a.txt", b"a")]})

    assert response.status_code == 403 and not folder.children.exists()


def test_module_helpers():
    assert uploads.parse_metadata(f"name {b64('é.txt')},empty,path {b64('a/b')}") == {
        "name": "é.txt",
        "empty": "",
        "path": "a/b",
    }
    assert uploads.plan("x", "A/B/c.txt") == (["A", "B"], "c.txt")
    assert uploads.plan("c.txt") == ([], "c.txt")
    assert NodeKind.FILE == "file"
