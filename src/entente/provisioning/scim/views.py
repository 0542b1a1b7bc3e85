"""SCIM 2.0 endpoints of one organisation: ``/scim/v2/<org-slug>/Users``, ``Groups``, discovery.

Each view parses the request, calls one use case of ``provisioning.services``, and answers
``application/scim+json``. Writes run in one transaction per request: any refusal (a SCIM
error, a rule of the people or structure use cases) rolls everything back, so a refused
request writes nothing. No session, no CSRF token: the bearer token is the only credential.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from entente.accounts.models import User
from entente.directory.models import Group
from entente.organisations.models import Organisation
from entente.provisioning import services
from entente.provisioning.permissions import ScimClient
from entente.provisioning.scim import groups, schemas, users
from entente.provisioning.scim.auth import authenticate
from entente.provisioning.scim.errors import (
    ScimError,
    error_response,
    invalid_syntax,
    invalid_value,
    not_found,
    scim_response,
    uniqueness,
)
from entente.provisioning.scim.filters import Field, parse_filter, to_q
from entente.provisioning.scim.patch import apply_patch

logger = logging.getLogger(__name__)
READS = frozenset({"GET", "HEAD"})


@dataclass
class Call:
    """One authenticated SCIM request."""

    request: HttpRequest
    client: ScimClient
    organisation: Organisation
    base: str

    def body(self) -> Any:
        try:
            raw = self.request.body
        except RequestDataTooBig:
            raise ScimError(
                413, "La requête est trop volumineuse : envoyez moins de données à la fois."
            ) from None
        if not raw.strip():
            raise invalid_syntax("Le corps de la requête est vide : un objet JSON est attendu.")
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            raise invalid_syntax(
                "Le corps de la requête n'est pas du JSON valide : vérifiez les guillemets, "
                "virgules et accolades."
            ) from None


def _from_validation(error: ValidationError) -> ScimError:
    """A refusal of a use case, as a SCIM error naming SCIM attributes."""
    if getattr(error, "code", None) == "uniqueness":
        return uniqueness(" ".join(error.messages))
    if hasattr(error, "error_dict"):
        parts = []
        for field, errors in error.error_dict.items():
            name = users.SCIM_NAMES.get(field, "")
            for message in errors:
                text = " ".join(message.messages)
                parts.append(f"{name} : {text}" if name else text)
        return invalid_value(" ".join(parts))
    return invalid_value(" ".join(error.messages))


def scim_endpoint(*methods: str) -> Callable:
    """Authenticate, dispatch, wrap writes in one transaction, and answer errors in SCIM."""

    def decorator(handler: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(handler)
        def view(request: HttpRequest, slug: str, **kwargs: Any) -> HttpResponse:
            try:
                client, organisation = authenticate(request, slug)
                if request.method not in methods:
                    error = ScimError(
                        405, f"Méthode {request.method} non prise en charge à cette adresse."
                    )
                    error.headers["Allow"] = ", ".join(methods)
                    raise error
                base = request.build_absolute_uri(
                    reverse("provisioning:root", args=[organisation.slug])
                )
                call = Call(request, client, organisation, base)
                if request.method in READS:
                    return handler(call, **kwargs)
                with transaction.atomic():
                    return handler(call, **kwargs)
            except ScimError as error:
                return error_response(error)
            except ValidationError as error:
                return error_response(_from_validation(error))
            except Exception:
                logger.exception("SCIM request failed: %s %s", request.method, request.path)
                return error_response(
                    ScimError(
                        500, "Erreur interne : la requête n'a rien modifié. Réessayez plus tard."
                    )
                )

        return view

    return decorator


@csrf_exempt
def unknown(request: HttpRequest, slug: str, rest: str = "") -> HttpResponse:
    """Any other address under an organisation's SCIM base (a SCIM 404, never an HTML page)."""
    try:
        authenticate(request, slug)
    except ScimError as error:
        return error_response(error)
    return error_response(
        ScimError(
            404,
            "Cette adresse SCIM n'existe pas. Adresses prises en charge : Users, Groups, "
            "ServiceProviderConfig, ResourceTypes, Schemas.",
        )
    )


# --- discovery ----------------------------------------------------------------------------------


@scim_endpoint("GET")
def service_provider_config(call: Call) -> HttpResponse:
    return scim_response(schemas.service_provider_config(call.base))


@scim_endpoint("GET")
def resource_types(call: Call, name: str | None = None) -> HttpResponse:
    found = schemas.resource_types(call.base)
    if name is None:
        return scim_response(schemas.list_response(found, len(found)))
    for resource in found:
        if resource["id"].lower() == name.lower():
            return scim_response(resource)
    raise not_found("ressource")


@scim_endpoint("GET")
def schema_list(call: Call, urn: str | None = None) -> HttpResponse:
    found = schemas.schema_documents(call.base)
    if urn is None:
        return scim_response(schemas.list_response(found, len(found)))
    for schema in found:
        if schema["id"].lower() == urn.lower():
            return scim_response(schema)
    raise not_found("ressource")


# --- lists -----------------------------------------------------------------------------------------


def _integer(value: Any, name: str, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid_value(f"« {name} » doit être un nombre entier.") from None


def _names(value: Any) -> set[str]:
    if not value:
        return set()
    items = value if isinstance(value, list) else str(value).split(",")
    return {str(item).strip().lower() for item in items if str(item).strip()}


def project(resource: dict[str, Any], attributes: set[str], excluded: set[str]) -> dict[str, Any]:
    """Keep the attributes asked for (``attributes``) or drop others (``excludedAttributes``)."""
    if not attributes and not excluded:
        return resource
    always = {"schemas", "id"}
    out: dict[str, Any] = {}
    for key, value in resource.items():
        lowered = key.lower()
        if attributes and lowered not in always:
            subs = {a[len(lowered) + 1 :] for a in attributes if a.startswith(lowered + ".")}
            subs |= {a[len(lowered) + 1 :] for a in attributes if a.startswith(lowered + ":")}
            if lowered not in attributes and not subs:
                continue
            if subs and lowered not in attributes and isinstance(value, dict):
                value = {k: v for k, v in value.items() if k.lower() in subs}
        if lowered in excluded and lowered not in always:
            continue
        out[key] = value
    return out


def list_or_search(
    call: Call,
    params: dict[str, Any],
    queryset: QuerySet,
    fields: dict[str, Field],
    render: Callable[[Any], dict[str, Any]],
    distinct: bool = False,
) -> HttpResponse:
    start = max(1, _integer(params.get("startIndex"), "startIndex", 1))
    count = _integer(params.get("count"), "count", schemas.DEFAULT_COUNT)
    count = min(max(0, count), schemas.MAX_COUNT)
    text = params.get("filter")
    if text:
        if not isinstance(text, str):
            raise invalid_value("« filter » doit être un texte.")
        queryset = queryset.filter(to_q(parse_filter(text), fields))
        if distinct:
            queryset = queryset.distinct()
    total = queryset.count()
    rows = list(queryset[start - 1 : start - 1 + count]) if count else []
    attributes, excluded = (
        _names(params.get("attributes")),
        _names(params.get("excludedAttributes")),
    )
    resources = [project(render(row), attributes, excluded) for row in rows]
    return scim_response(schemas.list_response(resources, total, start))


def _search_params(call: Call) -> dict[str, Any]:
    body = call.body()
    if not isinstance(body, dict) or schemas.SEARCH_REQUEST not in (body.get("schemas") or []):
        raise invalid_syntax(f"Une recherche doit déclarer le schéma « {schemas.SEARCH_REQUEST} ».")
    known = {"schemas", "filter", "startindex", "count", "attributes", "excludedattributes"}
    unknown = [key for key in body if key.lower() not in known]
    if unknown:
        raise invalid_syntax(f"Attribut inconnu dans la recherche : « {unknown[0]} ».")
    return {key[0].lower() + key[1:]: value for key, value in body.items()}


# --- users -----------------------------------------------------------------------------------------


def _user_renderer(call: Call) -> Callable[[User], dict[str, Any]]:
    duplicates = users.duplicate_service_names(call.organisation)
    return lambda person: users.user_resource(person, call.base, duplicates)


def _get_person(call: Call, pk: str) -> User:
    person = (
        users.user_queryset(call.organisation).filter(pk=int(pk)).first()
        if pk.isdigit() and len(pk) < 19
        else None
    )
    if person is None:
        raise not_found("personne")
    return person


def _show_user(call: Call, pk: int, status: int = 200, **headers: str) -> HttpResponse:
    person = users.user_queryset(call.organisation).get(pk=pk)
    attributes = _names(call.request.GET.get("attributes"))
    excluded = _names(call.request.GET.get("excludedAttributes"))
    body = project(_user_renderer(call)(person), attributes, excluded)
    return scim_response(body, status=status, **headers)


@scim_endpoint("GET", "POST")
def user_list(call: Call) -> HttpResponse:
    if call.request.method == "GET":
        return list_or_search(
            call,
            call.request.GET.dict(),
            users.user_queryset(call.organisation),
            users.USER_FIELDS,
            _user_renderer(call),
        )
    given = users.read_user(call.body(), call.organisation)
    person = services.do_scim_create_person(
        call.client,
        call.organisation,
        given.data,
        given.identity,
        active=given.active is not False,
        request=call.request,
    )
    return _show_user(call, person.pk, status=201, Location=f"{call.base}Users/{person.pk}")


@scim_endpoint("POST")
def user_search(call: Call) -> HttpResponse:
    return list_or_search(
        call,
        _search_params(call),
        users.user_queryset(call.organisation),
        users.USER_FIELDS,
        _user_renderer(call),
    )


def _email_follows_user_name(
    before: dict[str, Any], after: dict[str, Any], touched: set[str]
) -> None:
    """A PATCH that changes ``userName`` only also moves the e-mail when both were the same."""
    if "username" not in touched or "emails" in touched:
        return
    old_name = str(before.get("userName", "")).lower()
    new_name = next((v for k, v in after.items() if k.lower() == "username"), None)
    if isinstance(new_name, str) and "@" in new_name and old_name == before["emails"][0]["value"]:
        after["emails"] = [{"value": new_name, "type": "work", "primary": True}]


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def user_detail(call: Call, pk: str) -> HttpResponse:
    person = _get_person(call, pk)
    method = call.request.method
    if method == "GET":
        return _show_user(call, person.pk)
    if method == "DELETE":
        services.do_scim_update_person(
            call.client, person, {}, {}, active=False, request=call.request, operation="deactivate"
        )
        return scim_response(None, status=204)
    if method == "PUT":
        given = users.read_user(call.body(), call.organisation, person)
    else:
        before = _user_renderer(call)(person)
        after, touched = apply_patch(before, call.body(), users.validate_patch_path)
        _email_follows_user_name(before, after, touched)
        given = users.read_user(after, call.organisation, person)
    services.do_scim_update_person(
        call.client, person, given.data, given.identity, active=given.active, request=call.request
    )
    return _show_user(call, person.pk)


# --- groups ----------------------------------------------------------------------------------------


def _wants_members(call: Call) -> bool:
    excluded = _names(call.request.GET.get("excludedAttributes"))
    attributes = _names(call.request.GET.get("attributes"))
    return "members" not in excluded and (not attributes or "members" in attributes)


def _get_group(call: Call, pk: str, with_members: bool = True) -> Group:
    queryset = groups.group_queryset(call.organisation, with_members)
    group = queryset.filter(pk=int(pk)).first() if pk.isdigit() and len(pk) < 19 else None
    if group is None:
        raise not_found("ressource")
    return group


def _show_group(call: Call, pk: int, status: int = 200, **headers: str) -> HttpResponse:
    with_members = _wants_members(call)
    group = groups.group_queryset(call.organisation, with_members).get(pk=pk)
    body = project(
        groups.group_resource(group, call.base, with_members),
        _names(call.request.GET.get("attributes")),
        _names(call.request.GET.get("excludedAttributes")),
    )
    return scim_response(body, status=status, **headers)


def _group_list(call: Call, params: dict[str, Any]) -> HttpResponse:
    excluded, attributes = (
        _names(params.get("excludedAttributes")),
        _names(params.get("attributes")),
    )
    with_members = "members" not in excluded and (not attributes or "members" in attributes)
    return list_or_search(
        call,
        params,
        groups.group_queryset(call.organisation, with_members),
        groups.GROUP_FIELDS,
        lambda group: groups.group_resource(group, call.base, with_members),
        distinct=True,
    )


@scim_endpoint("GET", "POST")
def group_list(call: Call) -> HttpResponse:
    if call.request.method == "GET":
        return _group_list(call, call.request.GET.dict())
    given = groups.read_group(call.body(), call.organisation)
    group = services.do_scim_create_group(
        call.client,
        call.organisation,
        given.name,
        given.members,
        given.external_id or "",
        request=call.request,
    )
    return _show_group(call, group.pk, status=201, Location=f"{call.base}Groups/{group.pk}")


@scim_endpoint("POST")
def group_search(call: Call) -> HttpResponse:
    return _group_list(call, _search_params(call))


@scim_endpoint("GET", "PUT", "PATCH", "DELETE")
def group_detail(call: Call, pk: str) -> HttpResponse:
    method = call.request.method
    if method == "GET":
        return _show_group(call, _get_group(call, pk, _wants_members(call)).pk)
    group = _get_group(call, pk)
    if method == "DELETE":
        services.do_scim_delete_group(call.client, group, request=call.request)
        return scim_response(None, status=204)
    if method == "PUT":
        given = groups.read_group(call.body(), call.organisation)
    else:
        before = groups.group_resource(group, call.base)
        after, _touched = apply_patch(before, call.body(), groups.validate_patch_path)
        given = groups.read_group(after, call.organisation)
    services.do_scim_update_group(
        call.client, group, given.name, given.members, given.external_id, request=call.request
    )
    if method == "PATCH" and not _names(call.request.GET.get("attributes")):
        # Azure AD and Okta accept 204 after a group PATCH; it spares rendering big groups.
        return scim_response(None, status=204)
    return _show_group(call, group.pk)
