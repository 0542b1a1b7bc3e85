"""What the SCIM door supports: schema URNs, ServiceProviderConfig, ResourceTypes and Schemas."""

from __future__ import annotations

from typing import Any

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ENTENTE = "urn:entente:params:scim:schemas:extension:entente:2.0:User"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

USER_SCHEMAS = (USER, ENTERPRISE, ENTENTE)
DEFAULT_COUNT = 100
MAX_COUNT = 500


def _attr(
    name: str,
    description: str,
    *,
    type: str = "string",  # noqa: A002 — the RFC's own name for it
    multi: bool = False,
    required: bool = False,
    mutability: str = "readWrite",
    returned: str = "default",
    uniqueness: str = "none",
    case_exact: bool = False,
    sub: list[dict[str, Any]] | None = None,
    canonical: list[str] | None = None,
) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "name": name,
        "type": type,
        "multiValued": multi,
        "description": description,
        "required": required,
        "mutability": mutability,
        "returned": returned,
    }
    if type in {"string", "reference"}:
        attribute["caseExact"] = case_exact
        attribute["uniqueness"] = uniqueness
    if sub is not None:
        attribute["subAttributes"] = sub
    if canonical is not None:
        attribute["canonicalValues"] = canonical
    return attribute


def _multi_sub(value_description: str) -> list[dict[str, Any]]:
    return [
        _attr("value", value_description),
        _attr("type", "Type (work, home, mobile…) ; Entente garde une seule valeur."),
        _attr("primary", "Valeur principale.", type="boolean"),
        _attr("display", "Libellé.", mutability="readOnly"),
    ]


USER_ATTRIBUTES = [
    _attr(
        "userName",
        "Identifiant unique dans l'organisation ; l'adresse e-mail quand aucune adresse n'est "
        "donnée dans emails.",
        required=True,
        uniqueness="server",
    ),
    _attr(
        "name",
        "Nom de la personne.",
        type="complex",
        sub=[
            _attr("givenName", "Prénom (obligatoire dans Entente)."),
            _attr("familyName", "Nom (obligatoire dans Entente)."),
            _attr("formatted", "Nom complet (lecture seule).", mutability="readOnly"),
        ],
    ),
    _attr("displayName", "Prénom et nom (calculé).", mutability="readOnly"),
    _attr("title", "Fonction."),
    _attr("active", "Compte actif ; false désactive le compte.", type="boolean"),
    _attr(
        "emails",
        "Adresse e-mail ; Entente garde l'adresse principale (ou de type work).",
        type="complex",
        multi=True,
        sub=_multi_sub("Adresse e-mail."),
    ),
    _attr(
        "phoneNumbers",
        "Téléphone ; Entente garde le numéro principal (ou work, sinon mobile).",
        type="complex",
        multi=True,
        sub=_multi_sub("Numéro de téléphone."),
    ),
    _attr(
        "groups",
        "Groupes dont la personne est membre.",
        type="complex",
        multi=True,
        mutability="readOnly",
        sub=[
            _attr("value", "Identifiant du groupe.", mutability="readOnly"),
            _attr("display", "Nom du groupe.", mutability="readOnly"),
        ],
    ),
]

ENTERPRISE_ATTRIBUTES = [
    _attr(
        "department",
        "Service de l'organisation, par son nom ou son chemin (« Direction › Service ») ; il "
        "doit déjà exister.",
    ),
]

ENTENTE_ATTRIBUTES = [
    _attr("status", "Statut : agent ou elu.", canonical=["agent", "elu"]),
    _attr("mandate", "Mandat d'un élu (par exemple « adjointe déléguée à l'éducation »)."),
]

GROUP_ATTRIBUTES = [
    _attr(
        "displayName",
        "Nom du groupe, unique dans l'organisation.",
        required=True,
        uniqueness="server",
    ),
    _attr(
        "members",
        "Membres : des personnes de l'organisation (pas de groupes imbriqués).",
        type="complex",
        multi=True,
        sub=[
            _attr("value", "Identifiant de la personne.", mutability="immutable"),
            _attr("display", "Nom de la personne.", mutability="readOnly"),
            _attr("type", "Toujours User.", mutability="immutable", canonical=["User"]),
        ],
    ),
]

SCHEMAS: dict[str, dict[str, Any]] = {
    USER: {"id": USER, "name": "User", "description": "Personne", "attributes": USER_ATTRIBUTES},
    GROUP: {"id": GROUP, "name": "Group", "description": "Groupe", "attributes": GROUP_ATTRIBUTES},
    ENTERPRISE: {
        "id": ENTERPRISE,
        "name": "EnterpriseUser",
        "description": "Extension entreprise (service)",
        "attributes": ENTERPRISE_ATTRIBUTES,
    },
    ENTENTE: {
        "id": ENTENTE,
        "name": "EntenteUser",
        "description": "Extension Entente (statut d'élu, mandat)",
        "attributes": ENTENTE_ATTRIBUTES,
    },
}


def schema_documents(base: str) -> list[dict[str, Any]]:
    return [
        {
            **schema,
            "schemas": [SCHEMA],
            "meta": {"resourceType": "Schema", "location": f"{base}Schemas/{urn}"},
        }
        for urn, schema in SCHEMAS.items()
    ]


def resource_types(base: str) -> list[dict[str, Any]]:
    return [
        {
            "schemas": [RESOURCE_TYPE],
            "id": "User",
            "name": "User",
            "endpoint": "/Users",
            "description": "Personnes de l'organisation",
            "schema": USER,
            "schemaExtensions": [
                {"schema": ENTERPRISE, "required": False},
                {"schema": ENTENTE, "required": False},
            ],
            "meta": {"resourceType": "ResourceType", "location": f"{base}ResourceTypes/User"},
        },
        {
            "schemas": [RESOURCE_TYPE],
            "id": "Group",
            "name": "Group",
            "endpoint": "/Groups",
            "description": "Groupes de l'organisation",
            "schema": GROUP,
            "schemaExtensions": [],
            "meta": {"resourceType": "ResourceType", "location": f"{base}ResourceTypes/Group"},
        },
    ]


def service_provider_config(base: str) -> dict[str, Any]:
    return {
        "schemas": [SERVICE_PROVIDER_CONFIG],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_COUNT},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Jeton de provisionnement",
                "description": (
                    "Jeton créé par un administrateur de l'organisation dans Administration › "
                    "Provisionnement, envoyé dans l'en-tête Authorization: Bearer <jeton>."
                ),
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": f"{base}ServiceProviderConfig",
        },
    }


def list_response(
    resources: list[dict[str, Any]], total: int, start_index: int = 1
) -> dict[str, Any]:
    return {
        "schemas": [LIST_RESPONSE],
        "totalResults": total,
        "itemsPerPage": len(resources),
        "startIndex": start_index,
        "Resources": resources,
    }
