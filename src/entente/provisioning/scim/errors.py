"""SCIM error bodies (RFC 7644 §3.12): every failure answers with one, in French."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
CONTENT_TYPE = "application/scim+json"


class ScimError(Exception):
    """A request SCIM refuses: its HTTP status, its ``scimType`` (for 400/409) and why."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type
        self.headers: dict[str, str] = {}


def invalid_value(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidValue")


def invalid_syntax(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidSyntax")


def invalid_path(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidPath")


def invalid_filter(detail: str) -> ScimError:
    return ScimError(400, detail, "invalidFilter")


def uniqueness(detail: str) -> ScimError:
    return ScimError(409, detail, "uniqueness")


def not_found(kind: str = "ressource") -> ScimError:
    return ScimError(404, f"Cette {kind} n'existe pas dans cette organisation.")


def scim_response(body: dict[str, Any] | None, status: int = 200, **headers: str) -> HttpResponse:
    """A SCIM answer: ``application/scim+json``, never cached, never a session cookie."""
    content = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
    response = HttpResponse(
        content, status=status, content_type=CONTENT_TYPE if body is not None else None
    )
    if body is None:
        del response["Content-Type"]
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error_response(error: ScimError) -> HttpResponse:
    body: dict[str, Any] = {
        "schemas": [ERROR_SCHEMA],
        "status": str(error.status),
        "detail": error.detail,
    }
    if error.scim_type:
        body["scimType"] = error.scim_type
    response = scim_response(body, status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response
