"""Use cases of sharing documents: shares to a person, group, space or organisation (with
the warning before reaching outside the organisation and the policy's refusal), guests
invited from outside the territory, "who has access and why", and public links.

``services`` re-exports them: every door calls ``services.share(...)`` and friends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.audit.models import EventKind
from entente.audit.services import record
from entente.core.permissions import can, require
from entente.drive.models import (
    DriveKind,
    LinkKind,
    Node,
    PublicLink,
    Share,
    ShareRole,
    share_rank,
)
from entente.drive.permissions import node_role

# --- shares ----------------------------------------------------------------------------------


def _grantee_field(grantee: Any) -> str:
    label = grantee._meta.label_lower
    return {
        "accounts.user": "user",
        "directory.group": "group",
        "spaces.space": "space",
        "organisations.organisation": "organisation",
    }[label]


def is_external(node: Node, grantee: Any) -> bool:
    """Does sharing ``node`` with ``grantee`` reach people outside the drive's organisation?"""
    org_id = node.drive.organisation_id
    field = _grantee_field(grantee)
    if field == "user":
        return grantee.organisation_id != org_id
    if field in {"group"}:
        return grantee.organisation_id != org_id
    if field == "organisation":
        return grantee.pk != org_id
    return grantee.memberships.filter(
        ~Q(user__organisation_id=org_id) | Q(user__organisation__isnull=True)
    ).exists()


class ExternalShareNeedsConfirmation(ValidationError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="external_share_confirm")


@transaction.atomic
def share(
    actor: Any, node: Node, grantee: Any, role: str, *, confirm_external: bool = False
) -> Share:
    """Share ``node`` with a person, group, space or organisation (or change the role)."""
    require(actor, "share", node)
    if role not in ShareRole.values:
        raise ValidationError(_("Droit inconnu."), code="invalid_role")
    if share_rank(role) > share_rank(node_role(actor, node)):
        raise PermissionDenied(_("Vous ne pouvez pas donner plus de droits que les vôtres."))
    field = _grantee_field(grantee)
    if field == "user" and grantee.pk == actor.pk:
        raise ValidationError(_("Vous avez déjà accès à cet élément."), code="self_share")
    if field == "user" and not grantee.is_active:
        raise ValidationError(_("Ce compte n'est pas actif."), code="inactive")
    if field == "space" and not can(actor, "view_content", grantee):
        raise PermissionDenied(
            _("Vous ne pouvez partager qu'avec un espace dont vous êtes membre.")
        )
    if field in {"group", "organisation"} and not can(actor, "view", grantee):
        raise PermissionDenied(_("Ce destinataire ne vous est pas accessible."))
    external = is_external(node, grantee)
    if external:
        policy = node.drive.organisation.policy if node.drive.organisation_id else None
        if policy is not None and not policy.external_sharing_allowed:
            raise ValidationError(
                _("La politique de %(org)s interdit le partage hors de l'organisation.")
                % {"org": node.drive.organisation},
                code="external_share_forbidden",
            )
        if not confirm_external:
            raise ExternalShareNeedsConfirmation(
                _(
                    "%(grantee)s est hors de votre organisation : confirmez que vous voulez "
                    "partager « %(name)s » en dehors."
                )
                % {"grantee": grantee, "name": node.name}
            )
    existing = Share.objects.filter(node=node, **{field: grantee}).first()
    if existing is not None:
        existing.role = role
        existing.save(update_fields=["role"])
        result = existing
    else:
        result = Share.objects.create(node=node, role=role, created_by=actor, **{field: grantee})
        if field == "user":
            from entente.notifications.hooks import shared_with_person

            shared_with_person(actor, result)
    record(
        EventKind.DRIVE_SHARED,
        actor=actor,
        target=node,
        organisation=node.drive.organisation,
        grantee=str(grantee),
        grantee_kind=field,
        role=role,
        external=external,
    )
    from entente.drive import tasks

    transaction.on_commit(lambda: tasks.notify_share.enqueue(result.pk))
    return result


@transaction.atomic
def invite_guest(
    actor: Any,
    node: Node,
    *,
    email: str,
    first_name: str,
    last_name: str,
    expires_at: dt.datetime,
    role: str = ShareRole.READER,
) -> Share:
    """Share ``node`` with someone from outside the territory: they get a guest account (and
    its e-mailed one-time link) that reaches only what is shared with them."""
    from entente.spaces.services import guest_for

    require(actor, "share", node)
    guest = guest_for(
        actor,
        email=email,
        first_name=first_name,
        last_name=last_name,
        expires_at=expires_at,
        reason=_("Partage de « %(name)s »") % {"name": node.name},
    )
    return share(actor, node, guest, role, confirm_external=True)


@transaction.atomic
def unshare(actor: Any, share_row: Share) -> None:
    require(actor, "share", share_row.node)
    record(
        EventKind.DRIVE_UNSHARED,
        actor=actor,
        target=share_row.node,
        organisation=share_row.node.drive.organisation,
        grantee=str(share_row.grantee),
    )
    share_row.delete()


@dataclass(frozen=True)
class Access:
    """One line of "who has access and why"."""

    who: Any
    role: str
    why: str
    share: Share | None = None
    inherited_from: Node | None = None


def access_list(node: Node) -> list[Access]:
    """Everyone with access to ``node``, strongest first, with the reason."""
    drive = node.drive
    lines: list[Access] = []
    if drive.kind == DriveKind.PERSONAL:
        lines.append(Access(drive.user, ShareRole.MANAGER, _("propriétaire")))
    elif drive.kind == DriveKind.SPACE:
        lines.append(
            Access(drive.space, ShareRole.EDITOR, _("membres de l'espace (selon leur rôle)"))
        )
    else:
        lines.append(Access(drive.organisation, ShareRole.READER, _("dossiers de l'organisation")))
    ancestors = {pk: position for position, pk in enumerate(node.ancestor_ids)}
    shares = Share.objects.filter(node_id__in=ancestors).select_related(
        "node", "user", "group", "space", "organisation"
    )
    for row in sorted(shares, key=lambda s: (-share_rank(s.role), -ancestors[s.node_id])):
        inherited = row.node if row.node_id != node.pk else None
        why = (
            _("partagé depuis le dossier « %(name)s »") % {"name": inherited.name}
            if inherited
            else _("partagé directement")
        )
        lines.append(Access(row.grantee, row.role, why, share=row, inherited_from=inherited))
    return lines


# --- public links ----------------------------------------------------------------------------


@transaction.atomic
def create_link(
    actor: Any,
    node: Node,
    *,
    kind: str,
    expires_at: dt.datetime,
    password: str = "",
    max_downloads: int | None = None,
) -> PublicLink:
    require(actor, "share", node)
    policy = node.drive.organisation.policy if node.drive.organisation_id else None
    if policy is not None and not policy.public_links_allowed:
        raise ValidationError(
            _("La politique de %(org)s n'autorise pas les liens publics.")
            % {"org": node.drive.organisation},
            code="public_links_forbidden",
        )
    if kind not in LinkKind.values:
        raise ValidationError(_("Type de lien inconnu."), code="invalid_kind")
    if kind == LinkKind.UPLOAD and not node.is_folder:
        raise ValidationError(_("Un lien de dépôt s'ouvre sur un dossier."), code="not_a_folder")
    now = timezone.now()
    if expires_at <= now:
        raise ValidationError(_("La date d'expiration est déjà passée."), code="expired")
    max_days = policy.public_link_max_days if policy else 30
    if expires_at > now + dt.timedelta(days=max_days):
        raise ValidationError(
            _("Un lien public dure au plus %(days)s jours ici.") % {"days": max_days},
            code="too_long",
        )
    if max_downloads is not None and max_downloads < 1:
        raise ValidationError(_("Au moins un téléchargement."), code="invalid_limit")
    link = PublicLink.objects.create(
        node=node,
        kind=kind,
        expires_at=expires_at,
        password_hash=make_password(password) if password else "",
        max_downloads=max_downloads,
        created_by=actor,
    )
    record(
        EventKind.DRIVE_LINK_CREATED,
        actor=actor,
        target=node,
        organisation=node.drive.organisation,
        link_kind=kind,
        expires_at=expires_at.isoformat(),
        password=bool(password),
    )
    return link


@transaction.atomic
def revoke_link(actor: Any, link: PublicLink) -> None:
    require(actor, "share", link.node)
    link.revoked_at = timezone.now()
    link.save(update_fields=["revoked_at"])
    record(
        EventKind.DRIVE_LINK_REVOKED,
        actor=actor,
        target=link.node,
        organisation=link.node.drive.organisation,
    )


def check_link_password(link: PublicLink, password: str) -> bool:
    return not link.password_hash or check_password(password or "", link.password_hash)


def count_download(link: PublicLink) -> bool:
    """Count one download; False when the limit is already reached (checked atomically)."""
    rows = PublicLink.objects.filter(pk=link.pk)
    if link.max_downloads is not None:
        rows = rows.filter(download_count__lt=F("max_downloads"))
    return bool(rows.update(download_count=F("download_count") + 1))
