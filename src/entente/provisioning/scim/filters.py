"""SCIM filters and attribute paths (RFC 7644 §3.4.2.2, §3.5.2): parse, then query or match.

``parse_filter('userName eq "a@b.fr" and active eq true')`` gives a small tree that
``to_q(tree, fields)`` turns into a Django ``Q`` for list requests, and ``matches(tree, item)``
evaluates against one value of a multi-valued attribute (``emails[type eq "work"]`` in a PATCH
path). Attribute names are case-insensitive: every path is lowercased, and the core schema's
URN prefix is dropped (``urn:…:core:2.0:User:userName`` is ``username``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils.dateparse import parse_datetime

from entente.provisioning.scim.errors import invalid_filter, invalid_path

CORE_PREFIXES = (
    "urn:ietf:params:scim:schemas:core:2.0:user:",
    "urn:ietf:params:scim:schemas:core:2.0:group:",
)
EXTENSION_URNS = (
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user",
    "urn:entente:params:scim:schemas:extension:entente:2.0:user",
)
COMPARE_OPS = frozenset({"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"})
MAX_FILTER_LENGTH = 2000
MAX_DEPTH = 20

TOKEN_RE = re.compile(
    r"""\s*(?:
        (?P<string>"(?:[^"\\]|\\.)*")
      | (?P<punct>[()\[\]])
      | (?P<word>[^\s()\[\]"]+)
    )""",
    re.VERBOSE,
)


# --- the tree ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Compare:
    path: str
    op: str
    value: Any


@dataclass(frozen=True)
class Present:
    path: str


@dataclass(frozen=True)
class Logical:
    op: str  # "and" / "or"
    left: Node
    right: Node


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class ValuePath:
    """``emails[type eq "work"]``: the inner filter applies to the values of ``path``."""

    path: str
    node: Node


Node = Compare | Present | Logical | Not | ValuePath


@dataclass(frozen=True)
class AttributePath:
    """A PATCH path: ``attr``, ``attr.sub``, ``attr[filter]`` or ``attr[filter].sub``."""

    attr: str
    sub: str | None = None
    filter: Node | None = None


def normalise_path(raw: str) -> str:
    """Lowercase ``raw`` and drop the core schema URN (extensions keep theirs)."""
    path = raw.strip().lower()
    for prefix in CORE_PREFIXES:
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path


def split_extension(path: str) -> tuple[str | None, str]:
    """``"urn:…:enterprise:2.0:user:department"`` → (its URN, ``"department"``)."""
    for urn in EXTENSION_URNS:
        if path == urn:
            return urn, ""
        if path.startswith(urn + ":"):
            return urn, path[len(urn) + 1 :]
    return None, path


# --- tokens and parser ---------------------------------------------------------------------------


def _tokenise(text: str, error: Callable[[str], Exception]) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = TOKEN_RE.match(text, position)
        if match is None or match.end() == position:
            raise error(f"Caractère inattendu à la position {position + 1}.")
        position = match.end()
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
    return tokens


class _Parser:
    def __init__(self, text: str, error: Callable[[str], Exception]) -> None:
        self.error = error
        if len(text) > MAX_FILTER_LENGTH:
            raise error(f"Le filtre dépasse {MAX_FILTER_LENGTH} caractères.")
        self.tokens = _tokenise(text, error)
        self.index = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise self.error("Le filtre est incomplet.")
        self.index += 1
        return token

    def keyword(self, *words: str) -> str | None:
        token = self.peek()
        if token and token[0] == "word" and token[1].lower() in words:
            self.index += 1
            return token[1].lower()
        return None

    def expect(self, punct: str) -> None:
        kind, value = self.take()
        if kind != "punct" or value != punct:
            raise self.error(f"« {punct} » attendu, « {value} » trouvé.")

    # FILTER = term ("or" term)* ; term = factor ("and" factor)*
    def parse_or(self) -> Node:
        node = self.parse_and()
        while self.keyword("or"):
            node = Logical("or", node, self.parse_and())
        return node

    def parse_and(self) -> Node:
        node = self.parse_factor()
        while self.keyword("and"):
            node = Logical("and", node, self.parse_factor())
        return node

    def parse_factor(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("Le filtre est trop imbriqué.")
        try:
            if self.keyword("not"):
                return Not(self._group())
            token = self.peek()
            if token == ("punct", "("):
                return self._group()
            return self.parse_attribute_expression()
        finally:
            self.depth -= 1

    def _group(self) -> Node:
        self.expect("(")
        node = self.parse_or()
        self.expect(")")
        return node

    def attribute_name(self) -> str:
        kind, value = self.take()
        if kind != "word" or not re.match(r"^[A-Za-z$][\w.:$-]*$", value):
            raise self.error(f"Nom d'attribut attendu, « {value} » trouvé.")
        return normalise_path(value)

    def parse_attribute_expression(self) -> Node:
        path = self.attribute_name()
        if self.peek() == ("punct", "["):
            self.index += 1
            inner = self.parse_or()
            self.expect("]")
            return ValuePath(path, inner)
        op = self.keyword("pr", *COMPARE_OPS)
        if op is None:
            token = self.peek()
            found = token[1] if token else "la fin du filtre"
            raise self.error(
                f"Opérateur attendu après « {path} » (eq, ne, co, sw, ew, gt, ge, lt, le, pr), "
                f"« {found} » trouvé."
            )
        if op == "pr":
            return Present(path)
        return Compare(path, op, self.value())

    def value(self) -> Any:
        kind, raw = self.take()
        if kind == "string":
            try:
                return json.loads(raw)
            except ValueError:
                raise self.error(f"Chaîne mal formée : {raw}") from None
        if kind == "word":
            lowered = raw.lower()
            if lowered in {"true", "false", "null"}:
                return {"true": True, "false": False, "null": None}[lowered]
            try:
                return json.loads(raw)
            except ValueError:
                pass
        raise self.error(
            f"Valeur attendue (texte entre guillemets, nombre, true, false ou null), « {raw} » trouvé."
        )

    def finish(self) -> None:
        token = self.peek()
        if token is not None:
            raise self.error(f"« {token[1]} » inattendu dans le filtre.")


def parse_filter(text: str) -> Node:
    """Parse a SCIM filter, or raise a 400 ``invalidFilter`` SCIM error."""
    parser = _Parser(text, invalid_filter)
    if not parser.tokens:
        raise invalid_filter("Le filtre est vide.")
    node = parser.parse_or()
    parser.finish()
    return node


def parse_path(text: str) -> AttributePath:
    """Parse a PATCH path, or raise a 400 ``invalidPath`` SCIM error."""
    if not isinstance(text, str) or not text.strip():
        raise invalid_path("Le chemin (path) de l'opération est vide.")
    raw = text.strip()
    sub = None
    if "[" in raw:
        bracket = raw.index("[")
        closing = raw.rfind("]")
        if closing < bracket:
            raise invalid_path(f"Chemin mal formé : « {raw} ».")
        rest = raw[closing + 1 :]
        if rest and (not rest.startswith(".") or not re.match(r"^\.[A-Za-z$][\w$]*$", rest)):
            raise invalid_path(f"Chemin mal formé : « {raw} ».")
        sub = rest[1:].lower() if rest else None
        parser = _Parser(raw[bracket + 1 : closing], invalid_path)
        node = parser.parse_or()
        parser.finish()
        attr = raw[:bracket]
        if not re.match(r"^[A-Za-z$][\w.:$-]*$", attr):
            raise invalid_path(f"Chemin mal formé : « {raw} ».")
        return AttributePath(normalise_path(attr), sub, node)
    if not re.match(r"^[A-Za-z$][\w.:$-]*$", raw):
        raise invalid_path(f"Chemin mal formé : « {raw} ».")
    path = normalise_path(raw)
    urn, rest = split_extension(path)
    if urn is not None:
        if not rest:
            return AttributePath(urn)
        attr, _dot, sub_attr = rest.partition(".")
        return AttributePath(f"{urn}:{attr}", sub_attr or None)
    attr, _dot, sub_attr = path.partition(".")
    return AttributePath(attr, sub_attr or None)


# --- to a query -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """How a SCIM attribute maps onto the database.

    ``kind``: ``text`` (case-insensitive), ``exact`` (case-sensitive text), ``bool``, ``id``
    (an integer primary key given as a string), ``datetime``, or ``constant`` (every row has
    ``constant`` for this attribute, e.g. ``emails.type`` is always ``"work"``).
    ``build`` replaces the lookup entirely for attributes stored in two places.
    """

    lookup: str = ""
    kind: str = "text"
    constant: Any = None
    build: Callable[[str, Any], Q] | None = None


NOTHING = Q(pk__in=[])
EVERYTHING = ~Q(pk__in=[])
TEXT_LOOKUPS = {
    "eq": "iexact",
    "co": "icontains",
    "sw": "istartswith",
    "ew": "iendswith",
    "gt": "gt",
    "ge": "gte",
    "lt": "lt",
    "le": "lte",
}
EXACT_LOOKUPS = {
    **TEXT_LOOKUPS,
    "eq": "exact",
    "co": "contains",
    "sw": "startswith",
    "ew": "endswith",
}


def text_q(lookup: str, op: str, value: Any, *, exact: bool = False) -> Q:
    """``lookup`` compared with a string ``value`` (``ne`` is the negation of ``eq``)."""
    if op == "pr":
        return Q(**{f"{lookup}__isnull": False}) & ~Q(**{lookup: ""})
    if not isinstance(value, str):
        raise invalid_filter("Cet attribut se compare à un texte entre guillemets.")
    lookups = EXACT_LOOKUPS if exact else TEXT_LOOKUPS
    if op == "ne":
        return ~Q(**{f"{lookup}__{lookups['eq']}": value})
    return Q(**{f"{lookup}__{lookups[op]}": value})


def _compare_constant(constant: Any, op: str, value: Any) -> bool:
    if op == "pr":
        return constant is not None
    if isinstance(constant, str) and isinstance(value, str):
        left, right = constant.lower(), value.lower()
        return {
            "eq": left == right,
            "ne": left != right,
            "co": right in left,
            "sw": left.startswith(right),
            "ew": left.endswith(right),
        }.get(op, False)
    if op in {"eq", "ne"}:
        return (constant == value) == (op == "eq")
    raise invalid_filter("Opérateur non pris en charge pour cet attribut.")


def _field_q(path: str, field: Field, op: str, value: Any) -> Q:
    if field.build is not None:
        return field.build(op, value)
    if field.kind == "constant":
        return EVERYTHING if _compare_constant(field.constant, op, value) else NOTHING
    if field.kind in {"text", "exact"}:
        return text_q(field.lookup, op, value, exact=field.kind == "exact")
    if field.kind == "bool":
        if op == "pr":
            return EVERYTHING
        if op not in {"eq", "ne"} or not isinstance(value, bool):
            raise invalid_filter(f"« {path} » se compare avec eq ou ne à true ou false.")
        return Q(**{field.lookup: value if op == "eq" else not value})
    if field.kind == "id":
        if op == "pr":
            return EVERYTHING
        if op not in {"eq", "ne"}:
            raise invalid_filter(f"« {path} » se compare seulement avec eq ou ne.")
        wanted = str(value)
        found = (
            Q(**{field.lookup: int(wanted)}) if wanted.isdigit() and len(wanted) < 19 else NOTHING
        )
        return found if op == "eq" else ~found
    if field.kind == "datetime":
        when = parse_datetime(value) if isinstance(value, str) else None
        if op == "pr":
            return EVERYTHING
        if not isinstance(when, datetime) or op not in {"eq", "gt", "ge", "lt", "le"}:
            raise invalid_filter(
                f"« {path} » se compare à une date ISO 8601 avec gt, ge, lt ou le."
            )
        lookup = {"eq": "exact", "gt": "gt", "ge": "gte", "lt": "lt", "le": "lte"}[op]
        return Q(**{f"{field.lookup}__{lookup}": when})
    raise invalid_filter(f"Filtre non pris en charge sur « {path} ».")  # pragma: no cover


def to_q(node: Node, fields: dict[str, Field], prefix: str = "") -> Q:
    """Translate a filter tree into a ``Q`` over the attributes ``fields`` knows."""
    if isinstance(node, Logical):
        left, right = to_q(node.left, fields, prefix), to_q(node.right, fields, prefix)
        return (left & right) if node.op == "and" else (left | right)
    if isinstance(node, Not):
        return ~to_q(node.node, fields, prefix)
    if isinstance(node, ValuePath):
        if prefix:
            raise invalid_filter("Les filtres entre crochets ne s'imbriquent pas.")
        return to_q(node.node, fields, prefix=f"{node.path}.")
    path = prefix + node.path
    field = fields.get(path)
    if field is None:
        supported = ", ".join(sorted(name for name in fields if ":" not in name))
        raise invalid_filter(
            f"Le filtre sur « {path} » n'est pas pris en charge. Attributs filtrables : "
            f"{supported}."
        )
    if isinstance(node, Present):
        return _field_q(path, field, "pr", None)
    return _field_q(path, field, node.op, node.value)


# --- against one value ------------------------------------------------------------------------------


def _get(item: Any, name: str) -> Any:
    if not isinstance(item, dict):
        return item if name == "value" else None
    for key, value in item.items():
        if key.lower() == name:
            return value
    return None


def matches(node: Node, item: Any) -> bool:
    """Does one value of a multi-valued attribute (``{"type": "work", …}``) match ``node``?"""
    if isinstance(node, Logical):
        if node.op == "and":
            return matches(node.left, item) and matches(node.right, item)
        return matches(node.left, item) or matches(node.right, item)
    if isinstance(node, Not):
        return not matches(node.node, item)
    if isinstance(node, ValuePath):
        raise invalid_path("Les filtres entre crochets ne s'imbriquent pas.")
    value = _get(item, node.path)
    if isinstance(node, Present):
        return value not in (None, "", [], {})
    wanted = node.value
    if isinstance(value, str) and isinstance(wanted, str):
        return _compare_constant(value, node.op, wanted)
    if node.op == "eq":
        return value == wanted or (value is None and wanted is None)
    if node.op == "ne":
        return value != wanted
    if isinstance(value, int | float) and isinstance(wanted, int | float):
        return {
            "gt": value > wanted,
            "ge": value >= wanted,
            "lt": value < wanted,
            "le": value <= wanted,
        }.get(node.op, False)
    return False
