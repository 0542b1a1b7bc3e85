"""« Mes agendas »: the person's calendars (create, rename, colour, delete), the ones shared
with them, the shares of each of theirs, and its private subscription address; for an
organisation's administrators, the calendars of its services (create one, then rename, share,
delete it like any other)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from entente.calendars import services
from entente.calendars.forms import CalendarForm, ServiceCalendarForm, ShareForm
from entente.calendars.models import Calendar, CalendarKind, CalendarShare, ShareLevel
from entente.calendars.views import display_colours
from entente.core.forms import attach_errors
from entente.core.permissions import can, get_visible_or_404, visible
from entente.directory.models import MAX_SERVICE_DEPTH, Group, Service
from entente.organisations.models import Organisation
from entente.spaces.models import Membership, Space

LEVEL_HELP = {
    ShareLevel.FREEBUSY: _("voit quand vous êtes occupé·e, sans rien d'autre"),
    ShareLevel.READ: _("voit vos évènements (les privés restent « occupé »)"),
    ShareLevel.WRITE: _("voit, ajoute et modifie vos évènements, comme une assistante"),
}


def _url(name: str, *args: Any) -> str:
    """A link of another module of the agenda, or "" while that module is not mounted."""
    try:
        return reverse(f"calendars:{name}", args=args)
    except NoReverseMatch:
        return ""


def _managed(request: HttpRequest, pk: int) -> Calendar:
    """A calendar the person manages; the same 404 for missing and not allowed."""
    calendar = get_visible_or_404(request.user, Calendar, pk=pk)
    if not can(request.user, "manage", calendar):
        raise Http404
    return calendar


def _share_form(request: HttpRequest, calendar: Calendar, data: Any = None) -> ShareForm:
    user = request.user
    return ShareForm(
        data,
        viewer=user,
        groups=visible(user, Group),
        organisations=visible(user, Organisation).order_by("name"),
        spaces=Space.objects.filter(pk__in=Membership.objects.filter(user=user).values("space_id"))
        .exclude(pk=calendar.space_id or 0)
        .order_by("name"),
        prefix=f"partage-{calendar.pk}",
    )


def _structure_admin(user: Any) -> bool:
    """May ``user`` make the calendars of their organisation's services?"""
    return bool(
        user.is_org_admin
        and user.organisation_id
        and can(user, "manage_structure", user.organisation)
    )


def _service_paths(organisation_id: int) -> dict[int, str]:
    """« Direction › Service » for each service of the organisation, read in one query."""
    rows = {
        pk: (name, parent)
        for pk, name, parent in Service.objects.filter(organisation_id=organisation_id).values_list(
            "pk", "name", "parent_id"
        )
    }
    paths: dict[int, str] = {}
    for pk in rows:
        names, node, depth = [], pk, 0
        while node in rows and depth <= MAX_SERVICE_DEPTH:  # a broken tree cannot loop
            names.insert(0, rows[node][0])
            node, depth = rows[node][1], depth + 1
        paths[pk] = " › ".join(names)
    return paths


def _service_form(user: Any, paths: dict[int, str], data: Any = None) -> ServiceCalendarForm:
    """The form making a service calendar: only the services of the user's organisation."""
    return ServiceCalendarForm(
        data,
        services=Service.objects.filter(organisation_id=user.organisation_id).order_by("name"),
        paths=paths,
        prefix="service",
    )


def _page(
    request: HttpRequest,
    forms: dict[int, Any] | None = None,
    create_form: Any = None,
    service_form: Any = None,
):
    user = request.user
    forms = forms or {}
    admin = _structure_admin(user)
    paths = _service_paths(user.organisation_id) if admin else {}
    if user.organisation_id:
        services.default_calendar(user)
    readable = list(
        visible(user, Calendar)
        .exclude(kind=CalendarKind.RESOURCE)
        .select_related("owner", "service", "organisation")
    )
    colours = display_colours(readable)
    mine, shared, of_services = [], [], []
    service_ids = [
        c.pk
        for c in readable
        if admin and c.kind == CalendarKind.SERVICE and c.organisation_id == user.organisation_id
    ]
    service_shares: dict[int, list[CalendarShare]] = {pk: [] for pk in service_ids}
    if service_ids:
        for row in (
            CalendarShare.objects.filter(calendar_id__in=service_ids)
            .select_related("user", "group", "organisation", "space")
            .order_by("pk")
        ):
            service_shares[row.calendar_id].append(row)
    for calendar in readable:
        if calendar.pk in service_shares:
            of_services.append(
                {
                    "calendar": calendar,
                    "colour": colours.get(calendar.pk, 0),
                    "path": paths.get(calendar.service_id, calendar.service.name),
                    "shares": service_shares[calendar.pk],
                    "form": forms.get(calendar.pk) or _share_form(request, calendar),
                }
            )
        elif can(user, "manage", calendar) and calendar.kind == CalendarKind.PERSONAL:
            shares = list(
                calendar.shares.select_related("user", "group", "organisation", "space").order_by(
                    "pk"
                )
            )
            feed = _url("feed", calendar.feed_token)
            mine.append(
                {
                    "calendar": calendar,
                    "colour": colours.get(calendar.pk, 0),
                    "shares": shares,
                    "feed_url": request.build_absolute_uri(feed) if feed else "",
                    "export_url": _url("export_ics", calendar.pk),
                    "import_url": _url("import_ics", calendar.pk),
                    "form": forms.get(calendar.pk) or _share_form(request, calendar),
                }
            )
        else:
            shared.append(
                {
                    "calendar": calendar,
                    "colour": colours.get(calendar.pk, 0),
                    "owner": calendar.owner.get_full_name()
                    if calendar.owner
                    else (calendar.service.name if calendar.service else ""),
                    "level": _("Lecture et modification")
                    if can(user, "write", calendar)
                    else _("Lecture"),
                    "export_url": _url("export_ics", calendar.pk),
                }
            )
    return render(
        request,
        "calendars/calendars.html",
        {
            "mine": mine,
            "shared": shared,
            "structure_admin": admin,
            "has_services": bool(paths),
            "of_services": sorted(
                of_services, key=lambda row: (row["path"].lower(), row["calendar"].name.lower())
            ),
            "service_form": service_form or (_service_form(user, paths) if admin else None),
            "create_form": create_form or CalendarForm(prefix="nouvel", initial={"colour": ""}),
            "can_create": can(user, "create", Calendar),
            "level_help": [
                (level, label, LEVEL_HELP[level]) for level, label in ShareLevel.choices
            ],
        },
    )


@login_required
def calendars(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    form = CalendarForm(request.POST, prefix="nouvel")
    if not can(request.user, "create", Calendar):
        raise Http404
    if form.is_valid():
        try:
            calendar = services.create_calendar(
                request.user, name=form.cleaned_data["name"], colour=form.cleaned_data["colour"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("L'agenda « %(name)s » est créé.") % {"name": calendar})
            return redirect("calendars:calendars")
    return _page(request, create_form=form)


@login_required
@require_POST
def service_create(request: HttpRequest) -> HttpResponse:
    """An administrator makes the calendar of a service of their organisation."""
    user = request.user
    if not _structure_admin(user):
        raise Http404
    form = _service_form(user, _service_paths(user.organisation_id), request.POST)
    if form.is_valid():
        try:
            calendar = services.create_service_calendar(
                user,
                form.cleaned_data["service"],
                name=form.cleaned_data["name"],
                colour=form.cleaned_data["colour"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("L'agenda du service « %(name)s » est créé : ses agents peuvent y écrire.")
                % {"name": calendar},
            )
            return redirect(reverse("calendars:calendars") + f"#agenda-{calendar.pk}")
    return _page(request, service_form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _managed(request, pk)
    form = CalendarForm(
        request.POST or None, initial={"name": calendar.name, "colour": calendar.colour}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_calendar(
                request.user,
                calendar,
                name=form.cleaned_data["name"],
                colour=form.cleaned_data["colour"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, _("L'agenda « %(name)s » est enregistré.") % {"name": calendar}
            )
            return redirect("calendars:calendars")
    return render(request, "calendars/calendar_form.html", {"calendar": calendar, "form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _managed(request, pk)
    if request.method == "POST":
        try:
            services.delete_calendar(request.user, calendar)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("L'agenda « %(name)s » est supprimé.") % {"name": calendar})
        return redirect("calendars:calendars")
    return render(
        request,
        "calendars/calendar_delete.html",
        {
            "calendar": calendar,
            "protected": calendar.is_default,
            "event_count": calendar.events.filter(master__isnull=True).count(),
        },
    )


@login_required
@require_POST
def share(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _managed(request, pk)
    user = request.user
    form = _share_form(request, calendar, request.POST)
    if form.is_valid() and form.cleaned_data.get("grantee") is not None:
        grantee = form.cleaned_data["grantee"]
        try:
            services.share_calendar(user, calendar, grantee, form.cleaned_data["level"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("« %(name)s » est partagé avec %(grantee)s : %(level)s.")
                % {
                    "name": calendar,
                    "grantee": _grantee_name(grantee),
                    "level": ShareLevel(form.cleaned_data["level"]).label,
                },
            )
            return redirect("calendars:calendars")
    return _page(request, forms={calendar.pk: form})


def _grantee_name(grantee: Any) -> str:
    if hasattr(grantee, "get_full_name"):
        return grantee.get_full_name() or grantee.email
    return str(grantee)


@login_required
@require_POST
def unshare(request: HttpRequest, pk: int, share: int) -> HttpResponse:
    calendar = _managed(request, pk)
    row = CalendarShare.objects.filter(pk=share, calendar=calendar).first()
    if row is None:
        raise Http404
    services.unshare_calendar(request.user, row)
    messages.success(
        request,
        _("%(grantee)s n'a plus accès à « %(name)s ».")
        % {"grantee": _grantee_name(row.grantee), "name": calendar},
    )
    return redirect("calendars:calendars")


@login_required
@require_POST
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _managed(request, pk)
    services.renew_feed_token(request.user, calendar)
    messages.success(
        request,
        _(
            "L'adresse d'abonnement de « %(name)s » est renouvelée : l'ancienne ne fonctionne plus. "
            "Collez la nouvelle dans vos logiciels."
        )
        % {"name": calendar},
    )
    return redirect(reverse("calendars:calendars") + f"#agenda-{calendar.pk}")
