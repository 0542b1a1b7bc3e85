"""Mentions in the messages of a discussion: their syntax, whom they name, and their links.

The syntax — what a person types, and what the « Mentionner » list of the form inserts — is
``@`` followed by the member's first and last names joined by a dot: ``@agnes.martin``.
Case and accents do not matter (``@Agnès.Martin`` is the same person); a space, an
apostrophe or any other sign inside a name becomes a hyphen (``@jean-pierre.le-goff``,
``@anne.d-almeida``). When two members of a space share a name, they are told apart by their
number: ``@agnes.martin.12`` (that form always works, and the list proposes it then).

An ``@`` glued to a word (``agnes@valmont.fr``) is not a mention, nor is one inside code or a
link. Only the members of the space are mentioned: any other ``@…`` stays plain text and
tells nobody. The people mentioned are stored on the post (``Post.mentions``) when it is
written; the page links only those, to their page in the directory, so a message keeps saying
what it said when its author wrote it.

Why this form: people write it by hand without learning anything (``@[Agnès](membre:12)``
is for machines), and it shows no e-mail address to the other members.

Mentions are found in the HTML that ``entente.core.markdown.render`` made safe, never in the
raw Markdown: the text nodes outside ``a``, ``code`` and ``pre`` are searched and the links
built with escaping (``format_html``), so neither a name nor a message can inject markup.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable
from html.parser import HTMLParser
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from entente.core.markdown import render

#: ``@`` not glued to a word, an address or a path, then dot-separated words
HANDLE_RE = re.compile(r"(?<![\w@./])@(\w[\w-]*(?:\.\w[\w-]*)*)")
#: where a mention is not looked for
_SKIPPED = {"a", "code", "pre"}


def fold(text: str) -> str:
    """``text`` lowercased, without accents, every other sign a single hyphen."""
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def base_handle(person: Any) -> str:
    """``prenom.nom`` of ``person`` (``@`` left out)."""
    parts = [fold(person.first_name or ""), fold(person.last_name or "")]
    handle = ".".join(part for part in parts if part)
    return handle or fold((person.email or "").split("@")[0]) or "membre"


def canonical(typed: str) -> str:
    """A handle as typed (``Agnès.Martin``), in the form handles are compared."""
    return ".".join(fold(part) for part in typed.split("."))


def handle_table(people: Iterable[Any]) -> dict[str, Any]:
    """Every handle naming one of ``people``: ``prenom.nom.ID`` for each, ``prenom.nom`` for
    those whose name no other of ``people`` shares."""
    people = list(people)
    counts: dict[str, int] = {}
    for person in people:
        counts[base_handle(person)] = counts.get(base_handle(person), 0) + 1
    table: dict[str, Any] = {}
    for person in people:
        base = base_handle(person)
        table[f"{base}.{person.pk}"] = person
        if counts[base] == 1:
            table[base] = person
    return table


def proposed_handles(people: Iterable[Any]) -> list[tuple[str, Any]]:
    """``(handle, person)`` to propose in the form: the short form unless it is shared."""
    people = list(people)
    table = handle_table(people)
    proposed = []
    for person in people:
        base = base_handle(person)
        proposed.append((base if table.get(base) is person else f"{base}.{person.pk}", person))
    return proposed


def person_url(pk: int) -> str:
    """The page of a person in the directory."""
    try:
        return reverse("directory:person", kwargs={"pk": pk})
    except NoReverseMatch:  # the directory's page is not there yet: its documented path
        return f"/annuaire/personnes/{pk}/"


class _TextWalker(HTMLParser):
    """Rewrites the text of safe HTML outside links and code; the tags are kept as written."""

    def __init__(self, on_text: Callable[[str], str]) -> None:
        super().__init__(convert_charrefs=True)
        self.on_text = on_text
        self.out: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self.skipping:
            self.skipping -= 1
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False) if self.skipping else self.on_text(data))


def _walk(safe_html: str, on_text: Callable[[str], str]) -> str:
    walker = _TextWalker(on_text)
    walker.feed(safe_html)
    walker.close()
    return "".join(walker.out)


def mentioned_handles(body: str) -> set[str]:
    """The handles ``body`` mentions (canonical form), wherever a reader sees a mention."""
    found: set[str] = set()

    def collect(text: str) -> str:
        found.update(canonical(match.group(1)) for match in HANDLE_RE.finditer(text))
        return ""

    _walk(render(body), collect)
    return found


def resolve(body: str, people: Iterable[Any]) -> list[Any]:
    """The people of ``people`` that ``body`` mentions (each once)."""
    table = handle_table(people)
    found: dict[int, Any] = {}
    for handle in mentioned_handles(body):
        person = table.get(handle)
        if person is not None:
            found[person.pk] = person
    return list(found.values())


def render_with_mentions(
    body: str, people: Iterable[Any], *, shift_headings: int = 0
) -> SafeString:
    """``body`` (Markdown) as safe HTML, the mentions of ``people`` linked to their page."""
    table = handle_table(people)

    def link(text: str) -> str:
        pieces: list[str] = []
        last = 0
        for match in HANDLE_RE.finditer(text):
            person = table.get(canonical(match.group(1)))
            if person is None:
                continue
            pieces.append(html.escape(text[last : match.start()], quote=False))
            name = person.get_full_name() or match.group(0)
            pieces.append(
                format_html('<a class="mention" href="{}">@{}</a>', person_url(person.pk), name)
            )
            last = match.end()
        pieces.append(html.escape(text[last:], quote=False))
        return "".join(pieces)

    rendered = render(body, shift_headings=shift_headings)
    if not table:
        return rendered
    return mark_safe(_walk(rendered, link))  # noqa: S308 — safe tags kept, text re-escaped
