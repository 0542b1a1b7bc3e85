"""What a file really is comes from its bytes, never from its name or the browser: a PDF named
.txt is a PDF, an HTML page named .png is HTML (and never shown inline), office documents are
told apart inside their zip container."""

from __future__ import annotations

import io
import zipfile

import pytest
from rest_framework.test import APIClient

from entente.drive.models import Node
from entente.drive.sniff import is_inline_safe, sniff_type
from entente.drive.tests.factories import make_file, root_of

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"


def ooxml(folder: str, main: str) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr(f"{folder}/{main}", '<?xml version="1.0"?><document/>')
    return output.getvalue()


def odf(kind: str) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), kind, compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", "<office:document-content/>")
    return output.getvalue()


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "facture.txt", "application/pdf"),
        (b"<!DOCTYPE html><html><script>alert(1)</script>", "photo.png", "text/html"),
        (b"  <html><body>", "image.jpg", "text/html"),
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "rapport.pdf", "image/png"),
        (b"\xff\xd8\xff\xe0\0\x10JFIF", "photo", "image/jpeg"),
        (b"MZ\x90\0\x03", "lisez-moi.txt", "application/x-msdownload"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'>", "logo.png", "image/svg+xml"),
        ("Compte rendu de réunion\n".encode(), "cr.txt", "text/plain"),
        ("nom;prénom\n".encode("cp1252"), "liste.csv", "text/csv"),
        (b"\0\x01\x02\x03binaire", "donnees.txt", "application/octet-stream"),
    ],
)
def test_type_comes_from_the_content(head, name, expected):
    assert sniff_type(head, name) == expected


def test_office_documents_are_told_apart_in_their_zip():
    assert sniff_type(ooxml("word", "document.xml"), "a.docx") == DOCX
    assert sniff_type(ooxml("xl", "workbook.xml"), "a.xlsx") == XLSX
    # the name cannot turn a spreadsheet into a text document
    assert sniff_type(ooxml("xl", "workbook.xml"), "a.docx") == XLSX
    assert sniff_type(odf(ODT), "a.odt") == ODT
    assert sniff_type(odf(ODT), "a.zip") == ODT
    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("notes.txt", "bonjour")
    assert sniff_type(plain.getvalue(), "archive.zip") == "application/zip"


def test_an_empty_file():
    assert sniff_type(b"", "vide.txt") == "text/plain"
    assert sniff_type(b"", "vide") == "text/plain"
    assert sniff_type(b"", "vide.exe") == "application/octet-stream"


def test_only_types_that_cannot_run_script_are_shown_inline():
    assert is_inline_safe("application/pdf")
    assert is_inline_safe("image/png")
    assert is_inline_safe("text/plain")
    for dangerous in ("text/html", "image/svg+xml", "application/xml", "application/javascript"):
        assert not is_inline_safe(dangerous)


def test_html_uploaded_as_png_is_stored_as_html_and_served_as_an_attachment(agent):
    client = APIClient()
    client.force_authenticate(agent)
    response = client.put(
        f"/api/v1/drive/nodes/{root_of(agent).pk}/files/photo.png/",
        data=b"<html><script>document.cookie</script></html>",
        content_type="image/png",
    )
    assert response.status_code == 201
    assert response.json()["mime_type"] == "text/html"
    download = client.get(f"/api/v1/drive/nodes/{response.json()['id']}/content/")
    assert download["Content-Type"] == "text/html"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]


def test_an_uploaded_empty_file_is_stored(agent):
    node = make_file(agent, root_of(agent), "vide.txt", b"")
    node = Node.objects.get(pk=node.pk)
    assert node.size == 0 and node.mime_type == "text/plain"
