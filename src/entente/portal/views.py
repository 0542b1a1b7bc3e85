"""The home page, and the pages where administrators and operators manage its app tiles and
announcements."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from entente.core.forms import attach_errors
from entente.core.permissions import get_for_action, require, visible
from entente.portal import dashboard, services
from entente.portal.forms import AnnouncementForm, TileForm
from entente.portal.models import Announcement, AppTile

#: the sections of the platform: (title, what it is for, URL name, still to come)
SECTIONS = [
    (
        gettext_lazy("Agenda"),
        gettext_lazy(
            "Planifier une réunion avec des personnes d'autres communes, voir leurs "
            "disponibilités, réserver une salle."
        ),
        "calendars:agenda",
        False,
    ),
    (
        gettext_lazy("Documents"),
        gettext_lazy(
            "Ranger et partager vos fichiers, dans votre organisation et avec les autres."
        ),
        "drive:home",
        False,
    ),
    (
        gettext_lazy("Espaces"),
        gettext_lazy("Ouvrir un espace de projet avec des membres de plusieurs organisations."),
        "spaces:index",
        False,
    ),
    (
        gettext_lazy("Annuaire"),
        gettext_lazy(
            "Trouver n'importe quel collègue du territoire par son nom, son service ou son mandat."
        ),
        "directory:index",
        False,
    ),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What matters today: meetings, invitations, documents, spaces, tasks, notifications,
    the applications and announcements of the organisation and the territory."""
    user = request.user
    today = timezone.localdate()
    return render(
        request,
        "portal/home.html",
        {
            "sections": SECTIONS if not user.is_guest else [],
            "today": today,
            "announcements": dashboard.current_announcements(user),
            "meetings": dashboard.upcoming_meetings(user, today),
            "invitations": dashboard.invitations(user),
            "documents": dashboard.recent_documents(user),
            "memberships": dashboard.my_spaces(user),
            "tasks": dashboard.my_tasks(user, today),
            "notifications": dashboard.unread_notifications(user),
            "tiles": dashboard.tiles(user),
        },
    )


# --- management ----------------------------------------------------------------------------


def _managed(user: Any, model: type) -> Any:
    """The rows of ``model`` ``user`` manages: every one for operators, their
    organisation's for its administrators."""
    rows = visible(user, model).select_related("organisation")
    if user.is_operator:
        return rows
    return rows.filter(organisation_id=user.organisation_id, organisation__isnull=False)


def _groups(rows: list[Any]) -> list[dict[str, Any]]:
    """Rows grouped by whom they are for: the territory first, then each organisation."""
    rows = sorted(rows, key=lambda r: (r.organisation_id is not None, str(r.organisation or "")))
    return [
        {"organisation": organisation, "rows": list(items)}
        for organisation, items in groupby(rows, key=lambda r: r.organisation)
    ]


def _scope(user: Any, form: Any) -> Any:
    """For whom the form's item is: the chosen one (operators), else the person's own."""
    if "organisation" in form.fields:
        return form.cleaned_data.get("organisation")
    return user.organisation


@login_required
def tiles(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, "manage", AppTile)
    rows = list(_managed(user, AppTile).order_by("position", "pk"))
    return render(request, "portal/tiles.html", {"groups": _groups(rows)})


@login_required
@require_http_methods(["GET", "POST"])
def tile_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    tile = None
    if pk is None:
        require(user, "manage", AppTile)
        initial: dict[str, Any] = {"is_active": True}
    else:
        tile = get_for_action(user, AppTile, "manage", pk=pk)
        initial = {
            "organisation": tile.organisation_id,
            "title": tile.title,
            "url": tile.url,
            "description": tile.description,
            "category": tile.category,
            "is_active": tile.is_active,
        }
    form = TileForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "organisation"}
        try:
            if tile is None:
                services.create_tile(user, organisation=_scope(user, form), **data)
                messages.success(request, _("La tuile est ajoutée."))
            else:
                scope = {"organisation": _scope(user, form)} if user.is_operator else {}
                services.update_tile(user, tile, **scope, **data)
                messages.success(request, _("La tuile est enregistrée."))
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return redirect("portal:tiles")
    return render(request, "portal/tile_form.html", {"form": form, "tile": tile})


@login_required
@require_http_methods(["GET", "POST"])
def tile_delete(request: HttpRequest, pk: int) -> HttpResponse:
    tile = get_for_action(request.user, AppTile, "manage", pk=pk)
    if request.method == "POST":
        services.delete_tile(request.user, tile)
        messages.success(request, _("La tuile « %(title)s » est supprimée.") % {"title": tile})
        return redirect("portal:tiles")
    return render(request, "portal/confirm_delete.html", {"item": tile, "kind": "tile"})


@login_required
@require_POST
def tile_move(request: HttpRequest, pk: int) -> HttpResponse:
    tile = get_for_action(request.user, AppTile, "manage", pk=pk)
    direction = request.POST.get("sens", "")
    if direction not in {"up", "down"}:
        messages.error(request, _("Choisissez « Monter » ou « Descendre »."))
    elif services.move_tile(request.user, tile, direction):
        label = _("monte") if direction == "up" else _("descend")
        messages.success(
            request,
            _("La tuile « %(title)s » %(move)s d'un rang.") % {"title": tile, "move": label},
        )
    else:
        messages.info(
            request, _("La tuile « %(title)s » est déjà à ce bout de la liste.") % {"title": tile}
        )
    return redirect(f"{reverse('portal:tiles')}#tuile-{tile.pk}")


@login_required
def announcements(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(user, "manage", Announcement)
    rows = list(_managed(user, Announcement).order_by("-starts_at", "-pk"))
    now = timezone.now()
    for row in rows:
        row.state = (
            "future" if row.starts_at > now else "past" if not row.is_current(now) else "current"
        )
    return render(request, "portal/announcements.html", {"groups": _groups(rows)})


@login_required
@require_http_methods(["GET", "POST"])
def announcement_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    announcement = None
    if pk is None:
        require(user, "manage", Announcement)
        initial: dict[str, Any] = {}
    else:
        announcement = get_for_action(user, Announcement, "manage", pk=pk)
        initial = {
            "organisation": announcement.organisation_id,
            "title": announcement.title,
            "body": announcement.body,
            "level": announcement.level,
            "starts_at": timezone.localtime(announcement.starts_at),
            "ends_at": announcement.ends_at and timezone.localtime(announcement.ends_at),
        }
    form = AnnouncementForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "organisation"}
        try:
            if announcement is None:
                services.create_announcement(user, organisation=_scope(user, form), **data)
                messages.success(request, _("L'annonce est publiée."))
            else:
                scope = {"organisation": _scope(user, form)} if user.is_operator else {}
                services.update_announcement(user, announcement, **scope, **data)
                messages.success(request, _("L'annonce est enregistrée."))
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return redirect("portal:announcements")
    return render(
        request, "portal/announcement_form.html", {"form": form, "announcement": announcement}
    )


@login_required
@require_http_methods(["GET", "POST"])
def announcement_delete(request: HttpRequest, pk: int) -> HttpResponse:
    announcement = get_for_action(request.user, Announcement, "manage", pk=pk)
    if request.method == "POST":
        services.delete_announcement(request.user, announcement)
        messages.success(
            request, _("L'annonce « %(title)s » est retirée.") % {"title": announcement}
        )
        return redirect("portal:announcements")
    return render(
        request, "portal/confirm_delete.html", {"item": announcement, "kind": "announcement"}
    )
