"""The structure console: the services tree and the groups of an organisation."""

import pytest
from django.test import Client

from entente.accounts.tests.factories import UserFactory
from entente.directory.models import MAX_SERVICE_DEPTH, Group, Service
from entente.directory.tests.factories import GroupFactory, ServiceFactory

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"


@pytest.fixture
def admin_client(org_admin):
    client = Client()
    client.force_login(org_admin, backend=BACKEND)
    return client


@pytest.fixture
def tree(org):
    """Direction générale › Aménagement › Urbanisme."""
    top = ServiceFactory(organisation=org, name="Direction générale")
    middle = ServiceFactory(organisation=org, name="Aménagement", parent=top)
    leaf = ServiceFactory(organisation=org, name="Urbanisme", parent=middle)
    return top, middle, leaf


# --- services ------------------------------------------------------------------------------------


def test_the_tree_is_a_nested_list(admin_client, tree, agent):
    top, middle, leaf = tree
    agent.service = leaf
    agent.save()
    body = admin_client.get("/admin-org/services/").content.decode()
    assert body.count('<ul class="tree"') == 1
    assert body.index("Direction générale") < body.index("Aménagement") < body.index("Urbanisme")
    assert body.count("<ul>") >= 2  # two nested levels below the root
    assert "1 personne" in body


def test_the_tree_costs_a_fixed_number_of_queries(admin_client, org, django_assert_max_num_queries):
    parent = None
    for level in range(6):
        parent = ServiceFactory(organisation=org, name=f"Niveau {level}", parent=parent)
        ServiceFactory.create_batch(3, organisation=org, parent=parent)
    with django_assert_max_num_queries(5):
        assert admin_client.get("/admin-org/services/").status_code == 200


def test_an_empty_tree_explains_what_goes_there(admin_client):
    body = admin_client.get("/admin-org/services/").content.decode()
    assert "Aucun service pour l'instant" in body and "Ajouter un premier service" in body


def test_creating_a_service_under_a_parent(admin_client, org, tree):
    top, _middle, _leaf = tree
    form = admin_client.get(f"/admin-org/services/nouveau/?parent={top.pk}").content.decode()
    assert f'<option value="{top.pk}" selected>Direction générale</option>' in form
    assert "Direction générale › Aménagement › Urbanisme" in form  # choices show the full path
    response = admin_client.post(
        "/admin-org/services/nouveau/",
        {
            "name": "Finances",
            "parent": top.pk,
            "email": "finances@valmont.fr",
            "phone": "01 02 03 04 05",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/admin-org/services/"
    created = Service.objects.get(name="Finances")
    assert created.organisation == org and created.parent == top


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Ce champ est obligatoire"),
        ({"name": "x" * 300}, "name", "au plus 150 caractères"),
        ({"name": "Finances", "email": "pas-une-adresse"}, "email", "adresse e-mail valide"),
        ({"name": "Finances", "phone": "appelez"}, "phone", "Numéro de téléphone invalide"),
        ({"name": "direction GÉNÉRALE"}, "name", "porte déjà ce nom"),
    ],
)
def test_bad_service_input_is_refused_in_french(admin_client, tree, data, field, message):
    before = Service.objects.count()
    response = admin_client.post("/admin-org/services/nouveau/", data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Service.objects.count() == before


def test_a_parent_of_another_organisation_posted_by_hand_is_refused(admin_client, other_org):
    foreign = ServiceFactory(organisation=other_org)
    response = admin_client.post(
        "/admin-org/services/nouveau/", {"name": "Intrus", "parent": foreign.pk}
    )
    assert response.status_code == 200
    assert "n'existe pas dans votre organisation" in " ".join(
        response.context["form"].errors["parent"]
    )
    assert not Service.objects.filter(name="Intrus").exists()


def test_moving_a_service_under_its_own_descendant_is_refused(admin_client, tree):
    top, _middle, leaf = tree
    response = admin_client.post(
        f"/admin-org/services/{top.pk}/", {"name": top.name, "parent": leaf.pk}
    )
    assert response.status_code == 200
    assert "sous lui-même ni sous l'un de ses sous-services" in " ".join(
        response.context["form"].errors["parent"]
    )
    top.refresh_from_db()
    assert top.parent is None


def test_a_service_is_not_offered_as_its_own_parent(admin_client, tree):
    top, _middle, _leaf = tree
    response = admin_client.post(
        f"/admin-org/services/{top.pk}/", {"name": top.name, "parent": top.pk}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    top.refresh_from_db()
    assert top.parent is None


def test_the_tree_cannot_grow_deeper_than_the_limit(admin_client, org):
    parent = None
    for level in range(MAX_SERVICE_DEPTH):
        parent = ServiceFactory(organisation=org, name=f"Niveau {level + 1}", parent=parent)
    response = admin_client.post(
        "/admin-org/services/nouveau/", {"name": "Trop loin", "parent": parent.pk}
    )
    assert response.status_code == 200
    assert f"au plus {MAX_SERVICE_DEPTH} niveaux" in " ".join(
        response.context["form"].errors["parent"]
    )
    assert not Service.objects.filter(name="Trop loin").exists()


def test_renaming_and_moving_a_service(admin_client, org, tree):
    top, middle, leaf = tree
    response = admin_client.post(
        f"/admin-org/services/{leaf.pk}/", {"name": "Urbanisme et foncier", "parent": top.pk}
    )
    assert response.status_code == 302
    leaf.refresh_from_db()
    assert leaf.name == "Urbanisme et foncier" and leaf.parent == top


def test_deleting_a_service_that_still_has_people_or_sub_services_is_refused(
    admin_client, tree, agent
):
    top, middle, leaf = tree
    agent.service = leaf
    agent.save()
    confirm = admin_client.get(f"/admin-org/services/{leaf.pk}/supprimer/").content.decode()
    assert "1 personne y est rattachée" in confirm
    assert "Supprimer le service</button>" not in confirm  # nothing to confirm yet
    response = admin_client.post(f"/admin-org/services/{leaf.pk}/supprimer/", follow=True)
    assert "ne peut pas être supprimé" in response.content.decode()
    assert "1 personne" in response.content.decode()
    response = admin_client.post(f"/admin-org/services/{top.pk}/supprimer/", follow=True)
    assert "1 sous-service" in response.content.decode()
    assert Service.objects.filter(pk__in=[top.pk, leaf.pk]).count() == 2


def test_deleting_an_empty_service(admin_client, tree):
    _top, _middle, leaf = tree
    assert admin_client.get(f"/admin-org/services/{leaf.pk}/supprimer/").status_code == 200
    response = admin_client.post(f"/admin-org/services/{leaf.pk}/supprimer/")
    assert response.status_code == 302 and response["Location"] == "/admin-org/services/"
    assert not Service.objects.filter(pk=leaf.pk).exists()


# --- groups --------------------------------------------------------------------------------------


def test_creating_a_group_with_members(admin_client, org, agent):
    colleague = UserFactory(organisation=org)
    form = admin_client.get("/admin-org/groupes/nouveau/").content.decode()
    assert 'type="checkbox" name="members"' in form and "<legend>Membres" in form
    response = admin_client.post(
        "/admin-org/groupes/nouveau/",
        {
            "name": "Commission urbanisme",
            "description": "Réunion mensuelle",
            "members": [agent.pk, colleague.pk],
        },
    )
    assert response.status_code == 302
    group = Group.objects.get(name="Commission urbanisme")
    assert group.organisation == org
    assert set(group.members.all()) == {agent, colleague}
    listing = admin_client.get("/admin-org/groupes/").content.decode()
    assert "Commission urbanisme" in listing and "<td>2</td>" in listing


def test_a_member_of_another_organisation_posted_by_hand_is_refused(
    admin_client, agent, other_agent
):
    response = admin_client.post(
        "/admin-org/groupes/nouveau/", {"name": "Mixte", "members": [agent.pk, other_agent.pk]}
    )
    assert response.status_code == 200
    assert "ne fait pas partie de votre organisation" in " ".join(
        response.context["form"].errors["members"]
    )
    assert not Group.objects.filter(name="Mixte").exists()


def test_a_deactivated_person_is_not_offered_as_a_new_member(admin_client, org):
    departed = UserFactory(organisation=org, is_active=False)
    form = admin_client.get("/admin-org/groupes/nouveau/").content.decode()
    assert departed.email not in form
    response = admin_client.post(
        "/admin-org/groupes/nouveau/", {"name": "Partis", "members": [departed.pk]}
    )
    assert response.status_code == 200 and not Group.objects.filter(name="Partis").exists()


def test_editing_keeps_a_deactivated_member_unless_unticked(admin_client, org, agent):
    departed = UserFactory(organisation=org, is_active=False)
    group = GroupFactory(organisation=org, name="Conseil")
    group.members.add(agent, departed)
    form = admin_client.get(f"/admin-org/groupes/{group.pk}/").content.decode()
    assert departed.email in form
    response = admin_client.post(
        f"/admin-org/groupes/{group.pk}/",
        {"name": "Conseil municipal", "members": [agent.pk, departed.pk]},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.name == "Conseil municipal" and set(group.members.all()) == {agent, departed}
    admin_client.post(
        f"/admin-org/groupes/{group.pk}/", {"name": "Conseil municipal", "members": [agent.pk]}
    )
    assert set(group.members.all()) == {agent}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Ce champ est obligatoire"),
        ({"name": "x" * 300}, "name", "au plus 150 caractères"),
        ({"name": "Ok", "description": "d" * 301}, "description", "au plus 300 caractères"),
        ({"name": "CONSEIL"}, "name", "porte déjà ce nom"),
        ({"name": "Ok", "members": ["abc"]}, "members", "ne désigne aucune personne"),
    ],
)
def test_bad_group_input_is_refused_in_french(admin_client, org, data, field, message):
    GroupFactory(organisation=org, name="Conseil")
    response = admin_client.post("/admin-org/groupes/nouveau/", data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Group.objects.count() == 1


def test_deleting_a_group_keeps_its_members(admin_client, org, agent):
    group = GroupFactory(organisation=org)
    group.members.add(agent)
    assert (
        "1 membre" in admin_client.get(f"/admin-org/groupes/{group.pk}/supprimer/").content.decode()
    )
    response = admin_client.post(f"/admin-org/groupes/{group.pk}/supprimer/")
    assert response.status_code == 302
    assert not Group.objects.filter(pk=group.pk).exists()
    agent.refresh_from_db()
    assert agent.is_active


def test_an_empty_group_list_explains_what_goes_there(admin_client):
    assert "Aucun groupe pour l'instant" in admin_client.get("/admin-org/groupes/").content.decode()
