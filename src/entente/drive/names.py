"""File and folder names: what people type or upload, made safe for every client.

``clean_name`` keeps the name recognisable while removing what could hurt: path separators
and ``..`` (no path traversal), control characters and NUL, the bidirectional overrides that
disguise an extension (``facture‮fdp.exe``), characters and names Windows refuses (so a
WebDAV or sync client on Windows can always write the file), and more than 255 characters
(the extension is kept).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_NAME = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_WINDOWS_FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.I)


def clean_name(raw: str) -> str:
    """A safe version of ``raw``; ``ValidationError`` when nothing usable is left."""
    name = unicodedata.normalize("NFC", str(raw or ""))
    name = _BIDI.sub("", _CONTROL.sub("", name))
    name = _WINDOWS_FORBIDDEN.sub("_", name)
    name = name.strip().rstrip(". ")
    if name in {"", ".", ".."} or set(name) <= {".", "_", " "} and ".." in name:
        raise ValidationError(_("Ce nom n'est pas utilisable : choisissez-en un autre."))
    if _WINDOWS_RESERVED.match(name):
        name = f"_{name}"
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16 and stem:
            name = f"{stem[: MAX_NAME - len(ext) - 1].rstrip()}.{ext}"
        else:
            name = name[:MAX_NAME].rstrip()
    return name


def name_key(name: str) -> str:
    """What makes two names the same for a folder: case and accents ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()[:MAX_NAME]


def split_relative_path(raw: str) -> list[str]:
    """The folders and file name of a path sent by a folder upload (``Rapport/annexes/a.pdf``),
    each cleaned; ``..`` and empty parts are refused, never followed."""
    parts = str(raw or "").replace("\\", "/").split("/")
    if any(part.strip() in {"..", "."} for part in parts):
        raise ValidationError(_("Chemin refusé : « .. » n'est pas permis."))
    parts = [part for part in parts if part.strip()]
    if not parts or len(parts) > 32:
        raise ValidationError(_("Chemin de fichier invalide."))
    return [clean_name(part) for part in parts]


def numbered(name: str, number: int) -> str:
    """``Rapport (2).pdf`` for the second ``Rapport.pdf``."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return f"{name} ({number})"
    return f"{stem} ({number}).{ext}"
