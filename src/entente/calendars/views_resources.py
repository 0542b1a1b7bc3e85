"""Rooms and other bookable resources: the list a person may book, each one's week (another
organisation's room shows busy times only), and their management by organisation admins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from entente.calendars import services
from entente.calendars.forms import ResourceForm
from entente.calendars.freebusy import busy_bands
from entente.calendars.models import Resource
from entente.calendars.views import (
    Item,
    days_context,
    midnight,
    parse_day,
)
from entente.core.permissions import can, get_visible_or_404, visible


@login_required
def resources(request: HttpRequest) -> HttpResponse:
    user = request.user
    rows = []
    for resource in visible(user, Resource).select_related("organisation", "calendar"):
        rows.append(
            {
                "resource": resource,
                "own": resource.organisation_id == user.organisation_id,
                "bookable": can(user, "book", resource),
                "manage": can(user, "manage", resource),
                "agenda_url": reverse("calendars:resource_agenda", args=[resource.pk]),
            }
        )
    rows.sort(key=lambda r: (not r["own"], not r["resource"].is_active, r["resource"].name.lower()))
    return render(
        request,
        "calendars/resources.html",
        {"rows": rows, "can_create": can(user, "create", Resource)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def resource_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    resource = None
    if pk is not None:
        resource = get_visible_or_404(user, Resource, pk=pk)
        if not can(user, "manage", resource):
            raise Http404
    elif not can(user, "create", Resource):
        raise Http404
    initial: dict[str, Any] = {"is_active": True, "kind": "room"}
    if resource is not None:
        initial = {
            name: getattr(resource, name)
            for name in (
                "kind",
                "name",
                "location",
                "capacity",
                "equipment",
                "bookable_by_territory",
                "is_active",
            )
        }
    form = ResourceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            saved = services.save_resource(user, data, resource)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("« %(name)s » est enregistrée.") % {"name": saved.name})
            return redirect("calendars:resources")
    return render(request, "calendars/resource_form.html", {"form": form, "resource": resource})


def _show_errors(form: ResourceForm, error: ValidationError) -> None:
    """The model's errors by their fields; the name taken twice said in plain words."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.error_dict.items():
        for item in errors:
            if (
                item.code in ("unique", "unique_together")
                or name == "__all__"
                and "nom" in str(item.message).lower()
            ):
                form.add_error("name", _("Votre organisation a déjà une ressource de ce nom."))
            else:
                form.add_error(name if name in form.fields else None, item.messages)


@login_required
def resource_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    """A room's week: busy bands, with their titles where the viewer may read them."""
    user = request.user
    resource = get_visible_or_404(user, Resource, pk=pk)
    anchor = parse_day(request.GET["date"]) if request.GET.get("date") else timezone.localdate()
    monday = anchor - dt.timedelta(days=anchor.weekday())
    days = [monday + dt.timedelta(days=i) for i in range(7)]
    start, end = midnight(days[0]), midnight(days[-1] + dt.timedelta(days=1))
    calendar = getattr(resource, "calendar", None)
    titles = calendar is not None and can(user, "view", calendar)
    bands = busy_bands(user, [resource], start, end).get(resource) or []
    items = [
        Item(
            start=band.start,
            end=band.end,
            title=band.title if titles and band.title else _("Occupé"),
            details=bool(titles and band.title),
        )
        for band in bands
    ]

    def week_url(day: dt.date) -> str:
        return reverse("calendars:resource_agenda", args=[resource.pk]) + f"?date={day}"

    step = dt.timedelta(days=7)
    return render(
        request,
        "calendars/resource_agenda.html",
        {
            "resource": resource,
            "titles": titles,
            "bookable": can(user, "book", resource),
            "title": _("Semaine du %(first)s au %(last)s")
            % {
                "first": formats.date_format(days[0], "j F"),
                "last": formats.date_format(days[-1], "j F Y"),
            },
            "previous": (_("Semaine précédente"), week_url(monday - step)),
            "next": (_("Semaine suivante"), week_url(monday + step)),
            "today_url": week_url(timezone.localdate()),
            "new_event_url": reverse("calendars:new_event") + f"?salle={resource.pk}",
            **days_context(items, days, lambda d: ""),
        },
    )
