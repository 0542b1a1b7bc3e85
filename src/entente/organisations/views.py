"""Administration console: the overview page and the organisation's policies."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from entente.accounts.models import User
from entente.accounts.services import pending_invitation_q
from entente.core.forms import attach_errors
from entente.core.permissions import get_visible_or_404, require, visible
from entente.directory.models import Group, Service
from entente.organisations import services
from entente.organisations.console import render_console, sections
from entente.organisations.forms import PolicyForm
from entente.organisations.models import Organisation, Policy


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """What the person administers, with counts and the first actions."""
    user = request.user
    allowed = sections(user)
    if not allowed["index"]:
        if user.organisation is None:
            raise Http404("Cette page n'existe pas ou vous n'y avez pas accès.")
        require(user, "manage_people", user.organisation)
    context: dict = {"allowed": allowed, "organisation": user.organisation}
    organisation = user.organisation
    if allowed.get("people"):
        people = visible(user, User).filter(organisation=organisation)
        context["counts"] = {
            "active": people.filter(is_active=True).count(),
            "pending": people.filter(pending_invitation_q()).count(),
            "services": visible(user, Service).filter(organisation=organisation).count(),
            "groups": visible(user, Group).filter(organisation=organisation).count(),
        }
    if allowed["organisations"]:
        organisations = visible(user, Organisation)
        context["organisation_counts"] = {
            "total": organisations.count(),
            "inactive": organisations.filter(is_active=False).count(),
        }
    return render_console(request, "admin_org/index.html", context, "index")


@login_required
def policies(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Edit an organisation's policies: one's own (admins), or any organisation's (operators)."""
    if slug is None:
        organisation = request.user.organisation
        if organisation is None:
            raise Http404("Cette page n'existe pas ou vous n'y avez pas accès.")
    else:
        organisation = get_visible_or_404(request.user, Organisation, slug=slug)
    require(request.user, "edit_policies", organisation)
    policy, _created = Policy.objects.get_or_create(organisation=organisation)
    form = PolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_policy(request.user, organisation, form.policy_data())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _("Les politiques de %(org)s sont enregistrées. Elles s'appliquent dès maintenant.")
                % {"org": organisation.name},
            )
            return redirect(request.path)
    own = organisation.pk == request.user.organisation_id
    context = {"form": form, "organisation": organisation, "own": own}
    return render_console(
        request, "admin_org/policies.html", context, "policies" if own else "organisations"
    )
