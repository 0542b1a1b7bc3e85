"""Use cases of documents: the only place that changes drives, folders, files, versions,
shares and public links. Every door (pages, API, WebDAV, public links) calls these.

Errors are ``ValidationError`` (bad input or a rule of the platform, with a French message
and a ``code`` the API returns), ``QuotaExceeded`` and ``PermissionDenied``/``Http404`` from
the permission engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Concat, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core.permissions import can, require
from entente.drive import blobstore
from entente.drive.models import (
    Blob,
    Drive,
    DriveKind,
    LinkKind,
    Node,
    NodeKind,
    PublicLink,
    ScanStatus,
    Upload,
    Version,
)
from entente.drive.names import clean_name, name_key, numbered
from entente.drive.signals import subtree_moved

MB = 1024 * 1024
GB = 1024 * MB


class QuotaExceeded(ValidationError):
    """The upload would not fit in the person's or the organisation's space."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="quota_exceeded")


# --- drives ----------------------------------------------------------------------------------


def _new_drive(**fields: Any) -> Drive:
    with transaction.atomic():
        drive = Drive.objects.create(**fields)
        root = Node.objects.create(drive=drive, kind=NodeKind.FOLDER, name="", name_key="", path="")
        root.path = f"/{root.pk}/"
        root.save(update_fields=["path"])
        drive.root = root
        drive.save(update_fields=["root"])
    return drive


def _drive(kind: str, owner: dict[str, Any], organisation_id: int | None) -> Drive:
    """The drive of ``kind`` owned by ``owner``, made on first use (a concurrent request
    making it meanwhile is fine)."""
    drive = Drive.objects.filter(kind=kind, **owner).select_related("root").first()
    if drive is None:
        try:
            fields = (
                owner if "organisation" in owner else {**owner, "organisation_id": organisation_id}
            )
            drive = _new_drive(kind=kind, **fields)
        except IntegrityError:
            drive = Drive.objects.select_related("root").get(kind=kind, **owner)
    return drive


def personal_drive(user: Any) -> Drive:
    """``user``'s own drive."""
    return _drive(DriveKind.PERSONAL, {"user": user}, user.organisation_id)


def space_drive(space: Any) -> Drive:
    return _drive(DriveKind.SPACE, {"space": space}, space.organisation_id)


def organisation_drive(organisation: Any) -> Drive:
    return _drive(DriveKind.ORGANISATION, {"organisation": organisation}, None)


# --- quotas ----------------------------------------------------------------------------------


def _stored(versions: Any) -> int:
    return versions.aggregate(total=Sum("size"))["total"] or 0


def _pending(uploads: Any) -> int:
    """Bytes promised by uploads still running (so parallel uploads cannot overshoot)."""
    return (
        uploads.filter(expires_at__gt=timezone.now()).aggregate(
            total=Sum(F("length") - F("offset"))
        )["total"]
        or 0
    )


def drive_usage(drive: Drive) -> int:
    """Bytes of every version of every file of ``drive``, trash included."""
    return _stored(Version.objects.filter(node__drive=drive))


def organisation_usage(organisation: Any) -> int:
    return _stored(Version.objects.filter(node__drive__organisation=organisation))


@dataclass(frozen=True)
class Quota:
    used: int
    limit: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.used / self.limit)) if self.limit else 100

    @property
    def free(self) -> int:
        return max(0, self.limit - self.used)


def person_quota(user: Any) -> Quota | None:
    """Use of ``user``'s own drive against their organisation's per-person quota."""
    if not user.organisation_id:
        return None
    drive = personal_drive(user)
    return Quota(drive_usage(drive), user.organisation.policy.quota_per_person_mb * MB)


def organisation_quota(organisation: Any) -> Quota:
    return Quota(organisation_usage(organisation), organisation.policy.quota_organisation_gb * GB)


def check_quota(drive: Drive, extra: int) -> None:
    """Refuse, before any byte is written, ``extra`` bytes that would not fit."""
    if extra <= 0 or drive.organisation_id is None:
        return
    policy = drive.organisation.policy
    if drive.kind == DriveKind.PERSONAL:
        used = drive_usage(drive) + _pending(Upload.objects.filter(parent__drive=drive))
        if used + extra > policy.quota_per_person_mb * MB:
            raise QuotaExceeded(
                _(
                    "Espace insuffisant : ce fichier dépasse votre quota de %(quota)s Mo "
                    "(libérez de la place ou videz la corbeille)."
                )
                % {"quota": policy.quota_per_person_mb}
            )
    used = organisation_usage(drive.organisation) + _pending(
        Upload.objects.filter(parent__drive__organisation=drive.organisation)
    )
    if used + extra > policy.quota_organisation_gb * GB:
        raise QuotaExceeded(
            _("Espace insuffisant : l'espace de %(org)s est plein.") % {"org": drive.organisation}
        )


# --- names and tree ---------------------------------------------------------------------------


def _live_child(parent: Node, name: str) -> Node | None:
    return Node.objects.filter(
        parent=parent, name_key=name_key(name), deleted_at__isnull=True
    ).first()


def _check_free(parent: Node, name: str, exclude: Node | None = None) -> None:
    clash = _live_child(parent, name)
    if clash is not None and clash != exclude:
        raise ValidationError(
            _("« %(name)s » existe déjà dans ce dossier.") % {"name": name}, code="name_taken"
        )


def free_name(parent: Node, name: str) -> str:
    """``name``, or ``name (2)``, ``(3)``… if the folder already has it."""
    candidate, number = name, 1
    while _live_child(parent, candidate) is not None:
        number += 1
        candidate = clean_name(numbered(name, number))
    return candidate


def _folder(parent: Node) -> None:
    if not parent.is_folder:
        raise ValidationError(_("Ce n'est pas un dossier."), code="not_a_folder")


def _insert(parent: Node, **fields: Any) -> Node:
    node = Node(drive_id=parent.drive_id, parent=parent, path="", **fields)
    node.name_key = name_key(node.name)
    try:
        with transaction.atomic():
            node.save()
    except IntegrityError:
        raise ValidationError(
            _("« %(name)s » existe déjà dans ce dossier.") % {"name": node.name}, code="name_taken"
        ) from None
    node.path = f"{parent.path}{node.pk}/"
    Node.objects.filter(pk=node.pk).update(path=node.path)
    return node


def _touch(node: Node, actor: Any) -> None:
    Node.objects.filter(pk=node.pk).update(modified_at=timezone.now(), modified_by=actor)


@transaction.atomic
def create_folder(actor: Any, parent: Node, name: str) -> Node:
    require(actor, "edit", parent)
    _folder(parent)
    name = clean_name(name)
    _check_free(parent, name)
    return _insert(parent, kind=NodeKind.FOLDER, name=name, created_by=actor, modified_by=actor)


def ensure_folders(actor: Any, parent: Node, names: Iterable[str], *, link: Any = None) -> Node:
    """Walk (and create where missing) the folders ``names`` below ``parent``, for a folder
    upload; a drop through an upload link needs no account."""
    folder = parent
    for name in names:
        existing = _live_child(folder, name)
        if existing is not None and existing.is_folder:
            folder = existing
        elif link is not None:
            folder = _insert(folder, kind=NodeKind.FOLDER, name=free_name(folder, name))
        else:
            folder = create_folder(actor, folder, name)
    return folder


@transaction.atomic
def rename(actor: Any, node: Node, name: str) -> Node:
    require(actor, "delete", node)  # a drive's root has no name to change
    name = clean_name(name)
    _check_free(node.parent, name, exclude=node)
    node.name, node.name_key = name, name_key(name)
    node.modified_by, node.modified_at = actor, timezone.now()
    node.save(update_fields=["name", "name_key", "modified_by", "modified_at"])
    return node


def _subtree(node: Node) -> Any:
    return Node.objects.filter(path__startswith=node.path)


def _subtree_bytes(node: Node, current_only: bool = False) -> int:
    versions = Version.objects.filter(node__path__startswith=node.path)
    if current_only:
        versions = versions.filter(node__current_version=F("pk"))
    return _stored(versions)


@transaction.atomic
def move(actor: Any, node: Node, target: Node) -> Node:
    """Move ``node`` (and what it holds) into the folder ``target``, maybe of another drive."""
    require(actor, "delete", node)
    require(actor, "edit", target)
    _folder(target)
    if target.path.startswith(node.path):
        raise ValidationError(
            _("Impossible de déplacer un dossier dans lui-même."), code="move_into_itself"
        )
    if target.pk == node.parent_id:
        return node
    _check_free(target, node.name)
    if target.drive_id != node.drive_id:
        check_quota(target.drive, _subtree_bytes(node))
    old_prefix = node.path
    new_prefix = f"{target.path}{node.pk}/"
    Node.objects.filter(path__startswith=old_prefix).update(
        drive_id=target.drive_id,
        path=Concat(_value(new_prefix), Substr("path", len(old_prefix) + 1)),
    )
    Node.objects.filter(pk=node.pk).update(parent=target, modified_at=timezone.now())
    node.refresh_from_db()
    subtree_moved.send(sender=Node, node=node)
    return node


def _value(text: str) -> Any:
    from django.db.models import CharField, Value

    return Value(text, output_field=CharField())


@transaction.atomic
def copy(actor: Any, node: Node, target: Node) -> Node:
    """Copy ``node`` into the folder ``target`` (current versions only; contents are shared
    blobs, so a copy costs no storage until it changes — but counts in the quota)."""
    require(actor, "view", node)
    require(actor, "edit", target)
    _folder(target)
    if target.path.startswith(node.path):
        raise ValidationError(
            _("Impossible de copier un dossier dans lui-même."), code="move_into_itself"
        )
    check_quota(target.drive, _subtree_bytes(node, current_only=True))
    return _copy_into(actor, node, target, free_name(target, node.name))


def _copy_into(actor: Any, node: Node, target: Node, name: str) -> Node:
    clone = _insert(
        target,
        kind=node.kind,
        name=name,
        size=node.size,
        mime_type=node.mime_type,
        scan_status=node.scan_status,
        created_by=actor,
        modified_by=actor,
    )
    if node.is_folder:
        for child in node.children.filter(deleted_at__isnull=True).select_related(
            "current_version"
        ):
            _copy_into(actor, child, clone, child.name)
    elif node.current_version is not None:
        _add_version(clone, node.current_version.blob, actor, node.mime_type)
    return clone


# --- files and versions -----------------------------------------------------------------------


def _add_version(node: Node, blob: Blob, actor: Any, mime_type: str, comment: str = "") -> Version:
    last = node.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = Version.objects.create(
        node=node,
        number=last + 1,
        blob=blob,
        size=blob.size,
        mime_type=mime_type,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        comment=comment,
    )
    Node.objects.filter(pk=node.pk).update(
        current_version=version,
        size=blob.size,
        mime_type=mime_type,
        scan_status=ScanStatus.NOT_SCANNED
        if node.current_version_id is None or node.current_version.blob_id != blob.pk
        else node.scan_status,
        modified_at=version.created_at,
        modified_by=version.created_by,
    )
    node.refresh_from_db()
    prune_versions(node)
    return version


def _after_new_content(node: Node) -> None:
    from entente.drive import tasks

    transaction.on_commit(lambda: tasks.process_content.enqueue(node.pk))


def check_drop(link: PublicLink, parent: Node) -> None:
    """A drop through ``link`` goes only into its folder (or a folder made inside it by the
    same drop), while the link works."""
    link.refresh_from_db(fields=["revoked_at", "download_count"])
    if (
        link.kind != LinkKind.UPLOAD
        or not link.is_usable()
        or not parent.path.startswith(link.node.path)
        or parent.deleted_at is not None
    ):
        raise PermissionDenied(_("Ce lien de dépôt ne fonctionne plus."))


def prepare_upload(
    actor: Any, parent: Node, name: str, size: int, *, link: Any = None
) -> Node | None:
    """Check, before any byte is read, that ``name`` (``size`` bytes) may go into ``parent``:
    rights, name, quota. Returns the file it would overwrite (a new version), if any."""
    if size < 0:
        raise ValidationError(_("Taille de fichier invalide."), code="invalid_size")
    existing = _live_child(parent, name)
    if link is not None:
        check_drop(link, parent)
    elif not (existing is not None and not existing.is_folder and can(actor, "edit", existing)):
        # a new version of a file shared on its own needs edit on the file only
        require(actor, "edit", parent)
    _folder(parent)
    if existing is not None and link is not None:
        # a drop never overwrites, nor tells what the folder holds: it gets a free name
        existing = None
    if existing is not None and existing.is_folder:
        raise ValidationError(
            _("Un dossier porte déjà le nom « %(name)s ».") % {"name": name}, code="name_taken"
        )
    if existing is not None:
        require(actor, "edit", existing)
    check_quota(parent.drive, size)
    return existing


def upload_file(
    actor: Any,
    parent: Node,
    name: str,
    chunks: Iterable[bytes],
    size: int,
    *,
    link: PublicLink | None = None,
) -> Node:
    """Store a file of ``size`` bytes streamed as ``chunks`` into ``parent``: a new file, or a
    new version of the file of that name. Nothing is visible until the last byte is in."""
    name = clean_name(name)
    prepare_upload(actor, parent, name, size, link=link)
    blob = blobstore.store(chunks, expected_size=size, max_bytes=size)
    return commit_blob(actor, parent, name, blob, link=link)


@transaction.atomic
def commit_blob(
    actor: Any, parent: Node, name: str, blob: Blob, *, link: PublicLink | None = None
) -> Node:
    """Make ``blob`` the content of ``name`` in ``parent`` (checks done again, under lock)."""
    from entente.drive.sniff import sniff_type

    existing = prepare_upload(actor, parent, name, 0, link=link)
    mime_type = sniff_type(blobstore.head(blob), name)
    user = actor if getattr(actor, "is_authenticated", False) else None
    if existing is None:
        node = _insert(
            parent,
            kind=NodeKind.FILE,
            name=free_name(parent, name) if link else name,
            created_by=user,
            modified_by=user,
        )
    else:
        node = existing
    _add_version(node, blob, actor, mime_type)
    _touch(parent, user)
    _after_new_content(node)
    if existing is None:
        _tell_space(node, user)
    return node


def _tell_space(node: Node, user: Any) -> None:
    """A new file in a space's documents is a line of the space's activity feed."""
    drive = node.drive
    if drive.kind != DriveKind.SPACE or drive.space_id is None:
        return
    from entente.spaces.activity import record_activity
    from entente.spaces.models import ActivityVerb

    record_activity(
        drive.space,
        user,
        ActivityVerb.DOCUMENT_ADDED,
        label=node.name,
        url=reverse("drive:file", args=[node.pk]),
    )


@transaction.atomic
def restore_version(actor: Any, version: Version) -> Version:
    """Bring an older version back: it becomes a new version (history is never rewritten)."""
    node = version.node
    require(actor, "edit", node)
    if node.current_version_id == version.pk:
        return version
    check_quota(node.drive, version.size)
    restored = _add_version(
        node,
        version.blob,
        actor,
        version.mime_type,
        comment=_("Restaurée depuis la version %(number)s") % {"number": version.number},
    )
    _after_new_content(node)
    return restored


def prune_versions(node: Node) -> int:
    """Drop old versions past the organisation's retention: more than its count of old
    versions (the current content is not counted), or older than its age; never the current
    one."""
    organisation = node.drive.organisation
    if organisation is None:
        return 0
    policy = organisation.policy
    older = node.versions.exclude(pk=node.current_version_id).order_by("-number")
    doomed = set(older[policy.version_retention_count :].values_list("pk", flat=True))
    if policy.version_retention_days:
        limit = timezone.now() - dt.timedelta(days=policy.version_retention_days)
        doomed |= set(older.filter(created_at__lt=limit).values_list("pk", flat=True))
    if doomed:
        Version.objects.filter(pk__in=doomed).delete()
    return len(doomed)


# --- trash -----------------------------------------------------------------------------------


@transaction.atomic
def trash(actor: Any, node: Node) -> Node:
    """Send ``node`` (and what it holds) to the trash."""
    require(actor, "delete", node)
    now = timezone.now()
    _subtree(node).filter(deleted_at__isnull=True).update(
        deleted_at=now, deleted_by=actor, trashed_with=node
    )
    node.refresh_from_db()
    return node


@transaction.atomic
def restore(actor: Any, node: Node) -> Node:
    """Bring ``node`` back from the trash with everything deleted with it, to its folder if it
    is still there, else to the drive's root; under a free name if the old one is taken."""
    if not can(actor, "restore", node):
        raise PermissionDenied(_("Vous ne pouvez pas restaurer cet élément."))
    parent = node.parent
    if parent.deleted_at is not None:
        parent = node.drive.root
    name = free_name(parent, node.name)
    # the free name first, while the item is still in the trash: live names are unique
    Node.objects.filter(pk=node.pk).update(parent=parent, name=name, name_key=name_key(name))
    Node.objects.filter(trashed_with=node).update(
        deleted_at=None, deleted_by=None, trashed_with=None
    )
    if parent.pk != node.parent_id:
        old_prefix, new_prefix = node.path, f"{parent.path}{node.pk}/"
        Node.objects.filter(path__startswith=old_prefix).update(
            path=Concat(_value(new_prefix), Substr("path", len(old_prefix) + 1))
        )
    node.refresh_from_db()
    return node


@transaction.atomic
def purge(actor: Any, node: Node) -> None:
    """Delete for good an item of the trash (its content is collected later)."""
    if not can(actor, "restore", node):
        raise PermissionDenied(_("Vous ne pouvez pas supprimer cet élément."))
    _destroy(node)


def _destroy(node: Node) -> None:
    # children first: the tree's foreign keys protect nothing, but a big subtree in one
    # cascading delete is slow on SQLite
    subtree = Node.objects.filter(path__startswith=node.path)
    Node.objects.filter(pk__in=subtree.values("pk")).update(current_version=None)
    Version.objects.filter(node__in=subtree.values("pk")).delete()
    Node.objects.filter(pk__in=subtree.values("pk")).order_by("-path").delete()


def purge_expired_trash(now: dt.datetime | None = None) -> int:
    """Delete items that stayed in the trash longer than their organisation allows."""
    now = now or timezone.now()
    count = 0
    for node in Node.objects.filter(
        deleted_at__isnull=False, trashed_with_id=F("pk")
    ).select_related("drive__organisation__policy"):
        organisation = node.drive.organisation
        days = organisation.policy.trash_retention_days if organisation else 30
        if node.deleted_at < now - dt.timedelta(days=days):
            with transaction.atomic():
                _destroy(node)
            count += 1
    return count


# Sharing (shares, guests, public links) lives in its own module; the doors call it here.
from entente.drive.sharing import (  # noqa: E402
    Access,
    ExternalShareNeedsConfirmation,
    access_list,
    check_link_password,
    count_download,
    create_link,
    invite_guest,
    is_external,
    revoke_link,
    share,
    unshare,
)

__all__ = [
    "Access",
    "ExternalShareNeedsConfirmation",
    "access_list",
    "check_link_password",
    "count_download",
    "create_link",
    "invite_guest",
    "is_external",
    "revoke_link",
    "share",
    "unshare",
]
