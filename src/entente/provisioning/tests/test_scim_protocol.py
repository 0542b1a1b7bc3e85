"""The SCIM door itself: tokens and organisations, discovery endpoints, addresses, errors."""

import pytest
from django.test import Client

from entente.organisations.tests.factories import OrganisationFactory
from entente.provisioning import services
from entente.provisioning.models import ScimToken
from entente.provisioning.tests.conftest import Scim, assert_scim_error, counts, payload

pytestmark = pytest.mark.django_db


# --- who may call ---------------------------------------------------------------------------------


def test_another_organisations_token_is_refused_and_writes_nothing(org, other_token, agent):
    intruder = Scim("valmont", other_token.secret)
    before = counts()
    for response in [
        intruder.post("Users", payload("okta_create_user.json")),
        intruder.get("Users"),
        intruder.get(f"Users/{agent.pk}"),
        intruder.patch(f"Users/{agent.pk}", payload("okta_deactivate.json")),
        intruder.delete(f"Users/{agent.pk}"),
        intruder.get("ServiceProviderConfig"),
    ]:
        error = assert_scim_error(response, 401)
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "Jeton absent, invalide ou révoqué" in error["detail"]
    assert counts() == before
    agent.refresh_from_db()
    assert agent.is_active


def test_a_revoked_token_is_refused_at_once(scim, token, org_admin):
    assert scim.get("Users").status_code == 200
    services.do_revoke_token(org_admin, token)
    before = counts()
    assert_scim_error(scim.post("Users", payload("okta_create_user.json")), 401)
    assert counts() == before


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer scim_not-a-real-token", "Token x"],
)
def test_missing_or_wrong_credentials(org, header):
    client = Client()
    response = client.get("/scim/v2/valmont/Users", HTTP_AUTHORIZATION=header)
    assert_scim_error(response, 401)


def test_unknown_organisation_and_inactive_organisation(token, org):
    assert_scim_error(Scim("nulle-part", token.secret).get("Users"), 401)
    org.is_active = False
    org.save()
    assert_scim_error(Scim("valmont", token.secret).get("Users"), 401)


def test_a_session_is_neither_needed_nor_enough(client, org_admin, scim):
    client.force_login(org_admin, backend="entente.accounts.backends.AuthenticationBackend")
    assert_scim_error(client.get("/scim/v2/valmont/Users"), 401)
    response = scim.post("Users", payload("okta_create_user.json"))  # no CSRF token needed
    assert response.status_code == 201
    assert "Set-Cookie" not in response or "entente_session" not in response["Set-Cookie"]


def test_last_use_is_remembered(scim, token):
    scim.get("Users")
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_ip == "127.0.0.1"


def test_rate_limit_per_token(scim, settings):
    settings.SCIM_RATE_LIMIT_PER_MINUTE = 3
    from django.core.cache import cache

    cache.clear()
    statuses = [scim.get("Users").status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200]
    error = assert_scim_error(scim.get("Users"), 429)
    assert "par minute" in error["detail"]
    cache.clear()


def test_token_secret_is_stored_as_a_digest_only(token):
    stored = ScimToken.objects.get(pk=token.pk)
    assert token.secret not in (stored.digest, stored.prefix, stored.name)
    assert token.secret.startswith(stored.prefix)
    assert services.find_token(token.secret) == stored
    assert services.find_token(token.secret + "x") is None


# --- discovery ------------------------------------------------------------------------------------


def test_service_provider_config(scim):
    response = scim.get("ServiceProviderConfig")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]
    assert body["patch"]["supported"] is True
    assert body["filter"] == {"supported": True, "maxResults": 500}
    assert body["bulk"]["supported"] is False and body["etag"]["supported"] is False
    assert body["authenticationSchemes"][0]["type"] == "oauthbearertoken"


def test_resource_types_and_schemas(scim):
    types = scim.get("ResourceTypes").json()
    assert {r["id"] for r in types["Resources"]} == {"User", "Group"}
    assert scim.get("ResourceTypes/User").json()["endpoint"] == "/Users"
    schemas = scim.get("Schemas").json()
    ids = {s["id"] for s in schemas["Resources"]}
    assert "urn:ietf:params:scim:schemas:core:2.0:User" in ids
    assert "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" in ids
    user = scim.get("Schemas/urn:ietf:params:scim:schemas:core:2.0:User").json()
    assert "userName" in {a["name"] for a in user["attributes"]}
    assert_scim_error(scim.get("Schemas/urn:example"), 404)
    assert_scim_error(scim.get("ResourceTypes/Printer"), 404)


# --- addresses and methods ----------------------------------------------------------------------------


def test_addresses_with_trailing_or_doubled_slashes(scim, agent):
    for path in ["Users/", f"Users/{agent.pk}/", "ServiceProviderConfig/"]:
        assert scim.get(path).status_code == 200, path
    scim.base = "/scim/v2/valmont//"
    assert scim.get("Users").status_code == 200


def test_unknown_addresses_and_methods_answer_in_scim(scim):
    assert_scim_error(scim.get("Printers"), 404)
    assert_scim_error(scim.get(""), 404)
    response = scim.delete("Users")
    assert_scim_error(response, 405)
    assert response["Allow"] == "GET, POST"
    assert_scim_error(scim.put("ServiceProviderConfig", {}), 405)


def test_big_bodies_are_refused(scim, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = counts()
    body = payload("okta_create_user.json")
    body["title"] = "x" * 2000
    assert_scim_error(scim.post("Users", body), 413)
    assert counts() == before


def test_a_failing_use_case_rolls_everything_back(scim, monkeypatch):
    """A crash after the person is written leaves nothing behind, and answers in SCIM."""
    from entente.provisioning import services as provisioning

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(provisioning, "_save_identity", broken)
    before = counts()
    error = assert_scim_error(scim.post("Users", payload("okta_create_user.json")), 500)
    assert "n'a rien modifié" in error["detail"]
    assert counts() == before


def test_two_organisations_with_their_own_tokens(token, other_token, org, other_org):
    mine = Scim("valmont", token.secret).post("Users", payload("okta_create_user.json"))
    assert mine.status_code == 201
    theirs_body = payload("okta_create_user.json")
    theirs_body["userName"] = "nadia.benali@metropole-lac.fr"
    theirs_body["emails"] = [{"value": "nadia.benali@metropole-lac.fr", "primary": True}]
    theirs = Scim("metropole-lac", other_token.secret).post("Users", theirs_body)
    assert theirs.status_code == 201, theirs.content
    # same externalId in two organisations: allowed (unique per organisation)
    assert theirs.json()["externalId"] == mine.json()["externalId"]
    listed = Scim("metropole-lac", other_token.secret).get("Users").json()
    assert {r["userName"] for r in listed["Resources"]} >= {"nadia.benali@metropole-lac.fr"}
    assert "nadia.benali@valmont.fr" not in {r["userName"] for r in listed["Resources"]}


def test_an_organisation_without_domains_accepts_personal_addresses(org_admin):
    small = OrganisationFactory(name="Petit village", slug="petit-village", domain=None)
    from entente.accounts.tests.factories import OrgAdminFactory

    admin = OrgAdminFactory(organisation=small, email="maire@gmail.example")
    token, secret = services.do_create_token(admin, small, "SIRH")
    body = payload("okta_create_user.json")
    body["userName"] = body["emails"][0]["value"] = "nadia@laposte.example"
    assert Scim("petit-village", secret).post("Users", body).status_code == 201
