"""Searching: the words of a query, the rows the searcher may see, filters, ranking, and the
highlighted excerpt of each result.

Who sees what is asked of the permission engine (``visible(user, Model)``) for every kind, in
the query itself, so counts and pages hold only what the searcher may open:

- people, spaces, documents (trashed ones are not visible), notes, discussions: ``visible``;
- events: ``visible``, and for a private event only those who may read its details (write on
  its calendar, or invited): others see it as "occupé" in the agenda, never by its words.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from entente.core.permissions import rules_for, visible
from entente.search import backends
from entente.search.models import TYPES, Kind, SearchEntry

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_TERM_CHARS = 60
SNIPPET_CHARS = 220


@dataclass
class Filters:
    """What the searcher narrowed the search to (every one optional)."""

    type: str = ""
    organisation_id: int | None = None
    space_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    author_id: int | None = None


def terms_of(query: str) -> list[str]:
    """The words of ``query``: runs of letters and digits, lower-cased. Everything else
    (quotes, ``*``, parentheses, ``NEAR``'s brackets, colons…) only separates words, so
    nothing a person types can be read as the search engine's syntax."""
    words = re.findall(r"[^\W_]+", (query or "")[:MAX_QUERY_CHARS])
    return [word.lower()[:MAX_TERM_CHARS] for word in words][:MAX_TERMS]


# --- what the searcher may see ------------------------------------------------------------------


def _has_rules(model: Any) -> bool:
    try:
        rules_for(model)
    except ImproperlyConfigured:
        return False
    return True


def _events_with_details(user: Any) -> QuerySet:
    from entente.calendars.models import Attendee, Privacy
    from entente.calendars.permissions import calendars_at_least, invitees_filter

    invited = Attendee.objects.filter(invitees_filter(user, "write")).values("event_id")
    details = (
        ~Q(privacy=Privacy.PRIVATE)
        | Q(calendar_id__in=calendars_at_least(user, "write").values("pk"))
        | Q(pk__in=invited)
        | Q(master_id__in=invited)
    )
    from entente.calendars.models import Event

    return visible(user, Event).filter(details)


def _visible_ids(user: Any, kind: str) -> QuerySet | None:
    """The ids of the objects of ``kind`` that ``user`` may open (None: nothing)."""
    from django.contrib.auth import get_user_model

    from entente.drive.models import Node
    from entente.spaces.models import Note, Space, Thread

    if kind == Kind.PERSON:
        return visible(user, get_user_model()).values("pk")
    if kind == Kind.SPACE:
        return visible(user, Space).values("pk")
    if kind in (Kind.FILE, Kind.FOLDER):
        return visible(user, Node).filter(parent__isnull=False).values("pk")
    if kind == Kind.EVENT:
        return _events_with_details(user).values("pk")
    if kind == Kind.NOTE and _has_rules(Note):
        return visible(user, Note).filter(deleted_at__isnull=True).values("pk")
    if kind == Kind.THREAD and _has_rules(Thread):
        return visible(user, Thread).values("pk")
    return None


def visible_entries(user: Any, kinds: tuple[str, ...] | None = None) -> QuerySet:
    """The index rows of the objects ``user`` may open, of ``kinds`` (all by default)."""
    condition = Q(pk__in=[])
    kinds = tuple(kinds or Kind.values)
    for kind in kinds:
        if kind == Kind.FOLDER and Kind.FILE in kinds:
            continue  # files and folders are both nodes: one visibility for the two
        ids = _visible_ids(user, kind)
        if ids is not None:
            nodes = (Kind.FILE, Kind.FOLDER)
            same = [k for k in nodes if k in kinds] if kind in nodes else [kind]
            condition |= Q(kind__in=same, object_id__in=ids)
    return SearchEntry.objects.filter(condition)


# --- the search ---------------------------------------------------------------------------------


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def search(user: Any, query: str, filters: Filters | None = None) -> QuerySet:
    """The rows matching every word of ``query`` that ``user`` may open, narrowed by
    ``filters``, best first. No word: nothing."""
    filters = filters or Filters()
    terms = terms_of(query)
    if not terms:
        return SearchEntry.objects.none()
    entries = visible_entries(user, TYPES.get(filters.type))
    if filters.organisation_id is not None:
        entries = entries.filter(organisation_id=filters.organisation_id)
    if filters.space_id is not None:
        entries = entries.filter(space_id=filters.space_id)
    if filters.author_id is not None:
        entries = entries.filter(author_id=filters.author_id)
    if filters.date_from is not None:
        entries = entries.filter(date__gte=_day_start(filters.date_from))
    if filters.date_to is not None:
        entries = entries.filter(date__lt=_day_start(filters.date_to + dt.timedelta(days=1)))
    return backends.match(entries, terms)


# --- showing a result ---------------------------------------------------------------------------


def _fold_char(char: str) -> str:
    folded = "".join(
        c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
    ).lower()
    return folded if len(folded) == 1 else char.lower()[:1] or char


def fold(text: str) -> str:
    """``text`` without case nor accents, character for character (same length, so a match
    in the folded text is at the same place in the original)."""
    return "".join(_fold_char(char) for char in text)


def _pattern(terms: list[str]) -> re.Pattern | None:
    words = sorted({fold(term) for term in terms if term}, key=len, reverse=True)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")\w*")


def _marked(text: str, spans: list[tuple[int, int]]) -> SafeString:
    """``text`` escaped, with ``spans`` wrapped in ``<mark>``: only our own tags are markup."""
    parts, cursor = [], 0
    for start, end in spans:
        parts.append(escape(text[cursor:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        cursor = end
    parts.append(escape(text[cursor:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text is escaped above


def highlight(text: str, terms: list[str]) -> SafeString:
    pattern = _pattern(terms)
    if pattern is None:
        return _marked(text, [])
    return _marked(text, [m.span() for m in pattern.finditer(fold(text))])


def snippet(text: str, terms: list[str], width: int = SNIPPET_CHARS) -> SafeString:
    """An excerpt of ``text`` around the first word found, highlighted ("" when no text)."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if not text:
        return mark_safe("")
    pattern = _pattern(terms)
    found = pattern.search(fold(text)) if pattern else None
    start = 0
    if found and found.start() > width // 3:
        start = found.start() - width // 3
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < found.start() else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    excerpt = text[start:end]
    body = highlight(excerpt, terms)
    before = "… " if start > 0 else ""
    after = " …" if end < len(text) else ""
    return mark_safe(f"{before}{body}{after}")  # noqa: S308 - ``body`` is escaped


def url_of(entry: SearchEntry) -> str:
    """The page of the object the row stands for."""
    pk = entry.object_id
    if entry.kind == Kind.PERSON:
        return reverse("directory:person", args=[pk])
    if entry.kind == Kind.SPACE:
        return reverse("spaces:detail", args=[pk])
    if entry.kind == Kind.FILE:
        return reverse("drive:file", args=[pk])
    if entry.kind == Kind.FOLDER:
        return reverse("drive:folder", args=[pk])
    if entry.kind == Kind.EVENT:
        return reverse("calendars:event", args=[pk])
    if entry.kind == Kind.NOTE:
        return reverse("spaces:note", args=[entry.space_id, pk])
    if entry.kind == Kind.THREAD:
        return reverse("spaces:thread", args=[entry.space_id, pk])
    return ""


@dataclass
class Hit:
    """One result as pages and the API show it."""

    entry: SearchEntry
    kind: str
    kind_label: str
    title: str
    title_html: SafeString
    snippet_html: SafeString
    url: str
    date: dt.datetime | None
    context: str
    extra: dict[str, Any] = field(default_factory=dict)


def hits(entries: Any, query: str) -> list[Hit]:
    """The rows of one page, ready to show (no query)."""
    terms = terms_of(query)
    return [
        Hit(
            entry=entry,
            kind=entry.kind,
            kind_label=str(Kind(entry.kind).label),
            title=entry.title,
            title_html=highlight(entry.title, terms),
            snippet_html=snippet(entry.body, terms),
            url=url_of(entry),
            date=entry.date,
            context=entry.context,
        )
        for entry in entries
    ]
