"""Use cases of notifications. ``notify`` is what every other app calls."""

from __future__ import annotations

from typing import Any

from entente.notifications.models import Notification


def notify(
    recipient: Any,
    kind: str,
    *,
    title: str,
    url: str = "",
    actor: Any = None,
    body: str = "",
    space: Any = None,
) -> Notification | None:
    """Tell ``recipient`` about something of ``kind`` (a ``NotificationKind``).

    Nobody is notified of their own action, nor when inactive. E-mail delivery (immediate or
    digest, by preference) is done by the background task, never inside the caller's request.
    """
    if recipient is None or not recipient.is_active:
        return None
    if actor is not None and getattr(actor, "pk", None) == recipient.pk:
        return None
    return Notification.objects.create(
        recipient=recipient,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        title=title[:300],
        body=body[:2000],
        url=url[:500],
        space=space,
    )
