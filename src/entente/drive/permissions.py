"""Permission rules for documents.

A person's role on a folder or file (``node_role``), strongest first — ``manager`` (may also
share it and make public links), ``editor`` (change, add, rename, move, delete), ``reader``
(open, download) — is the strongest of:

- the drive's: its owner manages a personal drive; in a space's drive, owners and managers
  manage, contributors edit, readers read (read only once the space is archived); in an
  organisation's folders, its administrators manage and its people read;
- every share on the item or on a folder above it (shares are inherited down the tree) that
  reaches the person: to them, a group they belong to, a space they are a member of (never
  more than their role in the space allows), or their whole organisation (not guests).

Shares are capped by the policy of the organisation owning the drive: when it forbids
external sharing, a share reaches only that organisation's people.

Actions on a ``Node``: ``view`` (see, open, download), ``edit`` (new version, rename, add
inside a folder), ``delete`` (to the trash; never a drive's root), ``share`` (shares and
public links; never a drive's root), ``restore`` (from the trash: people who may edit the
drive, and the person who deleted it).

Actions on a ``Drive``: ``view``, ``edit``.
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import F, Q, QuerySet

from entente.core.permissions import Rules, register
from entente.drive.models import Drive, DriveKind, Node, Share, ShareRole, share_rank
from entente.organisations.permissions import is_admin_of
from entente.spaces.models import SpaceRole
from entente.spaces.permissions import member_role

#: the most a space member reaches through the space, by their role in it
SPACE_ROLE_CAP = {
    SpaceRole.OWNER: ShareRole.MANAGER,
    SpaceRole.MANAGER: ShareRole.MANAGER,
    SpaceRole.CONTRIBUTOR: ShareRole.EDITOR,
    SpaceRole.READER: ShareRole.READER,
}


def strongest(*roles: str | None) -> str | None:
    best = max(roles, key=share_rank, default=None)
    return best or None


def weakest(a: str | None, b: str | None) -> str | None:
    return a if share_rank(a) <= share_rank(b) else b


def drive_role(user: Any, drive: Drive) -> str | None:
    """What owning or belonging gives ``user`` on the whole of ``drive``."""
    if not (user.is_authenticated and user.is_active):
        return None
    if drive.kind == DriveKind.PERSONAL:
        return ShareRole.MANAGER if drive.user_id == user.pk else None
    if drive.kind == DriveKind.SPACE:
        role = SPACE_ROLE_CAP.get(member_role(user, drive.space))
        if role and drive.space.is_archived:
            return ShareRole.READER
        return role
    if is_admin_of(user, drive.organisation_id):
        return ShareRole.MANAGER
    if not user.is_guest and user.organisation_id == drive.organisation_id:
        return ShareRole.READER
    return None


def reach_q(user: Any, prefix: str = "") -> Q:
    """Shares that reach ``user``: to them, a group of theirs, a space of theirs, or their
    organisation (guests have none)."""
    q = (
        Q(**{f"{prefix}user_id": user.pk})
        | Q(**{f"{prefix}group__members": user.pk})
        | Q(**{f"{prefix}space__memberships__user": user.pk})
    )
    if user.organisation_id and not user.is_guest:
        q |= Q(**{f"{prefix}organisation_id": user.organisation_id})
    return q


def policy_q(user: Any, prefix: str = "") -> Q:
    """Shares the owning organisation's policy lets reach ``user``."""
    return (
        Q(**{f"{prefix}node__drive__organisation__policy__external_sharing_allowed": True})
        | Q(**{f"{prefix}node__drive__organisation_id": user.organisation_id})
        | Q(**{f"{prefix}node__drive__organisation__isnull": True})
    )


def reaching_shares(user: Any) -> QuerySet:
    return Share.objects.filter(reach_q(user) & policy_q(user)).distinct()


def _share_role(user: Any, share: Share) -> str | None:
    if share.space_id:
        return weakest(share.role, SPACE_ROLE_CAP.get(member_role(user, share.space)))
    return share.role


def share_role(user: Any, node: Node) -> str | None:
    """The strongest role shares on ``node`` or above give ``user``."""
    shares = reaching_shares(user).filter(node_id__in=node.ancestor_ids).select_related("space")
    return strongest(*(_share_role(user, share) for share in shares))


def role_abilities(role: str | None, *, is_root: bool) -> dict[str, bool]:
    """What ``role`` lets a person do with a live item: the thresholds of every rule below
    (pages and the API compute many rows' buttons from it without a query per row)."""
    rank = share_rank(role)
    return {
        "view": rank > 0,
        "edit": rank >= share_rank(ShareRole.EDITOR),
        "delete": not is_root and rank >= share_rank(ShareRole.EDITOR),
        "share": not is_root and role == ShareRole.MANAGER,
    }


def node_roles(user: Any, nodes: list[Node]) -> dict[int, str | None]:
    """``node_role`` of many items at once, in a few queries (one for the shares above them
    all, one per drive and per space met)."""
    if not (user.is_authenticated and user.is_active):
        return dict.fromkeys((node.pk for node in nodes), None)
    ancestors = {pk for node in nodes for pk in node.ancestor_ids}
    shares = list(reaching_shares(user).filter(node_id__in=ancestors).select_related("space"))
    spaces: dict[int, Any] = {}
    for row in shares:  # one membership query per space, not per share
        if row.space_id:
            row.space = spaces.setdefault(row.space_id, row.space)
    drives: dict[int, str | None] = {}
    roles: dict[int, str | None] = {}
    for node in nodes:
        if node.drive_id not in drives:
            drives[node.drive_id] = drive_role(user, node.drive)
        above = set(node.ancestor_ids)
        roles[node.pk] = strongest(
            drives[node.drive_id],
            *(_share_role(user, row) for row in shares if row.node_id in above),
        )
    return roles


def node_role(user: Any, node: Node) -> str | None:
    """``user``'s role on ``node`` (see the module's docstring)."""
    if not (user.is_authenticated and user.is_active):
        return None
    return strongest(drive_role(user, node.drive), share_role(user, node))


def accessible_drives(user: Any) -> QuerySet:
    """Drives ``user`` has a role on as a whole."""
    q = Q(kind=DriveKind.PERSONAL, user_id=user.pk) | Q(
        kind=DriveKind.SPACE, space__memberships__user=user.pk
    )
    if user.organisation_id and not user.is_guest:
        q |= Q(kind=DriveKind.ORGANISATION, organisation_id=user.organisation_id)
    return Drive.objects.filter(q)


def shared_roots(user: Any) -> QuerySet:
    """Live items shared with ``user`` directly (the tops of what reaches them by a share)."""
    return Node.objects.filter(
        pk__in=reaching_shares(user).values("node_id"), deleted_at__isnull=True
    )


@register(Node)
class NodeRules(Rules):
    actions = ("view", "edit", "delete", "share", "restore")

    def visible(self, user: Any) -> QuerySet:
        paths = list(shared_roots(user).values_list("path", flat=True))
        q = Q(drive__in=accessible_drives(user).values("pk"))
        if paths:
            q |= reduce(or_, (Q(path__startswith=path) for path in paths))
        return Node.objects.filter(q, deleted_at__isnull=True)

    def _can(self, user: Any, node: Node, action: str) -> bool:
        return (
            node.deleted_at is None
            and role_abilities(node_role(user, node), is_root=node.is_root)[action]
        )

    def can_view(self, user: Any, node: Node) -> bool:
        return self._can(user, node, "view")

    def can_edit(self, user: Any, node: Node) -> bool:
        return self._can(user, node, "edit")

    def can_delete(self, user: Any, node: Node) -> bool:
        return self._can(user, node, "delete")

    def can_share(self, user: Any, node: Node) -> bool:
        return self._can(user, node, "share")

    def can_restore(self, user: Any, node: Node) -> bool:
        return (
            node.deleted_at is not None
            and node.trashed_with_id == node.pk
            and (
                node.deleted_by_id == user.pk
                or share_rank(drive_role(user, node.drive)) >= share_rank(ShareRole.EDITOR)
            )
        )


def trash_visible(user: Any) -> QuerySet:
    """Items in the trash ``user`` may see and restore: what was deleted (not what went with a
    deleted folder) from drives they may edit, and what they deleted themselves."""
    editable = [
        drive.pk
        for drive in accessible_drives(user).select_related("space", "organisation")
        if share_rank(drive_role(user, drive)) >= share_rank(ShareRole.EDITOR)
    ]
    return Node.objects.filter(
        Q(drive_id__in=editable) | Q(deleted_by_id=user.pk),
        deleted_at__isnull=False,
        trashed_with_id=F("pk"),
    )


@register(Drive)
class DriveRules(Rules):
    actions = ("view", "edit")

    def visible(self, user: Any) -> QuerySet:
        return accessible_drives(user).distinct()

    def can_view(self, user: Any, drive: Drive) -> bool:
        return drive_role(user, drive) is not None

    def can_edit(self, user: Any, drive: Drive) -> bool:
        return share_rank(drive_role(user, drive)) >= share_rank(ShareRole.EDITOR)
