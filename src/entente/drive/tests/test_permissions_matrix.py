"""Who reaches what: inheritance down the tree and the cross-organisation sharing matrix.

Every cell goes through the permission engine (``can``/``visible``), the same functions every
door calls.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from entente.accounts.tests.factories import UserFactory
from entente.core.permissions import can, visible
from entente.directory.tests.factories import GroupFactory
from entente.drive import services
from entente.drive.models import Node, ShareRole
from entente.drive.permissions import shared_roots, trash_visible
from entente.drive.tests.factories import make_file, make_folder, root_of
from entente.spaces import services as spaces
from entente.spaces.models import SpaceRole

pytestmark = pytest.mark.django_db

ACTIONS = ("view", "edit", "delete", "share")


def rights(user, node) -> tuple[bool, ...]:
    node = Node.objects.get(pk=node.pk)
    return tuple(can(user, action, node) for action in ACTIONS)


NONE = (False, False, False, False)
READER = (True, False, False, False)
EDITOR = (True, True, True, False)
MANAGER = (True, True, True, True)


@pytest.fixture
def tree(agent):
    root = root_of(agent)
    folder = make_folder(agent, root, "Dossier partagé")
    sub = make_folder(agent, folder, "Sous-dossier")
    doc = make_file(agent, sub, "profond.txt")
    return folder, sub, doc


@pytest.mark.parametrize(
    ("role", "expected"),
    [(ShareRole.READER, READER), (ShareRole.EDITOR, EDITOR), (ShareRole.MANAGER, MANAGER)],
)
@pytest.mark.parametrize("grantee_kind", ["user", "group", "organisation", "space"])
def test_a_share_reaches_the_whole_subtree_for_every_kind_of_grantee(
    agent, other_agent, other_org, tree, role, expected, grantee_kind
):
    folder, sub, doc = tree
    if grantee_kind == "user":
        grantee = other_agent
    elif grantee_kind == "group":
        grantee = GroupFactory(organisation=other_org)
        grantee.members.add(other_agent)
    elif grantee_kind == "organisation":
        grantee = other_org
    else:
        grantee = spaces.create_space(agent, name="Projet commun")
        spaces.add_member(agent, grantee, other_agent, SpaceRole.MANAGER)
    if grantee_kind == "group":  # a group of another organisation is chosen by its own people
        with pytest.raises(PermissionDenied):
            services.share(agent, folder, grantee, role, confirm_external=True)
        return
    services.share(agent, folder, grantee, role, confirm_external=True)
    for node in (folder, sub, doc):
        assert rights(other_agent, node) == expected, (grantee_kind, node.name)
    assert list(shared_roots(other_agent)) == [folder]
    assert visible(other_agent, Node).filter(pk=doc.pk).exists()


def test_nothing_is_reached_without_a_share(agent, other_agent, guest, tree):
    for user in (other_agent, guest):
        for node in tree:
            assert rights(user, node) == NONE
        assert not visible(user, Node).exists()


def test_colleagues_of_the_same_organisation_see_nothing_of_a_personal_drive(agent, org, tree):
    colleague = UserFactory(organisation=org)
    assert rights(colleague, tree[2]) == NONE


def test_the_drive_root_can_be_neither_deleted_nor_shared(agent):
    root = root_of(agent)
    assert can(agent, "view", root) and can(agent, "edit", root)
    assert not can(agent, "delete", root) and not can(agent, "share", root)


def test_a_deeper_share_adds_to_an_inherited_one(agent, other_agent, tree):
    folder, sub, doc = tree
    services.share(agent, folder, other_agent, ShareRole.READER, confirm_external=True)
    services.share(agent, sub, other_agent, ShareRole.EDITOR, confirm_external=True)
    assert rights(other_agent, folder) == READER
    assert rights(other_agent, doc) == EDITOR


def test_a_manager_reshares_but_never_above_their_own_role(agent, other_agent, other_org, tree):
    folder, _sub, doc = tree
    third = UserFactory(organisation=other_org)
    services.share(agent, folder, other_agent, ShareRole.MANAGER, confirm_external=True)
    services.share(other_agent, doc, third, ShareRole.EDITOR, confirm_external=True)
    assert rights(third, doc) == EDITOR
    services.share(agent, folder, other_agent, ShareRole.EDITOR, confirm_external=True)
    with pytest.raises(PermissionDenied):
        services.share(other_agent, doc, third, ShareRole.READER, confirm_external=True)


def test_sharing_inside_the_organisation_needs_no_confirmation(agent, org, tree):
    colleague = UserFactory(organisation=org)
    services.share(agent, tree[0], colleague, ShareRole.READER)
    assert rights(colleague, tree[2]) == READER


def test_a_space_with_outside_members_counts_as_external(agent, other_agent, org, tree):
    space = spaces.create_space(agent, name="Intercommunal")
    assert not services.is_external(tree[0], space)
    spaces.add_member(agent, space, other_agent, SpaceRole.READER)
    assert services.is_external(tree[0], space)
    with pytest.raises(services.ExternalShareNeedsConfirmation):
        services.share(agent, tree[0], space, ShareRole.READER)
    org.policy.external_sharing_allowed = False
    org.policy.save()
    folder = Node.objects.get(pk=tree[0].pk)
    with pytest.raises(ValidationError) as refused:
        services.share(agent, folder, space, ShareRole.READER, confirm_external=True)
    assert refused.value.code == "external_share_forbidden"


def test_space_members_share_the_space_drive_by_role(agent, other_agent, other_org):
    space = spaces.create_space(agent, name="Voirie")
    reader = UserFactory(organisation=other_org)
    spaces.add_member(agent, space, other_agent, SpaceRole.CONTRIBUTOR)
    spaces.add_member(agent, space, reader, SpaceRole.READER)
    root = services.space_drive(space).root
    doc = make_file(other_agent, root, "apport.txt")
    assert rights(agent, doc) == MANAGER
    assert rights(other_agent, doc) == EDITOR
    assert rights(reader, doc) == READER
    spaces.archive_space(agent, space)
    doc = Node.objects.get(pk=doc.pk)
    assert rights(other_agent, doc) == READER, "an archived space is read only"


def test_a_guest_sees_only_what_is_shared_with_them(agent, guest, tree):
    services.share(agent, tree[1], guest, ShareRole.READER, confirm_external=True)
    assert rights(guest, tree[2]) == READER
    assert rights(guest, tree[0]) == NONE
    assert services.is_external(tree[0], guest)


def test_organisation_folders_are_read_by_its_people_and_managed_by_its_admins(
    org, org_admin, agent, other_agent
):
    root = services.organisation_drive(org).root
    folder = make_folder(org_admin, root, "Modèles")
    assert rights(org_admin, folder) == MANAGER
    assert rights(agent, folder) == READER
    assert rights(other_agent, folder) == NONE
    with pytest.raises(PermissionDenied):
        make_file(agent, folder, "intrus.txt")


def test_an_expired_guest_or_inactive_person_loses_access(agent, guest, tree):
    services.share(agent, tree[0], guest, ShareRole.READER, confirm_external=True)
    guest.guest_expires_at = timezone.now() - dt.timedelta(days=1)
    guest.save()
    assert rights(guest, tree[0]) == NONE


def test_trash_is_seen_by_who_may_edit_the_drive_and_by_who_deleted(agent, other_agent, tree):
    folder, sub, doc = tree
    services.share(agent, folder, other_agent, ShareRole.EDITOR, confirm_external=True)
    services.trash(other_agent, Node.objects.get(pk=doc.pk))
    assert list(trash_visible(agent)) == [Node.objects.get(pk=doc.pk)]
    assert list(trash_visible(other_agent)) == [Node.objects.get(pk=doc.pk)]
    stranger = UserFactory()
    assert not trash_visible(stranger).exists()
    assert not can(stranger, "restore", Node.objects.get(pk=doc.pk))
