"""Matching on SQLite: the FTS5 table ``search_fts`` (made by migration 0002), ranked by
``bm25`` with the title weighing ten times the text."""

from __future__ import annotations

from django.db.models import QuerySet

#: bm25 weights of the FTS5 columns (title, body); bm25 is lower for better rows
WEIGHTS = "10.0, 1.0"


def match_expression(terms: list[str]) -> str:
    """The FTS5 query: every word as a quoted prefix (``"budg"* "reunion"*``). The words hold
    only letters and digits, and quoting them keeps FTS5 operators (NEAR, AND, OR, NOT)
    plain words."""
    return " ".join(f'"{term}"*' for term in terms)


def match(queryset: QuerySet, terms: list[str]) -> QuerySet:
    table = queryset.model._meta.db_table
    return queryset.extra(  # noqa: S610 - constant SQL; the words go in as a parameter
        tables=["search_fts"],
        where=[f"search_fts.rowid = {table}.id", "search_fts MATCH %s"],
        params=[match_expression(terms)],
        select={"rank": f"bm25(search_fts, {WEIGHTS})"},
    ).order_by("rank", "-date", "-pk")
