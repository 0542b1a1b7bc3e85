"""Full-text matching, one small backend per database: FTS5 on SQLite, ``tsvector`` on
PostgreSQL, a plain ``LIKE`` elsewhere.

Each backend takes a queryset of ``SearchEntry`` and the words of the query (already cleaned:
letters and digits only, see ``services.terms_of``) and returns it filtered to the rows
matching every word as a prefix, ordered best first. The words are always passed as query
parameters, never written into the SQL.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet


def match(queryset: QuerySet, terms: list[str]) -> QuerySet:
    """Rows of ``queryset`` matching every one of ``terms`` (as prefixes), best first."""
    if connection.vendor == "sqlite":
        from entente.search.backends import sqlite

        return sqlite.match(queryset, terms)
    if connection.vendor == "postgresql":
        from entente.search.backends import postgres

        return postgres.match(queryset, terms)
    return fallback_match(queryset, terms)


def fallback_match(queryset: QuerySet, terms: list[str]) -> QuerySet:
    """Any other database: each word somewhere in the title or the text (no ranking)."""
    for term in terms:
        queryset = queryset.filter(Q(title__icontains=term) | Q(body__icontains=term))
    return queryset.order_by("-date", "-pk")
