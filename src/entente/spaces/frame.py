"""What every page of a space shares: fetching the space through the permission engine and
the context of its header (identity, tabs, the person's role)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from entente.core.permissions import can, get_visible_or_404, require
from entente.spaces.models import Space, SpaceRole
from entente.spaces.permissions import member_role


def drive_url(space: Space) -> str:
    return reverse("drive:space", args=[space.pk])


def space_or_404(request: HttpRequest, pk: int, action: str = "view") -> Space:
    """The space ``pk`` if the person may ``action`` on it.

    Someone who cannot see it gets the same 404 as for a missing space; its content is kept
    from non-members with that 404 too (as the documents pages do); a member who may not
    manage it gets a 403.
    """
    space = get_visible_or_404(request.user, Space, pk=pk)
    if action == "view_content":
        if not can(request.user, action, space):
            raise Http404
    elif action != "view":
        require(request.user, action, space)
    return space


def role_label(role: str | None) -> str:
    return SpaceRole(role).label if role else ""


def frame(request: HttpRequest, space: Space, tab: str, **extra: Any) -> dict[str, Any]:
    """What the header of every page of a space shows: its identity, the tabs the person may
    open, their role."""
    user = request.user
    role = member_role(user, space)
    member = role is not None
    return {
        "space": space,
        "tab": tab,
        "my_role": role,
        "my_role_label": role_label(role),
        "is_member": member,
        "can_manage": can(user, "manage", space),
        "can_contribute": can(user, "contribute", space),
        "drive_url": drive_url(space) if member else "",
        **extra,
    }


#: members listed per page, spaces to discover per page
PAGE_SIZE = 50


def paginate(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def person_name(person: Any) -> str:
    return person.get_full_name() or person.email


def refused(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    """Say why a change was refused, as a message of the next page."""
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text or _("Vous n'avez pas le droit de faire cette action."))
