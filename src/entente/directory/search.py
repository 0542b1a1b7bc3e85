"""Search people and bookable resources of the territory by a few typed letters ("bern voi").

Every query token must start a word of the person's first name, last name, e-mail address,
job title, service or organisation, whatever the accents and the case. The database narrows
the candidates on the first token (an accent-tolerant ``__iregex`` that SQLite and PostgreSQL
both understand, see ``entente.accounts.forms.accent_pattern``); the prefix rule on every
token is then checked in Python over that short list, so nothing here needs ``unaccent`` or
another PostgreSQL-only function. Only what ``visible(viewer, …)`` returns is ever searched.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q

from entente.accounts.forms import accent_pattern, fold
from entente.accounts.models import User
from entente.calendars.models import Resource
from entente.core.permissions import visible

#: more words than this in a query are ignored (each one costs a pass over the candidates)
MAX_TOKENS = 6
#: a word: letters and digits (punctuation, spaces, « @ » and « . » separate words)
_WORD = re.compile(r"[^\W_]+")


def tokens(query: str) -> list[str]:
    """The folded words of ``query``: ``"Bern, Voirie"`` → ``["bern", "voirie"]``."""
    return _WORD.findall(fold(query or ""))[:MAX_TOKENS]


def _words(*texts: str | None) -> list[str]:
    found: list[str] = []
    for text in texts:
        if text:
            found.extend(_WORD.findall(fold(text)))
    return found


def matches(words: list[str], wanted: list[str]) -> bool:
    """Does every wanted token start one of ``words``?"""
    return all(any(word.startswith(token) for word in words) for token in wanted)


def _prefilter(fields: list[str], token: str) -> Q:
    pattern = accent_pattern(token)
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__iregex": pattern})
    return q


PEOPLE_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "job_title",
    "service__name",
    "organisation__name",
]


def search_people(
    viewer: Any, query: str, limit: int = 20, *, include_inactive: bool = False
) -> list[User]:
    """The people ``viewer`` may see whose card matches every word of ``query``.

    People whose own name matches come first, then by last and first name. Deactivated
    accounts are left out unless ``include_inactive`` (administrators looking for them).
    Costs two queries whatever the number of candidates.
    """
    wanted = tokens(query)
    if not wanted or limit <= 0:
        return []
    people = visible(viewer, User)
    if not include_inactive:
        people = people.filter(is_active=True)
    # The longest token narrows best ("bern voi": both are fine, "a bernard" is not).
    narrowest = max(wanted, key=len)
    rows = (
        people.filter(_prefilter(PEOPLE_FIELDS, narrowest))
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", *PEOPLE_FIELDS)
    )
    by_name: list[int] = []
    elsewhere: list[int] = []
    for pk, first, last, email, job, service, organisation in rows.iterator(chunk_size=2000):
        name = _words(first, last)
        if matches(name, wanted):
            by_name.append(pk)
        elif matches(name + _words(email, job, service, organisation), wanted):
            elsewhere.append(pk)
        if len(by_name) >= limit:
            break
    chosen = (by_name + elsewhere)[:limit]
    found = User.objects.filter(pk__in=chosen).select_related("service", "organisation")
    order = {pk: i for i, pk in enumerate(chosen)}
    return sorted(found, key=lambda person: order[person.pk])


def search_resources(viewer: Any, query: str, limit: int = 20) -> list[Resource]:
    """The rooms, vehicles and equipment ``viewer`` may see matching every word of ``query``
    (name, location, equipment, organisation): the viewer's own organisation's first."""
    wanted = tokens(query)
    if not wanted or limit <= 0:
        return []
    rows = (
        visible(viewer, Resource)
        .filter(is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "name", "pk")
    )
    found = [
        resource
        for resource in rows
        if matches(
            _words(
                resource.name,
                resource.location,
                resource.equipment,
                resource.organisation.name,
                str(resource.get_kind_display()),
            ),
            wanted,
        )
    ]
    found.sort(key=lambda r: r.organisation_id != getattr(viewer, "organisation_id", None))
    return found[:limit]
