"""What a file really is, read from its first bytes (the type a browser sends is never
trusted), and whether it is safe to show inline."""

from __future__ import annotations

import mimetypes

_SIGNATURES: list[tuple[bytes, int, str]] = [
    (b"%PDF-", 0, "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"BM", 0, "image/bmp"),
    (b"II*\x00", 0, "image/tiff"),
    (b"MM\x00*", 0, "image/tiff"),
    (b"OggS", 0, "audio/ogg"),
    (b"ID3", 0, "audio/mpeg"),
    (b"fLaC", 0, "audio/flac"),
    (b"\x1f\x8b", 0, "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", 0, "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", 0, "application/vnd.rar"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 0, "application/x-ole-storage"),
    (b"MZ", 0, "application/x-msdownload"),
    (b"\x7fELF", 0, "application/x-executable"),
    (b"BEGIN:VCALENDAR", 0, "text/calendar"),
    (b"BEGIN:VCARD", 0, "text/vcard"),
]

#: types a browser may show in the page: they cannot run script in our origin
INLINE_SAFE = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
    "audio/ogg",
    "audio/mpeg",
    "audio/flac",
    "audio/wav",
    "video/mp4",
    "video/webm",
    "text/plain",
}

_OLE_BY_EXTENSION = {
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
}
_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def _riff(head: bytes) -> str | None:
    if head[:4] != b"RIFF" or len(head) < 12:
        return None
    return {b"WEBP": "image/webp", b"WAVE": "audio/wav", b"AVI ": "video/x-msvideo"}.get(head[8:12])


def _iso_media(head: bytes) -> str | None:
    if head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    if brand in {b"qt  "}:
        return "video/quicktime"
    if brand.startswith(b"M4A"):
        return "audio/mp4"
    return "video/mp4"


def _zip_kind(head: bytes, name: str) -> str:
    """ODF keeps its type in a first ``mimetype`` member; OOXML is told by its folders."""
    if head[30:38] == b"mimetype":
        start = 38
        end = head.find(b"PK", start)
        kind = head[start : end if end > 0 else start + 80].decode("ascii", "ignore").strip()
        if kind.startswith("application/vnd.oasis.opendocument"):
            return kind
    if b"[Content_Types].xml" in head:
        for prefix, kind in _OOXML.items():
            if prefix.encode() in head:
                return kind
    guessed = mimetypes.guess_type(f"x.{_extension(name)}")[0] or ""
    if guessed.startswith("application/vnd.openxmlformats") or guessed.startswith(
        "application/vnd.oasis"
    ):
        return guessed  # the directory was past the bytes read: trust the container's name
    return "application/zip"


def _text_kind(head: bytes, name: str) -> str | None:
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not just a character cut at the end of the sample
            try:
                text = head.decode("cp1252")
            except UnicodeDecodeError:
                return None
        else:
            text = head[: error.start].decode("utf-8")
    lowered = text.lstrip("\ufeff \t\r\n").lower()
    if lowered.startswith(("<!doctype html", "<html", "<head", "<body", "<script")):
        return "text/html"
    if lowered.startswith("<?xml") or lowered.startswith("<svg"):
        return "image/svg+xml" if "<svg" in lowered[:2000] else "application/xml"
    extension = _extension(name)
    return {
        "csv": "text/csv",
        "md": "text/markdown",
        "json": "application/json",
        "ics": "text/calendar",
        "vcf": "text/vcard",
    }.get(extension, "text/plain")


def sniff_type(head: bytes, name: str = "") -> str:
    """The MIME type of a file from its first bytes (and its name only to tell apart formats
    sharing a container)."""
    if not head:
        return (
            "text/plain"
            if _extension(name) in {"txt", "md", "csv", ""}
            else "application/octet-stream"
        )
    for signature, offset, kind in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if kind == "application/x-ole-storage":
                return _OLE_BY_EXTENSION.get(_extension(name), "application/x-ole-storage")
            return kind
    if head[:4] == b"PK\x03\x04":
        return _zip_kind(head, name)
    found = _riff(head) or _iso_media(head)
    if found:
        return found
    if head[:4] == b"\x1aE\xdf\xa3":
        return "video/webm"
    return _text_kind(head, name) or "application/octet-stream"


def is_inline_safe(mime_type: str) -> bool:
    return mime_type in INLINE_SAFE
