"""Every interface string has its English translation, and the compiled catalogues are current."""

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
LOCALE = PACKAGE / "locale"


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (list), flags."""
    entries: list[dict] = []
    entry: dict = {}
    key = None

    def flush():
        if "msgid" in entry:
            entries.append(dict(entry))
        entry.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#,"):
            if "msgid" in entry:
                flush()
            entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith("msgid "):
            if "msgid" in entry and "msgstr" in entry:
                flags = entry.pop("_next_flags", None)
                flush()
                if flags:
                    entry["flags"] = flags
            key = "msgid"
            entry[key] = ast.literal_eval(line[6:])
        elif line.startswith("msgid_plural "):
            key = "msgid_plural"
            entry[key] = ast.literal_eval(line[13:])
        elif line.startswith("msgstr"):
            head, _, value = line.partition(" ")
            entry.setdefault("msgstr", []).append(ast.literal_eval(value))
            key = "msgstr"
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if key == "msgstr":
                entry["msgstr"][-1] += value
            else:
                entry[key] += value
    flush()
    return [e for e in entries if e["msgid"]]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_string_is_translated_and_none_is_fuzzy(language):
    entries = parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert len(entries) > 300
    untranslated = [e["msgid"] for e in entries if not all(e.get("msgstr", [""]))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", set())]
    assert not untranslated, f"{language}: untranslated strings: {untranslated[:10]}"
    assert not fuzzy, f"{language}: fuzzy strings: {fuzzy[:10]}"


def test_french_catalogue_is_the_source_text():
    """French is the source language: its catalogue only supplies French plural rules."""
    for entry in parse_po(LOCALE / "fr" / "LC_MESSAGES" / "django.po"):
        expected = (
            [entry["msgid"], entry["msgid_plural"]] if "msgid_plural" in entry else [entry["msgid"]]
        )
        assert entry["msgstr"] == expected, f"fr: {entry['msgid']!r} → {entry['msgstr']!r}"


def test_english_keeps_every_placeholder():
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
    for entry in parse_po(LOCALE / "en" / "LC_MESSAGES" / "django.po"):
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for source, translation in zip(sources, entry["msgstr"], strict=False):
            assert sorted(set(placeholder.findall(source))) == sorted(
                set(placeholder.findall(translation))
            ), f"en: placeholders differ in {entry['msgid']!r}"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_compiled_catalogue_matches_the_po_file(language):
    directory = LOCALE / language / "LC_MESSAGES"
    with open(directory / "django.mo", "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for entry in parse_po(directory / "django.po"):
        if "msgid_plural" in entry:
            assert (
                catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr"][0]
            )
        else:
            assert catalogue.gettext(entry["msgid"]) == entry["msgstr"][0], (
                f"{language}: django.mo is older than django.po — run `make messages`"
            )


def test_catalogues_cover_every_string_of_the_code(tmp_path):
    """makemessages on a copy of the code finds no string missing from the catalogue."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is missing: `apt-get install gettext` (make install-test does it)")
    copy = tmp_path / "entente"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "en",
            "--no-obsolete",
            "--ignore",
            "*/tests/*",
            "--ignore",
            "test_settings.py",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "", "PYTHONPATH": ""},
        timeout=300,
    )
    found = {e["msgid"] for e in parse_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")}
    known = {e["msgid"] for e in parse_po(LOCALE / "en" / "LC_MESSAGES" / "django.po")}
    missing = sorted(found - known)
    assert not missing, (
        f"strings not in the catalogues (run `make messages` and translate): {missing[:10]}"
    )
