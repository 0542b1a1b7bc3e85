"""Permission rules for spaces.

Actions on a ``Space``:

- ``view``: its members; and, for a space visible to the territory or open, every person of
  an organisation of the territory (guests see only the spaces they belong to);
- ``view_content`` (its documents, agenda, members): its members;
- ``contribute`` (add and change content): contributors, managers and owners, while the
  space is not archived;
- ``manage`` (members, invitations, settings, archival): managers and owners;
- ``join`` (ask to enter): a person of the territory who is not a member of an open space.

Class-level ``create``: every active person of an organisation (not guests).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from entente.core.permissions import Rules, register
from entente.spaces.models import Membership, Space, SpaceRole, Visibility, role_rank


def member_role(user: Any, space: Space) -> str | None:
    """``user``'s role in ``space``, or None."""
    if not (user.is_authenticated and user.is_active):
        return None
    cache = getattr(space, "_role_cache", None)
    if cache is None:
        cache = space._role_cache = {}
    if user.pk not in cache:
        cache[user.pk] = (
            Membership.objects.filter(space=space, user=user).values_list("role", flat=True).first()
        )
    return cache[user.pk]


def member_space_ids(user: Any) -> QuerySet:
    """Ids of the spaces ``user`` belongs to (a subquery)."""
    return Membership.objects.filter(user_id=user.pk).values("space_id")


@register(Space)
class SpaceRules(Rules):
    actions = ("view", "view_content", "contribute", "manage", "join")
    class_actions = ("create",)

    def visible(self, user: Any) -> QuerySet:
        q = Q(memberships__user=user)
        if not user.is_guest:
            q |= Q(visibility__in=[Visibility.TERRITORY, Visibility.OPEN], archived_at__isnull=True)
        return Space.objects.filter(pk__in=Space.objects.filter(q).values("pk"))

    def can_view_content(self, user: Any, space: Space) -> bool:
        return member_role(user, space) is not None

    def can_contribute(self, user: Any, space: Space) -> bool:
        return not space.is_archived and role_rank(member_role(user, space)) >= role_rank(
            SpaceRole.CONTRIBUTOR
        )

    def can_manage(self, user: Any, space: Space) -> bool:
        return role_rank(member_role(user, space)) >= role_rank(SpaceRole.MANAGER)

    def can_join(self, user: Any, space: Space) -> bool:
        return (
            not user.is_guest
            and space.visibility == Visibility.OPEN
            and not space.is_archived
            and member_role(user, space) is None
        )

    def can_create_any(self, user: Any) -> bool:
        return not user.is_guest and user.organisation_id is not None
