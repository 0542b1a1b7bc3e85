"""Resumable uploads (a tus-style protocol): announce a file, send it in pieces, resume after a
cut, and the file appears only when its last byte is in.

Everything is checked when the upload is announced (``create``), before any byte: rights, name,
quota (the announced length counts against the quota while the upload runs). Each piece is
streamed to a name of its own under ``uploads/<id>/``, then given its place (``000000``,
``000001``…) under a short row lock that also checks the offset: two clients sending the same
piece cannot interleave, and no lock is held while bytes travel. The last piece is not placed:
the parts and it are read back into one content-addressed blob, and the file (with the folders
of its relative path) is committed, the ``Upload`` row deleted, in one transaction; the parts
go after. A crash at any point leaves either a resumable upload or a committed file, plus at
worst unreferenced objects that ``maintenance`` collects.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import os
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core.permissions import require
from entente.drive import blobstore, services
from entente.drive.models import Node, PublicLink, Upload
from entente.drive.names import clean_name, name_key, split_relative_path

#: an upload nobody touched for this long is abandoned (renewed by every piece received)
LIFETIME = dt.timedelta(hours=24)
#: folder of the parts of every upload
ROOT = "uploads"
#: name prefix of a piece still arriving (not yet given its place)
INCOMING = "in-"


class OffsetMismatch(ValidationError):
    """The client sends bytes from another offset than the one stored (answered 409)."""

    def __init__(self, expected: int) -> None:
        super().__init__(
            _("Décalage inattendu : l'envoi en est à l'octet %(offset)s.") % {"offset": expected},
            code="offset_mismatch",
        )
        self.expected = expected


class UploadGone(Http404):
    """The upload does not exist (any more): finished, abandoned or expired."""

    code = "upload_gone"


# --- the announcement ---------------------------------------------------------------------


def parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata: key b64value,key b64value`` → ``{key: text}`` (values are UTF-8)."""
    result: dict[str, str] = {}
    for pair in (header or "").split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _sep, value = pair.partition(" ")
        key, value = key.strip(), value.strip()
        if not key or key in result:
            raise ValidationError(_("Métadonnées d'envoi invalides."), code="invalid_metadata")
        try:
            result[key] = base64.b64decode(value, validate=True).decode("utf-8") if value else ""
        except (binascii.Error, ValueError):
            raise ValidationError(
                _("Métadonnées d'envoi invalides (base64 UTF-8 attendu)."), code="invalid_metadata"
            ) from None
    return result


def parse_length(raw: str | None) -> int:
    """A byte count sent in a header (``Upload-Length``, ``Upload-Offset``)."""
    value = (raw or "").strip()
    if not value.isdigit() or len(value) > 18:
        raise ValidationError(_("Taille de fichier invalide."), code="invalid_size")
    return int(value)


def _named(raw: str) -> str:
    try:
        return clean_name(raw)
    except ValidationError as error:
        raise ValidationError(error.messages[0], code="invalid_name") from None


def plan(name: str, relative_path: str = "") -> tuple[list[str], str]:
    """The folders to walk (or create) and the file's name, each cleaned; a relative path
    (``Rapport/annexes/a.pdf``, from a folder upload) wins over the bare name."""
    if relative_path:
        try:
            parts = split_relative_path(relative_path)
        except ValidationError as error:
            raise ValidationError(error.messages[0], code="invalid_path") from None
        return parts[:-1], parts[-1]
    return [], _named(name)


def _live_child(folder: Node, name: str) -> Node | None:
    return Node.objects.filter(
        parent=folder, name_key=name_key(name), deleted_at__isnull=True
    ).first()


def _deepest_existing(parent: Node, folders: list[str], *, link: Any) -> tuple[Node, bool]:
    """The deepest folder of ``folders`` that already exists below ``parent``, and whether all
    of them do. A file in the way refuses an account's upload; a drop gets a new folder under
    a free name (``ensure_folders``)."""
    folder = parent
    for name in folders:
        existing = _live_child(folder, name)
        if existing is None:
            return folder, False
        if not existing.is_folder:
            if link is not None:
                return folder, False
            raise ValidationError(
                _("« %(name)s » est un fichier : le dossier envoyé ne peut pas prendre sa place.")
                % {"name": name},
                code="name_taken",
            )
        folder = existing
    return folder, True


def create(
    actor: Any,
    parent: Node,
    *,
    name: str,
    length: int,
    relative_path: str = "",
    link: PublicLink | None = None,
    now: dt.datetime | None = None,
) -> Upload | Node:
    """Announce a file of ``length`` bytes for the folder ``parent`` (through ``link``, a drop
    by someone without an account: ``parent`` is the link's folder). Every check is made here,
    before any byte. Returns the ``Upload`` to send the bytes to — or, for an empty file, the
    committed file itself."""
    if length < 0:
        raise ValidationError(_("Taille de fichier invalide."), code="invalid_size")
    if link is not None:
        parent = link.node
        actor = None
    folders, name = plan(name, relative_path)
    if not parent.is_folder or parent.deleted_at is not None:
        raise ValidationError(_("Ce n'est pas un dossier."), code="not_a_folder")
    with transaction.atomic():
        # checks and the row in one transaction: the announced bytes count against the quota
        # at once, so two announcements cannot both take the last free megabytes
        deepest, complete = _deepest_existing(parent, folders, link=link)
        target = None
        if complete:
            target = services.prepare_upload(actor, deepest, name, length, link=link)
        else:
            if link is None:
                require(actor, "edit", deepest)
            services.check_quota(parent.drive, length)
        if length == 0:
            return _commit(actor, parent, folders, name, blobstore.store([], expected_size=0), link)
        now = now or timezone.now()
        return Upload.objects.create(
            user=actor if getattr(actor, "is_authenticated", False) else None,
            link=link,
            parent=parent,
            relative_path="/".join([*folders, name]),
            target=target,
            length=length,
            expires_at=now + LIFETIME,
        )


# --- pieces ------------------------------------------------------------------------------------


def folder_of(upload: Upload | uuid.UUID | str) -> str:
    key = upload.pk if isinstance(upload, Upload) else upload
    return f"{ROOT}/{key}"


def live(upload_id: Any, *, now: dt.datetime | None = None) -> Upload:
    """The running upload ``upload_id`` (``UploadGone`` when finished, abandoned or expired)."""
    upload = (
        Upload.objects.filter(pk=upload_id, expires_at__gt=now or timezone.now())
        .select_related("parent__drive", "link__node")
        .first()
    )
    if upload is None:
        raise UploadGone(_("Cet envoi n'existe plus : recommencez-le."))
    return upload


def append(
    upload: Upload,
    offset: int,
    chunks: Iterable[bytes],
    *,
    actor: Any = None,
    now: dt.datetime | None = None,
) -> tuple[Upload, Node | None]:
    """Store the bytes ``chunks`` sent from ``offset`` (at most what the file still lacks);
    commit the file when they complete it. Returns the upload with its new offset, and the
    committed file when this was the last piece.

    ``OffsetMismatch`` when ``offset`` is not where the upload stands; ``blobstore.TooLarge``
    past the announced length (nothing is kept of that piece).
    """
    if offset != upload.offset:
        raise OffsetMismatch(upload.offset)
    remaining = upload.length - upload.offset
    incoming = f"{folder_of(upload)}/{INCOMING}{uuid.uuid4().hex}"
    # the bytes travel with no lock held; they go to a name no other request uses
    size = blobstore.store_part(incoming, chunks, max_bytes=remaining)
    try:
        with transaction.atomic():
            row = Upload.objects.select_for_update().filter(pk=upload.pk).first()
            if row is None:
                raise UploadGone(_("Cet envoi n'existe plus : recommencez-le."))
            if row.offset != offset:
                raise OffsetMismatch(row.offset)
            last = row.offset + size >= row.length
            if not last:
                if size:
                    blobstore.rename(incoming, row.part_name(row.parts))
                    row.offset += size
                    row.parts += 1
                row.expires_at = (now or timezone.now()) + LIFETIME
                row.save(update_fields=["offset", "parts", "expires_at"])
    except BaseException:
        blobstore.delete_quietly(incoming)
        raise
    if not last:
        if not size:
            blobstore.delete_quietly(incoming)
        return row, None
    row.parent = upload.parent
    row.link = upload.link
    return row, _finish(row, incoming, actor)


def _split(upload: Upload) -> tuple[list[str], str]:
    parts = upload.relative_path.split("/")
    return parts[:-1], parts[-1]


def _commit(actor: Any, parent: Node, folders: list[str], name: str, blob: Any, link: Any) -> Node:
    """The folders of the relative path (made where missing), then the file in the last one.
    Call inside a transaction, or alone (it makes its own)."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                folder = services.ensure_folders(actor, parent, folders, link=link)
                return services.commit_blob(actor, folder, name, blob, link=link)
        except ValidationError as error:
            # a folder of the same path made meanwhile by a sibling's upload: walk it again
            if getattr(error, "code", "") != "name_taken" or not folders or attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _finish(upload: Upload, last_piece: str, actor: Any) -> Node:
    """Read the parts and the last piece back into one blob, then commit the file and forget
    the upload, all or nothing."""
    names = [upload.part_name(index) for index in range(upload.parts)] + [last_piece]
    try:
        try:
            blob = blobstore.store(
                blobstore.read_parts(names), expected_size=upload.length, max_bytes=upload.length
            )
        except (blobstore.Incomplete, FileNotFoundError):
            # a stored part is missing or short: this upload can never complete
            abort(upload)
            raise blobstore.Incomplete(
                _("Une partie de l'envoi a été perdue : recommencez-le.")
            ) from None
        folders, name = _split(upload)
        with transaction.atomic():
            row = (
                Upload.objects.select_for_update()
                .filter(pk=upload.pk, offset=upload.offset, parts=upload.parts)
                .first()
            )
            if row is None:  # finished or moved on by a concurrent request
                current = Upload.objects.filter(pk=upload.pk).values_list("offset", flat=True)
                if current:
                    raise OffsetMismatch(current[0])
                raise UploadGone(_("Cet envoi n'existe plus : recommencez-le."))
            node = _commit(actor, upload.parent, folders, name, blob, upload.link)
            row.delete()
    except (ValidationError, PermissionDenied, Http404) as error:
        if not isinstance(error, (OffsetMismatch, UploadGone)):
            # the file can no longer go there (rights lost, a folder took its name…): the
            # upload is over; what was stored for it goes now, the blob with the collector
            abort(upload)
        raise
    finally:
        blobstore.delete_quietly(last_piece)
    _drop_parts(upload)
    return node


# --- the end -----------------------------------------------------------------------------------


def abort(upload: Upload) -> None:
    """Abandon an upload: its row, then its parts (a piece arriving meanwhile finds no row and
    removes itself)."""
    Upload.objects.filter(pk=upload.pk).delete()
    _drop_parts(upload)


def _drop_parts(upload: Upload) -> None:
    blobstore.delete_tree(folder_of(upload))
    _remove_empty_folder(folder_of(upload))


def expire(now: dt.datetime | None = None) -> int:
    """Abandon the uploads nobody touched for ``LIFETIME``; returns how many."""
    now = now or timezone.now()
    count = 0
    for upload in Upload.objects.filter(expires_at__lte=now).only("pk"):
        abort(upload)
        count += 1
    return count


def sweep_orphan_parts(now: dt.datetime | None = None, grace: dt.timedelta = LIFETIME) -> int:
    """Delete stored pieces nothing will use: folders of uploads that no longer exist, pieces
    that never got their place (a request killed mid-way). Only objects older than ``grace``,
    so a piece still arriving is never taken. Returns how many objects went."""
    now = now or timezone.now()
    limit = now - grace
    try:
        folders, _files = default_storage.listdir(ROOT)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    count = 0
    for key in folders:
        try:
            upload = Upload.objects.filter(pk=uuid.UUID(key)).first()
        except ValueError:
            upload = None
        prefix = f"{ROOT}/{key}"
        try:
            _sub, files = default_storage.listdir(prefix)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in files:
            path = f"{prefix}/{name}"
            kept = (
                upload is not None
                and not name.startswith(INCOMING)
                and name.isdigit()
                and int(name) < upload.parts
            )
            if kept:
                continue
            try:
                old = default_storage.get_modified_time(path) < limit
            except (FileNotFoundError, OSError):
                continue
            if old:
                blobstore.delete_quietly(path)
                count += 1
        if upload is None:
            _remove_empty_folder(prefix)
    return count


def _remove_empty_folder(prefix: str) -> None:
    try:
        path = default_storage.path(prefix)
    except NotImplementedError:
        return  # object storage has no folders to leave behind
    try:
        os.rmdir(path)
    except OSError:
        pass
