"""Markdown written by people (messages, notes) turned into HTML that is safe to show.

Two locks, each enough alone: markdown-it renders CommonMark with raw HTML disabled (it is
shown as text) and refuses ``javascript:``/``vbscript:``/``data:`` links; nh3 (ammonia) then
keeps only an allow-list of tags and attributes and adds ``rel="noopener noreferrer"`` to
links. Images are not kept: a message could otherwise load a picture from outside the
platform (a tracker) — attachments come from the drive instead.
"""

from __future__ import annotations

import html as html_lib

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
    "span": {"class"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


def _style_filter(tag: str, attribute: str, value: str) -> str | None:
    # tables align their cells with style="text-align:…"; nothing else passes
    if attribute == "style":
        return (
            value if value in {"text-align:left", "text-align:center", "text-align:right"} else None
        )
    return value


def render(text: str, *, shift_headings: int = 0) -> SafeString:
    """``text`` (Markdown) as safe HTML. ``shift_headings`` demotes headings (a message
    shown under the page's h2 starts its own at h3)."""
    html = _md.render(text or "")
    if shift_headings:
        for level in range(6, 0, -1):
            new = min(level + shift_headings, 6)
            html = html.replace(f"<h{level}>", f"<h{new}>").replace(f"</h{level}>", f"</h{new}>")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer",
        attribute_filter=_style_filter,
    )
    return mark_safe(cleaned)  # noqa: S308 — sanitised by nh3 just above


def plain_text(text: str) -> str:
    """``text`` without its Markdown marks, as one line of words (for the search index)."""
    html = _md.render(text or "")
    return " ".join(html_lib.unescape(nh3.clean(html, tags=set())).split())


def plain_excerpt(text: str, length: int = 200) -> str:
    """The first words of ``text`` without Markdown marks, for notifications and lists."""
    plain = plain_text(text)
    return plain if len(plain) <= length else plain[: length - 1].rstrip() + "…"
