"""Matching on PostgreSQL: French ``tsvector`` of the unaccented title (weight A) and text
(weight B), matched by prefix (``to_tsquery('french', unaccent('budg') || ':*')``) and
ranked by ``ts_rank``. ``VECTOR`` repeats the expression of the GIN index of migration 0002
word for word, so the planner can use it."""

from __future__ import annotations

from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

VECTOR = (
    "(setweight(to_tsvector('french'::regconfig, search_unaccent(coalesce({t}.title, ''))), 'A')"
    " || setweight(to_tsvector('french'::regconfig, search_unaccent(coalesce({t}.body, ''))),"
    " 'B'))"
)
TERM = "to_tsquery('french'::regconfig, search_unaccent(%s) || ':*')"


def match(queryset: QuerySet, terms: list[str]) -> QuerySet:
    vector = VECTOR.format(t=queryset.model._meta.db_table)
    tsquery = "(" + " && ".join([TERM] * len(terms)) + ")"
    params = tuple(terms)
    # constant SQL; the words go in as parameters only
    matches = RawSQL(f"{vector} @@ {tsquery}", params, output_field=BooleanField())  # noqa: S611
    rank = RawSQL(f"ts_rank({vector}, {tsquery})", params, output_field=FloatField())  # noqa: S611
    return queryset.filter(matches).annotate(rank=rank).order_by("-rank", "-date", "-pk")
