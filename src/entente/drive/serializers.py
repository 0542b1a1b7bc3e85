"""Serializers of the documents REST API: drives with their quota, folders and files with the
viewer's abilities, versions, shares with « who has access and why », public links, the trash.

Serializers only read and validate: every write goes through ``entente.drive.services`` and
every access decision through the permission engine.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from entente.accounts.models import User
from entente.core.mail import absolute_url
from entente.core.permissions import visible
from entente.directory.models import Group
from entente.drive import services
from entente.drive.models import (
    Drive,
    DriveKind,
    LinkKind,
    Node,
    NodeKind,
    PublicLink,
    Share,
    ShareRole,
    Version,
)
from entente.drive.names import clean_name
from entente.organisations.models import Organisation
from entente.spaces.models import Space

GRANTEE_TYPES = ["user", "group", "space", "organisation"]
NODE_ACTIONS = ("view", "edit", "delete", "share", "restore")


def enum_field(
    component: str, values: list[str], description: str
) -> type[serializers.ChoiceField]:
    """A ``ChoiceField`` over ``values`` whose OpenAPI schema is the named enum ``component``
    (shared by every serializer using it, and never confused with another app's enum of the
    same field name)."""
    schema = {"type": "string", "enum": values, "description": description}

    @extend_schema_field(schema, component_name=component)
    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("choices", values)
            super().__init__(**kwargs)

    EnumField.__name__ = EnumField.__qualname__ = f"{component}Field"
    return EnumField


RoleField = enum_field(
    "DriveRoleEnum",
    list(ShareRole.values),
    "Rôle : `reader` (lecture), `editor` (modification), `manager` (gestion, peut repartager).",
)
DriveKindField = enum_field(
    "DriveKindEnum",
    list(DriveKind.values),
    "`personal` (documents d'une personne), `space` (d'un espace), `organisation`.",
)
NodeKindField = enum_field(
    "DriveNodeKindEnum", list(NodeKind.values), "`folder` (dossier) ou `file` (fichier)."
)
LinkKindField = enum_field(
    "DriveLinkKindEnum",
    list(LinkKind.values),
    "`read` : consulter et télécharger ; `upload` : déposer des fichiers dans un dossier, sans "
    "voir son contenu.",
)
GranteeTypeField = enum_field(
    "DriveGranteeTypeEnum",
    GRANTEE_TYPES,
    "Personne (`user`), groupe (`group`), espace (`space`) ou toute une organisation "
    "(`organisation`).",
)
ScanStatusField = enum_field(
    "DriveScanStatusEnum",
    ["not_scanned", "clean", "infected"],
    "Analyse antivirus : `infected` = en quarantaine, non téléchargeable.",
)


def _viewer(serializer: serializers.BaseSerializer) -> Any:
    return serializer.context["request"].user


def person_ref(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.email}


PERSON_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    "description": "Une personne (null : sans compte, ou compte supprimé).",
}
ABILITIES_SCHEMA = {
    "type": "object",
    "properties": {action: {"type": "boolean"} for action in NODE_ACTIONS},
    "description": "Ce que vous pouvez faire : ouvrir (`view`), modifier (`edit`), mettre à la "
    "corbeille (`delete`), partager (`share`), restaurer depuis la corbeille (`restore`).",
}


# --- errors (schema only) ----------------------------------------------------------------------


class DriveErrorSerializer(serializers.Serializer):
    """Every error of the documents API: a stable ``code`` and a French ``detail``; for 400 on
    a form, the fields in ``errors``."""

    code = serializers.CharField(
        help_text="Par exemple `name_taken`, `quota_exceeded`, `external_share_confirm`, "
        "`external_share_forbidden`, `public_links_forbidden`, `length_required`, "
        "`incomplete`, `quarantined`, `not_found`, `permission_denied`."
    )
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


# --- drives ------------------------------------------------------------------------------------


class QuotaSerializer(serializers.Serializer):
    used = serializers.IntegerField(help_text="Octets utilisés (versions et corbeille comprises).")
    limit = serializers.IntegerField(help_text="Octets autorisés.")
    percent = serializers.IntegerField()
    free = serializers.IntegerField()


class DriveSerializer(serializers.ModelSerializer):
    kind = DriveKindField(read_only=True)
    name = serializers.SerializerMethodField()
    root = serializers.IntegerField(source="root_id", read_only=True)
    space = serializers.IntegerField(source="space_id", read_only=True, allow_null=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    role = serializers.SerializerMethodField()
    quota = serializers.SerializerMethodField()

    class Meta:
        model = Drive
        fields = ["id", "kind", "name", "root", "space", "organisation", "role", "quota"]
        read_only_fields = fields

    def get_name(self, obj: Drive) -> str:
        viewer = _viewer(self)
        if obj.kind == DriveKind.PERSONAL:
            if obj.user_id == viewer.pk:
                return _("Mes documents")
            return _("Documents — %(person)s") % {"person": obj.user}
        if obj.kind == DriveKind.SPACE:
            return obj.space.name
        return _("Dossiers de %(org)s") % {"org": obj.organisation}

    @extend_schema_field(RoleField(allow_null=True, help_text="Votre rôle (null : aucun)."))
    def get_role(self, obj: Drive) -> str | None:
        from entente.drive.permissions import drive_role

        return drive_role(_viewer(self), obj)

    @extend_schema_field(QuotaSerializer(allow_null=True))
    def get_quota(self, obj: Drive) -> dict[str, int] | None:
        """Your own quota on your drive; your organisation's on its drives you may add to
        (another organisation's usage is not yours to read)."""
        viewer = _viewer(self)
        if obj.kind == DriveKind.PERSONAL and obj.user_id == viewer.pk:
            quota = services.person_quota(viewer)
        elif (
            obj.organisation_id
            and obj.organisation_id == viewer.organisation_id
            and self.get_role(obj) in {ShareRole.EDITOR, ShareRole.MANAGER}
        ):
            cache = self.context.setdefault("org_quotas", {})
            if obj.organisation_id not in cache:
                cache[obj.organisation_id] = services.organisation_quota(obj.organisation)
            quota = cache[obj.organisation_id]
        else:
            quota = None
        if quota is None:
            return None
        return {
            "used": quota.used,
            "limit": quota.limit,
            "percent": quota.percent,
            "free": quota.free,
        }


# --- nodes -------------------------------------------------------------------------------------


def _node_page(node: Node) -> str:
    try:
        name = "drive:folder" if node.is_folder else "drive:file"
        return absolute_url(reverse(name, args=[node.pk]))
    except NoReverseMatch:
        return ""


class NodeSerializer(serializers.ModelSerializer):
    """A folder or a file, with what the viewer may do with it (``abilities``)."""

    kind = NodeKindField(read_only=True)
    parent = serializers.IntegerField(source="parent_id", read_only=True, allow_null=True)
    drive = serializers.IntegerField(source="drive_id", read_only=True)
    version = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    modified_by = serializers.SerializerMethodField()
    scan_status = serializers.SerializerMethodField()
    abilities = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Node
        fields = [
            "id",
            "kind",
            "name",
            "parent",
            "drive",
            "size",
            "mime_type",
            "version",
            "scan_status",
            "created_at",
            "created_by",
            "modified_at",
            "modified_by",
            "abilities",
            "url",
        ]
        read_only_fields = fields

    def get_version(self, obj: Node) -> int | None:
        """The number of the current version (null for a folder)."""
        version = obj.current_version if obj.current_version_id else None
        return version.number if version is not None else None

    @extend_schema_field(ScanStatusField())
    def get_scan_status(self, obj: Node) -> str:
        return obj.scan_status or "not_scanned"

    @extend_schema_field(PERSON_SCHEMA)
    def get_created_by(self, obj: Node) -> dict[str, Any] | None:
        return person_ref(obj.created_by)

    @extend_schema_field(PERSON_SCHEMA)
    def get_modified_by(self, obj: Node) -> dict[str, Any] | None:
        return person_ref(obj.modified_by)

    @extend_schema_field(ABILITIES_SCHEMA)
    def get_abilities(self, obj: Node) -> dict[str, bool]:
        known = getattr(obj, "abilities", None)
        if known is not None:
            return known
        from entente.core.permissions import abilities

        return abilities(_viewer(self), obj)

    def get_url(self, obj: Node) -> str:
        """The item's page in Entente."""
        return _node_page(obj)


class TrashItemSerializer(NodeSerializer):
    deleted_at = serializers.DateTimeField(read_only=True)
    deleted_by = serializers.SerializerMethodField()

    class Meta(NodeSerializer.Meta):
        fields = [*NodeSerializer.Meta.fields, "deleted_at", "deleted_by"]
        read_only_fields = fields

    @extend_schema_field(PERSON_SCHEMA)
    def get_deleted_by(self, obj: Node) -> dict[str, Any] | None:
        return person_ref(obj.deleted_by)

    def get_url(self, obj: Node) -> str:
        try:
            return absolute_url(reverse("drive:trash"))
        except NoReverseMatch:
            return ""


def _clean(value: str) -> str:
    try:
        return clean_name(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


class NameSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=1000,
        trim_whitespace=False,
        help_text="Nettoyé : sans « / », ni caractères de contrôle, ni noms réservés de "
        "Windows ; 255 caractères au plus (l'extension est gardée).",
    )

    def validate_name(self, value: str) -> str:
        return _clean(value)


class FolderInputSerializer(NameSerializer):
    parent = serializers.IntegerField(min_value=1, help_text="Id du dossier parent.")

    def validate_parent(self, value: int) -> Node:
        folder = visible(_viewer(self), Node).filter(pk=value).first()
        if folder is None:
            raise serializers.ValidationError(
                _("Ce dossier n'existe pas ou vous n'y avez pas accès.")
            )
        return folder


class TargetSerializer(serializers.Serializer):
    target = serializers.IntegerField(min_value=1, help_text="Id du dossier de destination.")

    def validate_target(self, value: int) -> Node:
        folder = visible(_viewer(self), Node).filter(pk=value, kind=NodeKind.FOLDER).first()
        if folder is None:
            raise serializers.ValidationError(
                _("Ce dossier n'existe pas ou vous n'y avez pas accès.")
            )
        return folder


class ChildrenQuerySerializer(serializers.Serializer):
    sort = serializers.ChoiceField(
        choices=["name", "modified", "size"],
        default="name",
        help_text="Tri (les dossiers d'abord) : par nom, date de modification ou taille.",
    )
    order = serializers.ChoiceField(choices=["asc", "desc"], default="asc")


# --- versions ----------------------------------------------------------------------------------


class VersionSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()
    current = serializers.SerializerMethodField()

    class Meta:
        model = Version
        fields = [
            "id",
            "number",
            "size",
            "mime_type",
            "created_at",
            "created_by",
            "comment",
            "current",
        ]
        read_only_fields = fields

    @extend_schema_field(PERSON_SCHEMA)
    def get_created_by(self, obj: Version) -> dict[str, Any] | None:
        return person_ref(obj.created_by)

    def get_current(self, obj: Version) -> bool:
        """Is it the file's content now?"""
        return obj.node.current_version_id == obj.pk


# --- shares ------------------------------------------------------------------------------------


def grantee_type(who: Any) -> str:
    return {User: "user", Group: "group", Space: "space", Organisation: "organisation"}[type(who)]


def grantee_name(who: Any) -> str:
    if isinstance(who, User):
        return who.get_full_name() or who.email
    return str(who)


class ShareSerializer(serializers.ModelSerializer):
    """A share of a folder or a file: with whom, which role, whether it leaves the
    organisation owning the item."""

    node = serializers.IntegerField(source="node_id", read_only=True)
    role = RoleField(read_only=True)
    grantee_type = serializers.SerializerMethodField()
    grantee_id = serializers.SerializerMethodField()
    grantee_name = serializers.SerializerMethodField()
    external = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = Share
        fields = [
            "id",
            "node",
            "role",
            "grantee_type",
            "grantee_id",
            "grantee_name",
            "external",
            "created_at",
            "created_by",
        ]
        read_only_fields = fields

    @extend_schema_field(GranteeTypeField())
    def get_grantee_type(self, obj: Share) -> str:
        return obj.grantee_kind

    def get_grantee_id(self, obj: Share) -> int:
        return obj.grantee.pk

    def get_grantee_name(self, obj: Share) -> str:
        return grantee_name(obj.grantee)

    def get_external(self, obj: Share) -> bool:
        """Does this share reach people outside the organisation owning the item?"""
        return services.is_external(obj.node, obj.grantee)

    @extend_schema_field(PERSON_SCHEMA)
    def get_created_by(self, obj: Share) -> dict[str, Any] | None:
        return person_ref(obj.created_by)


class AccessSerializer(serializers.Serializer):
    """One line of « who has access and why »."""

    grantee_type = GranteeTypeField()
    grantee_id = serializers.IntegerField()
    grantee_name = serializers.CharField()
    role = RoleField()
    why = serializers.CharField(help_text="La raison, en clair.")
    share = serializers.IntegerField(
        allow_null=True, help_text="Le partage qui donne cet accès (null : propriétaire, membres)."
    )
    inherited_from = serializers.IntegerField(
        allow_null=True, help_text="Le dossier partagé dont l'accès est hérité."
    )

    def to_representation(self, instance: services.Access) -> dict[str, Any]:
        return {
            "grantee_type": grantee_type(instance.who),
            "grantee_id": instance.who.pk,
            "grantee_name": grantee_name(instance.who),
            "role": str(instance.role),
            "why": str(instance.why),
            "share": instance.share.pk if instance.share is not None else None,
            "inherited_from": instance.inherited_from.pk if instance.inherited_from else None,
        }


class SharesSerializer(serializers.Serializer):
    shares = ShareSerializer(many=True, help_text="Les partages posés sur cet élément.")
    access_list = AccessSerializer(
        many=True, help_text="Tous ceux qui ont accès, du droit le plus fort au plus faible."
    )


class DriveShareInputSerializer(serializers.Serializer):
    """With whom to share (exactly one of ``user``, ``group``, ``space``, ``organisation``)."""

    user = serializers.IntegerField(required=False, min_value=1, help_text="Id d'une personne.")
    group = serializers.IntegerField(required=False, min_value=1, help_text="Id d'un groupe.")
    space = serializers.IntegerField(required=False, min_value=1, help_text="Id d'un espace.")
    organisation = serializers.SlugField(required=False, help_text="Slug d'une organisation.")
    role = RoleField()
    confirm_external = serializers.BooleanField(
        default=False,
        help_text="À mettre à `true` après avoir averti la personne : le partage sort de "
        "l'organisation (sinon, erreur `external_share_confirm`).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in GRANTEE_TYPES if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError(
                _(
                    "Partagez avec une personne, un groupe, un espace ou une organisation : "
                    "un seul à la fois."
                )
            )
        kind = given[0]
        viewer = _viewer(self)
        if kind == "organisation":
            grantee = visible(viewer, Organisation).filter(slug=attrs[kind]).first()
        else:
            model = {"user": User, "group": Group, "space": Space}[kind]
            rows = visible(viewer, model)
            if kind == "user":
                rows = rows.filter(is_active=True)
            grantee = rows.filter(pk=attrs[kind]).first()
        if grantee is None:
            raise serializers.ValidationError({kind: [_("Introuvable ou inaccessible.")]})
        return {
            "grantee": grantee,
            "role": attrs["role"],
            "confirm_external": attrs["confirm_external"],
        }


class ShareRoleSerializer(serializers.Serializer):
    role = RoleField()


# --- public links ------------------------------------------------------------------------------


class LinkSerializer(serializers.ModelSerializer):
    """A public link; its address (``url``) opens it without an account."""

    node = serializers.IntegerField(source="node_id", read_only=True)
    kind = LinkKindField(read_only=True)
    url = serializers.SerializerMethodField()
    has_password = serializers.BooleanField(read_only=True)
    usable = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = PublicLink
        fields = [
            "id",
            "node",
            "kind",
            "url",
            "expires_at",
            "has_password",
            "max_downloads",
            "download_count",
            "revoked_at",
            "usable",
            "created_at",
            "created_by",
        ]
        read_only_fields = fields

    def get_url(self, obj: PublicLink) -> str:
        try:
            return absolute_url(reverse("public_link:open", args=[obj.token]))
        except NoReverseMatch:
            return ""

    def get_usable(self, obj: PublicLink) -> bool:
        """Does it still open (not revoked, not expired, downloads left)?"""
        return obj.is_usable()

    @extend_schema_field(PERSON_SCHEMA)
    def get_created_by(self, obj: PublicLink) -> dict[str, Any] | None:
        return person_ref(obj.created_by)


class LinkInputSerializer(serializers.Serializer):
    kind = LinkKindField(
        default=LinkKind.READ,
        help_text="`read` : consulter et télécharger ; `upload` : déposer des fichiers dans un "
        "dossier, sans voir son contenu.",
    )
    expires_at = serializers.DateTimeField(
        help_text="Fin de validité (ISO 8601), dans la limite fixée par l'organisation."
    )
    password = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=128,
        trim_whitespace=False,
        write_only=True,
        help_text="Mot de passe facultatif, demandé à l'ouverture.",
    )
    max_downloads = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=1_000_000
    )
