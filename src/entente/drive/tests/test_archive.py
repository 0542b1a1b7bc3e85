"""A folder downloaded as a zip: streamed chunk by chunk while it is made, nested paths, empty
folders, only what the person sees (no trash, no quarantined file), ZIP64 when needed."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from entente.drive import archive, blobstore, services
from entente.drive.models import Blob, Node, NodeKind, ScanStatus, Version
from entente.drive.tests.factories import make_file, make_folder, root_of

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def zip_url(folder) -> str:
    return f"/documents/dossier/{folder.pk}/zip/"


def bulk_files(agent, folder, count: int, prefix: str = "note") -> None:
    """``count`` small files in ``folder``: real blobs, rows made in bulk (the services would
    take minutes for a thousand)."""
    nodes = Node.objects.bulk_create(
        Node(
            drive_id=folder.drive_id,
            parent=folder,
            kind=NodeKind.FILE,
            name=f"{prefix}-{n:04d}.txt",
            name_key=f"{prefix}-{n:04d}.txt",
            path="",
            mime_type="text/plain",
            created_by=agent,
        )
        for n in range(count)
    )
    blobs = [blobstore.store_bytes(f"contenu {prefix} {n}\n".encode()) for n in range(count)]
    versions = Version.objects.bulk_create(
        Version(node=node, number=1, blob=blob, size=blob.size, mime_type="text/plain")
        for node, blob in zip(nodes, blobs, strict=True)
    )
    for node, version in zip(nodes, versions, strict=True):
        node.path = f"{folder.path}{node.pk}/"
        node.current_version = version
        node.size = version.size
    Node.objects.bulk_update(nodes, ["path", "current_version", "size"])


def test_a_folder_of_a_thousand_files_is_streamed_as_a_zip(agent):
    root = root_of(agent)
    project = make_folder(agent, root, "Projet Été")
    sub = make_folder(agent, project, "Annexes")
    deeper = make_folder(agent, sub, "2026")
    make_folder(agent, project, "Vide")
    bulk_files(agent, project, 600, "a")
    bulk_files(agent, sub, 300, "b")
    bulk_files(agent, deeper, 100, "c")

    response = signed_in(agent).get(zip_url(project))

    assert response.status_code == 200
    assert response.streaming, "the archive must be streamed while it is made"
    assert response["Content-Type"] == "application/zip"
    assert "Content-Length" not in response
    assert "filename*=UTF-8''Projet%20%C3%89t%C3%A9.zip" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    chunks = list(response.streaming_content)
    assert len(chunks) > 1000, "written and sent entry by entry, never built whole"
    assert max(len(chunk) for chunk in chunks) < 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as zipped:
        assert zipped.testzip() is None
        names = zipped.namelist()
        files = [name for name in names if not name.endswith("/")]
        assert len(files) == 1000
        assert {"Annexes/", "Annexes/2026/", "Vide/"} <= set(names)
        assert zipped.read("a-0042.txt") == b"contenu a 42\n"
        assert zipped.read("Annexes/b-0299.txt") == b"contenu b 299\n"
        assert zipped.read("Annexes/2026/c-0007.txt") == b"contenu c 7\n"


def test_the_archive_leaves_out_the_trash_and_quarantined_files(agent):
    root = root_of(agent)
    folder = make_folder(agent, root, "Dossier")
    make_file(agent, folder, "garde.txt", b"ok")
    trashed = make_file(agent, folder, "jete.txt", b"poubelle")
    services.trash(agent, trashed)
    gone = make_folder(agent, folder, "Ancien")
    make_file(agent, gone, "dedans.txt", b"avec le dossier")
    services.trash(agent, gone)
    infected = make_file(agent, folder, "virus.exe", b"MZ...")
    Node.objects.filter(pk=infected.pk).update(scan_status=ScanStatus.INFECTED)

    response = signed_in(agent).get(zip_url(folder))

    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zipped:
        assert zipped.namelist() == ["garde.txt"]


def test_a_shared_folder_zips_for_its_reader_and_stays_hidden_from_others(
    agent, other_agent, org_admin
):
    folder = make_folder(agent, root_of(agent), "Partagé")
    make_file(agent, make_folder(agent, folder, "Sous-dossier"), "x.txt", b"x")
    services.share(agent, folder, other_agent, "reader", confirm_external=True)

    reader = signed_in(other_agent).get(zip_url(folder))
    stranger = signed_in(org_admin).get(zip_url(folder))
    a_file = signed_in(agent).get(zip_url(Node.objects.get(name="x.txt")))

    with zipfile.ZipFile(io.BytesIO(b"".join(reader.streaming_content))) as zipped:
        assert zipped.read("Sous-dossier/x.txt") == b"x"
    assert stranger.status_code == 404 and a_file.status_code == 404


def test_head_of_an_archive_reads_nothing(agent):
    folder = make_folder(agent, root_of(agent), "Dossier")
    make_file(agent, folder, "a.txt", b"a")

    response = signed_in(agent).head(zip_url(folder))

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content) == b""


def test_a_drive_root_zips_under_a_plain_name(agent):
    make_file(agent, root_of(agent), "a.txt", b"a")

    response = signed_in(agent).get(zip_url(root_of(agent)))

    assert 'filename="Documents.zip"' in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as zipped:
        assert zipped.read("a.txt") == b"a"


def test_entries_over_4_gib_are_written_as_zip64(agent, monkeypatch):
    """A blob claiming 5 GiB (its bytes are faked): the entry's header is ZIP64 from the start,
    as a non-seekable stream cannot go back to fix it."""
    folder = make_folder(agent, root_of(agent), "Vidéos")
    node = make_file(agent, folder, "film.mp4", b"\x00\x00\x00\x18ftypmp42")
    Blob.objects.filter(pk=node.current_version.blob_id).update(size=5 * 1024**3)
    written = []

    def fake_read(blob, start=0, end=None):
        written.append(blob.size)
        yield b"\x00" * 16  # the stream is cut short; only the header matters here

    monkeypatch.setattr(archive.blobstore, "read", fake_read)
    chunks = archive.stream(folder, Node.objects.all())
    head = next(chunks) + next(chunks)

    assert written == [5 * 1024**3]
    assert head.startswith(b"PK\x03\x04")
    # local header: version needed 4.5 (ZIP64) and the ZIP64 extra field (id 0x0001)
    assert head[4:6] == (45).to_bytes(2, "little")
    assert b"\x01\x00\x10\x00" in head[30 : 30 + 64 + len("film.mp4")]
