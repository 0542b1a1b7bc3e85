"""Fixtures of the provisioning tests: SCIM tokens, a SCIM client, sample payloads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from entente.accounts.models import User
from entente.audit.models import AuditEvent
from entente.directory.models import Group
from entente.provisioning import services
from entente.provisioning.models import ScimIdentity

PAYLOADS = Path(__file__).parent / "payloads"
SCIM_JSON = "application/scim+json"


def payload(name: str, **values: Any) -> dict[str, Any]:
    """A sample request body captured from a real client, with ``{{placeholders}}`` filled."""
    text = (PAYLOADS / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", str(value))
    return json.loads(text)


class Scim:
    """A SCIM client for one organisation's base URL and one bearer token."""

    def __init__(self, slug: str, secret: str) -> None:
        self.base = f"/scim/v2/{slug}/"
        self.secret = secret
        self.http = Client()

    def call(
        self, method: str, path: str, body: Any = None, raw: bytes | str | None = None, **extra
    ):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.secret}"} if self.secret else {}
        kwargs: dict[str, Any] = {**headers, **extra}
        if data is not None:
            kwargs["data"] = data
            kwargs["content_type"] = SCIM_JSON
        return getattr(self.http, method.lower())(self.base + path, **kwargs)

    def get(self, path: str, **params: Any):
        return self.call("GET", path, **({"data": params} if params else {}))

    def post(self, path: str, body: Any = None, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path: str, body: Any = None, **kw):
        return self.call("PUT", path, body, **kw)

    def patch(self, path: str, body: Any = None, **kw):
        return self.call("PATCH", path, body, **kw)

    def delete(self, path: str, **kw):
        return self.call("DELETE", path, **kw)


def counts() -> dict[str, int]:
    """What a refused request must leave untouched."""
    return {
        "people": User.objects.count(),
        "identities": ScimIdentity.objects.count(),
        "groups": Group.objects.count(),
        "events": AuditEvent.objects.count(),
    }


def assert_scim_error(response, status: int, scim_type: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == SCIM_JSON
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(status)
    assert body["detail"]
    if scim_type is not None:
        assert body.get("scimType") == scim_type, body
    return body


@pytest.fixture
def token(org, org_admin):
    token, secret = services.do_create_token(org_admin, org, "Azure AD")
    token.secret = secret
    return token


@pytest.fixture
def other_token(other_org, other_admin):
    token, secret = services.do_create_token(other_admin, other_org, "Okta")
    token.secret = secret
    return token


@pytest.fixture
def scim(token) -> Scim:
    return Scim("valmont", token.secret)
