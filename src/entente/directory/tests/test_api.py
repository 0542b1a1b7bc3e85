"""The directory's REST API: search, one person, an organisation's services tree."""

from __future__ import annotations

import pytest

from entente.accounts.tests.factories import UserFactory
from entente.core.testing import signed_in
from entente.directory.tests.factories import ServiceFactory
from entente.organisations.models import DirectoryVisibility
from entente.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PEOPLE = "/api/v1/directory/people/"
SERVICES = "/api/v1/directory/services/"


@pytest.fixture
def closed_org():
    closed = OrganisationFactory(name="Commune discrète", slug="discrete")
    closed.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    closed.policy.save()
    return closed


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_search_with_typos_and_filters(agent, other_agent, other_org, org):
    voirie = ServiceFactory(organisation=other_org, name="Voirie")
    other_agent.service = voirie
    other_agent.manager = UserFactory(organisation=other_org)
    other_agent.save()
    elue = UserFactory(organisation=org, status="elu", mandate="Adjointe à la culture")
    client = signed_in(agent)

    assert ids(client.get(PEOPLE, {"q": "bernrad voierie"})) == [other_agent.pk]
    assert ids(client.get(PEOPLE, {"q": "adjointe"})) == [elue.pk]
    assert ids(client.get(PEOPLE, {"service": voirie.pk})) == [other_agent.pk]
    assert elue.pk in ids(client.get(PEOPLE, {"organisation": org.pk, "elus": "true"}))
    assert other_agent.pk not in ids(client.get(PEOPLE, {"organisation": org.pk}))

    row = client.get(f"{PEOPLE}{other_agent.pk}/").json()
    assert row["service_path"] == ["Voirie"]
    assert row["organisation"]["name"] == "Métropole du Lac"
    assert row["manager"] == other_agent.manager_id
    assert row["url"] == f"/annuaire/personnes/{other_agent.pk}/"


def test_a_closed_directory_is_absent_and_404(agent, closed_org):
    hidden = UserFactory(organisation=closed_org, first_name="Bernard")
    client = signed_in(agent)

    assert hidden.pk not in ids(client.get(PEOPLE, {"q": "bernard"}))
    assert hidden.pk not in ids(client.get(PEOPLE))
    response = client.get(f"{PEOPLE}{hidden.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert client.get(f"{PEOPLE}999999/").json() == response.json()
    tree = client.get(SERVICES, {"organisation": closed_org.slug}).json()
    assert tree == []


def test_a_manager_the_viewer_may_not_see_is_not_shown(agent, org, closed_org):
    agent.manager = UserFactory(organisation=closed_org)
    agent.save()
    colleague = UserFactory(organisation=org)

    assert signed_in(colleague).get(f"{PEOPLE}{agent.pk}/").json()["manager"] is None


def test_bad_filters_are_a_clear_400(agent, closed_org):
    client = signed_in(agent)

    response = client.get(PEOPLE, {"organisation": "abc"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    response = client.get(PEOPLE, {"service": 999999})
    assert response.status_code == 400
    assert "service" in response.json()["errors"]
    assert client.get(SERVICES).status_code == 400
    assert client.get(SERVICES, {"organisation": "nulle-part"}).status_code == 404


def test_the_services_tree(agent, other_agent, other_org):
    direction = ServiceFactory(organisation=other_org, name="Direction technique")
    voirie = ServiceFactory(organisation=other_org, parent=direction, name="Voirie")
    other_agent.service = voirie
    other_agent.save()

    tree = signed_in(agent).get(SERVICES, {"organisation": other_org.pk}).json()

    assert tree[0]["name"] == "Direction technique" and tree[0]["people_count"] == 0
    assert tree[0]["children"][0]["name"] == "Voirie"
    assert tree[0]["children"][0]["people_count"] == 1


def test_a_guest_sees_only_themself(guest, agent, org):
    client = signed_in(guest)

    assert ids(client.get(PEOPLE, {"q": "agnes"})) == []
    assert client.get(f"{PEOPLE}{agent.pk}/").status_code == 404
    assert client.get(SERVICES, {"organisation": org.slug}).status_code == 404
    assert client.get(PEOPLE, {"organisation": org.pk}).status_code == 400


def test_anonymous_is_refused(client):
    assert client.get(PEOPLE).status_code in (401, 403)
