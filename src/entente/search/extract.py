"""Text of a document's content, for the search index: plain text, PDF, OpenDocument
(odt, ods, odp) and Office Open XML (docx, xlsx, pptx).

Everything is capped: at most ``MAX_FILE_BYTES`` of a file are looked at, at most
``MAX_XML_BYTES`` are decompressed from an archive (a "zip bomb" stops there), at most
``MAX_PAGES`` PDF pages are read and at most ``MAX_CHARS`` characters kept. A broken or
hostile file yields what could be read, or nothing: ``extract_text`` never raises.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Iterator
from typing import IO

from defusedxml import ElementTree

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_TEXT_BYTES = 2 * 1024 * 1024
MAX_XML_BYTES = 16 * 1024 * 1024
MAX_PAGES = 300
MAX_CHARS = 100_000

TEXT_EXTENSIONS = {"txt", "text", "md", "markdown", "csv", "tsv", "ics", "vcf", "log", "rst"}
TEXT_TYPES = {"application/json", "application/xml", "application/csv"}

ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
W_MAIN = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
S_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"

#: per format: the archive parts holding the text, and the elements that end a paragraph
ODF = (lambda names: [n for n in ("content.xml",) if n in names], {ODF_TEXT + "p", ODF_TEXT + "h"})
DOCX = (
    lambda names: [
        n
        for n in names
        if n == "word/document.xml" or re.fullmatch(r"word/(header|footer)\d*\.xml", n)
    ],
    {W_MAIN + "p"},
)
XLSX = (lambda names: [n for n in ("xl/sharedStrings.xml",) if n in names], {S_MAIN + "si"})
PPTX = (
    lambda names: sorted(
        (n for n in names if re.fullmatch(r"ppt/slides/slide\d+\.xml", n)),
        key=lambda n: int(re.sub(r"\D", "", n) or 0),
    ),
    {DRAWING + "p"},
)
ARCHIVES = {
    "odt": ODF,
    "ods": ODF,
    "odp": ODF,
    "docx": DOCX,
    "docm": DOCX,
    "xlsx": XLSX,
    "xlsm": XLSX,
    "pptx": PPTX,
}
TYPE_EXTENSIONS = {
    "application/pdf": "pdf",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
}


class _Budget:
    """Characters still allowed in the result."""

    def __init__(self, chars: int) -> None:
        self.left = chars
        self.parts: list[str] = []

    def add(self, text: str) -> bool:
        """Keep ``text`` (cut to what is left); False once the budget is spent."""
        text = text.strip()
        if text and self.left > 0:
            text = text[: self.left]
            self.parts.append(text)
            self.left -= len(text) + 1
        return self.left > 0

    def text(self) -> str:
        return "\n".join(self.parts)


def kind_of(name: str, mime_type: str = "") -> str | None:
    """``"text"``, ``"pdf"``, an archive extension (``"docx"``…), or None (not extracted)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "pdf" or extension in ARCHIVES:
        return extension
    if extension in TEXT_EXTENSIONS:
        return "text"
    mime_type = (mime_type or "").split(";")[0].strip().lower()
    if mime_type in TYPE_EXTENSIONS:
        return TYPE_EXTENSIONS[mime_type]
    if mime_type.startswith("text/") or mime_type in TEXT_TYPES:
        return "text"
    return None


def extract_text(stream: IO[bytes], name: str, mime_type: str = "") -> str:
    """The searchable text of the file ``name`` read from the seekable ``stream`` ("" when
    the format is unknown or the file unreadable). Never raises."""
    kind = kind_of(name, mime_type)
    if kind is None:
        return ""
    try:
        if kind == "text":
            return _text(stream)
        if kind == "pdf":
            return _pdf(stream)
        return _archive(stream, *ARCHIVES[kind])
    except Exception:  # a broken or hostile file must never break indexing
        logger.info("texte illisible dans %s", name, exc_info=True)
        return ""


def _clean(text: str) -> str:
    text = text.replace("\x00", " ")
    return re.sub(r"[ \t\r\f\v]+", " ", text)


def _text(stream: IO[bytes]) -> str:
    data = stream.read(MAX_TEXT_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start >= len(data) - 3:  # a character cut at the read limit
            text = data[: error.start].decode("utf-8-sig", errors="replace")
        else:
            text = data.decode("cp1252", errors="replace")
    return _clean(text)[:MAX_CHARS].strip()


def _pdf(stream: IO[bytes]) -> str:
    import pypdfium2

    data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        return ""
    budget = _Budget(MAX_CHARS)
    document = pypdfium2.PdfDocument(data)
    try:
        for index in range(min(len(document), MAX_PAGES)):
            page = document[index]
            try:
                textpage = page.get_textpage()
                try:
                    if not budget.add(_clean(textpage.get_text_range())):
                        break
                finally:
                    textpage.close()
            finally:
                page.close()
    finally:
        document.close()
    return budget.text()


class _CappedReader(io.RawIOBase):
    """Reads at most ``budget.left`` bytes of ``source``, then behaves as if it ended."""

    def __init__(self, source: IO[bytes], budget: list[int]) -> None:
        self.source = source
        self.budget = budget

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:  # type: ignore[override]
        allowed = min(len(target), self.budget[0])
        if allowed <= 0:
            return 0
        data = self.source.read(allowed)
        self.budget[0] -= len(data)
        target[: len(data)] = data
        return len(data)


def _paragraphs(stream: IO[bytes], ends: set[str]) -> Iterator[str]:
    """Text of each paragraph of an XML part, streamed (memory stays small); a part cut by
    the byte cap or broken ends the paragraphs where it breaks."""
    try:
        for _event, element in ElementTree.iterparse(stream, events=("end",), forbid_dtd=True):
            if element.tag in ends:
                yield "".join(element.itertext())
                element.clear()
    except ElementTree.ParseError:
        return


def _archive(stream: IO[bytes], parts_of, ends: set[str]) -> str:
    budget = _Budget(MAX_CHARS)
    bytes_left = [MAX_XML_BYTES]
    with zipfile.ZipFile(stream) as archive:
        for name in parts_of(set(archive.namelist())):
            with archive.open(name) as member:
                reader = io.BufferedReader(_CappedReader(member, bytes_left))
                for paragraph in _paragraphs(reader, ends):
                    if not budget.add(_clean(paragraph)):
                        return budget.text()
            if bytes_left[0] <= 0:
                break
    return budget.text()
