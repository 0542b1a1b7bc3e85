"""Documents: drives, folders and files, versions, content-addressed blobs, shares, public
links, resumable uploads.

A ``Drive`` belongs to a person, a space or an organisation; its tree of ``Node`` rows hangs
from one root folder. Each node keeps ``path``, the ids of its ancestors and itself
(``/12/40/41/``), so a subtree or the ancestors of a node are one query away. A file's content
is its ``current_version``; every version points to a ``Blob`` named by the SHA-256 of its
bytes, so the same content is stored once.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.core.grantees import grantee_fk, one_grantee_constraints


class Blob(models.Model):
    """Bytes stored once under the hash of their content; collected when nothing points to them."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    #: last time a version started pointing to it (the collector spares recent blobs)
    last_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("contenu stocké")

    def __str__(self) -> str:
        return self.sha256

    @property
    def storage_name(self) -> str:
        return f"blobs/{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}"


class DriveKind(models.TextChoices):
    PERSONAL = "personal", _("Mes documents")
    SPACE = "space", _("Documents d'un espace")
    ORGANISATION = "organisation", _("Dossiers de l'organisation")


class Drive(models.Model):
    """A tree of documents owned by one person, one space or one organisation."""

    kind = models.CharField(max_length=12, choices=DriveKind.choices)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drive",
    )
    space = models.OneToOneField(
        "spaces.Space", on_delete=models.CASCADE, null=True, blank=True, related_name="drive"
    )
    #: the organisation whose policies and quota apply (the person's, the space's, or itself)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drives",
    )
    root = models.OneToOneField(
        "Node", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("espace de documents")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(kind="organisation"),
                name="drive_one_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == DriveKind.PERSONAL:
            return str(_("Documents — %(person)s") % {"person": self.user})
        if self.kind == DriveKind.SPACE:
            return str(self.space)
        return str(_("Dossiers de %(org)s") % {"org": self.organisation})


class NodeKind(models.TextChoices):
    FOLDER = "folder", _("Dossier")
    FILE = "file", _("Fichier")


class ScanStatus(models.TextChoices):
    NOT_SCANNED = "", _("Non analysé")
    CLEAN = "clean", _("Sain")
    INFECTED = "infected", _("Infecté (mis en quarantaine)")


class Node(models.Model):
    """A folder or a file of a drive."""

    drive = models.ForeignKey(Drive, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(max_length=6, choices=NodeKind.choices)
    name = models.CharField(_("nom"), max_length=255)
    #: case- and accent-folded name: siblings may not share it (as on Windows and macOS)
    name_key = models.CharField(max_length=255, editable=False)
    #: ``/id/id/…/own id/`` from the drive's root
    path = models.CharField(max_length=2000, db_index=True, editable=False)
    current_version = models.OneToOneField(
        "Version", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    size = models.BigIntegerField(default=0)
    mime_type = models.CharField(max_length=150, blank=True)
    scan_status = models.CharField(
        max_length=10, choices=ScanStatus.choices, default=ScanStatus.NOT_SCANNED, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    modified_at = models.DateTimeField(default=timezone.now)
    #: in the trash since; ``trashed_with`` is the item the person deleted (itself, or the
    #: folder it was in), so restoring that item brings back everything deleted with it
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    trashed_with = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("document")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name_key"],
                condition=models.Q(deleted_at__isnull=True, parent__isnull=False),
                name="node_unique_live_name",
            ),
        ]
        indexes = [models.Index(fields=["drive", "deleted_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_folder(self) -> bool:
        return self.kind == NodeKind.FOLDER

    @property
    def is_root(self) -> bool:
        return self.parent_id is None

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the drive's root down to this node, itself included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class Version(models.Model):
    """One state of a file's content; the newest is the file's ``current_version``."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="versions")
    size = models.BigIntegerField()
    mime_type = models.CharField(max_length=150, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    #: "restored from version N", for the history
    comment = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["node", "-number"]
        verbose_name = _("version")
        constraints = [
            models.UniqueConstraint(fields=["node", "number"], name="version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.node} v{self.number}"


class Preview(models.Model):
    """A thumbnail (PNG) of a version's content, made by a background task."""

    blob = models.OneToOneField(Blob, on_delete=models.CASCADE, related_name="preview")
    image = models.ForeignKey(
        Blob, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: "" while waiting, "ready", or "none" when no preview can be made
    state = models.CharField(max_length=8, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"aperçu de {self.blob_id} ({self.state or 'en attente'})"


class ShareRole(models.TextChoices):
    READER = "reader", _("Lecture")
    EDITOR = "editor", _("Modification")
    MANAGER = "manager", _("Gestion (peut repartager)")


#: roles, weakest first
SHARE_ORDER = [ShareRole.READER, ShareRole.EDITOR, ShareRole.MANAGER]


def share_rank(role: str | None) -> int:
    return SHARE_ORDER.index(role) + 1 if role else 0


#: whom a document can be shared with, in the order the share panel lists them
SHARE_GRANTEES = ("user", "group", "space", "organisation")


class Share(models.Model):
    """A folder or file shared with a person, a group, a space or a whole organisation; the
    share reaches everything inside a shared folder."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="shares")
    user = grantee_fk(settings.AUTH_USER_MODEL, "drive_shares")
    group = grantee_fk("directory.Group", "drive_shares")
    space = grantee_fk("spaces.Space", "drive_shares")
    organisation = grantee_fk("organisations.Organisation", "drive_shares")
    role = models.CharField(_("droit"), max_length=8, choices=ShareRole.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    GRANTEES = SHARE_GRANTEES

    class Meta:
        verbose_name = _("partage")
        constraints = one_grantee_constraints("drive_share", "node", SHARE_GRANTEES)

    def __str__(self) -> str:
        return f"{self.node} → {self.grantee} ({self.role})"

    @property
    def grantee(self) -> models.Model:
        return self.user or self.group or self.space or self.organisation

    @property
    def grantee_kind(self) -> str:
        return next(kind for kind in self.GRANTEES if getattr(self, f"{kind}_id"))


class LinkKind(models.TextChoices):
    READ = "read", _("Consultation et téléchargement")
    UPLOAD = "upload", _("Dépôt de fichiers seulement")


def new_link_token() -> str:
    return secrets.token_urlsafe(24)


class PublicLink(models.Model):
    """A link anyone can open: to read a file or folder, or to drop files into a folder."""

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="links")
    token = models.CharField(max_length=64, unique=True, default=new_link_token, editable=False)
    kind = models.CharField(_("type"), max_length=8, choices=LinkKind.choices)
    expires_at = models.DateTimeField(_("expire le"))
    password_hash = models.CharField(max_length=200, blank=True)
    max_downloads = models.PositiveIntegerField(_("téléchargements au plus"), null=True, blank=True)
    download_count = models.PositiveIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("lien public")

    def __str__(self) -> str:
        return f"{self.node} ({self.kind})"

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.revoked_at is None
            and self.expires_at > now
            and (self.max_downloads is None or self.download_count < self.max_downloads)
            and self.node.deleted_at is None
        )


class Upload(models.Model):
    """A resumable upload in progress: its parts are stored as they arrive, and the file
    appears in the drive only when the last byte is in."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    #: the upload link it came through, for a drop into a folder by someone without account
    link = models.ForeignKey(PublicLink, on_delete=models.CASCADE, null=True, related_name="+")
    parent = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="+")
    #: relative path of the file inside a dropped folder (``Rapport/annexes/a.pdf``)
    relative_path = models.CharField(max_length=2000)
    #: the file it overwrites (a new version), if any
    target = models.ForeignKey(
        Node, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    length = models.BigIntegerField()
    offset = models.BigIntegerField(default=0)
    parts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("envoi en cours")

    def __str__(self) -> str:
        return f"{self.relative_path} ({self.offset}/{self.length})"

    def part_name(self, index: int) -> str:
        return f"uploads/{self.id}/{index:06d}"
