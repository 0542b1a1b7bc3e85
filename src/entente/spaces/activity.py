"""The activity feed of a space: every feature adds a line here when something changes.

``record_activity`` is the only writer; ``unread_count`` compares with the member's
``Membership.last_seen_at`` (set by ``mark_seen`` when they open the feed).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from entente.spaces.models import Activity, Membership, Space


def record_activity(
    space: Space, actor: Any, verb: str, *, label: str = "", url: str = ""
) -> Activity:
    """Add one line to ``space``'s feed: ``actor`` did ``verb`` (an ``ActivityVerb``) on
    what ``label`` names, reachable at ``url`` (a path of the platform)."""
    return Activity.objects.create(
        space=space,
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        target_label=label[:300],
        target_url=url[:500],
    )


def unread_count(membership: Membership) -> int:
    """Lines of the feed written by others since the member last opened it."""
    qs = Activity.objects.filter(space_id=membership.space_id).exclude(actor_id=membership.user_id)
    if membership.last_seen_at is not None:
        qs = qs.filter(created_at__gt=membership.last_seen_at)
    return qs.count()


def mark_seen(membership: Membership) -> None:
    membership.last_seen_at = timezone.now()
    membership.save(update_fields=["last_seen_at"])
