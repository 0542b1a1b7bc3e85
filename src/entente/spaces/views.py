"""The pages of spaces under /espaces/: my spaces and the ones I may discover, create one, a
space's page, its members (add, change a role, remove, leave) and its settings (rename,
visibility, archive). Every page asks the permission engine; every change goes through
``entente.spaces.services`` (the settings form excepted, until the lead moves it there)."""

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

from entente.accounts.forms import GuestInvitationForm
from entente.core.forms import attach_errors
from entente.core.permissions import can, require, visible
from entente.directory.search import search_people
from entente.spaces import services
from entente.spaces.activity import mark_seen, unread_count
from entente.spaces.forms import (
    ROLE_HELP,
    AcceptForm,
    AddMemberForm,
    JoinRequestForm,
    RoleForm,
    SearchForm,
    SpaceForm,
    role_choices,
)
from entente.spaces.frame import frame as _frame
from entente.spaces.frame import role_label as _role_label
from entente.spaces.frame import space_or_404 as _space
from entente.spaces.models import (
    Activity,
    ActivityVerb,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Space,
    SpaceRole,
    Visibility,
    role_rank,
)
from entente.spaces.permissions import member_role

#: members listed per page, spaces to discover per page
PAGE_SIZE = 50
#: people proposed by one search of the members page
SEARCH_LIMIT = 20


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


def _paginate(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


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


def _join_request(space: Space, join_request_pk: int) -> JoinRequest:
    row = space.join_requests.select_related("user", "space").filter(pk=join_request_pk).first()
    if row is None:
        raise Http404
    return row


@login_required
@require_POST
def accept_join(request: HttpRequest, pk: int, join_request: int) -> HttpResponse:
    space = _space(request, pk, "manage")
    row = _join_request(space, join_request)
    form = AcceptForm(request.POST, actor_role=member_role(request.user, space))
    if not form.is_valid():
        messages.error(request, _("Choisissez un rôle dans la liste."))
        return redirect(_members_url(space, "demandes"))
    try:
        membership = services.accept_join_request(request.user, row, form.cleaned_data["role"])
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
        return redirect(_members_url(space, "demandes"))
    messages.success(
        request,
        _("%(person)s a rejoint « %(space)s » : %(role)s. Vous pouvez changer son rôle ici.")
        % {"person": _name(row.user), "space": space, "role": _role_label(membership.role).lower()},
    )
    return redirect(_members_url(space, f"membre-{membership.pk}"))


@login_required
@require_POST
def refuse_join(request: HttpRequest, pk: int, join_request: int) -> HttpResponse:
    space = _space(request, pk, "manage")
    row = _join_request(space, join_request)
    try:
        services.refuse_join_request(request.user, row)
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("La demande de %(person)s est refusée ; la personne en est prévenue.")
            % {"person": _name(row.user)},
        )
    return redirect(_members_url(space, "demandes"))


# ---------------------------------------------------------------- members


def _members(
    request: HttpRequest,
    space: Space,
    add_form: AddMemberForm | None = None,
    query: str | None = None,
    guest_form: GuestInvitationForm | None = None,
) -> HttpResponse:
    user = request.user
    context = _frame(request, space, "members")
    my_role = context["my_role"]
    manage = context["can_manage"]
    my_rank = role_rank(my_role)
    page = _paginate(
        request,
        space.memberships.select_related("user__organisation", "user__service").order_by(
            "user__last_name", "user__first_name", "pk"
        ),
    )
    choices = role_choices(my_role) if manage else []
    rows = []
    for membership in page:
        within = manage and role_rank(membership.role) <= my_rank
        rows.append(
            {
                "membership": membership,
                "person": membership.user,
                "is_me": membership.user_id == user.pk,
                "role_label": _role_label(membership.role),
                "can_change": within,
                "can_remove": within and membership.user_id != user.pk,
            }
        )
    if query is None:
        search = SearchForm(request.GET or None)
        query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    searching = manage and not space.is_archived and bool(query)
    candidates: list[Any] = []
    already: list[Any] = []
    if searching:
        found = search_people(user, query, limit=SEARCH_LIMIT)
        members = set(
            space.memberships.filter(user_id__in=[p.pk for p in found]).values_list(
                "user_id", flat=True
            )
        )
        for person in found:
            (already if person.pk in members else candidates).append(person)
    context.update(
        {
            "rows": rows,
            "page": page,
            "page_query": _query_without_page(request),
            "role_choices": choices,
            "role_help": [(value, label, ROLE_HELP[value]) for value, label in choices],
            "query": query,
            "searching": searching,
            "candidates": candidates,
            "already": already,
            "add_form": add_form or AddMemberForm(actor_role=my_role),
            "guest_form": guest_form or _guest_form(space, my_role),
            "guests_allowed": space.organisation.policy.guests_allowed,
            "join_requests": _pending_requests(space, my_role) if manage else [],
        }
    )
    return render(request, "spaces/members.html", context)


def _pending_requests(space: Space, my_role: str | None) -> list[dict[str, Any]]:
    rows = space.join_requests.filter(status=JoinRequestStatus.PENDING).select_related(
        "user__organisation", "user__service"
    )
    return [
        {
            "request": row,
            "person": row.user,
            "form": AcceptForm(actor_role=my_role, prefix=f"demande-{row.pk}"),
        }
        for row in rows.order_by("created_at", "pk")
    ]


@login_required
def members(request: HttpRequest, pk: int) -> HttpResponse:
    return _members(request, _space(request, pk, "view_content"))


GUEST_ROLES = {SpaceRole.READER, SpaceRole.CONTRIBUTOR}


def _members_url(space: Space, anchor: str = "") -> str:
    return reverse("spaces:members", args=[space.pk]) + (f"#{anchor}" if anchor else "")


def _name(person: Any) -> str:
    return person.get_full_name() or person.email


@login_required
@require_POST
def add_member(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager adds one of the people the search found, with a role."""
    space = _space(request, pk, "manage")
    user = request.user
    form = AddMemberForm(request.POST, actor_role=member_role(user, space))
    query = request.POST.get("q", "")[:100].strip()
    if form.is_valid():
        # Only someone the manager may find in the directory: no adding people by guessing ids.
        person = (
            visible(user, get_user_model())
            .filter(pk=form.cleaned_data["user"], is_active=True)
            .first()
        )
        if person is None:
            form.add_error(None, _("Cette personne est introuvable : cherchez-la à nouveau."))
        else:
            try:
                services.add_member(user, space, person, form.cleaned_data["role"])
            except ValidationError as error:
                attach_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("%(person)s est maintenant membre de « %(space)s » : %(role)s.")
                    % {
                        "person": _name(person),
                        "space": space,
                        "role": _role_label(form.cleaned_data["role"]).lower(),
                    },
                )
                return redirect(_members_url(space, "membres"))
    return _members(request, space, add_form=form, query=query)


def _guest_form(space: Space, my_role: str | None, data: Any = None) -> GuestInvitationForm:
    # a guest never owns nor manages a space
    roles = [(v, label) for v, label in role_choices(my_role) if v in GUEST_ROLES]
    return GuestInvitationForm(data, roles=roles, prefix="invite")


@login_required
@require_POST
def invite_guest(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager invites someone from outside the territory (association, state service,
    contractor): a guest account, e-mailed its link, that reaches only this space."""
    space = _space(request, pk, "manage")
    form = _guest_form(space, member_role(request.user, space), request.POST)
    if form.is_valid():
        try:
            membership = services.invite_guest(
                request.user,
                space,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                expires_at=form.expires_at(),
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _(
                    "%(person)s est invité·e dans « %(space)s » : un e-mail lui donne le lien "
                    "pour créer son accès."
                )
                % {"person": _name(membership.user), "space": space},
            )
            return redirect(_members_url(space, "membres"))
    return _members(request, space, guest_form=form)


def _membership(space: Space, membership_pk: int) -> Membership:
    membership = space.memberships.select_related("user").filter(pk=membership_pk).first()
    if membership is None:
        raise Http404
    return membership


def _refused(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
    messages.error(request, text or _("Vous n'avez pas le droit de faire cette action."))


@login_required
@require_POST
def change_role(request: HttpRequest, pk: int, membership: int) -> HttpResponse:
    space = _space(request, pk, "manage")
    row = _membership(space, membership)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un rôle dans la liste."))
        return redirect(_members_url(space, f"membre-{row.pk}"))
    role = form.cleaned_data["role"]
    try:
        services.set_role(request.user, row, role)
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("%(person)s est maintenant %(role)s.")
            % {"person": _name(row.user), "role": _role_label(role).lower()},
        )
    return redirect(_members_url(space, f"membre-{row.pk}"))


@login_required
@require_POST
def remove_member(request: HttpRequest, pk: int, membership: int) -> HttpResponse:
    space = _space(request, pk, "manage")
    row = _membership(space, membership)
    if row.user_id == request.user.pk:
        return redirect("spaces:leave", pk=space.pk)
    try:
        services.remove_member(request.user, row)
    except (ValidationError, PermissionDenied) as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("%(person)s n'est plus membre de « %(space)s » : son accès à l'espace a pris fin.")
            % {"person": _name(row.user), "space": space},
        )
    return redirect(_members_url(space, "membres"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    """A member leaves the space (its last owner must first name another one)."""
    space = _space(request, pk, "view_content")
    user = request.user
    row = space.memberships.get(user_id=user.pk)
    last_owner = (
        row.role == SpaceRole.OWNER
        and not space.memberships.filter(role=SpaceRole.OWNER).exclude(pk=row.pk).exists()
    )
    if request.method == "POST":
        try:
            services.remove_member(user, row)
        except (ValidationError, PermissionDenied) as error:
            _refused(request, error)
            return redirect("spaces:leave", pk=space.pk)
        messages.success(request, _("Vous avez quitté l'espace « %(space)s ».") % {"space": space})
        return redirect("spaces:index")
    context = _frame(request, space, "members")
    context["last_owner"] = last_owner
    return render(request, "spaces/leave.html", context)


# ---------------------------------------------------------------- settings


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
