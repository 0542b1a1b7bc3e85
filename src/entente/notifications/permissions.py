"""Permission rules for notifications.

Actions on a ``Notification``:

- ``view``: its recipient only (nobody else, not even an administrator or an operator);
- ``mark_read`` (open it, mark it read): its recipient.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from entente.core.permissions import Rules, register
from entente.notifications.models import Notification


@register(Notification)
class NotificationRules(Rules):
    actions = ("view", "mark_read")

    def visible(self, user: Any) -> QuerySet:
        return Notification.objects.filter(recipient_id=user.pk)

    def can_view(self, user: Any, notification: Notification) -> bool:
        return notification.recipient_id == user.pk

    def can_mark_read(self, user: Any, notification: Notification) -> bool:
        return notification.recipient_id == user.pk
