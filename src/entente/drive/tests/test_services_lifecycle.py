"""Versions retention, trash retention, copies, renames, public links and quotas."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from entente.accounts.tests.factories import UserFactory
from entente.drive import blobstore, services
from entente.drive.models import LinkKind, Node, Version
from entente.drive.tests.factories import make_file, make_folder, root_of

pytestmark = pytest.mark.django_db


def content(node) -> bytes:
    node = Node.objects.get(pk=node.pk)
    return b"".join(blobstore.read(node.current_version.blob))


def test_versions_beyond_the_policy_count_are_dropped_oldest_first(agent, org):
    org.policy.version_retention_count = 3
    org.policy.save()
    root = root_of(agent)
    for number in range(1, 7):
        doc = make_file(agent, root, "rapport.txt", f"v{number}".encode())
    # the current content and three old versions
    assert list(doc.versions.values_list("number", flat=True)) == [6, 5, 4, 3]
    assert content(doc) == b"v6"


def test_versions_older_than_the_policy_age_are_dropped_but_never_the_current(agent, org):
    org.policy.version_retention_days = 10
    org.policy.save()
    root = root_of(agent)
    doc = make_file(agent, root, "vieux.txt", b"ancien")
    Version.objects.filter(node=doc).update(created_at=timezone.now() - dt.timedelta(days=40))
    doc = make_file(agent, root, "vieux.txt", b"nouveau")
    assert list(doc.versions.values_list("number", flat=True)) == [2]
    Version.objects.filter(node=doc).update(created_at=timezone.now() - dt.timedelta(days=40))
    assert services.prune_versions(Node.objects.get(pk=doc.pk)) == 0


def test_restoring_a_version_keeps_the_history(agent):
    root = root_of(agent)
    make_file(agent, root, "plan.txt", b"premier")
    doc = make_file(agent, root, "plan.txt", b"second")
    first = doc.versions.get(number=1)
    restored = services.restore_version(agent, first)
    assert restored.number == 3 and "version 1" in restored.comment
    assert content(doc) == b"premier"
    assert doc.versions.count() == 3


def test_a_reader_cannot_restore_a_version(agent, other_agent):
    from entente.drive.models import ShareRole

    folder = make_folder(agent, root_of(agent), "Lecture")
    make_file(agent, folder, "a.txt", b"1")
    doc = make_file(agent, folder, "a.txt", b"2")
    services.share(agent, folder, other_agent, ShareRole.READER, confirm_external=True)
    with pytest.raises(PermissionDenied):
        services.restore_version(other_agent, doc.versions.get(number=1))


def test_trash_older_than_retention_is_purged(agent, org):
    org.policy.trash_retention_days = 7
    org.policy.save()
    root = root_of(agent)
    old = make_folder(agent, root, "Ancien")
    make_file(agent, old, "dedans.txt")
    recent = make_file(agent, root, "récent.txt")
    services.trash(agent, old)
    services.trash(agent, recent)
    Node.objects.filter(trashed_with=old).update(deleted_at=timezone.now() - dt.timedelta(days=8))
    assert services.purge_expired_trash() == 1
    assert not Node.objects.filter(name__in=["Ancien", "dedans.txt"]).exists()
    assert Node.objects.filter(pk=recent.pk).exists()


def test_restore_goes_to_the_root_when_the_folder_is_gone_and_takes_a_free_name(agent):
    root = root_of(agent)
    folder = make_folder(agent, root, "Classeur")
    doc = make_file(agent, folder, "note.txt")
    services.trash(agent, doc)
    services.trash(agent, folder)
    make_file(agent, root, "note.txt", b"autre")
    restored = services.restore(agent, Node.objects.get(pk=doc.pk))
    assert restored.parent_id == root.pk and restored.name == "note (2).txt"


def test_names_are_unique_per_folder_ignoring_case_and_accents(agent):
    root = root_of(agent)
    make_folder(agent, root, "Été")
    with pytest.raises(ValidationError) as taken:
        make_folder(agent, root, "ete")
    assert taken.value.code == "name_taken"


def test_copy_of_a_folder_shares_blobs_and_counts_in_the_quota(agent, org):
    root = root_of(agent)
    folder = make_folder(agent, root, "Source")
    make_file(agent, folder, "a.txt", b"x" * 1000)
    copy = services.copy(agent, folder, root)
    assert copy.name == "Source (2)"
    clone = copy.children.get()
    assert clone.current_version.blob_id == folder.children.get().current_version.blob_id
    assert services.drive_usage(services.personal_drive(agent)) == 2000


def test_moving_into_another_persons_folder_needs_edit_there(agent, other_agent):
    doc = make_file(agent, root_of(agent), "mobile.txt")
    with pytest.raises(Http404):  # a folder one cannot see answers like a missing one
        services.move(agent, doc, root_of(other_agent))


def test_organisation_quota_counts_every_drive_of_the_organisation(agent, org):
    org.policy.quota_organisation_gb = 1
    org.policy.save()
    colleague = UserFactory(organisation=org)
    make_file(colleague, root_of(colleague), "gros.bin", b"x" * 10)
    with pytest.raises(services.QuotaExceeded):
        services.check_quota(services.personal_drive(agent), 1024**3)


def test_a_read_link_follows_policy_expiry_password_and_limit(agent, org):
    doc = make_file(agent, root_of(agent), "public.txt")
    now = timezone.now()
    with pytest.raises(ValidationError) as too_long:
        services.create_link(agent, doc, kind=LinkKind.READ, expires_at=now + dt.timedelta(days=90))
    assert too_long.value.code == "too_long"
    with pytest.raises(ValidationError):
        services.create_link(
            agent, doc, kind=LinkKind.UPLOAD, expires_at=now + dt.timedelta(days=1)
        )
    link = services.create_link(
        agent,
        doc,
        kind=LinkKind.READ,
        expires_at=now + dt.timedelta(days=3),
        password="tournesol",
        max_downloads=2,
    )
    assert link.has_password and not services.check_link_password(link, "faux")
    assert services.check_link_password(link, "tournesol")
    assert services.count_download(link) and services.count_download(link)
    assert not services.count_download(link)
    link.refresh_from_db()
    assert not link.is_usable()
    org.policy.public_links_allowed = False
    org.policy.save()
    doc = Node.objects.get(pk=doc.pk)
    with pytest.raises(ValidationError) as forbidden:
        services.create_link(agent, doc, kind=LinkKind.READ, expires_at=now + dt.timedelta(days=1))
    assert forbidden.value.code == "public_links_forbidden"


def test_an_upload_link_drops_files_without_an_account_under_free_names(agent):
    folder = make_folder(agent, root_of(agent), "Dépôt")
    make_file(agent, folder, "photo.jpg", b"existante")
    link = services.create_link(
        agent, folder, kind=LinkKind.UPLOAD, expires_at=timezone.now() + dt.timedelta(days=2)
    )
    dropped = services.upload_file(None, folder, "photo.jpg", [b"nouvelle"], 8, link=link)
    assert dropped.name == "photo (2).jpg"
    assert content(Node.objects.get(parent=folder, name="photo.jpg")) == b"existante"


def test_a_file_shared_on_its_own_gets_new_versions_from_its_editor(agent, other_agent):
    from entente.drive.models import ShareRole

    folder = make_folder(agent, root_of(agent), "Privé")
    doc = make_file(agent, folder, "budget.txt", b"v1")
    make_file(agent, folder, "secret.txt", b"s")
    services.share(agent, doc, other_agent, ShareRole.EDITOR, confirm_external=True)
    folder = Node.objects.get(pk=folder.pk)
    make_file(other_agent, folder, "budget.txt", b"v2")
    assert content(doc) == b"v2"
    with pytest.raises(Http404):  # nothing else may be written there, nor probed
        make_file(other_agent, folder, "secret.txt", b"x")
    with pytest.raises(Http404):
        make_file(other_agent, folder, "nouveau.txt", b"x")
