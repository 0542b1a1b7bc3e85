"""Housekeeping of documents, run by ``entente drive_maintenance`` (daily, from cron or a
timer): purge the trash past its retention, prune old versions, abandon forgotten uploads, and
collect what nothing points to any more — blobs without versions, pieces of dead uploads,
temporary objects of interrupted writes.

Every step is safe to run twice and at any time next to live traffic: an object is removed only
when nothing refers to it *and* it is older than ``grace`` (one hour by default), so a write in
progress — a temporary file still growing, a blob stored a second ago whose version is not
committed yet — is never taken.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, fields

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from entente.drive import blobstore, services, uploads
from entente.drive.models import Blob, Node, NodeKind, Preview, ScanStatus

GRACE = dt.timedelta(hours=1)
BLOBS = "blobs"


@dataclass
class Summary:
    trash_purged: int = 0
    versions_pruned: int = 0
    uploads_expired: int = 0
    parts_deleted: int = 0
    blobs_deleted: int = 0
    stray_deleted: int = 0
    temporary_deleted: int = 0
    scans_queued: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, field.name) for field in fields(self))

    def lines(self) -> list[str]:
        """The summary in plain French, one line per step."""
        return [
            ngettext(
                "%(n)s élément supprimé définitivement de la corbeille",
                "%(n)s éléments supprimés définitivement de la corbeille",
                self.trash_purged,
            )
            % {"n": self.trash_purged},
            ngettext(
                "%(n)s ancienne version supprimée",
                "%(n)s anciennes versions supprimées",
                self.versions_pruned,
            )
            % {"n": self.versions_pruned},
            ngettext(
                "%(n)s envoi abandonné effacé",
                "%(n)s envois abandonnés effacés",
                self.uploads_expired,
            )
            % {"n": self.uploads_expired},
            ngettext(
                "%(n)s morceau d'envoi orphelin effacé",
                "%(n)s morceaux d'envois orphelins effacés",
                self.parts_deleted,
            )
            % {"n": self.parts_deleted},
            ngettext(
                "%(n)s contenu qui ne servait plus effacé",
                "%(n)s contenus qui ne servaient plus effacés",
                self.blobs_deleted,
            )
            % {"n": self.blobs_deleted},
            ngettext(
                "%(n)s fichier de contenu sans référence effacé",
                "%(n)s fichiers de contenu sans référence effacés",
                self.stray_deleted,
            )
            % {"n": self.stray_deleted},
            ngettext(
                "%(n)s fichier temporaire effacé",
                "%(n)s fichiers temporaires effacés",
                self.temporary_deleted,
            )
            % {"n": self.temporary_deleted},
            ngettext(
                "%(n)s fichier non encore analysé confié à l'antivirus",
                "%(n)s fichiers non encore analysés confiés à l'antivirus",
                self.scans_queued,
            )
            % {"n": self.scans_queued},
        ]

    def __str__(self) -> str:
        title = _("Maintenance des documents terminée :")
        return "\n".join([title, *(f"  - {line}" for line in self.lines())])


# --- versions -------------------------------------------------------------------------------


def prune_old_versions() -> int:
    """Apply each organisation's retention (count and age) to every file with older versions."""
    count = 0
    files = (
        Node.objects.filter(kind=NodeKind.FILE, drive__organisation__isnull=False)
        .annotate(version_count=Count("versions"))
        .filter(version_count__gt=1)
        .select_related("drive__organisation__policy")
        .order_by("pk")
    )
    for node in files.iterator(chunk_size=500):
        with transaction.atomic():
            count += services.prune_versions(node)
    return count


# --- blobs ---------------------------------------------------------------------------------


def _unreferenced() -> Q:
    """Blobs no version points to, and that are no preview's image (the preview *of* a blob
    goes with it)."""
    return Q(versions__isnull=True) & ~Q(
        pk__in=Preview.objects.filter(image__isnull=False).values("image_id")
    )


def collect_blobs(now: dt.datetime, grace: dt.timedelta = GRACE) -> int:
    """Delete blobs nothing points to and nobody used for ``grace``: the stored object first,
    then the row (a row without its object is harmless and goes on the next run; an object
    without a row would be invisible)."""
    cutoff = now - grace
    count = 0
    for _round in range(3):  # a content's preview goes with it: its image is free next round
        candidates = list(
            Blob.objects.filter(_unreferenced(), last_used_at__lt=cutoff).values_list(
                "pk", flat=True
            )
        )
        if not candidates:
            break
        for pk in candidates:
            with transaction.atomic():
                blob = (
                    Blob.objects.select_for_update(of=("self",))
                    .filter(_unreferenced(), pk=pk, last_used_at__lt=cutoff)
                    .first()
                )
                if blob is None:  # used again meanwhile
                    continue
                blobstore.delete(blob)
                blob.delete()
                count += 1
    return count


def _walk(prefix: str) -> Iterator[tuple[str, list[str]]]:
    """Every folder under ``prefix`` (itself included) with the files it holds."""
    try:
        folders, files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return
    yield prefix, files
    for folder in folders:
        yield from _walk(f"{prefix}/{folder}")


def _delete(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        pass


def _older_than(name: str, limit: dt.datetime) -> bool:
    try:
        return default_storage.get_modified_time(name) < limit
    except (FileNotFoundError, OSError):
        return False


def collect_stray_objects(now: dt.datetime, grace: dt.timedelta = GRACE) -> int:
    """Delete objects under ``blobs/`` without a ``Blob`` row (a write killed between storing
    the bytes and recording them), once older than ``grace``."""
    limit = now - grace
    count = 0
    for folder, files in _walk(BLOBS):
        if not files:
            continue
        known: set[str] = set()
        for start in range(0, len(files), 500):
            batch = files[start : start + 500]
            known.update(Blob.objects.filter(pk__in=batch).values_list("pk", flat=True))
        for name in files:
            if name in known:
                continue
            path = f"{folder}/{name}"
            if _older_than(path, limit):
                _delete(path)
                count += 1
    return count


def collect_temporary(now: dt.datetime, grace: dt.timedelta = GRACE) -> int:
    """Delete temporary objects (``tmp/``: blobs and parts being written, files of form
    uploads) older than ``grace``: whatever wrote them is long gone."""
    limit = now - grace
    count = 0
    for folder, files in _walk(blobstore.TMP_PREFIX.rstrip("/")):
        for name in files:
            path = f"{folder}/{name}"
            if _older_than(path, limit):
                _delete(path)
                count += 1
    return count


# --- all of it -------------------------------------------------------------------------------


def run(now: dt.datetime | None = None, grace: dt.timedelta = GRACE) -> Summary:
    """Every step, in the order that frees the most: what the trash and old versions release
    is collected in the same run once older than ``grace``."""
    now = now or timezone.now()
    summary = Summary()
    summary.trash_purged = services.purge_expired_trash(now)
    summary.versions_pruned = prune_old_versions()
    summary.uploads_expired = uploads.expire(now)
    summary.parts_deleted = uploads.sweep_orphan_parts(now, grace)
    summary.blobs_deleted = collect_blobs(now, grace)
    summary.stray_deleted = collect_stray_objects(now, grace)
    summary.temporary_deleted = collect_temporary(now, grace)
    summary.scans_queued = queue_unscanned()
    return summary


#: files handed to the antivirus per run (the task worker scans them one by one)
RESCAN_BATCH = 500


def queue_unscanned(limit: int = RESCAN_BATCH) -> int:
    """Hand to the antivirus the files it has not seen yet (sent while clamd was down, or
    before it was configured); nothing when no antivirus is configured."""
    from entente.drive import antivirus, tasks

    if antivirus.clamd_address() is None:
        return 0
    pending = list(
        Node.objects.filter(
            kind=NodeKind.FILE,
            deleted_at__isnull=True,
            current_version__isnull=False,
            scan_status=ScanStatus.NOT_SCANNED,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in pending:
        tasks.process_content.enqueue(pk)
    return len(pending)
