"""Permission rules for the home page's app tiles and announcements.

Actions on an ``AppTile`` and on an ``Announcement``:

- ``view``: the home page shows a person the active tiles and the current announcements of
  their organisation and of the whole territory (guests, who belong to no organisation,
  see none: they land in their spaces with nothing else visible). Those who manage some
  also see, in the management pages, the hidden, past and future ones they manage.
- ``manage`` (change, hide, reorder, delete): an organisation's own administrators for its
  tiles and announcements; the platform's operators for every one, territory-wide included.

Class-level ``manage``: open the management pages (administrators of an active
organisation, and operators).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from entente.core.permissions import Rules, register
from entente.organisations.permissions import is_admin_of
from entente.portal.models import Announcement, AppTile


def _audience_q(user: Any) -> Q:
    """Items addressed to ``user``: the territory's and their organisation's."""
    return Q(organisation__isnull=True) | Q(organisation_id=user.organisation_id)


def _managed_q(user: Any) -> Q:
    """Items ``user`` manages (whatever their state), operators aside (they manage all)."""
    if user.is_org_admin and user.organisation_id and is_admin_of(user, user.organisation_id):
        return Q(organisation_id=user.organisation_id)
    return Q(pk__in=[])


def manages(user: Any, organisation_id: int | None) -> bool:
    """May ``user`` manage the tiles and announcements of ``organisation_id`` (None: the
    territory's)?"""
    if user.is_operator:
        return True
    return is_admin_of(user, organisation_id)


class _PortalRules(Rules):
    actions = ("view", "manage")
    class_actions = ("manage",)

    def shown_q(self, user: Any) -> Q:
        """Which rows of its audience a person sees (tiles: the active ones; announcements:
        the current ones)."""
        return Q()

    def visible(self, user: Any) -> QuerySet:
        if user.is_operator:
            return self.model._default_manager.all()
        managed = _managed_q(user)
        if user.is_guest:
            return self.model._default_manager.filter(managed)
        return self.model._default_manager.filter(
            (_audience_q(user) & self.shown_q(user)) | managed
        )

    def can_manage(self, user: Any, obj: Any) -> bool:
        return manages(user, obj.organisation_id)

    def can_manage_any(self, user: Any) -> bool:
        return user.is_operator or is_admin_of(user, user.organisation_id)


@register(AppTile)
class AppTileRules(_PortalRules):
    def shown_q(self, user: Any) -> Q:
        return Q(is_active=True)


@register(Announcement)
class AnnouncementRules(_PortalRules):
    def shown_q(self, user: Any) -> Q:
        now = timezone.now()
        return Q(starts_at__lte=now) & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))
