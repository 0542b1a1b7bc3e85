"""Who may open which page of the administration consoles, and what the others get."""

import pytest
from django.test import Client
from django.utils import timezone

from entente.accounts.tests.factories import UserFactory
from entente.core.permissions import can
from entente.directory.models import Group, Service
from entente.directory.tests.factories import GroupFactory, ServiceFactory
from entente.organisations.models import DirectoryVisibility, Organisation

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"

ADMIN_PAGES = [
    "/admin-org/",
    "/admin-org/personnes/",
    "/admin-org/personnes/nouvelle/",
    "/admin-org/services/",
    "/admin-org/services/nouveau/",
    "/admin-org/groupes/",
    "/admin-org/groupes/nouveau/",
    "/admin-org/politiques/",
]
OPERATOR_PAGES = [
    "/admin-org/organisations/",
    "/admin-org/organisations/nouvelle/",
    "/admin-org/organisations/valmont/",
    "/admin-org/organisations/valmont/admins/",
    "/admin-org/organisations/valmont/politiques/",
    "/admin-org/organisations/valmont/desactiver/",
]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


@pytest.fixture
def structure(org, other_org):
    """A service and a group in each organisation, and a person of the other one."""
    return {
        "service": ServiceFactory(organisation=org, name="Urbanisme"),
        "group": GroupFactory(organisation=org, name="Conseil"),
        "other_service": ServiceFactory(organisation=other_org, name="Voirie"),
        "other_group": GroupFactory(organisation=other_org, name="Bureau"),
    }


@pytest.mark.parametrize("url", ADMIN_PAGES + OPERATOR_PAGES)
def test_anonymous_visitors_are_sent_to_the_sign_in_page(client, org, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/?next=")


@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_an_organisation_admin_opens_every_page_of_their_console(org_admin, structure, url):
    response = signed_in(org_admin).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="side-nav"' in body
    for label in ["Personnes", "Services", "Groupes", "Politiques"]:
        assert f">{label}</a>" in body
    assert ">Organisations</a>" not in body  # operators only
    assert "style=" not in body and "<script>" not in body  # the CSP forbids inline code


def test_detail_pages_open_for_the_admin(org_admin, agent, structure):
    client = signed_in(org_admin)
    for url in [
        f"/admin-org/personnes/{agent.pk}/",
        f"/admin-org/personnes/{agent.pk}/desactiver/",
        f"/admin-org/services/{structure['service'].pk}/",
        f"/admin-org/services/{structure['service'].pk}/supprimer/",
        f"/admin-org/groupes/{structure['group'].pk}/",
        f"/admin-org/groupes/{structure['group'].pk}/supprimer/",
    ]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("url", ADMIN_PAGES + OPERATOR_PAGES)
def test_a_plain_agent_has_no_console(agent, url):
    assert signed_in(agent).get(url).status_code in (403, 404)


@pytest.mark.parametrize("url", ADMIN_PAGES + OPERATOR_PAGES)
def test_a_guest_has_no_console(guest, org, url):
    assert signed_in(guest).get(url).status_code in (403, 404)


@pytest.mark.parametrize("url", OPERATOR_PAGES)
def test_an_organisation_admin_cannot_open_the_operator_pages(other_admin, org, url):
    assert signed_in(other_admin).get(url).status_code in (403, 404)


def test_an_admin_manages_the_admins_of_their_own_organisation_only(org_admin, other_org):
    client = signed_in(org_admin)
    assert client.get("/admin-org/organisations/valmont/admins/").status_code == 200
    assert client.get("/admin-org/organisations/metropole-lac/admins/").status_code == 403
    assert (
        client.get("/admin-org/organisations/valmont/").status_code == 403
    )  # editing is for operators


@pytest.mark.parametrize("url", OPERATOR_PAGES)
def test_an_operator_opens_every_operator_page(operator, org, url):
    response = signed_in(operator).get(url)
    assert response.status_code == 200
    assert ">Organisations</a>" in response.content.decode()


def test_an_operator_does_not_manage_the_people_of_organisations(operator, agent):
    client = signed_in(operator)
    assert client.get("/admin-org/").status_code == 200
    assert client.get("/admin-org/personnes/").status_code in (403, 404)
    assert client.get("/admin-org/services/").status_code in (403, 404)
    assert client.get(f"/admin-org/personnes/{agent.pk}/").status_code == 403
    assert client.post(f"/admin-org/personnes/{agent.pk}/desactiver/").status_code == 403
    agent.refresh_from_db()
    assert agent.is_active


def test_the_overview_counts_what_the_admin_manages(org_admin, agent, structure):
    invited = UserFactory(organisation=org_admin.organisation, invited_at=timezone.now())
    invited.set_unusable_password()
    invited.save()
    UserFactory(organisation=org_admin.organisation, is_active=False)
    body = signed_in(org_admin).get("/admin-org/").content.decode()
    assert "Commune de Valmont" in body
    assert '<span class="stat__value">3</span> <span class="stat__label">personnes actives' in body
    assert (
        '<span class="stat__value">1</span> <span class="stat__label">invitation en attente' in body
    )
    assert '<span class="stat__value">1</span> <span class="stat__label">service<' in body
    assert '<span class="stat__value">1</span> <span class="stat__label">groupe<' in body


# --- one organisation's admin against another's data ---------------------------------------------


def test_an_admin_cannot_open_or_change_a_person_of_another_organisation(org_admin, other_agent):
    client = signed_in(org_admin)
    url = f"/admin-org/personnes/{other_agent.pk}/"
    assert client.get(url).status_code == 403  # visible in the territory's directory, not theirs
    response = client.post(
        url,
        {"email": other_agent.email, "first_name": "Pirate", "last_name": "X", "status": "agent"},
    )
    assert response.status_code == 403
    assert client.post(url + "desactiver/").status_code == 403
    assert client.post(url + "inviter/").status_code == 403
    other_agent.refresh_from_db()
    assert other_agent.first_name == "Bernard" and other_agent.is_active


def test_a_hidden_person_of_another_organisation_is_simply_not_found(
    org_admin, other_agent, other_org
):
    other_org.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    other_org.policy.save()
    client = signed_in(org_admin)
    assert client.get(f"/admin-org/personnes/{other_agent.pk}/").status_code == 404
    assert client.post(f"/admin-org/personnes/{other_agent.pk}/desactiver/").status_code == 404
    assert client.get("/admin-org/personnes/999999/").status_code == 404
    other_agent.refresh_from_db()
    assert other_agent.is_active


def test_an_admin_cannot_reactivate_a_deactivated_person_of_another_organisation(
    org_admin, other_org
):
    departed = UserFactory(organisation=other_org, is_active=False)
    assert (
        signed_in(org_admin).post(f"/admin-org/personnes/{departed.pk}/reactiver/").status_code
        == 404
    )
    departed.refresh_from_db()
    assert not departed.is_active


def test_an_admin_cannot_change_or_delete_a_service_of_another_organisation(org_admin, structure):
    client = signed_in(org_admin)
    foreign = structure["other_service"]
    url = f"/admin-org/services/{foreign.pk}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "Piratée"}).status_code == 403
    assert client.post(url + "supprimer/").status_code == 403
    foreign.refresh_from_db()
    assert foreign.name == "Voirie"
    assert Service.objects.filter(pk=foreign.pk).exists()


def test_an_admin_cannot_see_a_group_of_another_organisation(org_admin, structure):
    client = signed_in(org_admin)
    foreign = structure["other_group"]
    assert client.get(f"/admin-org/groupes/{foreign.pk}/").status_code == 404
    assert client.post(f"/admin-org/groupes/{foreign.pk}/", {"name": "Piraté"}).status_code == 404
    assert client.post(f"/admin-org/groupes/{foreign.pk}/supprimer/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Bureau"
    assert Group.objects.filter(pk=foreign.pk).exists()


def test_lists_show_only_the_admins_own_organisation(org_admin, agent, other_agent, structure):
    client = signed_in(org_admin)
    people = client.get("/admin-org/personnes/").content.decode()
    assert agent.email in people and other_agent.email not in people
    services = client.get("/admin-org/services/").content.decode()
    assert "Urbanisme" in services and "Voirie" not in services
    groups = client.get("/admin-org/groupes/").content.decode()
    assert "Conseil" in groups and "Bureau" not in groups


def test_the_admin_of_a_deactivated_organisation_loses_the_console(org, org_admin):
    org.is_active = False
    org.save()
    assert signed_in(org_admin).get("/admin-org/personnes/").status_code in (403, 404)


# --- the permission rule added for the consoles ---------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("agent", False), ("org_admin", False), ("operator", True), ("guest", False)],
)
def test_only_operators_administer_the_organisations(request, who, expected):
    assert can(request.getfixturevalue(who), "administer", Organisation) is expected
