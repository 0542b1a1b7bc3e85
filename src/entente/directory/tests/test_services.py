"""Use cases for the services tree and groups, called directly."""

import pytest
from django.core.exceptions import ValidationError

from entente.accounts.tests.factories import UserFactory
from entente.directory import services
from entente.directory.models import MAX_SERVICE_DEPTH, Group, Service
from entente.directory.tests.factories import GroupFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def chain(org, length, prefix="Niveau"):
    """``length`` services, each inside the previous one; returns them from the root down."""
    made, parent = [], None
    for level in range(length):
        parent = ServiceFactory(organisation=org, name=f"{prefix} {level + 1}", parent=parent)
        made.append(parent)
    return made


# --- the tree in memory --------------------------------------------------------------------------


def test_build_tree_nests_and_sorts_by_name(org):
    top = ServiceFactory(organisation=org, name="Direction")
    zeta = ServiceFactory(organisation=org, name="zeta", parent=top)
    alpha = ServiceFactory(organisation=org, name="Alpha", parent=top)
    lone = ServiceFactory(organisation=org, name="Accueil")
    tree = services.build_tree(Service.objects.filter(organisation=org))
    assert [n.service for n in tree] == [lone, top]
    assert [n.service for n in tree[1].children] == [alpha, zeta]
    assert tree[1].children[0].depth == 2
    flat = services.flatten(tree)
    assert [path for _node, path in flat] == [
        "Accueil",
        "Direction",
        "Direction › Alpha",
        "Direction › zeta",
    ]


def test_build_tree_shows_orphans_as_roots(org):
    top, child = chain(org, 2)
    tree = services.build_tree([child])  # its parent is not in the list
    assert [n.service for n in tree] == [child]


# --- services ------------------------------------------------------------------------------------


def test_create_and_move_a_service(org, org_admin):
    top = services.do_create_service(
        org_admin, org, {"name": " Direction ", "parent": None, "email": "", "phone": ""}
    )
    assert top.name == "Direction" and top.organisation == org
    child = services.do_create_service(org_admin, org, {"name": "Urbanisme", "parent": top})
    other = services.do_create_service(org_admin, org, {"name": "Finances"})
    services.do_update_service(org_admin, child, {"name": "Urbanisme", "parent": other})
    child.refresh_from_db()
    assert child.parent == other


def test_no_cycles(org, org_admin):
    top, middle, leaf = chain(org, 3)
    for new_parent in (top, middle, leaf):
        with pytest.raises(ValidationError) as refused:
            services.do_update_service(org_admin, top, {"name": top.name, "parent": new_parent})
        assert "parent" in refused.value.message_dict
    top.refresh_from_db()
    assert top.parent is None


def test_depth_is_limited_for_new_services(org, org_admin):
    deepest = chain(org, MAX_SERVICE_DEPTH)[-1]
    with pytest.raises(ValidationError, match="niveaux"):
        services.do_create_service(org_admin, org, {"name": "Trop", "parent": deepest})
    allowed = chain(org, MAX_SERVICE_DEPTH - 1, prefix="Autre")[-1]
    assert services.do_create_service(org_admin, org, {"name": "Juste", "parent": allowed}).pk


def test_depth_counts_the_subtree_being_moved(org, org_admin):
    deep = chain(org, MAX_SERVICE_DEPTH - 2)  # room for two more levels below deep[-1]
    branch = chain(org, 3, prefix="Branche")  # three levels: does not fit
    with pytest.raises(ValidationError, match="niveaux"):
        services.do_update_service(
            org_admin, branch[0], {"name": branch[0].name, "parent": deep[-1]}
        )
    services.do_update_service(
        org_admin, branch[1], {"name": branch[1].name, "parent": deep[-1]}
    )  # two levels fit


def test_a_parent_of_another_organisation_is_refused(org, other_org, org_admin):
    foreign = ServiceFactory(organisation=other_org)
    with pytest.raises(ValidationError) as refused:
        services.do_create_service(org_admin, org, {"name": "Intrus", "parent": foreign})
    assert "parent" in refused.value.message_dict
    assert not Service.objects.filter(name="Intrus").exists()


def test_sibling_names_are_unique_whatever_the_case(org, org_admin):
    top = ServiceFactory(organisation=org, name="Direction")
    ServiceFactory(organisation=org, name="Voirie", parent=top)
    with pytest.raises(ValidationError) as refused:
        services.do_create_service(org_admin, org, {"name": "VOIRIE", "parent": top})
    assert "name" in refused.value.message_dict
    assert (
        services.do_create_service(org_admin, org, {"name": "Voirie"}).parent is None
    )  # elsewhere: fine
    with pytest.raises(ValidationError):
        services.do_create_service(org_admin, org, {"name": "direction"})


def test_the_service_phone_is_checked(org, org_admin):
    with pytest.raises(ValidationError) as refused:
        services.do_create_service(org_admin, org, {"name": "Accueil", "phone": "appelez"})
    assert "phone" in refused.value.message_dict


def test_delete_refuses_a_service_with_people_or_children(org, org_admin):
    top, leaf = chain(org, 2)
    UserFactory(organisation=org, service=leaf)
    UserFactory(organisation=org, service=leaf, is_active=False)
    with pytest.raises(ValidationError, match="2 personnes"):
        services.do_delete_service(org_admin, leaf)
    with pytest.raises(ValidationError, match="1 sous-service"):
        services.do_delete_service(org_admin, top)
    assert Service.objects.filter(organisation=org).count() == 2


def test_delete_an_empty_service(org, org_admin):
    lone = ServiceFactory(organisation=org)
    services.do_delete_service(org_admin, lone)
    assert not Service.objects.filter(pk=lone.pk).exists()


# --- groups --------------------------------------------------------------------------------------


def test_create_and_update_a_group(org, org_admin, agent):
    colleague = UserFactory(organisation=org)
    group = services.do_create_group(
        org_admin, org, {"name": "Commission", "description": " ", "members": [agent]}
    )
    assert list(group.members.all()) == [agent] and group.description == ""
    services.do_update_group(
        org_admin, group, {"name": "Commission", "members": [agent, colleague]}
    )
    assert set(group.members.all()) == {agent, colleague}


def test_members_must_belong_to_the_organisation(org, org_admin, agent, other_agent):
    with pytest.raises(ValidationError) as refused:
        services.do_create_group(org_admin, org, {"name": "Mixte", "members": [agent, other_agent]})
    assert "members" in refused.value.message_dict
    assert not Group.objects.filter(name="Mixte").exists()  # the whole write is rolled back


def test_a_deactivated_person_stays_a_member_but_cannot_join(org, org_admin, agent):
    departed = UserFactory(organisation=org, is_active=False)
    with pytest.raises(ValidationError, match="désactivé"):
        services.do_create_group(org_admin, org, {"name": "Partis", "members": [departed]})
    group = GroupFactory(organisation=org)
    group.members.add(departed)
    services.do_update_group(org_admin, group, {"name": group.name, "members": [departed, agent]})
    assert set(group.members.all()) == {departed, agent}


def test_group_names_are_unique_in_an_organisation_only(org, other_org, org_admin, other_admin):
    GroupFactory(organisation=org, name="Élus")
    with pytest.raises(ValidationError):
        services.do_create_group(org_admin, org, {"name": "éLUS"})
    assert services.do_create_group(other_admin, other_org, {"name": "Élus"}).pk


def test_delete_a_group(org, org_admin, agent):
    group = GroupFactory(organisation=org)
    group.members.add(agent)
    services.do_delete_group(org_admin, group)
    assert not Group.objects.filter(pk=group.pk).exists()
    assert agent.member_groups.count() == 0


def test_structure_changes_are_audited(org, org_admin):
    from entente.audit.models import AuditEvent, EventKind
    from entente.audit.services import verify_chain
    from entente.directory import services

    service = services.do_create_service(org_admin, org, {"name": "Voirie"})
    services.do_update_service(org_admin, service, {"name": "Voirie et réseaux"})
    services.do_delete_service(org_admin, service)
    group = services.do_create_group(org_admin, org, {"name": "Comité", "members": [org_admin]})
    services.do_update_group(org_admin, group, {"description": "Réunion du lundi"})
    services.do_delete_group(org_admin, group)
    kinds = list(AuditEvent.objects.filter(organisation=org).values_list("kind", flat=True))
    assert kinds == [
        EventKind.SERVICE_CREATED,
        EventKind.SERVICE_UPDATED,
        EventKind.SERVICE_DELETED,
        EventKind.GROUP_CREATED,
        EventKind.GROUP_UPDATED,
        EventKind.GROUP_DELETED,
    ]
    assert verify_chain(org.pk).ok
