"""The members page of a space: the list, adding people of any organisation, inviting a guest,
changing a role, removing someone, leaving; and the decisions on requests to join."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from entente.accounts.forms import GuestInvitationForm
from entente.core.forms import attach_errors
from entente.core.permissions import visible
from entente.directory.search import search_people
from entente.spaces import services
from entente.spaces.forms import (
    ROLE_HELP,
    AcceptForm,
    AddMemberForm,
    RoleForm,
    SearchForm,
    role_choices,
)
from entente.spaces.frame import frame as _frame
from entente.spaces.frame import paginate as _paginate
from entente.spaces.frame import person_name as _name
from entente.spaces.frame import query_without_page as _query_without_page
from entente.spaces.frame import refused as _refused
from entente.spaces.frame import role_label as _role_label
from entente.spaces.frame import space_or_404 as _space
from entente.spaces.models import (
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Space,
    SpaceRole,
    role_rank,
)
from entente.spaces.permissions import member_role

#: people proposed by one search of the members page
SEARCH_LIMIT = 20


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


# ---------------------------------------------------------------- requests to join


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
