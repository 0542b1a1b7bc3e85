"""Content through the API: the raw request body is streamed into the blob store (never
``request.body``), ``Content-Length`` is required and must match, rights and quota are checked
before the first byte is read, and a refused or cut upload leaves nothing behind; downloads are
streamed with Range."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.handlers.wsgi import WSGIRequest
from rest_framework.test import APIClient

from entente.drive import services
from entente.drive.models import Blob, Node, ShareRole, Version
from entente.drive.tests.factories import make_file, root_of

pytestmark = pytest.mark.django_db

API = "/api/v1/drive"
MB = 1024 * 1024


@pytest.fixture
def client(agent):
    client = APIClient()
    client.force_authenticate(agent)
    return client


@pytest.fixture(autouse=True)
def _no_whole_body(monkeypatch):
    """Reading ``request.body`` (the whole upload in memory) fails these tests."""

    def refuse(self):
        raise AssertionError("request.body lu en entier")

    monkeypatch.setattr(WSGIRequest, "body", property(refuse))


class CountingStream(io.BytesIO):
    """A request body that remembers the largest read asked of it."""

    largest = 0

    def read(self, size=-1):
        self.largest = max(self.largest, size if size and size > 0 else len(self.getvalue()))
        return super().read(size)


def raw_put(client, url, body: bytes, length: str | None):
    """A PUT whose ``Content-Length`` says ``length`` whatever the body holds."""
    extra = {"wsgi.input": CountingStream(body), "CONTENT_TYPE": "application/octet-stream"}
    if length is not None:
        extra["CONTENT_LENGTH"] = length
    return client.generic("PUT", url, **extra), extra["wsgi.input"]


def nothing_stored():
    _folders, temporary = (
        default_storage.listdir("tmp") if default_storage.exists("tmp") else ([], [])
    )
    return temporary == [] and not Blob.objects.exists() and not Version.objects.exists()


def test_a_large_body_is_streamed_in_chunks(client, agent):
    content = bytes(range(256)) * (12 * MB // 256)  # 12 MiB
    root = root_of(agent)
    response, stream = raw_put(
        client, f"{API}/nodes/{root.pk}/files/archive.bin/", content, str(len(content))
    )
    assert response.status_code == 201
    assert stream.largest <= 1 * MB  # read piece by piece, never whole
    node = Node.objects.get(pk=response.json()["id"])
    assert node.size == len(content)
    download = client.get(f"{API}/nodes/{node.pk}/content/")
    assert download["Content-Length"] == str(len(content))
    assert b"".join(download.streaming_content) == content


def test_content_length_is_required(client, agent):
    root = root_of(agent)
    response, stream = raw_put(client, f"{API}/nodes/{root.pk}/files/a.txt/", b"bonjour", None)
    assert response.status_code == 411
    assert response.json()["code"] == "length_required"
    assert "Content-Length" in response.json()["detail"]
    assert stream.tell() == 0
    chunked = client.generic(
        "PUT",
        f"{API}/nodes/{root.pk}/files/a.txt/",
        b"7\r\nbonjour\r\n0\r\n\r\n",
        content_type="application/octet-stream",
        HTTP_TRANSFER_ENCODING="chunked",
    )
    assert chunked.status_code == 411
    assert not Node.objects.filter(name="a.txt").exists()


def test_a_body_shorter_than_announced_leaves_nothing(client, agent):
    root = root_of(agent)
    response, _stream = raw_put(
        client, f"{API}/nodes/{root.pk}/files/coupe.pdf/", b"%PDF-1.7 debut", "5000"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "incomplete"
    assert not Node.objects.filter(name="coupe.pdf").exists()
    assert nothing_stored()


def test_an_interrupted_new_version_keeps_the_old_one(client, agent):
    note = make_file(agent, root_of(agent), "note.txt", b"version 1")
    response, _stream = raw_put(client, f"{API}/nodes/{note.pk}/content/", b"vers", "100")
    assert response.json()["code"] == "incomplete"
    note.refresh_from_db()
    assert note.versions.count() == 1
    body = client.get(f"{API}/nodes/{note.pk}/content/")
    assert b"".join(body.streaming_content) == b"version 1"


def test_quota_is_checked_before_reading_and_nothing_is_written(client, agent, org):
    org.policy.quota_per_person_mb = 1
    org.policy.save()
    root = root_of(agent)
    content = b"x" * (2 * MB)
    response, stream = raw_put(
        client, f"{API}/nodes/{root.pk}/files/gros.bin/", content, str(len(content))
    )
    assert response.status_code == 413
    assert response.json()["code"] == "quota_exceeded"
    assert "quota" in response.json()["detail"]
    assert stream.tell() == 0  # refused before the first byte
    assert not Node.objects.filter(name="gros.bin").exists()
    assert nothing_stored()


def test_organisation_quota_is_checked_too(client, agent, org):
    org.policy.quota_organisation_gb = 0
    org.policy.save()
    response, _stream = raw_put(
        client, f"{API}/nodes/{root_of(agent).pk}/files/a.bin/", b"abc", "3"
    )
    assert response.status_code == 413 and response.json()["code"] == "quota_exceeded"


def test_rights_are_checked_before_reading(agent, other_agent):
    folder = root_of(agent)
    reader_folder = services.create_folder(agent, folder, "Lecture")
    services.share(agent, reader_folder, other_agent, ShareRole.READER, confirm_external=True)
    reader = APIClient()
    reader.force_authenticate(other_agent)
    response, stream = raw_put(reader, f"{API}/nodes/{reader_folder.pk}/files/a.txt/", b"abc", "3")
    assert response.status_code == 403 and stream.tell() == 0
    response, stream = raw_put(reader, f"{API}/nodes/{folder.pk}/files/a.txt/", b"abc", "3")
    assert response.status_code == 404 and stream.tell() == 0
    assert nothing_stored()


def test_a_name_taken_by_a_folder_is_refused(client, agent):
    root = root_of(agent)
    services.create_folder(agent, root, "Rapport")
    response, stream = raw_put(client, f"{API}/nodes/{root.pk}/files/rapport/", b"abc", "3")
    assert response.status_code == 409
    assert response.json()["code"] == "name_taken"
    assert stream.tell() == 0


def test_uploading_into_a_file_is_refused(client, agent):
    note = make_file(agent, root_of(agent), "note.txt")
    response, _stream = raw_put(client, f"{API}/nodes/{note.pk}/files/a.txt/", b"abc", "3")
    assert response.status_code == 400 and response.json()["code"] == "not_a_folder"


def test_post_with_the_name_as_a_parameter(client, agent):
    root = root_of(agent)
    response = client.post(
        f"{API}/nodes/{root.pk}/files/?name=Compte rendu.txt",
        data=b"ordre du jour",
        content_type="application/octet-stream",
    )
    assert response.status_code == 201
    assert response.json()["name"] == "Compte rendu.txt"
    missing = client.post(
        f"{API}/nodes/{root.pk}/files/", data=b"x", content_type="application/octet-stream"
    )
    assert missing.status_code == 400 and missing.json()["code"] == "invalid_name"


def test_an_empty_file(client, agent):
    root = root_of(agent)
    response, _stream = raw_put(client, f"{API}/nodes/{root.pk}/files/vide.txt/", b"", "0")
    assert response.status_code == 201
    assert response.json()["size"] == 0
    download = client.get(f"{API}/nodes/{response.json()['id']}/content/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b""


def test_download_honours_range_and_head(client, agent):
    note = make_file(agent, root_of(agent), "alphabet.txt", b"abcdefghijklmnopqrstuvwxyz")
    url = f"{API}/nodes/{note.pk}/content/"
    partial = client.get(url, HTTP_RANGE="bytes=2-5")
    assert partial.status_code == 206
    assert partial["Content-Range"] == "bytes 2-5/26"
    assert b"".join(partial.streaming_content) == b"cdef"
    head = client.head(url)
    assert head.status_code == 200 and head["Content-Length"] == "26"
    assert not head.content
    # whatever the client accepts, the answer is the file
    assert client.get(url, HTTP_ACCEPT="application/octet-stream").status_code == 200
