"""Reading a CSV file of people: size limits, encoding, delimiter, French or English headers.

``read_people_csv(data)`` never raises: a file that cannot be read gives a ``ParsedFile``
whose ``error`` says why, in French, and what to do. Rows keep their line number in the file
(the header is line 1) and only the columns the file has, so a missing optional column leaves
that field untouched on existing people.
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
MAX_CELL = 1000
DELIMITERS = (";", ",", "\t")

#: canonical column → (French header shown in docs and reports, accepted headers, normalised)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "email": (
        "email",
        ("email", "e mail", "mail", "courriel", "adresse e mail", "adresse mail", "adresse email"),
    ),
    "first_name": ("prenom", ("prenom", "first name", "firstname", "given name", "givenname")),
    "last_name": (
        "nom",
        ("nom", "nom de famille", "last name", "lastname", "family name", "familyname", "surname"),
    ),
    "status": ("statut", ("statut", "status")),
    "mandate": ("mandat", ("mandat", "mandate")),
    "job_title": ("fonction", ("fonction", "job title", "jobtitle", "title", "poste")),
    "phone": ("telephone", ("telephone", "tel", "phone", "phone number")),
    "service": ("service", ("service", "department", "departement")),
    "is_org_admin": ("admin", ("admin", "administrateur", "administrator", "is admin")),
    "active": ("actif", ("actif", "active", "is active")),
}
REQUIRED = ("email", "first_name", "last_name")
ALIASES = {alias: name for name, (_label, aliases) in COLUMNS.items() for alias in aliases}


@dataclass
class ImportRow:
    """One line of the file: its number and its values by canonical column (stripped)."""

    line: int
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)


@dataclass
class ParsedFile:
    rows: list[ImportRow] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    encoding: str = ""
    delimiter: str = ""


def header_label(column: str) -> str:
    return COLUMNS[column][0]


def _normalise_header(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().strip("\ufeff")).casefold()
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = re.sub(r"[\s_.\-*]+", " ", text)
    return text.strip()


def _decode(data: bytes, parsed: ParsedFile) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            parsed.encoding = "utf-16"
            return data.decode("utf-16")
        except UnicodeDecodeError:
            parsed.error = (
                "Le fichier se dit en UTF-16 mais ne l'est pas : enregistrez-le en « CSV UTF-8 »."
            )
            return None
    if data.startswith(b"PK\x03\x04"):
        parsed.error = (
            "Ce fichier est un classeur (Excel, LibreOffice) et non un fichier CSV : ouvrez-le, "
            "puis « Enregistrer sous » au format « CSV UTF-8 »."
        )
        return None
    if b"\x00" in data:
        parsed.error = (
            "Le fichier contient des octets nuls : ce n'est pas un fichier CSV texte. "
            "Enregistrez-le au format « CSV UTF-8 »."
        )
        return None
    try:
        parsed.encoding = "utf-8"
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        parsed.error = (
            "Le fichier n'est ni en UTF-8 ni en Windows-1252 : enregistrez-le au format "
            "« CSV UTF-8 » et recommencez."
        )
        return None
    parsed.encoding = "cp1252"
    parsed.warnings.append(
        "Le fichier n'est pas en UTF-8 : il a été lu en Windows-1252 (cp1252). Vérifiez les "
        "accents des noms dans ce rapport ; au besoin, enregistrez-le au format « CSV UTF-8 »."
    )
    return text


def _delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    outside = re.sub(r'"[^"]*"', "", first)
    counts = {delimiter: outside.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _read_header(header: list[str], parsed: ParsedFile) -> list[str | None] | None:
    columns: list[str | None] = []
    unknown: list[str] = []
    for cell in header:
        name = _normalise_header(cell)
        if not name:
            columns.append(None)
            continue
        canonical = ALIASES.get(name)
        if canonical is None:
            unknown.append(cell.strip())
        elif canonical in columns:
            parsed.error = (
                f"La colonne « {header_label(canonical)} » figure deux fois dans l'en-tête : "
                "gardez-en une seule."
            )
            return None
        columns.append(canonical)
    accepted = ", ".join(label for label, _aliases in COLUMNS.values())
    if unknown:
        names = ", ".join(f"« {name[:50]} »" for name in unknown[:5])
        parsed.error = (
            f"Colonne inconnue dans l'en-tête (ligne 1) : {names}. Colonnes reconnues : "
            f"{accepted} (ou leurs équivalents anglais)."
        )
        return None
    missing = [header_label(name) for name in REQUIRED if name not in columns]
    if missing:
        parsed.error = (
            f"Colonnes obligatoires absentes de l'en-tête (ligne 1) : {', '.join(missing)}. "
            f"Colonnes reconnues : {accepted}. La première ligne du fichier doit être l'en-tête."
        )
        return None
    return columns


def read_people_csv(data: bytes) -> ParsedFile:
    """Read ``data`` (the whole file, at most ``MAX_BYTES``) into rows, or say why not."""
    parsed = ParsedFile()
    if len(data) > MAX_BYTES:
        parsed.error = too_big_message(len(data))
        return parsed
    if not data.strip():
        parsed.error = "Le fichier est vide : la première ligne doit être l'en-tête des colonnes."
        return parsed
    text = _decode(data, parsed)
    if text is None:
        return parsed
    parsed.delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=parsed.delimiter)
    try:
        header = next(reader, [])
        columns = _read_header(header, parsed)
        if columns is None:
            return parsed
        parsed.columns = [c for c in columns if c is not None]
        previous_end = reader.line_num
        for cells in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(parsed.rows) >= MAX_ROWS:
                parsed.rows = []
                parsed.error = (
                    f"Le fichier compte plus de {MAX_ROWS:,} personnes : découpez-le en plusieurs "
                    "fichiers (par exemple par service) et importez-les l'un après l'autre."
                ).replace(",", " ")
                return parsed
            parsed.rows.append(_row(start, cells, columns))
    except csv.Error as error:
        parsed.rows = []
        parsed.error = (
            f"Le fichier n'est pas un CSV valide vers la ligne {reader.line_num} ({error}). "
            "Vérifiez les guillemets de cette ligne."
        )
    return parsed


def _row(line: int, cells: list[str], columns: list[str | None]) -> ImportRow:
    row = ImportRow(line=line, values={})
    for index, cell in enumerate(cells):
        value = cell.strip()
        if index >= len(columns):
            if value:
                row.problems.append(
                    f"la ligne compte {len(cells)} colonnes alors que l'en-tête en compte "
                    f"{len(columns)} (un séparateur de trop ?)"
                )
                break
            continue
        name = columns[index]
        if name is None:
            if value:
                row.problems.append(
                    f"une valeur figure dans la colonne n° {index + 1}, qui n'a pas d'en-tête"
                )
            continue
        row.values[name] = value
    for name in columns:
        if name is not None:
            row.values.setdefault(name, "")
    return row


def too_big_message(size: int) -> str:
    return (
        f"Le fichier pèse {size / 1024 / 1024:.1f} Mo, au-delà de la limite de "
        f"{MAX_BYTES // 1024 // 1024} Mo : découpez-le en plusieurs fichiers (par exemple par "
        "service)."
    ).replace(".", ",", 1)


def read_people_file(path: str | os.PathLike) -> ParsedFile:
    """Read a file from disk, refusing it before reading when it is too big."""
    target = Path(path)
    try:
        size = target.stat().st_size
        if size > MAX_BYTES:
            return ParsedFile(error=too_big_message(size))
        data = target.read_bytes()
    except OSError as error:
        return ParsedFile(error=f"Impossible de lire le fichier « {target} » : {error.strerror}.")
    return read_people_csv(data)
