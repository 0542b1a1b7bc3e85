"""Downloads: streamed answers, HTTP Range (206, 416, suffix, open, If-Range, HEAD), ETag and
304, safe headers (nosniff, sandbox, attachment unless a safe type is asked inline), hostile
names, quarantined files, versions, and the JSON errors of the upload protocol."""

from __future__ import annotations

import hashlib
import json
from urllib.parse import unquote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client

from entente.drive import blobstore, services, transfer
from entente.drive.models import Node, ScanStatus
from entente.drive.tests.factories import make_file, root_of

pytestmark = pytest.mark.django_db

CONTENT = bytes(range(256)) * 4  # 1,024 bytes


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def doc(agent):
    return make_file(agent, root_of(agent), "données.bin", CONTENT)


def url(node) -> str:
    return f"/documents/telecharger/{node.pk}/"


def test_a_whole_file_is_streamed_with_its_length_etag_and_safe_headers(agent, doc):
    response = signed_in(agent).get(url(doc))

    assert response.status_code == 200
    assert response.streaming, "the content must be streamed, never built in memory"
    assert body(response) == CONTENT
    assert response["Content-Length"] == str(len(CONTENT))
    assert response["Accept-Ranges"] == "bytes"
    assert response["ETag"] == f'"{hashlib.sha256(CONTENT).hexdigest()}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Cache-Control"] == "private"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"donnees.bin\"; filename*=UTF-8''donn%C3%A9es.bin"
    )


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=2-5", 2, 5),
        ("bytes=1000-", 1000, 1023),  # open range
        ("bytes=-24", 1000, 1023),  # suffix: the last 24 bytes
        ("bytes=-5000", 0, 1023),  # a suffix longer than the file: all of it
        ("bytes=1020-9999", 1020, 1023),  # an end past the size is clipped
        ("bytes=0-0", 0, 0),
    ],
)
def test_one_byte_range_gets_206_and_its_content_range(agent, doc, header, start, end):
    response = signed_in(agent).get(url(doc), HTTP_RANGE=header)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/1024"
    assert response["Content-Length"] == str(end - start + 1)
    assert body(response) == CONTENT[start : end + 1]


@pytest.mark.parametrize("header", ["bytes=1024-", "bytes=5000-6000", "bytes=-0"])
def test_a_range_past_the_end_is_416_with_the_size(agent, doc, header):
    response = signed_in(agent).get(url(doc), HTTP_RANGE=header)

    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1024"


@pytest.mark.parametrize(
    "header", ["bytes=0-1,4-5", "items=0-3", "bytes=abc", "bytes=5-2", "bytes=-", "0-10"]
)
def test_several_ranges_or_garbage_get_the_whole_file(agent, doc, header):
    response = signed_in(agent).get(url(doc), HTTP_RANGE=header)

    assert response.status_code == 200
    assert "Content-Range" not in response
    assert body(response) == CONTENT


def test_if_range_applies_the_range_only_to_the_same_content(agent, doc):
    client = signed_in(agent)
    etag = client.get(url(doc))["ETag"]

    same = client.get(url(doc), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
    changed = client.get(url(doc), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"0123"')
    weak = client.get(url(doc), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=f"W/{etag}")
    dated = client.get(
        url(doc), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE="Wed, 21 Oct 2015 07:28:00 GMT"
    )

    assert same.status_code == 206 and body(same) == CONTENT[:10]
    for whole in (changed, weak, dated):
        assert whole.status_code == 200 and body(whole) == CONTENT


def test_head_gives_the_headers_without_the_bytes(agent, doc):
    client = signed_in(agent)

    whole = client.head(url(doc))
    part = client.head(url(doc), HTTP_RANGE="bytes=10-19")

    assert whole.status_code == 200 and whole.content == b""
    assert whole["Content-Length"] == "1024" and whole["Accept-Ranges"] == "bytes"
    assert part.status_code == 206 and part["Content-Range"] == "bytes 10-19/1024"
    assert part["Content-Length"] == "10"


def test_if_none_match_with_the_etag_answers_304(agent, doc):
    client = signed_in(agent)
    etag = client.get(url(doc))["ETag"]

    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get(url(doc), HTTP_IF_NONE_MATCH=header)
        assert response.status_code == 304, header
        assert response["ETag"] == etag
    assert client.get(url(doc), HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_new_version_changes_the_etag(agent, doc):
    client = signed_in(agent)
    before = client.get(url(doc))["ETag"]
    make_file(agent, root_of(agent), "données.bin", b"autre contenu")

    after = client.get(url(doc), HTTP_IF_NONE_MATCH=before)

    assert after.status_code == 200 and after["ETag"] != before
    assert body(after) == b"autre contenu"


def test_an_empty_file_downloads_and_ignores_ranges(agent):
    empty = make_file(agent, root_of(agent), "vide.txt", b"")

    response = signed_in(agent).get(url(empty), HTTP_RANGE="bytes=0-10")

    assert response.status_code == 200 and body(response) == b""
    assert response["Content-Length"] == "0"


@pytest.mark.parametrize(
    ("name", "content", "inline_ok"),
    [
        ("page.html", b"<!doctype html><script>alert(1)</script>", False),
        ("dessin.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', False),
        ("note.txt", b"simple texte", True),
        ("image.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, True),
        ("doc.pdf", b"%PDF-1.4\n", True),
    ],
)
def test_only_safe_types_are_shown_inline_and_only_when_asked(agent, name, content, inline_ok):
    node = make_file(agent, root_of(agent), name, content)
    client = signed_in(agent)

    asked = client.get(url(node) + "?inline=1")
    default = client.get(url(node))

    assert asked["Content-Disposition"].startswith("inline;" if inline_ok else "attachment;")
    assert default["Content-Disposition"].startswith("attachment;")
    for response in (asked, default):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'none'" in response["Content-Security-Policy"]
    assert default["Content-Security-Policy"] == "sandbox; default-src 'none'"
    if not name.endswith(".pdf"):  # a PDF shown in the browser cannot be sandboxed
        assert asked["Content-Security-Policy"] == "sandbox; default-src 'none'"
    if name.endswith(".html"):
        assert asked["Content-Type"] == "text/html"  # sniffed, and still an attachment


@pytest.mark.parametrize(
    "name",
    [
        'a"b\\c;d.txt',
        "facture\u202efdp.exe",
        "日本語のファイル.txt",
        "\u202e\u202e.txt",
        "x" * 300 + ".pdf",
        "rapport\r\nSet-Cookie: x=1.txt",
    ],
)
def test_hostile_names_give_a_sound_content_disposition(agent, name):
    node = make_file(agent, root_of(agent), name, b"contenu")

    header = signed_in(agent).get(url(node))["Content-Disposition"]

    assert header.startswith('attachment; filename="')
    assert "\r" not in header and "\n" not in header and "\u202e" not in header
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback and fallback.isascii() and '"' not in fallback and "\\" not in fallback
    assert "filename*=UTF-8''" in header


def test_ascii_fallback_keeps_what_it_can():
    assert transfer.ascii_fallback("Été 2026 — bilan.pdf") == "Ete 2026 _ bilan.pdf"
    assert transfer.ascii_fallback("日本語.pdf") == "fichier.pdf"
    assert transfer.ascii_fallback("日本語") == "fichier"
    assert transfer.ascii_fallback('a"b.txt') == "a_b.txt"
    assert transfer.ascii_fallback("100% sûr;x.txt") == "100_ sur_x.txt"


def test_someone_without_access_gets_404_and_a_folder_has_no_download(agent, other_agent, doc):
    assert signed_in(other_agent).get(url(doc)).status_code == 404
    assert signed_in(agent).get(url(root_of(agent))).status_code == 404
    assert Client().get(url(doc)).status_code == 302  # to the sign-in page


def test_a_quarantined_file_is_refused_with_a_clear_page(agent, doc):
    Node.objects.filter(pk=doc.pk).update(scan_status=ScanStatus.INFECTED)

    response = signed_in(agent).get(url(doc))

    assert response.status_code == 403
    page = response.content.decode()
    assert "quarantaine" in page and "données.bin" in page
    assert "<h1" in page


def test_an_older_version_downloads_under_a_telling_name(agent):
    node = make_file(agent, root_of(agent), "budget.csv", b"v1")
    make_file(agent, root_of(agent), "budget.csv", b"version 2")
    old = node.versions.get(number=1)
    current = node.versions.get(number=2)
    client = signed_in(agent)

    response = client.get(f"/documents/versions/{old.pk}/telecharger/")
    latest = client.get(f"/documents/versions/{current.pk}/telecharger/")

    assert response.status_code == 200 and body(response) == b"v1"
    assert unquote(response["Content-Disposition"]).endswith("''budget (version 1).csv")
    assert body(latest) == b"version 2" and 'filename="budget.csv"' in latest["Content-Disposition"]


def test_a_version_of_a_file_one_cannot_see_is_404(agent, other_agent):
    node = make_file(agent, root_of(agent), "secret.txt", b"x")

    response = signed_in(other_agent).get(
        f"/documents/versions/{node.current_version_id}/telecharger/"
    )

    assert response.status_code == 404


def test_file_response_accepts_a_node(rf, agent, doc):
    request = rf.get("/", HTTP_RANGE="bytes=0-3")

    response = transfer.file_response(request, Node.objects.get(pk=doc.pk))

    assert response.status_code == 206 and body(response) == CONTENT[:4]
    assert "donn%C3%A9es.bin" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (services.QuotaExceeded("plein"), 413, "quota_exceeded"),
        (blobstore.TooLarge("trop"), 413, "too_large"),
        (blobstore.Incomplete("coupé"), 400, "incomplete"),
        (ValidationError("Nom pris", code="name_taken"), 400, "name_taken"),
        (ValidationError("Mauvais"), 400, "invalid"),
        (PermissionDenied(), 403, "forbidden"),
        (Http404(), 404, "not_found"),
        (OSError("disque"), 500, "write_failed"),
    ],
)
def test_refusals_become_json_with_a_code_and_a_french_detail(error, status, code):
    response = transfer.error_response(error)

    assert response.status_code == status
    data = json.loads(response.content)
    assert data["code"] == code and data["detail"]


def test_a_pdf_opened_in_the_browser_is_not_sandboxed_but_loads_nothing(rf):
    from entente.drive import blobstore, transfer

    blob = blobstore.store_bytes(b"%PDF-1.4\n%%EOF\n")
    shown = transfer.file_response(
        rf.get("/"), blob, filename="plan.pdf", mime_type="application/pdf", inline=True
    )
    assert "inline" in shown["Content-Disposition"]
    assert "sandbox" not in shown["Content-Security-Policy"]
    assert "default-src 'none'" in shown["Content-Security-Policy"]
    saved = transfer.file_response(
        rf.get("/"), blob, filename="plan.pdf", mime_type="application/pdf"
    )
    assert "attachment" in saved["Content-Disposition"]
    assert saved["Content-Security-Policy"].startswith("sandbox")
