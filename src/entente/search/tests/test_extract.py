"""Reading the text of documents: each format, the caps, broken and hostile files."""

from __future__ import annotations

import io
import time

import pytest

from entente.search import extract
from entente.search.tests import documents


def read(data: bytes, name: str, mime_type: str = "") -> str:
    return extract.extract_text(io.BytesIO(data), name, mime_type)


def test_plain_text_in_utf8_or_windows_1252():
    assert read("Réunion du budget\n".encode(), "notes.txt") == "Réunion du budget"
    assert read("Réunion".encode("cp1252"), "vieux.txt") == "Réunion"
    assert read(b"a,b\n1,2", "table.bin", "text/csv") == "a,b\n1,2"


def test_pdf_text_is_read_with_pdfium():
    assert "Budget primitif 2026" in read(documents.pdf("Budget primitif 2026"), "budget.pdf")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (documents.odt("Compte rendu du conseil", "Voirie communale"), "cr.odt"),
        (documents.docx("Compte rendu du conseil", "Voirie communale"), "cr.docx"),
        (documents.xlsx("Compte rendu du conseil", "Voirie communale"), "cr.xlsx"),
        (documents.pptx("Compte rendu du conseil", "Voirie communale"), "cr.pptx"),
    ],
)
def test_office_documents_give_their_paragraphs(data, name):
    assert read(data, name).splitlines()[-2:] == ["Compte rendu du conseil", "Voirie communale"]


def test_the_type_is_known_from_the_mime_type_when_the_name_says_nothing():
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert read(documents.docx("Sans extension"), "document", mime) == "Sans extension"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"PK\x03\x04 pas vraiment une archive", "casse.docx"),
        (b"%PDF-1.4 tronque", "casse.pdf"),
        (b"\x00\x01\x02", "image.png"),
        (b"", "vide.txt"),
    ],
)
def test_a_broken_file_gives_no_text_and_no_error(data, name):
    assert read(data, name) == ""


def test_a_part_broken_midway_keeps_the_paragraphs_before_the_break():
    assert read(documents.odt("Avant", "<non fermé", "Après"), "casse.odt") == "Titre\nAvant"


def test_an_entity_expansion_attack_is_refused():
    billion = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"
    )
    assert read(documents._zip({"word/document.xml": billion}), "lol.docx") == ""


def test_a_zip_bomb_is_read_only_up_to_the_caps(monkeypatch):
    monkeypatch.setattr(extract, "MAX_XML_BYTES", 2 * 1024 * 1024)
    bomb = documents.zip_bomb(megabytes=64)
    assert len(bomb) < 1024 * 1024  # small on disk, 64 MB once inflated

    started = time.monotonic()
    text = read(bomb, "bombe.docx")

    assert time.monotonic() - started < 10
    assert text.startswith("bombe bombe")
    assert len(text) <= extract.MAX_CHARS


def test_the_text_kept_is_capped(monkeypatch):
    monkeypatch.setattr(extract, "MAX_CHARS", 50)
    assert len(read(("mot " * 1000).encode(), "long.txt")) <= 50
    assert len(read(documents.docx(*["paragraphe"] * 100), "long.docx")) <= 50
