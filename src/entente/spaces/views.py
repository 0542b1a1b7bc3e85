"""The pages of spaces under /espaces/: my spaces and the ones I may discover, create one, a
space's page (with its latest activity), asking to join an open space, the activity feed, the
agenda shortcut, the settings (rename, visibility, archive). The members page is in
``views_members``. Every page asks the permission engine; every change goes through
``entente.spaces.services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from entente.core.forms import attach_errors
from entente.core.permissions import can, require, visible
from entente.spaces import services
from entente.spaces.activity import mark_seen, unread_count
from entente.spaces.forms import (
    JoinRequestForm,
    SearchForm,
    SpaceForm,
)
from entente.spaces.frame import frame as _frame
from entente.spaces.frame import paginate as _paginate
from entente.spaces.frame import person_name as _name
from entente.spaces.frame import query_without_page as _query_without_page
from entente.spaces.frame import refused as _refused
from entente.spaces.frame import role_label as _role_label
from entente.spaces.frame import space_or_404 as _space
from entente.spaces.models import (
    Activity,
    ActivityVerb,
    JoinRequestStatus,
    Membership,
    Space,
    SpaceRole,
    Visibility,
)


@login_required
def agenda(request: HttpRequest, pk: int) -> HttpResponse:
    """The space's agenda: made on first visit, shown in the agenda beside one's own."""
    from entente.calendars.services import default_calendar, space_calendar

    space = _space(request, pk, "view_content")
    calendar = space_calendar(space)
    shown = [calendar.pk]
    if request.user.organisation_id:
        shown.insert(0, default_calendar(request.user).pk)
    query = "&".join(["choix=1", *(f"cal={pk}" for pk in shown)])
    return redirect(f"{reverse('calendars:agenda')}?{query}")


# ---------------------------------------------------------------- my spaces, create one


def _index(request: HttpRequest, create_form: SpaceForm | None = None) -> HttpResponse:
    user = request.user
    spaces = (
        visible(user, Space)
        .select_related("organisation")
        .annotate(
            member_count=Count("memberships"),
            my_role=Subquery(
                Membership.objects.filter(space=OuterRef("pk"), user_id=user.pk).values("role")[:1]
            ),
        )
    )
    mine = list(
        spaces.filter(my_role__isnull=False).order_by(
            F("archived_at").asc(nulls_first=True), "name", "pk"
        )
    )
    for space in mine:
        space.my_role_label = _role_label(space.my_role)
    search = SearchForm(request.GET or None)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    others = spaces.filter(my_role__isnull=True).order_by("name", "pk")
    if query:
        others = others.filter(name__icontains=query)
    can_create = can(user, "create", Space)
    return render(
        request,
        "spaces/index.html",
        {
            "mine": mine,
            "others": _paginate(request, others),
            "query": query,
            "page_query": _query_without_page(request),
            "can_create": can_create,
            "create_form": create_form
            or (SpaceForm(prefix="nouvel", initial={"visibility": Visibility.PRIVATE})),
            "open_value": Visibility.OPEN,
        },
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return _index(request)


@login_required
@require_POST
def create(request: HttpRequest) -> HttpResponse:
    require(request.user, "create", Space)
    form = SpaceForm(request.POST, prefix="nouvel")
    if form.is_valid():
        try:
            space = services.create_space(
                request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                visibility=form.cleaned_data["visibility"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("L'espace « %(name)s » est créé. Ajoutez-y ses membres.") % {"name": space},
            )
            return redirect("spaces:members", pk=space.pk)
    return _index(request, create_form=form)


# ---------------------------------------------------------------- one space


#: lines of « Dernière activité » on a space's page
RECENT_ACTIVITY = 5


def _safe_path(url: str) -> str:
    """A link of the feed only if it is a path of the platform."""
    return url if url.startswith("/") and not url.startswith(("//", "/\\")) else ""


def _activity_rows(rows: Any, last_seen: Any, me: Any) -> list[dict[str, Any]]:
    labels = dict(ActivityVerb.choices)
    return [
        {
            "activity": row,
            "actor": _name(row.actor) if row.actor else _("Une personne"),
            "verb": labels.get(row.verb, row.verb),
            "label": row.target_label,
            "url": _safe_path(row.target_url),
            "at": row.created_at,
            "unread": row.actor_id != me.pk and (last_seen is None or row.created_at > last_seen),
        }
        for row in rows
    ]


def _my_membership(space: Space, user: Any) -> Membership | None:
    return space.memberships.filter(user_id=user.pk).first()


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _space(request, pk))


def _detail(
    request: HttpRequest, space: Space, join_form: JoinRequestForm | None = None
) -> HttpResponse:
    context = _frame(request, space, "detail")
    user = request.user
    if context["is_member"]:
        membership = _my_membership(space, user)
        recent = space.activities.select_related("actor").order_by("-created_at", "-pk")[
            :RECENT_ACTIVITY
        ]
        context["recent"] = _activity_rows(recent, membership.last_seen_at, user)
        context["unread"] = unread_count(membership)
        if context["can_manage"]:
            context["pending_count"] = space.join_requests.filter(
                status=JoinRequestStatus.PENDING
            ).count()
        organisations = list(
            space.memberships.order_by()
            .values("user__organisation__name")
            .annotate(count=Count("pk"))
            .order_by(F("user__organisation__name").asc(nulls_last=True))
        )
        context["organisations"] = [
            {"name": row["user__organisation__name"], "count": row["count"]}
            for row in organisations
        ]
        context["member_count"] = sum(row["count"] for row in organisations)
    elif space.visibility == Visibility.OPEN:
        # An open space says whom to ask: its managers the person may find in the directory.
        context["contacts"] = list(
            visible(request.user, get_user_model())
            .filter(
                is_active=True,
                space_memberships__space=space,
                space_memberships__role__in=[SpaceRole.OWNER, SpaceRole.MANAGER],
            )
            .select_related("organisation")
            .order_by("last_name", "first_name")[:5]
        )
        context["my_request"] = space.join_requests.filter(
            user_id=user.pk, status=JoinRequestStatus.PENDING
        ).first()
        context["can_join"] = can(user, "join", space)
        context["join_form"] = join_form or JoinRequestForm()
    return render(request, "spaces/detail.html", context)


@login_required
@require_POST
def join(request: HttpRequest, pk: int) -> HttpResponse:
    """Someone of the territory asks to enter an open space."""
    space = _space(request, pk, "join")
    form = JoinRequestForm(request.POST)
    if form.is_valid():
        try:
            services.request_to_join(request.user, space, form.cleaned_data["message"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Votre demande est envoyée aux gestionnaires de « %(space)s » : "
                    "vous serez prévenu·e de leur réponse."
                )
                % {"space": space},
            )
            return redirect("spaces:detail", pk=space.pk)
    return _detail(request, space, join_form=form)


@login_required
@require_POST
def cancel_join(request: HttpRequest, pk: int) -> HttpResponse:
    space = _space(request, pk)
    row = space.join_requests.filter(
        user_id=request.user.pk, status=JoinRequestStatus.PENDING
    ).first()
    if row is None:
        messages.error(request, _("Vous n'avez pas de demande en attente pour cet espace."))
        return redirect("spaces:detail", pk=space.pk)
    try:
        services.cancel_join_request(request.user, row)
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
    else:
        messages.success(request, _("Votre demande pour rejoindre l'espace est annulée."))
    return redirect("spaces:detail", pk=space.pk)


@transaction.atomic
def _update_space(actor: Any, form: SpaceForm) -> Space:
    return services.update_space(
        actor, form.instance, **{field: form.cleaned_data[field] for field in SpaceForm.Meta.fields}
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def space_settings(request: HttpRequest, pk: int) -> HttpResponse:
    space = _space(request, pk, "manage")
    # The form works on its own copy: an invalid name must not show up in the page's header.
    form = SpaceForm(
        request.POST if request.method == "POST" else None,
        instance=Space.objects.get(pk=space.pk),
    )
    if request.method == "POST" and form.is_valid():
        try:
            _update_space(request.user, form)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Les paramètres de l'espace sont enregistrés."))
            return redirect("spaces:settings", pk=space.pk)
    context = _frame(request, space, "settings")
    context["form"] = form
    return render(request, "spaces/settings.html", context)


@login_required
@require_POST
def archive(request: HttpRequest, pk: int) -> HttpResponse:
    space = _space(request, pk, "manage")
    archived = request.POST.get("archived") == "1"
    services.archive_space(request.user, space, archived)
    if archived:
        messages.success(
            request,
            _(
                "L'espace « %(space)s » est archivé : ses membres le consultent encore, "
                "plus personne ne le modifie."
            )
            % {"space": space},
        )
    else:
        messages.success(
            request, _("L'espace « %(space)s » est de nouveau actif.") % {"space": space}
        )
    return redirect("spaces:settings", pk=space.pk)


# ---------------------------------------------------------------- activity

#: lines of the activity feed per page
ACTIVITY_PAGE_SIZE = 50


@login_required
def activity(request: HttpRequest, pk: int) -> HttpResponse:
    """The space's feed, newest first, grouped by day; opening it marks it read."""
    space = _space(request, pk, "view_content")
    membership = _my_membership(space, request.user)
    if membership is None:  # removed between the two queries
        raise Http404
    last_seen = membership.last_seen_at
    page = _paginate_by(
        request,
        Activity.objects.filter(space=space).select_related("actor").order_by("-created_at", "-pk"),
        ACTIVITY_PAGE_SIZE,
    )
    rows = _activity_rows(page, last_seen, request.user)
    unread = unread_count(membership)
    mark_seen(membership)
    context = _frame(request, space, "activity", tab_label=_("Activité"), tab_url=request.path)
    context.update({"page": page, "rows": rows, "unread": unread, "last_seen": last_seen})
    return render(request, "spaces/activity.html", context)


def _paginate_by(request: HttpRequest, rows: Any, size: int) -> Any:
    return Paginator(rows, size).get_page(request.GET.get("page"))
