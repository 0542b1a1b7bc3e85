"""Administration console: an organisation's people (list, create, edit, deactivate, invite)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from entente.accounts import services
from entente.accounts.forms import PeopleFilterForm, PersonForm
from entente.accounts.models import User
from entente.core.forms import attach_errors
from entente.core.permissions import (
    abilities,
    can,
    get_for_action,
    visible,
)
from entente.directory.models import Service
from entente.organisations.console import (
    own_organisation,
    paginate,
    query_without_page,
    render_console,
    safe_next,
)


@login_required
def people(request: HttpRequest) -> HttpResponse:
    """The people of the admin's organisation: search, filters, 50 per page."""
    organisation = own_organisation(request, "manage_people")
    filters = PeopleFilterForm(request.GET or None)
    queryset = filters.apply(
        visible(request.user, User).filter(organisation=organisation).select_related("service")
    ).order_by("last_name", "first_name", "pk")
    page = paginate(request, queryset)
    context = {
        "organisation": organisation,
        "filters": filters,
        "page": page,
        "query": query_without_page(request),
    }
    return render_console(request, "admin_org/people_list.html", context, "people")


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    """A new person of the admin's organisation, invited by e-mail unless the box is unticked."""
    organisation = own_organisation(request, "manage_people")
    org_services = visible(request.user, Service).filter(organisation=organisation)
    form = PersonForm(request.POST or None, services=org_services)
    if request.method == "POST" and form.is_valid():
        invite = form.cleaned_data["send_invitation"]
        try:
            person = services.do_create_person(
                request.user, organisation, form.person_data(), invite=invite
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            if invite:
                messages.success(
                    request,
                    _(
                        "%(name)s a été ajouté·e. Une invitation part à %(email)s : le lien pour "
                        "choisir un mot de passe reste valable %(days)d jours."
                    )
                    % {
                        "name": person,
                        "email": person.email,
                        "days": settings.INVITATION_TIMEOUT_DAYS,
                    },
                )
            else:
                messages.success(
                    request,
                    _(
                        "%(name)s a été ajouté·e, sans invitation. Quand vous serez prêt, utilisez "
                        "« Envoyer l'invitation » sur cette page."
                    )
                    % {"name": person},
                )
            return redirect("admin_org:person_detail", pk=person.pk)
    context = {"organisation": organisation, "form": form}
    return render_console(request, "admin_org/person_create.html", context, "people")


def _person(request: HttpRequest, pk: int, action: str) -> User:
    """A person ``request.user`` may see (else 404) and act on with ``action`` (else 403)."""
    person = get_for_action(request.user, User, action, pk=pk)
    return person


def _back_to(request: HttpRequest, person: User) -> str:
    """Where a person's page leads back: the people list, or the organisation's admins."""
    if person.organisation is None:
        return reverse("admin_org:index")
    if can(request.user, "manage_people", person.organisation):
        return reverse("admin_org:people")
    return reverse("admin_org:organisation_admins", args=[person.organisation.slug])


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's card and the form to change it, with the account actions beside it."""
    person = _person(request, pk, "edit")
    person = User.objects.select_related("organisation", "service").get(pk=person.pk)
    org_services = visible(request.user, Service).filter(organisation=person.organisation)
    form = PersonForm(
        request.POST or None,
        services=org_services,
        person=person,
        can_set_admin=can(request.user, "set_admin", person),
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = services.do_update_person(request.user, person, form.person_data())
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, _("Les informations de %(name)s sont enregistrées.") % {"name": person}
            )
            if can(request.user, "edit", person):
                return redirect("admin_org:person_detail", pk=person.pk)
            return redirect(_back_to(request, person))
    context = {
        "person": person,
        "form": form,
        "can": abilities(request.user, person, seen=True),
        "back": _back_to(request, person),
    }
    section = (
        "people" if can(request.user, "manage_people", person.organisation) else "organisations"
    )
    return render_console(request, "admin_org/person_detail.html", context, section)


@login_required
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: say what deactivating does and ask to confirm. POST: deactivate."""
    person = _person(request, pk, "deactivate")
    if request.method == "POST":
        try:
            services.do_deactivate_person(request.user, person)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "%(name)s est désactivé·e : ses sessions sont fermées et le compte ne peut "
                    "plus se connecter. Vous pouvez le réactiver à tout moment."
                )
                % {"name": person},
            )
        return redirect("admin_org:person_detail", pk=person.pk)
    context = {"person": person, "back": reverse("admin_org:person_detail", args=[person.pk])}
    section = (
        "people" if can(request.user, "manage_people", person.organisation) else "organisations"
    )
    return render_console(request, "admin_org/person_deactivate.html", context, section)


@login_required
@require_POST
def person_sign_out(request: HttpRequest, pk: int) -> HttpResponse:
    """End all the person's sessions at once (a lost phone, a shared computer left signed in)."""
    person = _person(request, pk, "sign_out")
    try:
        ended = services.do_force_sign_out(request.user, person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if ended:
            text = _(
                "%(name)s est déconnecté·e de tous ses appareils. Son compte reste actif : "
                "la personne peut se reconnecter."
            )
        else:
            text = _("%(name)s n'avait aucune session ouverte : rien à fermer.")
        messages.success(request, text % {"name": person})
    return redirect("admin_org:person_detail", pk=person.pk)


@login_required
@require_POST
def person_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, "reactivate")
    services.do_reactivate_person(request.user, person)
    if person.has_usable_password():
        text = _("%(name)s est réactivé·e et peut de nouveau se connecter.")
    else:
        text = _(
            "%(name)s est réactivé·e. Cette personne n'a pas encore de mot de passe : "
            "envoyez-lui une invitation."
        )
    messages.success(request, text % {"name": person})
    return redirect("admin_org:person_detail", pk=person.pk)


@login_required
@require_POST
def person_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """(Re)send the invitation e-mail; the previous link stops working."""
    person = _person(request, pk, "invite")
    try:
        services.do_send_invitation(request.user, person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Invitation envoyée à %(email)s. Le lien est valable %(days)d jours ; le lien "
                "envoyé précédemment ne fonctionne plus."
            )
            % {"email": person.email, "days": settings.INVITATION_TIMEOUT_DAYS},
        )
    return redirect(safe_next(request, reverse("admin_org:person_detail", args=[person.pk])))
