"""Template context shared by every page of the shell (navigation and the signed-in person)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from entente.core.permissions import can, is_active_user

NAVIGATION = [
    ("home", _("Accueil"), "portal:home"),
    ("agenda", _("Agenda"), "calendars:agenda"),
    ("documents", _("Documents"), "drive:home"),
    ("spaces", _("Espaces"), "spaces:index"),
    ("directory", _("Annuaire"), "directory:index"),
]


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not is_active_user(user):
        return {"nav_items": []}
    current = request.path
    items = []
    for key, label, name in NAVIGATION:
        url = reverse(name)
        active = current == url if url == "/" else current.startswith(url)
        items.append({"key": key, "label": label, "url": url, "active": active})
    organisation = user.organisation
    if user.is_operator or (organisation and can(user, "manage_people", organisation)):
        url = reverse("admin_org:index")
        items.append(
            {
                "key": "admin",
                "label": _("Administration"),
                "url": url,
                "active": current.startswith(url),
            }
        )
    return {"nav_items": items}
