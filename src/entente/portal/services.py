"""Use cases of the home page's app tiles and announcements: add, change, reorder, remove.

Every change checks the actor's right through the permission engine (an organisation's
administrators for its own, operators for every one, the territory's included) and raises
``ValidationError`` with a French message when the input breaks a rule.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from entente.audit.models import EventKind
from entente.audit.services import record
from entente.core.permissions import require
from entente.portal.models import Announcement, AppTile
from entente.portal.permissions import manages

TILE_FIELDS = ("title", "url", "description", "category", "is_active")
ANNOUNCEMENT_FIELDS = ("title", "body", "level", "starts_at", "ends_at")


def _check_scope(actor: Any, organisation: Any) -> None:
    """Refuse unless ``actor`` manages the items of ``organisation`` (None: the territory)."""
    if not manages(actor, getattr(organisation, "pk", None)):
        if organisation is None:
            raise PermissionDenied(
                _("Seuls les opérateurs de la plateforme gèrent ce qui s'adresse au territoire.")
            )
        raise PermissionDenied(_("Vous ne gérez pas cette organisation."))


def _stripped(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}


def _next_position(organisation_id: int | None) -> int:
    last = AppTile.objects.filter(organisation_id=organisation_id).aggregate(m=Max("position"))
    return 0 if last["m"] is None else last["m"] + 1


def _save(obj: Any) -> None:
    obj.full_clean(exclude=["created_by"])
    obj.save()


def _audit(actor: Any, obj: AppTile | Announcement, action: str) -> None:
    """Tiles and announcements are what every person of an organisation (or of the
    territory) sees first: who changed them is kept in the audit log."""
    kind = (
        EventKind.PORTAL_TILE_CHANGED
        if isinstance(obj, AppTile)
        else EventKind.PORTAL_ANNOUNCEMENT_CHANGED
    )
    record(
        kind,
        actor=actor,
        organisation=obj.organisation or actor.organisation,
        action=action,
        title=obj.title,
        **({"url": obj.url} if isinstance(obj, AppTile) else {}),
    )


# --- tiles ---------------------------------------------------------------------------------


@transaction.atomic
def create_tile(actor: Any, *, organisation: Any, **fields: Any) -> AppTile:
    """``actor`` adds a tile for ``organisation`` (None: the whole territory), last in order."""
    _check_scope(actor, organisation)
    unknown = set(fields) - set(TILE_FIELDS)
    if unknown:
        raise ValidationError(_("Champ inconnu : %(f)s.") % {"f": ", ".join(sorted(unknown))})
    organisation_id = getattr(organisation, "pk", None)
    tile = AppTile(
        organisation_id=organisation_id,
        position=_next_position(organisation_id),
        created_by=actor,
        **_stripped(fields),
    )
    _save(tile)
    _audit(actor, tile, "created")
    return tile


@transaction.atomic
def update_tile(actor: Any, tile: AppTile, *, organisation: Any = ..., **changes: Any) -> AppTile:
    """Change a tile; moving it to another organisation (operators) puts it last there."""
    require(actor, "manage", tile)
    unknown = set(changes) - set(TILE_FIELDS)
    if unknown:
        raise ValidationError(_("Champ inconnu : %(f)s.") % {"f": ", ".join(sorted(unknown))})
    tile = AppTile.objects.select_for_update().get(pk=tile.pk)
    if organisation is not ...:
        new_id = getattr(organisation, "pk", None)
        if new_id != tile.organisation_id:
            _check_scope(actor, organisation)
            tile.organisation_id = new_id
            tile.position = _next_position(new_id)
    for name, value in _stripped(changes).items():
        setattr(tile, name, value)
    _save(tile)
    _audit(actor, tile, "updated")
    return tile


@transaction.atomic
def delete_tile(actor: Any, tile: AppTile) -> None:
    require(actor, "manage", tile)
    _audit(actor, tile, "deleted")
    AppTile.objects.filter(pk=tile.pk).delete()


@transaction.atomic
def move_tile(actor: Any, tile: AppTile, direction: str) -> bool:
    """Swap ``tile`` with its neighbour (``"up"`` or ``"down"``) among the tiles of the same
    organisation; False when it is already first (or last)."""
    require(actor, "manage", tile)
    if direction not in {"up", "down"}:
        raise ValidationError(_("Sens de déplacement inconnu."))
    siblings = list(
        AppTile.objects.select_for_update()
        .filter(organisation_id=tile.organisation_id)
        .order_by("position", "pk")
    )
    index = next(i for i, row in enumerate(siblings) if row.pk == tile.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(siblings):
        return False
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, row in enumerate(siblings):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    return True


# --- announcements -------------------------------------------------------------------------


@transaction.atomic
def create_announcement(actor: Any, *, organisation: Any, **fields: Any) -> Announcement:
    """``actor`` publishes an announcement for ``organisation`` (None: the whole territory)."""
    _check_scope(actor, organisation)
    unknown = set(fields) - set(ANNOUNCEMENT_FIELDS)
    if unknown:
        raise ValidationError(_("Champ inconnu : %(f)s.") % {"f": ", ".join(sorted(unknown))})
    if fields.get("starts_at") is None:
        fields.pop("starts_at", None)
    announcement = Announcement(
        organisation_id=getattr(organisation, "pk", None), created_by=actor, **_stripped(fields)
    )
    _save(announcement)
    _audit(actor, announcement, "created")
    return announcement


@transaction.atomic
def update_announcement(
    actor: Any, announcement: Announcement, *, organisation: Any = ..., **changes: Any
) -> Announcement:
    require(actor, "manage", announcement)
    unknown = set(changes) - set(ANNOUNCEMENT_FIELDS)
    if unknown:
        raise ValidationError(_("Champ inconnu : %(f)s.") % {"f": ", ".join(sorted(unknown))})
    announcement = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if organisation is not ...:
        new_id = getattr(organisation, "pk", None)
        if new_id != announcement.organisation_id:
            _check_scope(actor, organisation)
            announcement.organisation_id = new_id
    for name, value in _stripped(changes).items():
        if name == "starts_at" and value is None:
            continue
        setattr(announcement, name, value)
    _save(announcement)
    _audit(actor, announcement, "updated")
    return announcement


@transaction.atomic
def delete_announcement(actor: Any, announcement: Announcement) -> None:
    require(actor, "manage", announcement)
    _audit(actor, announcement, "deleted")
    Announcement.objects.filter(pk=announcement.pk).delete()
