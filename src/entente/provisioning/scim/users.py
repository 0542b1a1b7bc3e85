"""SCIM ``User`` resources: a person shown as SCIM, and a SCIM body read into person fields.

Mapping (see docs/en/provisioning.md): ``userName`` and ``emails`` → e-mail (the primary or
``work`` address, else ``userName`` when it is an address), ``name.givenName`` /
``name.familyName`` → first and last name, ``title`` → job title, ``phoneNumbers`` → phone
(primary, else ``work``, else ``mobile``), ``active``, ``externalId``, enterprise
``department`` → the organisation's service (by name or path, never created), Entente
extension ``status`` (agent / elu) and ``mandate``.

Reading is strict: an attribute no schema defines is refused (``invalidSyntax``). Attributes
the standard schemas define but Entente does not keep (``locale``, ``addresses``,
``password``, enterprise ``manager``…) are accepted and ignored, so the default mappings of
Azure AD, Okta and Keycloak work unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q, QuerySet

from entente.accounts.models import Status, User
from entente.accounts.services import normalise_email
from entente.core.validators import CONTROL_RE
from entente.directory.models import Service
from entente.organisations.models import Organisation
from entente.provisioning.scim.errors import invalid_syntax, invalid_value
from entente.provisioning.scim.filters import Field, text_q
from entente.provisioning.scim.patch import Validator, known_paths
from entente.provisioning.scim.schemas import ENTENTE, ENTERPRISE, USER

MULTI_SUBS = {"value", "display", "type", "primary", "$ref"}
NAME_SUBS = {
    "formatted",
    "familyname",
    "givenname",
    "middlename",
    "honorificprefix",
    "honorificsuffix",
}
#: every attribute of the core User schema (RFC 7643 §4.1): mapped, or accepted and ignored
CORE_ATTRIBUTES: dict[str, set[str] | None] = {
    "externalid": None,
    "username": None,
    "name": NAME_SUBS,
    "displayname": None,
    "nickname": None,
    "profileurl": None,
    "title": None,
    "usertype": None,
    "preferredlanguage": None,
    "locale": None,
    "timezone": None,
    "active": None,
    "password": None,
    "emails": MULTI_SUBS,
    "phonenumbers": MULTI_SUBS,
    "ims": MULTI_SUBS,
    "photos": MULTI_SUBS,
    "addresses": MULTI_SUBS
    | {"formatted", "streetaddress", "locality", "region", "postalcode", "country"},
    "groups": MULTI_SUBS,
    "entitlements": MULTI_SUBS,
    "roles": MULTI_SUBS,
    "x509certificates": MULTI_SUBS,
}
READ_ONLY = {"id", "meta", "schemas", "groups"}
ENTERPRISE_ATTRIBUTES = {
    "employeenumber",
    "costcenter",
    "organization",
    "division",
    "department",
    "manager",
}
ENTENTE_ATTRIBUTES = {"status", "mandate"}
EXTENSIONS = {ENTERPRISE.lower(): ENTERPRISE_ATTRIBUTES, ENTENTE.lower(): ENTENTE_ATTRIBUTES}
KNOWN_SCHEMAS = {USER.lower(), ENTERPRISE.lower(), ENTENTE.lower()}
STATUS_VALUES = {"agent": Status.AGENT, "elu": Status.ELU, "élu": Status.ELU}
#: person field → the SCIM attribute named in error messages
SCIM_NAMES = {
    "email": "emails",
    "first_name": "name.givenName",
    "last_name": "name.familyName",
    "job_title": "title",
    "phone": "phoneNumbers",
    "service": f"{ENTERPRISE}:department",
    "status": f"{ENTENTE}:status",
    "mandate": f"{ENTENTE}:mandate",
}

validate_patch_path: Validator = known_paths(CORE_ATTRIBUTES, EXTENSIONS)


# --- reading a body --------------------------------------------------------------------------------


@dataclass
class UserInput:
    """A SCIM User body read into Entente's terms."""

    data: dict[str, Any]  # person fields for accounts.services
    identity: dict[str, str]  # external_id, user_name for the ScimIdentity
    active: bool | None


def lower_keys(obj: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in obj.items():
        if not isinstance(key, str):
            raise invalid_syntax(f"Nom d'attribut invalide dans {where}.")
        if key.lower() in out:
            raise invalid_syntax(f"L'attribut « {key} » figure deux fois dans {where}.")
        out[key.lower()] = value
    return out


def _text(value: Any, name: str, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid_value(f"« {name} » doit être un texte.")
    value = value.strip()
    if required and not value:
        raise invalid_value(f"« {name} » est obligatoire.")
    if len(value) > limit:
        raise invalid_value(f"« {name} » compte {len(value)} caractères, au plus {limit}.")
    if CONTROL_RE.search(value):
        raise invalid_value(f"« {name} » contient des caractères invisibles ou de contrôle.")
    return value


def _bool(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"  # Azure AD once sent "False" as text
    raise invalid_value(f"« {name} » doit valoir true ou false.")


def _check_multi(values: Any, name: str) -> list[dict[str, Any]]:
    if values is None:
        return []
    if isinstance(values, dict):
        values = [values]
    if not isinstance(values, list):
        raise invalid_value(f"« {name} » doit être une liste.")
    checked = []
    for item in values:
        if not isinstance(item, dict):
            raise invalid_value(f"Chaque valeur de « {name} » doit être un objet.")
        item = lower_keys(item, name)
        unknown = set(item) - CORE_ATTRIBUTES[name.lower()]  # type: ignore[operator]
        if unknown:
            raise invalid_syntax(f"Sous-attribut inconnu : « {name}.{sorted(unknown)[0]} ».")
        checked.append(item)
    return checked


def _pick(values: list[dict[str, Any]], *types: str) -> str:
    """The primary value, else the first of ``types`` in order, else the first value."""
    candidates = [v for v in values if v.get("value") not in (None, "")]
    for item in candidates:
        if item.get("primary") is True or str(item.get("primary")).lower() == "true":
            return item["value"]
    for wanted in types:
        for item in candidates:
            if str(item.get("type") or "").lower() == wanted:
                return item["value"]
    return candidates[0]["value"] if candidates else ""


def _check_schemas(body: dict[str, Any]) -> None:
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
        raise invalid_syntax(f"L'attribut « schemas » est obligatoire et doit lister « {USER} ».")
    lowered = {s.lower() for s in schemas}
    if USER.lower() not in lowered:
        raise invalid_syntax(f"L'attribut « schemas » doit contenir « {USER} ».")
    unknown = sorted(lowered - KNOWN_SCHEMAS)
    if unknown:
        raise invalid_syntax(
            f"Schéma inconnu : « {unknown[0]} ». Schémas pris en charge : {USER}, {ENTERPRISE}, "
            f"{ENTENTE}."
        )


def _split_name(text: str) -> tuple[str, str]:
    parts = text.split()
    return (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else ("", "")


def read_user(body: Any, organisation: Organisation, current: User | None = None) -> UserInput:
    """Read a full User body (POST, PUT, or a resource after PATCH) into person fields.

    Optional core attributes absent from the body are cleared (a PUT replaces the resource);
    ``active``, ``externalId`` and the extensions are changed only when they are present.
    """
    if not isinstance(body, dict):
        raise invalid_syntax("Le corps de la requête doit être un objet JSON.")
    body = lower_keys(body, "la ressource")
    _check_schemas(body)
    extensions: dict[str, dict[str, Any]] = {}
    for key, value in body.items():
        if key in READ_ONLY:
            continue
        if key.startswith("urn:"):
            if key not in EXTENSIONS:
                raise invalid_syntax(f"Extension inconnue : « {key} ».")
            if not isinstance(value, dict):
                raise invalid_value(f"L'extension « {key} » doit être un objet.")
            extension = lower_keys(value, key)
            unknown = set(extension) - EXTENSIONS[key]
            if unknown:
                raise invalid_syntax(f"Attribut inconnu : « {key}:{sorted(unknown)[0]} ».")
            extensions[key] = extension
        elif key not in CORE_ATTRIBUTES:
            raise invalid_syntax(
                f"Attribut inconnu : « {key} ». Consultez /Schemas pour la liste des attributs."
            )

    user_name = _text(body.get("username"), "userName", 254, required=True)
    emails = _check_multi(body.get("emails"), "emails")
    phones = _check_multi(body.get("phonenumbers"), "phoneNumbers")
    name = body.get("name") or {}
    if not isinstance(name, dict):
        raise invalid_value("« name » doit être un objet (givenName, familyName).")
    name = lower_keys(name, "name")
    unknown = set(name) - NAME_SUBS
    if unknown:
        raise invalid_syntax(f"Sous-attribut inconnu : « name.{sorted(unknown)[0]} ».")

    email = _text(_pick(emails, "work"), "emails.value", 254) or user_name
    email = normalise_email(email)
    try:
        validate_email(email)
    except ValidationError:
        raise invalid_value(
            f"Aucune adresse e-mail valide : « {email[:80]} ». Donnez une adresse dans emails, "
            "ou un userName qui soit une adresse."
        ) from None

    given = _text(name.get("givenname"), "name.givenName", 100)
    family = _text(name.get("familyname"), "name.familyName", 100)
    if not given or not family:
        fallback = _text(name.get("formatted") or body.get("displayname"), "displayName", 201)
        guess_given, guess_family = _split_name(fallback)
        given, family = given or guess_given, family or guess_family
    if not given or not family:
        raise invalid_value(
            "Le prénom et le nom sont obligatoires : envoyez name.givenName et name.familyName."
        )
    data: dict[str, Any] = {
        "email": email,
        "first_name": given,
        "last_name": family,
        "job_title": _text(body.get("title"), "title", 150),
        "phone": _text(_pick(phones, "work", "mobile"), "phoneNumbers.value", 40).removeprefix(
            "tel:"
        ),
    }
    enterprise = extensions.get(ENTERPRISE.lower())
    if enterprise is not None:
        department = _text(enterprise.get("department"), "department", 500)
        data["service"] = find_department(organisation, department) if department else None
    entente = extensions.get(ENTENTE.lower())
    if entente is not None:
        if "status" in entente:
            status = _text(entente.get("status"), "status", 10).lower()
            if status not in STATUS_VALUES:
                raise invalid_value(f"Statut « {status} » inconnu : indiquez agent ou elu.")
            data["status"] = STATUS_VALUES[status]
        if "mandate" in entente:
            data["mandate"] = _text(entente.get("mandate"), "mandate", 200)
    identity = {"user_name": user_name}
    if "externalid" in body:
        identity["external_id"] = _text(body["externalid"], "externalId", 255)
    active = _bool(body["active"], "active") if body.get("active") is not None else None
    return UserInput(data=data, identity=identity, active=active)


def find_department(organisation: Organisation, department: str) -> Service:
    from entente.provisioning.services import find_service

    try:
        return find_service(organisation, department)
    except ValidationError as error:
        raise invalid_value(" ".join(error.messages)) from None


# --- showing a person ------------------------------------------------------------------------------


def user_queryset(organisation: Organisation) -> QuerySet:
    return (
        User.objects.filter(organisation=organisation)
        .select_related("service", "scim_identity")
        .prefetch_related("member_groups")
        .order_by("pk")
    )


def _identity(person: User) -> Any:
    try:
        return person.scim_identity
    except User.scim_identity.RelatedObjectDoesNotExist:
        return None


def department_label(service: Service | None, duplicate_names: set[str]) -> str:
    if service is None:
        return ""
    if service.name.casefold() not in duplicate_names:
        return service.name
    return service.path


def user_resource(
    person: User, base: str, duplicate_names: set[str] = frozenset()
) -> dict[str, Any]:  # type: ignore[assignment]
    identity = _identity(person)
    location = f"{base}Users/{person.pk}"
    resource: dict[str, Any] = {
        "schemas": [USER, ENTERPRISE, ENTENTE],
        "id": str(person.pk),
        "userName": (identity.user_name if identity and identity.user_name else person.email),
        "name": {
            "givenName": person.first_name,
            "familyName": person.last_name,
            "formatted": person.get_full_name(),
        },
        "displayName": person.get_full_name(),
        "active": person.is_active,
        "emails": [{"value": person.email, "type": "work", "primary": True}],
        "groups": [
            {"value": str(group.pk), "display": group.name, "$ref": f"{base}Groups/{group.pk}"}
            for group in person.member_groups.all()
        ],
        ENTERPRISE: {},
        ENTENTE: {"status": person.status, "mandate": person.mandate},
        "meta": {
            "resourceType": "User",
            "created": (identity.created_at if identity else person.date_joined).isoformat(),
            "lastModified": (identity.updated_at if identity else person.date_joined).isoformat(),
            "location": location,
        },
    }
    if identity and identity.external_id:
        resource["externalId"] = identity.external_id
    if person.job_title:
        resource["title"] = person.job_title
    if person.phone:
        resource["phoneNumbers"] = [{"value": person.phone, "type": "work", "primary": True}]
    department = department_label(person.service, duplicate_names)
    if department:
        resource[ENTERPRISE]["department"] = department
    else:
        del resource[ENTERPRISE]
        resource["schemas"].remove(ENTERPRISE)
    return resource


def duplicate_service_names(organisation: Organisation) -> set[str]:
    names = [
        n.casefold()
        for n in Service.objects.filter(organisation=organisation).values_list("name", flat=True)
    ]
    return {name for name in names if names.count(name) > 1}


# --- filtering ---------------------------------------------------------------------------------


def _user_name_q(op: str, value: Any) -> Q:
    """``userName`` is the identity's userName when the IdP gave one, else the e-mail."""
    no_identity_name = Q(scim_identity__isnull=True) | Q(scim_identity__user_name="")
    if op == "ne":
        return ~_user_name_q("eq", value)
    return text_q("scim_identity__user_name", op, value) | (
        no_identity_name & text_q("email", op, value)
    )


USER_FIELDS: dict[str, Field] = {
    "id": Field("pk", "id"),
    "username": Field(build=_user_name_q),
    "externalid": Field("scim_identity__external_id", "exact"),
    "emails": Field("email"),
    "emails.value": Field("email"),
    "emails.type": Field(kind="constant", constant="work"),
    "emails.primary": Field(kind="constant", constant=True),
    "name.givenname": Field("first_name"),
    "name.familyname": Field("last_name"),
    "title": Field("job_title"),
    "active": Field("is_active", "bool"),
    "meta.created": Field("date_joined", "datetime"),
    f"{ENTERPRISE.lower()}:department": Field("service__name"),
    f"{ENTENTE.lower()}:status": Field("status"),
}
