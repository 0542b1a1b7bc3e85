"""Every interface string has its English translation, and the compiled catalogues are current.

Two catalogues per language, checked by the same rules: ``django`` (Python code and templates)
and ``djangojs`` (the browser modules, static/**/*.js, served by the ``javascript-catalog`` URL).
"""

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
LOCALE = PACKAGE / "locale"
#: each domain, with the least number of entries it has (a catalogue is not emptied by mistake)
DOMAINS = {"django": 300, "djangojs": 20}
CATALOGUES = [(language, domain) for domain in DOMAINS for language in ("en", "fr")]
#: what `make messages` leaves out (the Makefile's MAKEMESSAGES)
IGNORED = ["*/tests/*", "test_settings.py", "node_modules", "var"]


def po_path(language: str, domain: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


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


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_every_string_is_translated_and_none_is_fuzzy(language, domain):
    entries = parse_po(po_path(language, domain))
    assert len(entries) > DOMAINS[domain]
    untranslated = [e["msgid"] for e in entries if not all(e.get("msgstr", [""]))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", set())]
    assert not untranslated, f"{language}/{domain}: untranslated strings: {untranslated[:10]}"
    assert not fuzzy, f"{language}/{domain}: fuzzy strings: {fuzzy[:10]}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_french_catalogue_is_the_source_text(domain):
    """French is the source language: its catalogue only supplies French plural rules."""
    for entry in parse_po(po_path("fr", domain)):
        expected = (
            [entry["msgid"], entry["msgid_plural"]] if "msgid_plural" in entry else [entry["msgid"]]
        )
        assert entry["msgstr"] == expected, f"fr: {entry['msgid']!r} → {entry['msgstr']!r}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_english_keeps_every_placeholder(domain):
    import re

    # Python's and Django's JavaScript interpolate's (%(name)s, %s), and str.format's
    placeholder = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")
    for entry in parse_po(po_path("en", domain)):
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        for source, translation in zip(sources, entry["msgstr"], strict=False):
            assert sorted(set(placeholder.findall(source))) == sorted(
                set(placeholder.findall(translation))
            ), f"en/{domain}: placeholders differ in {entry['msgid']!r}"


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_compiled_catalogue_matches_the_po_file(language, domain):
    po = po_path(language, domain)
    with open(po.with_suffix(".mo"), "rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    for entry in parse_po(po):
        if "msgid_plural" in entry:
            assert (
                catalogue.ngettext(entry["msgid"], entry["msgid_plural"], 1) == entry["msgstr"][0]
            )
        else:
            assert catalogue.gettext(entry["msgid"]) == entry["msgstr"][0], (
                f"{language}: {domain}.mo is older than {domain}.po — run `make messages`"
            )


@pytest.mark.parametrize("domain", DOMAINS)
def test_catalogues_cover_every_string_of_the_code(tmp_path, domain):
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
            "-d",
            domain,
            "-l",
            "en",
            "--no-obsolete",
            *(option for pattern in IGNORED for option in ("--ignore", pattern)),
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "", "PYTHONPATH": ""},
        timeout=300,
    )
    found = {e["msgid"] for e in parse_po(copy / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po")}
    known = {e["msgid"] for e in parse_po(po_path("en", domain))}
    missing = sorted(found - known)
    assert not missing, (
        f"strings not in {domain}.po (run `make messages` and translate): {missing[:10]}"
    )
