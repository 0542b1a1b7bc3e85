"""SCIM ``Group`` resources: an organisation's group of people, its name and members.

``displayName`` → the group's name (unique in the organisation), ``members`` → its people
(``value`` is a person's SCIM id; nested groups are refused), ``externalId`` is kept beside
the group. The description of a group stays Entente's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from entente.accounts.models import User
from entente.core.validators import CONTROL_RE
from entente.directory.models import Group
from entente.organisations.models import Organisation
from entente.provisioning.scim.errors import invalid_syntax, invalid_value
from entente.provisioning.scim.filters import Field
from entente.provisioning.scim.patch import Validator, known_paths
from entente.provisioning.scim.schemas import GROUP
from entente.provisioning.scim.users import lower_keys

ATTRIBUTES: dict[str, set[str] | None] = {
    "displayname": None,
    "externalid": None,
    "members": {"value", "display", "type", "$ref"},
}
READ_ONLY = {"id", "meta", "schemas"}
MAX_MEMBERS = 50_000

validate_patch_path: Validator = known_paths(ATTRIBUTES, {})


@dataclass
class GroupInput:
    name: str
    members: list[User]
    external_id: str | None


def _member_ids(members: Any) -> list[int]:
    if members is None:
        return []
    if not isinstance(members, list):
        raise invalid_value("« members » doit être une liste.")
    if len(members) > MAX_MEMBERS:
        raise invalid_value(f"Un groupe compte au plus {MAX_MEMBERS} membres.")
    ids: list[int] = []
    for member in members:
        if not isinstance(member, dict):
            raise invalid_value("Chaque membre doit être un objet avec « value ».")
        member = lower_keys(member, "members")
        unknown = set(member) - ATTRIBUTES["members"]  # type: ignore[operator]
        if unknown:
            raise invalid_syntax(f"Sous-attribut inconnu : « members.{sorted(unknown)[0]} ».")
        if str(member.get("type") or "User").lower() != "user":
            raise invalid_value(
                "Seules des personnes peuvent être membres d'un groupe (pas de groupes imbriqués)."
            )
        value = str(member.get("value") or "").strip()
        if not value.isdigit() or len(value) > 18:
            raise invalid_value(f"Membre inconnu : « {value[:40]} » n'est pas l'id d'une personne.")
        if int(value) not in ids:
            ids.append(int(value))
    return ids


def read_group(body: Any, organisation: Organisation) -> GroupInput:
    """Read a full Group body (POST, PUT, or a resource after PATCH)."""
    if not isinstance(body, dict):
        raise invalid_syntax("Le corps de la requête doit être un objet JSON.")
    body = lower_keys(body, "la ressource")
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or GROUP.lower() not in {str(s).lower() for s in schemas}:
        raise invalid_syntax(f"L'attribut « schemas » doit contenir « {GROUP} ».")
    unknown_schemas = sorted({str(s) for s in schemas if str(s).lower() != GROUP.lower()})
    if unknown_schemas:
        raise invalid_syntax(f"Schéma inconnu pour un groupe : « {unknown_schemas[0]} ».")
    for key in body:
        if key not in ATTRIBUTES and key not in READ_ONLY:
            raise invalid_syntax(f"Attribut inconnu : « {key} ».")
    name = body.get("displayname")
    if not isinstance(name, str) or not name.strip():
        raise invalid_value("« displayName » est obligatoire.")
    name = name.strip()
    if len(name) > 150:
        raise invalid_value(f"« displayName » compte {len(name)} caractères, au plus 150.")
    if CONTROL_RE.search(name):
        raise invalid_value("« displayName » contient des caractères invisibles ou de contrôle.")
    ids = _member_ids(body.get("members"))
    found = {
        person.pk: person for person in User.objects.filter(organisation=organisation, pk__in=ids)
    }
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise invalid_value(f"Membre inconnu dans cette organisation : {', '.join(missing[:5])}.")
    external_id = None
    if "externalid" in body:
        external_id = body["externalid"] or ""
        if not isinstance(external_id, str) or len(external_id) > 255:
            raise invalid_value("« externalId » doit être un texte de 255 caractères au plus.")
    return GroupInput(name=name, members=[found[pk] for pk in ids], external_id=external_id)


def group_queryset(organisation: Organisation, with_members: bool = True) -> QuerySet:
    queryset = Group.objects.filter(organisation=organisation).select_related("scim_identity")
    if with_members:
        queryset = queryset.prefetch_related(
            Prefetch("members", queryset=User.objects.only("pk", "first_name", "last_name"))
        )
    return queryset.order_by("pk")


def group_resource(group: Group, base: str, with_members: bool = True) -> dict[str, Any]:
    try:
        identity = group.scim_identity
    except Group.scim_identity.RelatedObjectDoesNotExist:
        identity = None
    resource: dict[str, Any] = {
        "schemas": [GROUP],
        "id": str(group.pk),
        "displayName": group.name,
        "meta": {"resourceType": "Group", "location": f"{base}Groups/{group.pk}"},
    }
    if identity is not None:
        resource["meta"]["created"] = identity.created_at.isoformat()
        resource["meta"]["lastModified"] = identity.updated_at.isoformat()
        if identity.external_id:
            resource["externalId"] = identity.external_id
    if with_members:
        resource["members"] = [
            {
                "value": str(person.pk),
                "display": person.get_full_name(),
                "type": "User",
                "$ref": f"{base}Users/{person.pk}",
            }
            for person in sorted(group.members.all(), key=lambda p: p.pk)
        ]
    return resource


GROUP_FIELDS: dict[str, Field] = {
    "id": Field("pk", "id"),
    "displayname": Field("name"),
    "externalid": Field("scim_identity__external_id", "exact"),
    "members": Field("members__pk", "id"),
    "members.value": Field("members__pk", "id"),
    "members.type": Field(kind="constant", constant="User"),
}
