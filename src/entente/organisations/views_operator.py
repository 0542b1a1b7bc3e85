"""Administration console for operators: the territory's organisations and their administrators."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from entente.accounts.forms import AddAdminForm
from entente.accounts.models import User
from entente.core.forms import attach_errors
from entente.core.permissions import (
    abilities,
    can,
    get_for_action,
    get_visible_or_404,
    require,
    visible,
)
from entente.organisations import services
from entente.organisations.console import render_console
from entente.organisations.forms import OrganisationForm
from entente.organisations.models import Organisation


def _organisation(request: HttpRequest, slug: str, action: str) -> Organisation:
    """An organisation ``request.user`` may see (else 404) and act on with ``action`` (else 403)."""
    organisation = get_for_action(request.user, Organisation, action, slug=slug)
    return organisation


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    """Every organisation of the territory, active or not, with its people and admins counted."""
    require(request.user, "administer", Organisation)
    organisations = (
        visible(request.user, Organisation)
        .annotate(
            people_count=Count("people", filter=Q(people__is_active=True), distinct=True),
            admin_count=Count(
                "people", filter=Q(people__is_active=True, people__is_org_admin=True), distinct=True
            ),
        )
        .prefetch_related("mail_domains")
        .order_by("-is_active", "name")
    )
    context = {"organisations": organisations}
    return render_console(request, "admin_org/organisations.html", context, "organisations")


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "create", Organisation)
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.do_create_organisation(request.user, form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(org)s fait maintenant partie du territoire, avec les politiques par défaut. "
                    "Nommez à présent son administrateur."
                )
                % {"org": organisation.name},
            )
            return redirect("admin_org:organisation_admins", slug=organisation.slug)
    return render_console(
        request, "admin_org/organisation_form.html", {"form": form}, "organisations"
    )


@login_required
def organisation_edit(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug, "edit")
    form = OrganisationForm(request.POST or None, request.FILES or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.do_update_organisation(
                request.user, organisation, form.cleaned_data
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("%(org)s est enregistrée.") % {"org": organisation.name})
            return redirect("admin_org:organisation_edit", slug=organisation.slug)
    context = {"form": form, "organisation": organisation}
    return render_console(request, "admin_org/organisation_form.html", context, "organisations")


@login_required
def organisation_deactivate(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: say what closing an organisation does and ask to confirm. POST: close it."""
    organisation = _organisation(request, slug, "edit")
    if request.method == "POST":
        try:
            services.do_set_organisation_active(request.user, organisation, False)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "%(org)s est désactivée : ses personnes ne figurent plus dans l'annuaire et "
                    "ses "
                    "administrateurs n'ont plus accès à la console. Rien n'est supprimé."
                )
                % {"org": organisation.name},
            )
        return redirect("admin_org:organisation_edit", slug=organisation.slug)
    context = {"organisation": organisation}
    return render_console(
        request, "admin_org/organisation_deactivate.html", context, "organisations"
    )


@login_required
@require_POST
def organisation_activate(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = _organisation(request, slug, "edit")
    services.do_set_organisation_active(request.user, organisation, True)
    messages.success(request, _("%(org)s est de nouveau active.") % {"org": organisation.name})
    return redirect("admin_org:organisation_edit", slug=organisation.slug)


@login_required
def organisation_admins(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation's administrators, and the form to name one more."""
    organisation = _organisation(request, slug, "manage_admins")
    form = AddAdminForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person, created = services.do_add_admin(request.user, organisation, form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            if created:
                text = _(
                    "%(name)s est administrateur·rice de %(org)s. Une invitation part à %(email)s "
                    "(lien valable %(days)d jours)."
                )
            else:
                text = _(
                    "%(name)s faisait déjà partie de %(org)s et en est maintenant "
                    "administrateur·rice."
                )
            params = {
                "name": person,
                "org": organisation.name,
                "email": person.email,
                "days": settings.INVITATION_TIMEOUT_DAYS,
            }
            messages.success(request, text % params)
            return redirect("admin_org:organisation_admins", slug=organisation.slug)
    admins = [
        (person, abilities(request.user, person, seen=True))
        for person in visible(request.user, User)
        .filter(organisation=organisation, is_org_admin=True)
        .order_by("last_name", "first_name", "pk")
    ]
    context = {"organisation": organisation, "admins": admins, "form": form}
    section = "organisations" if can(request.user, "administer", Organisation) else "people"
    return render_console(request, "admin_org/organisation_admins.html", context, section)


@login_required
@require_POST
def organisation_admin_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Remove someone's administrator role (never one's own)."""
    organisation = _organisation(request, slug, "manage_admins")
    person = get_visible_or_404(
        request.user, User, pk=pk, organisation=organisation, is_org_admin=True
    )
    if person.pk == request.user.pk:
        messages.error(
            request,
            _(
                "Vous ne pouvez pas retirer votre propre rôle d'administrateur : demandez-le à "
                "un autre administrateur."
            ),
        )
        return redirect("admin_org:organisation_admins", slug=organisation.slug)
    require(request.user, "set_admin", person)
    services.do_revoke_admin(request.user, person)
    text = _("%(name)s n'est plus administrateur·rice de %(org)s ; son compte reste actif.")
    params = {"name": person, "org": organisation.name}
    remaining = (
        visible(request.user, User)
        .filter(organisation=organisation, is_org_admin=True, is_active=True)
        .exists()
    )
    messages.success(request, text % params)
    if not remaining:
        messages.warning(
            request, _("%(org)s n'a plus aucun administrateur actif : nommez-en un.") % params
        )
    return redirect("admin_org:organisation_admins", slug=organisation.slug)
