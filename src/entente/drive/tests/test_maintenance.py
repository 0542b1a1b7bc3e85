"""Housekeeping: orphan blobs and stale temporary objects go once older than the grace period,
recent ones stay, referenced blobs never go; expired uploads and their parts, pieces of dead
uploads, blob files without a row, the trash past its retention, old versions; the command's
French summary, and a second run that finds nothing."""

from __future__ import annotations

import datetime as dt
import io
import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from entente.drive import blobstore, maintenance, services, uploads
from entente.drive.models import Blob, Node, Preview, Upload, Version
from entente.drive.tests.factories import make_file, root_of

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def age(name: str, delta: dt.timedelta) -> None:
    """Make the stored object ``name`` look ``delta`` old."""
    moment = time.time() - delta.total_seconds()
    os.utime(default_storage.path(name), (moment, moment))


def orphan(content: bytes, used: dt.timedelta) -> Blob:
    blob = blobstore.store_bytes(content)
    Blob.objects.filter(pk=blob.pk).update(last_used_at=timezone.now() - used)
    return blob


def test_orphan_blobs_go_once_old_and_referenced_ones_never(agent):
    old_orphan = orphan(b"plus personne", 2 * HOUR)
    fresh_orphan = orphan(b"en cours de validation", dt.timedelta(minutes=5))
    node = make_file(agent, root_of(agent), "a.txt", b"tenu par une version")
    kept = node.current_version.blob
    Blob.objects.filter(pk=kept.pk).update(last_used_at=timezone.now() - 100 * HOUR)
    image = orphan(b"\x89PNG apercu", 5 * HOUR)
    Preview.objects.create(blob=kept, image=image, state="ready")

    deleted = maintenance.collect_blobs(timezone.now())

    assert deleted == 1
    assert not Blob.objects.filter(pk=old_orphan.pk).exists()
    assert not default_storage.exists(old_orphan.storage_name)
    for blob in (fresh_orphan, kept, image):
        assert Blob.objects.filter(pk=blob.pk).exists()
        assert default_storage.exists(blob.storage_name)


def test_a_blob_freed_by_the_purge_goes_with_its_preview(agent):
    node = make_file(agent, root_of(agent), "photo.png", b"\x89PNG\r\n\x1a\n photo")
    blob = node.current_version.blob
    image = blobstore.store_bytes(b"\x89PNG miniature")
    Preview.objects.create(blob=blob, image=image, state="ready")
    services.trash(agent, node)
    services.purge(agent, Node.objects.get(pk=node.pk))
    later = timezone.now() + 2 * HOUR

    assert maintenance.collect_blobs(later) == 2

    assert not Blob.objects.exists() and not Preview.objects.exists()
    assert not default_storage.exists(blob.storage_name)
    assert not default_storage.exists(image.storage_name)


def test_stale_temporary_objects_go_and_recent_ones_stay():
    stale = default_storage.save("tmp/abandonne", ContentFile(b"moitie"))
    nested = default_storage.save("tmp/sous/abandonne", ContentFile(b"moitie"))
    recent = default_storage.save("tmp/en-cours", ContentFile(b"en cours"))
    age(stale, 2 * HOUR)
    age(nested, 2 * HOUR)
    age(recent, dt.timedelta(minutes=10))

    assert maintenance.collect_temporary(timezone.now()) == 2

    assert not default_storage.exists(stale) and not default_storage.exists(nested)
    assert default_storage.exists(recent)


def test_blob_files_without_a_row_go_once_old(agent):
    node = make_file(agent, root_of(agent), "a.txt", b"avec sa ligne")
    kept = node.current_version.blob.storage_name
    age(kept, 50 * HOUR)
    stray_old = default_storage.save("blobs/ab/cd/abcd" + "0" * 60, ContentFile(b"sans ligne"))
    stray_new = default_storage.save("blobs/ab/ef/abef" + "0" * 60, ContentFile(b"sans ligne"))
    age(stray_old, 2 * HOUR)

    assert maintenance.collect_stray_objects(timezone.now()) == 1

    assert default_storage.exists(kept)
    assert not default_storage.exists(stray_old) and default_storage.exists(stray_new)


def test_expired_uploads_go_with_their_parts_and_live_ones_stay(agent):
    root = root_of(agent)
    expired = uploads.create(agent, root, name="vieux.bin", length=100)
    running = uploads.create(agent, root, name="actif.bin", length=100)
    uploads.append(expired, 0, [b"x" * 40])
    uploads.append(running, 0, [b"y" * 40])
    Upload.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - HOUR)

    assert uploads.expire() == 1

    assert list(Upload.objects.values_list("pk", flat=True)) == [running.pk]
    assert not default_storage.exists(expired.part_name(0))
    assert default_storage.exists(running.part_name(0))


def test_pieces_of_dead_uploads_go_once_old(agent):
    running = uploads.create(agent, root_of(agent), name="actif.bin", length=100)
    uploads.append(running, 0, [b"y" * 40])
    placed = running.part_name(0)
    killed = default_storage.save(f"uploads/{running.pk}/in-0123", ContentFile(b"coupe"))
    dead = default_storage.save(
        "uploads/6f1c0c9e-6d0e-4a53-9d0f-2b1f0a7c1e11/000000", io.BytesIO(b"z")
    )
    for name in (placed, killed, dead):
        age(name, 3 * HOUR)

    assert uploads.sweep_orphan_parts(timezone.now(), HOUR) == 2

    assert default_storage.exists(placed)
    assert not default_storage.exists(killed) and not default_storage.exists(dead)
    assert "6f1c0c9e-6d0e-4a53-9d0f-2b1f0a7c1e11" not in default_storage.listdir("uploads")[0]


def test_the_trash_past_its_retention_and_old_versions_go(agent, org):
    root = root_of(agent)
    binned = make_file(agent, root, "jete.txt", b"poubelle")
    services.trash(agent, binned)
    Node.objects.filter(pk=binned.pk).update(deleted_at=timezone.now() - dt.timedelta(days=400))
    edited = make_file(agent, root, "texte.txt", b"v1")
    make_file(agent, root, "texte.txt", b"v2")
    Version.objects.filter(node=edited, number=1).update(
        created_at=timezone.now() - dt.timedelta(days=4000)
    )
    org.policy.version_retention_days = 30
    org.policy.save()

    summary = maintenance.run()

    assert summary.trash_purged == 1 and summary.versions_pruned == 1
    assert not Node.objects.filter(pk=binned.pk).exists()
    assert list(edited.versions.values_list("number", flat=True)) == [2]


def test_the_command_prints_a_french_summary_and_a_second_run_finds_nothing(agent):
    orphan(b"plus personne", 2 * HOUR)
    stale = default_storage.save("tmp/abandonne", ContentFile(b"moitie"))
    age(stale, 2 * HOUR)
    out = io.StringIO()

    call_command("drive_maintenance", stdout=out)

    text = out.getvalue()
    assert text.startswith("Maintenance des documents terminée :")
    assert "1 contenu qui ne servait plus effacé" in text
    assert "1 fichier temporaire effacé" in text
    again = maintenance.run()
    assert again.total == 0


def test_the_command_takes_a_grace_and_a_date(agent):
    fresh = default_storage.save("tmp/tout-juste", ContentFile(b"x"))
    running = uploads.create(agent, root_of(agent), name="a.bin", length=10)
    out = io.StringIO()

    call_command(
        "drive_maintenance",
        "--grace-minutes",
        "0",
        "--as-of",
        (timezone.now() + dt.timedelta(days=2)).isoformat(),
        stdout=out,
    )

    assert not default_storage.exists(fresh)
    assert not Upload.objects.filter(pk=running.pk).exists()
    assert "1 envoi abandonné effacé" in out.getvalue()
