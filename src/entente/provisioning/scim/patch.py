"""SCIM PATCH (RFC 7644 §3.5.2) applied to a resource's JSON: the result is then read like a PUT.

Working on the representation keeps one set of rules for every write: a PATCH is "take the
resource as Entente shows it, apply the operations, and store the outcome", so the same
strict reader checks what POST, PUT and PATCH send. The forms real clients use are accepted:
``"op": "Replace"`` (Azure AD's capitals), operations without ``path`` whose ``value`` holds
attributes (Okta, Azure AD, with dotted names such as ``"name.givenName"``), filtered paths
that match nothing yet (``emails[type eq "work"].value``: a value of that type is created),
and ``remove`` on ``members`` with a ``value`` listing the members to take out.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from entente.provisioning.scim.errors import ScimError, invalid_path, invalid_syntax, invalid_value
from entente.provisioning.scim.filters import (
    AttributePath,
    Compare,
    Logical,
    Node,
    matches,
    parse_path,
    split_extension,
)
from entente.provisioning.scim.schemas import PATCH_OP

OPS = frozenset({"add", "replace", "remove"})
READ_ONLY = frozenset({"id", "meta", "schemas"})
MAX_OPERATIONS = 1000

Validator = Callable[[AttributePath], None]


def _key(container: dict[str, Any], name: str) -> str:
    """The key of ``container`` that matches ``name`` regardless of case (or ``name``)."""
    for key in container:
        if key.lower() == name.lower():
            return key
    return name


def _no_target(detail: str) -> ScimError:
    return ScimError(400, detail, "noTarget")


def _seed(node: Node | None) -> dict[str, Any] | None:
    """The value a filter such as ``type eq "work"`` describes, to create it when missing."""
    if isinstance(node, Compare) and node.op == "eq":
        return {node.path: node.value}
    if isinstance(node, Logical) and node.op == "and":
        left, right = _seed(node.left), _seed(node.right)
        if left is not None and right is not None:
            return {**left, **right}
    return None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _member_value(item: Any) -> Any:
    if isinstance(item, dict):
        return item.get(_key(item, "value"))
    return item


class _Patcher:
    def __init__(self, resource: dict[str, Any], validate: Validator) -> None:
        self.resource = resource
        self.validate = validate
        self.touched: set[str] = set()

    def container(self, path: AttributePath, create: bool) -> tuple[dict[str, Any] | None, str]:
        """The dict holding ``path.attr``, and the attribute's name inside it."""
        urn, rest = split_extension(path.attr)
        if urn is None:
            return self.resource, path.attr
        key = _key(self.resource, urn)
        extension = self.resource.get(key)
        if extension is None and create:
            extension = self.resource[key] = {}
        if extension is not None and not isinstance(extension, dict):
            raise invalid_value(f"L'extension « {urn} » doit être un objet.")
        return extension, rest

    def apply(self, op: str, path: AttributePath | None, value: Any) -> None:
        if path is None:
            self.apply_without_path(op, value)
            return
        if path.attr in READ_ONLY:
            raise ScimError(
                400, f"L'attribut « {path.attr} » ne peut pas être modifié.", "mutability"
            )
        self.validate(path)
        urn, rest = split_extension(path.attr)
        if urn is not None and not rest:  # the whole extension
            if op == "remove":
                self.resource.pop(_key(self.resource, urn), None)
            else:
                if not isinstance(value, dict):
                    raise invalid_value(f"La valeur de « {urn} » doit être un objet.")
                for name, sub_value in value.items():
                    self.apply(op, parse_path(f"{urn}:{name}"), sub_value)
            self.touched.add(urn)
            return
        self.touched.add(path.attr)
        if op == "remove":
            self.remove(path, value)
        else:
            self.set(op, path, value)

    def apply_without_path(self, op: str, value: Any) -> None:
        if op == "remove":
            raise _no_target("Une opération « remove » doit indiquer un chemin (path).")
        if not isinstance(value, dict):
            raise invalid_value("Sans chemin (path), la valeur doit être un objet d'attributs.")
        for name, sub_value in value.items():
            if name.lower() in READ_ONLY:
                continue  # Okta repeats the id in its group operations
            self.apply(op, parse_path(name), sub_value)

    def set(self, op: str, path: AttributePath, value: Any) -> None:
        container, name = self.container(path, create=True)
        assert container is not None
        key = _key(container, name)
        current = container.get(key)
        if path.filter is not None:
            if not isinstance(current, list):
                current = container[key] = [] if current is None else _as_list(current)
            targets = [item for item in current if matches(path.filter, item)]
            if not targets:
                seed = _seed(path.filter)
                if seed is None:
                    raise _no_target(f"Aucune valeur de « {name} » ne correspond au filtre.")
                current.append(seed)
                targets = [seed]
            for item in targets:
                if not isinstance(item, dict):
                    raise invalid_value(f"Les valeurs de « {name} » doivent être des objets.")
                if path.sub is not None:
                    item[_key(item, path.sub)] = value
                elif isinstance(value, dict):
                    item.update(value)
                else:
                    raise invalid_value(f"La valeur de « {name} » doit être un objet.")
            return
        if path.sub is not None:
            if isinstance(current, list):
                if not current:
                    current.append({})
                for item in current:
                    if isinstance(item, dict):
                        item[_key(item, path.sub)] = value
                return
            if current is None:
                current = container[key] = {}
            if not isinstance(current, dict):
                raise invalid_value(f"« {name} » n'a pas de sous-attribut « {path.sub} ».")
            current[_key(current, path.sub)] = value
            return
        if isinstance(current, list) and op == "add":
            present = {repr(_member_value(item)) for item in current}
            for item in _as_list(value):
                if repr(_member_value(item)) not in present:
                    current.append(item)
                    present.add(repr(_member_value(item)))
            return
        if isinstance(current, dict) and isinstance(value, dict):
            for sub_name, sub_value in value.items():
                current[_key(current, sub_name)] = sub_value
            return
        container[key] = value

    def remove(self, path: AttributePath, value: Any) -> None:
        container, name = self.container(path, create=False)
        if container is None:
            return
        key = _key(container, name)
        if key not in container:
            return
        current = container[key]
        if path.filter is not None:
            if not isinstance(current, list):
                return
            if path.sub is None:
                container[key] = [item for item in current if not matches(path.filter, item)]
            else:
                for item in current:
                    if isinstance(item, dict) and matches(path.filter, item):
                        item.pop(_key(item, path.sub), None)
            return
        if path.sub is not None:
            for item in current if isinstance(current, list) else [current]:
                if isinstance(item, dict):
                    item.pop(_key(item, path.sub), None)
            return
        if isinstance(current, list) and value is not None:
            # Azure AD: {"op": "Remove", "path": "members", "value": [{"value": "42"}]}
            gone = {str(_member_value(item)) for item in _as_list(value)}
            container[key] = [item for item in current if str(_member_value(item)) not in gone]
            return
        del container[key]


def apply_patch(
    resource: dict[str, Any], body: Any, validate: Validator
) -> tuple[dict[str, Any], set[str]]:
    """Apply a ``PatchOp`` body to a copy of ``resource``; return it and the attributes touched.

    ``validate`` raises a SCIM error for a path the resource type does not know.
    """
    if not isinstance(body, dict):
        raise invalid_syntax("Le corps de la requête doit être un objet JSON PatchOp.")
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or PATCH_OP not in schemas:
        raise invalid_syntax(f"Un PATCH doit déclarer le schéma « {PATCH_OP} ».")
    unknown = [key for key in body if key.lower() not in {"schemas", "operations"}]
    if unknown:
        raise invalid_syntax(f"Attribut inconnu dans la requête PATCH : « {unknown[0]} ».")
    operations = body.get(_key(body, "Operations"))
    if not isinstance(operations, list) or not operations:
        raise invalid_syntax("Un PATCH doit contenir une liste « Operations » non vide.")
    if len(operations) > MAX_OPERATIONS:
        raise invalid_syntax(f"Un PATCH compte au plus {MAX_OPERATIONS} opérations.")
    patcher = _Patcher(copy.deepcopy(resource), validate)
    for number, operation in enumerate(operations, start=1):
        if not isinstance(operation, dict):
            raise invalid_syntax(f"L'opération n° {number} doit être un objet.")
        keys = {key.lower(): key for key in operation}
        extra = set(keys) - {"op", "path", "value"}
        if extra:
            raise invalid_syntax(
                f"L'opération n° {number} contient un champ inconnu : « {keys[sorted(extra)[0]]} »."
            )
        op = operation.get(keys.get("op", "op"))
        if not isinstance(op, str) or op.lower() not in OPS:
            raise invalid_syntax(
                f"L'opération n° {number} doit avoir « op » égal à add, replace ou remove."
            )
        raw_path = operation.get(keys["path"]) if "path" in keys else None
        path = parse_path(raw_path) if raw_path not in (None, "") else None
        if "value" not in keys and op.lower() != "remove":
            raise invalid_syntax(f"L'opération n° {number} ({op}) doit avoir une valeur (value).")
        patcher.apply(op.lower(), path, operation.get(keys["value"]) if "value" in keys else None)
    return patcher.resource, patcher.touched


def known_paths(
    attributes: dict[str, set[str] | None], extensions: dict[str, set[str]]
) -> Validator:
    """A validator accepting ``attr`` and ``attr.sub`` for the given names (all lowercase).

    ``attributes``: top-level name → its sub-attributes (``None`` for a simple attribute).
    ``extensions``: extension URN (lowercase) → its attribute names.
    """

    def validate(path: AttributePath) -> None:
        urn, rest = split_extension(path.attr)
        if urn is not None:
            if urn not in extensions or (rest and rest not in extensions[urn]):
                raise invalid_path(f"Attribut inconnu : « {path.attr} ».")
            return
        if path.attr not in attributes:
            raise invalid_path(f"Attribut inconnu : « {path.attr} ».")
        subs = attributes[path.attr]
        if path.sub is not None and (subs is None or path.sub not in subs):
            raise invalid_path(f"Attribut inconnu : « {path.attr}.{path.sub} ».")
        if path.filter is not None and subs is None:
            raise invalid_path(f"« {path.attr} » n'a qu'une valeur : pas de filtre entre crochets.")

    return validate
