"""The unread count shown on the bell of the header, on every page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from entente.core.permissions import is_active_user


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not is_active_user(user):
        return {}
    from entente.notifications.services import unread_count

    return {"unread_notifications": unread_count(user)}
