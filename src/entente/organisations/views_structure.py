"""Administration console: an organisation's services tree and its groups of people."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from entente.accounts.models import User
from entente.core.forms import attach_errors
from entente.core.permissions import get_for_action, visible
from entente.directory import services
from entente.directory.forms import GroupForm, ServiceForm
from entente.directory.models import MAX_SERVICE_DEPTH, Group, Service
from entente.organisations.console import own_organisation, render_console
from entente.organisations.models import Organisation

# --- services -----------------------------------------------------------------------------------


def _org_services(request: HttpRequest, organisation: Organisation) -> QuerySet:
    return visible(request.user, Service).filter(organisation=organisation)


@login_required
def service_tree(request: HttpRequest) -> HttpResponse:
    """The organisation's services as a nested list, with the number of people in each."""
    organisation = own_organisation(request, "manage_structure")
    rows = _org_services(request, organisation).annotate(
        people_count=Count("people", filter=Q(people__is_active=True))
    )
    context = {
        "organisation": organisation,
        "tree": services.build_tree(rows),
        "max_depth": MAX_SERVICE_DEPTH,
    }
    return render_console(request, "admin_org/services.html", context, "services")


@login_required
def service_create(request: HttpRequest) -> HttpResponse:
    organisation = own_organisation(request, "manage_structure")
    initial = (
        {"parent": request.GET.get("parent")} if request.GET.get("parent", "").isdigit() else None
    )
    form = ServiceForm(
        request.POST or None, services=_org_services(request, organisation), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            service = services.do_create_service(request.user, organisation, form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, _("Le service « %(name)s » est créé.") % {"name": service.name}
            )
            return redirect("admin_org:services")
    context = {"organisation": organisation, "form": form}
    return render_console(request, "admin_org/service_form.html", context, "services")


def _service(request: HttpRequest, pk: int, action: str) -> Service:
    """A service ``request.user`` may see (else 404) and act on with ``action`` (else 403)."""
    service = get_for_action(request.user, Service, action, pk=pk)
    return service


@login_required
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = _service(request, pk, "edit")
    organisation = service.organisation
    form = ServiceForm(
        request.POST or None, services=_org_services(request, organisation), service=service
    )
    if request.method == "POST" and form.is_valid():
        try:
            service = services.do_update_service(request.user, service, form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, _("Le service « %(name)s » est enregistré.") % {"name": service.name}
            )
            return redirect("admin_org:services")
    context = {"organisation": organisation, "form": form, "service": service}
    return render_console(request, "admin_org/service_form.html", context, "services")


@login_required
def service_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: ask to confirm. POST: delete, or say why not (people or sub-services left)."""
    service = _service(request, pk, "delete")
    if request.method == "POST":
        try:
            services.do_delete_service(request.user, service)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("admin_org:service_edit", pk=service.pk)
        messages.success(
            request, _("Le service « %(name)s » est supprimé.") % {"name": service.name}
        )
        return redirect("admin_org:services")
    context = {
        "service": service,
        "people_count": User.objects.filter(service=service).count(),
        "children_count": service.children.count(),
    }
    return render_console(request, "admin_org/service_delete.html", context, "services")


# --- groups -------------------------------------------------------------------------------------


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    organisation = own_organisation(request, "manage_structure")
    groups = (
        visible(request.user, Group)
        .filter(organisation=organisation)
        .annotate(member_count=Count("members"))
    )
    context = {"organisation": organisation, "groups": groups}
    return render_console(request, "admin_org/groups.html", context, "groups")


def _candidates(
    request: HttpRequest, organisation: Organisation, group: Group | None = None
) -> QuerySet:
    """Who may be chosen as a member: the organisation's active people and current members."""
    people = visible(request.user, User).filter(organisation=organisation)
    keep = Q(is_active=True)
    if group is not None:
        keep |= Q(pk__in=group.members.values("pk"))
    return people.filter(keep).order_by("last_name", "first_name", "pk")


@login_required
def group_create(request: HttpRequest) -> HttpResponse:
    organisation = own_organisation(request, "manage_structure")
    form = GroupForm(request.POST or None, people=_candidates(request, organisation))
    if request.method == "POST" and form.is_valid():
        try:
            group = services.do_create_group(request.user, organisation, form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Le groupe « %(name)s » est créé.") % {"name": group.name})
            return redirect("admin_org:groups")
    context = {"organisation": organisation, "form": form}
    return render_console(request, "admin_org/group_form.html", context, "groups")


def _group(request: HttpRequest, pk: int, action: str) -> Group:
    group = get_for_action(request.user, Group, action, pk=pk)
    return group


@login_required
def group_edit(request: HttpRequest, pk: int) -> HttpResponse:
    group = _group(request, pk, "edit")
    form = GroupForm(
        request.POST or None, people=_candidates(request, group.organisation, group), group=group
    )
    if request.method == "POST" and form.is_valid():
        try:
            group = services.do_update_group(request.user, group, form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, _("Le groupe « %(name)s » est enregistré.") % {"name": group.name}
            )
            return redirect("admin_org:groups")
    context = {"organisation": group.organisation, "form": form, "group": group}
    return render_console(request, "admin_org/group_form.html", context, "groups")


@login_required
def group_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: ask to confirm. POST: delete (members keep their accounts)."""
    group = _group(request, pk, "delete")
    if request.method == "POST":
        services.do_delete_group(request.user, group)
        messages.success(request, _("Le groupe « %(name)s » est supprimé.") % {"name": group.name})
        return redirect("admin_org:groups")
    context = {"group": group, "member_count": group.members.count()}
    return render_console(request, "admin_org/group_delete.html", context, "groups")
