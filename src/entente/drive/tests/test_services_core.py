"""Core rules of the drive: tree, versions, trash, shares with inheritance, quotas."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from entente.core.permissions import can, visible
from entente.drive import blobstore, services
from entente.drive.models import Blob, Node, ShareRole
from entente.drive.tests.factories import make_file, make_folder, root_of
from entente.spaces import services as space_services
from entente.spaces.models import SpaceRole

pytestmark = pytest.mark.django_db


def read_all(node):
    return b"".join(blobstore.read(node.current_version.blob))


def test_upload_creates_a_file_and_an_overwrite_makes_a_version(agent):
    root = root_of(agent)
    first = make_file(agent, root, "compte-rendu.txt", b"v1")
    again = make_file(agent, root, "Compte-Rendu.txt", b"version 2")
    assert again.pk == first.pk
    assert read_all(again) == b"version 2"
    assert [v.number for v in again.versions.all()] == [2, 1]
    old = again.versions.get(number=1)
    restored = services.restore_version(agent, old)
    assert restored.number == 3 and read_all(Node.objects.get(pk=first.pk)) == b"v1"
    # one blob per distinct content
    assert Blob.objects.count() == 2


def test_same_content_is_stored_once(agent):
    root = root_of(agent)
    a = make_file(agent, root, "a.txt", b"same")
    b = make_file(agent, root, "b.txt", b"same")
    assert a.current_version.blob_id == b.current_version.blob_id
    assert default_storage.exists(a.current_version.blob.storage_name)


def test_incomplete_upload_leaves_nothing(agent):
    root = root_of(agent)
    with pytest.raises(blobstore.Incomplete):
        services.upload_file(agent, root, "x.bin", [b"12345"], 10)
    assert not Node.objects.filter(name="x.bin").exists()
    assert Blob.objects.count() == 0
    _dirs, files = default_storage.listdir("tmp")
    assert files == []


def test_trash_and_restore_a_folder_with_its_content(agent):
    root = root_of(agent)
    folder = make_folder(agent, root, "Projets")
    inner = make_file(agent, folder, "plan.txt")
    services.trash(agent, folder)
    assert not visible(agent, Node).filter(pk=inner.pk).exists()
    folder.refresh_from_db()
    assert can(agent, "restore", folder)
    services.restore(agent, folder)
    assert visible(agent, Node).filter(pk=inner.pk).exists()


def test_share_is_inherited_and_capped_by_policy(agent, other_agent, org):
    root = root_of(agent)
    folder = make_folder(agent, root, "Partagé")
    inner = make_file(agent, folder, "doc.txt")
    assert not can(other_agent, "view", inner)
    with pytest.raises(services.ExternalShareNeedsConfirmation):
        services.share(agent, folder, other_agent, ShareRole.EDITOR)
    services.share(agent, folder, other_agent, ShareRole.EDITOR, confirm_external=True)
    assert can(other_agent, "edit", inner)
    assert not can(other_agent, "share", inner)
    org.policy.external_sharing_allowed = False
    org.policy.save()
    assert not can(other_agent, "view", inner)
    folder = Node.objects.get(pk=folder.pk)
    with pytest.raises(ValidationError):
        services.share(agent, folder, other_agent, ShareRole.READER, confirm_external=True)


def test_space_share_reaches_members_within_their_role(agent, other_agent, org, other_org):
    from entente.accounts.tests.factories import UserFactory

    reader = UserFactory(organisation=other_org)
    space = space_services.create_space(agent, name="PLUi")
    space_services.add_member(agent, space, other_agent, SpaceRole.CONTRIBUTOR)
    space_services.add_member(agent, space, reader, SpaceRole.READER)
    folder = make_folder(agent, root_of(agent), "Pour le projet")
    doc = make_file(agent, folder, "plan.txt")
    services.share(agent, folder, space, ShareRole.EDITOR, confirm_external=True)
    assert can(other_agent, "edit", doc)
    assert can(reader, "view", doc) and not can(reader, "edit", doc)
    membership = space.memberships.get(user=other_agent)
    space_services.remove_member(agent, membership)
    assert not can(other_agent, "view", doc)


def test_quota_is_checked_before_writing(agent, org):
    org.policy.quota_per_person_mb = 10
    org.policy.save()
    root = root_of(agent)
    with pytest.raises(services.QuotaExceeded):
        services.upload_file(agent, root, "big.bin", iter(()), 11 * 1024 * 1024)
    assert Blob.objects.count() == 0


def test_move_refuses_a_folder_into_itself_and_moves_subtree(agent):
    root = root_of(agent)
    a = make_folder(agent, root, "A")
    b = make_folder(agent, a, "B")
    c = make_file(agent, b, "c.txt")
    with pytest.raises(ValidationError):
        services.move(agent, a, b)
    target = make_folder(agent, root, "T")
    services.move(agent, b, target)
    c.refresh_from_db()
    assert c.path == f"{target.path}{b.pk}/{c.pk}/"


def test_stranger_cannot_act(agent, other_agent):
    folder = make_folder(agent, root_of(agent), "Privé")
    with pytest.raises((PermissionDenied, Exception)):
        services.create_folder(other_agent, folder, "intrus")
    assert not visible(other_agent, Node).filter(pk=folder.pk).exists()
