"""REST API: JSON errors with a code, visibility through the permission engine, OpenAPI schema."""

import pytest
from rest_framework.test import APIClient

from entente.accounts.tests.factories import UserFactory
from entente.organisations.models import DirectoryVisibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(agent):
    client = APIClient()
    client.force_authenticate(agent)
    return client


def test_anonymous_gets_a_json_error_with_a_code():
    response = APIClient().get("/api/v1/people/")
    assert response.status_code == 403
    assert response.json()["code"] == "not_authenticated"


def test_me(api, agent):
    body = api.get("/api/v1/people/me/").json()
    assert body["email"] == agent.email
    assert body["organisation"] == "valmont"
    assert body["abilities"]["view"] is True
    assert body["abilities"]["edit"] is False


def test_people_list_follows_directory_policies(api, agent, other_org, other_agent):
    emails = {p["email"] for p in api.get("/api/v1/people/").json()["results"]}
    assert other_agent.email in emails
    other_org.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    other_org.policy.save()
    emails = {p["email"] for p in api.get("/api/v1/people/").json()["results"]}
    assert other_agent.email not in emails
    response = api.get(f"/api/v1/people/{other_agent.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_people_list_query_count_does_not_grow_with_rows(api, agent, django_assert_max_num_queries):
    UserFactory.create_batch(3, organisation=agent.organisation)
    with django_assert_max_num_queries(8) as small:
        api.get("/api/v1/people/")
    UserFactory.create_batch(30, organisation=agent.organisation)
    with django_assert_max_num_queries(len(small.captured_queries)):
        api.get("/api/v1/people/")


def test_organisations_are_listed_by_slug(api, org, other_org):
    body = api.get("/api/v1/organisations/").json()
    slugs = {o["slug"] for o in body["results"]}
    assert {"valmont", "metropole-lac"} <= slugs
    detail = api.get("/api/v1/organisations/valmont/").json()
    assert detail["domains"] == ["valmont.fr"]


def test_openapi_schema_and_docs_are_served_locally(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert b"/api/v1/people/" in schema.content
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/redoc" in body
    assert "https://" not in body
    assert "script-src 'self'" in docs.headers["Content-Security-Policy"]


def test_writes_are_not_allowed_on_read_only_endpoints(api):
    response = api.post("/api/v1/people/", {"email": "x@valmont.fr"}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_me_with_a_browser_session(client, agent):
    """request.user is a lazy proxy there: the permission engine must see through it."""
    client.force_login(agent, backend="entente.accounts.backends.AuthenticationBackend")
    response = client.get("/api/v1/people/me/")
    assert response.status_code == 200
    assert response.json()["abilities"]["view"] is True
