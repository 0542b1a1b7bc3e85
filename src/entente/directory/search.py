"""Search people and bookable resources of the territory by a few typed letters ("bern voi").

Every query token must start a word of the person's first name, last name, e-mail address,
job title, mandate, service or organisation, whatever the accents and the case. The database narrows
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
    "mandate",
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
    for pk, first, last, *others in rows.iterator(chunk_size=2000):
        name = _words(first, last)
        if matches(name, wanted):
            by_name.append(pk)
        elif matches(name + _words(*others), wanted):
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


# --- the directory's search: ranked, filtered and tolerant of one or two typos ------------------
#
# Typo tolerance, chosen and bounded:
#
# - a token of 1 to 3 letters must start a word exactly (accents and case aside): shorter
#   tokens would match almost anything with a typo;
# - a token of 4 to 7 letters also matches a word starting with something at (restricted
#   Damerau-Levenshtein) distance 1: one letter missing, one too many, one wrong, or two
#   neighbours swapped (« bernrad » → Bernard, « voierie » → Voirie);
# - a token of 8 letters or more matches at distance 2 (« adjointte » → adjointe).
#
# Ranking: people whose every token starts a word exactly come first (their name before their
# job, service…), typo matches after them, each group by last and first name.
#
# Cost, portable and bounded: the database narrows the candidates on the longest token with
# one ``__iregex`` (the subset of syntax SQLite and PostgreSQL share): for a fuzzy token, an
# alternation of its distance-1 variants (``bern.?ard|…``; for 8+ letters, the variants of
# either half, one of which survives two edits), a necessary condition, checked exactly in
# Python afterwards. At most ``MAX_SCAN`` candidate rows are read and each costs a few small
# dynamic-programming tables (tokens × words × letters²); at most ``MAX_RESULTS`` are kept.

#: candidate rows read from the database for one search, at most
MAX_SCAN = 3000
#: people a directory search returns, at most (the page paginates them)
MAX_RESULTS = 300
#: letters of a token used by the search (longer words are cut)
MAX_TOKEN_LETTERS = 24


def typo_budget(token: str) -> int:
    """How many typos a token tolerates: 0 below 4 letters, 1 up to 7, 2 from 8."""
    if len(token) < 4:
        return 0
    return 1 if len(token) < 8 else 2


def prefix_distance(token: str, word: str, limit: int) -> int:
    """Smallest edit distance between ``token`` and a prefix of ``word`` (``limit + 1`` when
    over ``limit``). Edits: insert, delete, replace one letter, swap two neighbours."""
    if word.startswith(token):
        return 0
    if limit <= 0:
        return 1
    n = len(token)
    word = word[: n + limit]
    m = len(word)
    if m < n - limit:
        return limit + 1
    before: list[int] | None = None
    previous = list(range(m + 1))
    for i in range(1, n + 1):
        current = [i] + [0] * m
        for j in range(1, m + 1):
            cost = 0 if token[i - 1] == word[j - 1] else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (
                before is not None
                and j > 1
                and token[i - 1] == word[j - 2]
                and token[i - 2] == word[j - 1]
            ):
                best = min(best, before[j - 2] + 1)
            current[j] = best
        # every later row costs at least one more than these two rows' minimum
        if min(current) > limit and min(previous) > limit:
            return limit + 1
        before, previous = previous, current
    found = min(previous[max(0, n - limit) :])
    return found if found <= limit else limit + 1


def _one_typo_pattern(token: str) -> str:
    """A regex matching any text containing ``token`` with at most one typo (accent-blind)."""
    alternatives = []
    for i in range(len(token)):
        head = accent_pattern(token[:i])
        choices = [f".?{accent_pattern(token[i + 1 :])}", f".{accent_pattern(token[i:])}"]
        if i + 1 < len(token):
            choices.append(accent_pattern(token[i + 1] + token[i] + token[i + 2 :]))
        alternatives.append(f"{head}({'|'.join(choices)})")
    return "|".join(alternatives)


def fuzzy_pattern(token: str) -> str:
    """The database's necessary condition for ``token`` (see the cost notes above)."""
    budget = typo_budget(token)
    if budget == 0:
        return accent_pattern(token)
    if budget == 1:
        return _one_typo_pattern(token)
    half = len(token) // 2
    return f"{_one_typo_pattern(token[:half])}|{_one_typo_pattern(token[half:])}"


def _token_score(token: str, words: list[str]) -> int | None:
    """0 when ``token`` starts one of ``words``, 1 for a typo match, None for no match."""
    if any(word.startswith(token) for word in words):
        return 0
    budget = typo_budget(token)
    if budget and any(prefix_distance(token, word, budget) <= budget for word in words):
        return 1
    return None


def rank(name: list[str], others: list[str], wanted: list[str]) -> int | None:
    """0: exact in the name, 1: exact, 2: with typos in the name, 3: with typos; None: no."""
    everything = name + others
    typos = False
    in_name = True
    for token in wanted:
        score = _token_score(token, name)
        if score is None:
            in_name = False
            score = _token_score(token, everything)
            if score is None:
                return None
        typos = typos or score == 1
    return (2 if typos else 0) + (0 if in_name else 1)


def search_directory(viewer: Any, query: str, people: Any = None) -> list[int]:
    """Ids of the active people ``viewer`` may see matching ``query``, best first.

    ``people`` narrows the search further (filters of the page: organisation, service, élus);
    it must come from ``visible(viewer, User)``. Costs one query (see the notes above).
    """
    wanted = [token[:MAX_TOKEN_LETTERS] for token in tokens(query)]
    if not wanted:
        return []
    if people is None:
        people = visible(viewer, User)
    narrowest = max(wanted, key=len)
    pattern = fuzzy_pattern(narrowest)
    condition = Q()
    for name in PEOPLE_FIELDS:
        condition |= Q(**{f"{name}__iregex": pattern})
    rows = (
        people.filter(condition, is_active=True)
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", *PEOPLE_FIELDS)[:MAX_SCAN]
    )
    found: list[tuple[int, int]] = []
    for pk, first, last, *others in rows:
        score = rank(_words(first, last), _words(*others), wanted)
        if score is not None:
            found.append((score, pk))
    found.sort(key=lambda item: item[0])  # stable: the names' order stays within each rank
    return [pk for _score, pk in found[:MAX_RESULTS]]
