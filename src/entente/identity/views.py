"""Single sign-on pages: the provider's answer, the sign-out relay, and the console page where an
organisation's admins (or operators) register its identity provider."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from entente.core.forms import attach_errors
from entente.core.permissions import get_visible_or_404, require
from entente.identity import oidc, services
from entente.identity.forms import IdentityProviderForm
from entente.identity.models import IdentityProvider
from entente.identity.providers import (
    CallbackView,
    OrganisationOIDCAdapter,
    is_organisation_provider_id,
)
from entente.organisations.console import render_console
from entente.organisations.models import Organisation

logger = logging.getLogger(__name__)


def render_sso_error(request: HttpRequest, message: str | None, status: int = 401) -> HttpResponse:
    """A French page saying why single sign-on failed and what to do next."""
    context = {
        "message": message
        or _(
            "Le service de connexion de votre organisation n'a pas pu confirmer votre identité. "
            "Réessayez ; si le problème continue, prévenez l'administrateur de votre organisation."
        )
    }
    return render(request, "identity/sso_error.html", context, status=status)


# --- the provider's side of a sign-in --------------------------------------------------------


@login_not_required
@never_cache
def callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    """Where the provider sends the person back (the redirect URI to declare there)."""
    if not is_organisation_provider_id(provider_id):
        raise Http404("Cette page n'existe pas ou vous n'y avez pas accès.")
    from allauth.socialaccount.models import SocialApp

    try:
        return CallbackView.adapter_view(OrganisationOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404("Cette page n'existe pas ou vous n'y avez pas accès.") from None


@login_not_required
@never_cache
def end_session(request: HttpRequest) -> HttpResponse:
    """After signing out here, move on to the provider to end the session there too."""
    relay = services.read_logout_relay(request.GET.get("t", ""))
    if relay is None:
        return redirect("account_login")
    url, provider = relay
    services.remember_logout_state(request, url)
    return services.redirect_page(request, url, provider, leaving=True)


@login_not_required
@never_cache
def signed_out(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the person back after its own sign-out (``state`` checked;
    either way there is nothing left to do but show the sign-in page)."""
    if not services.check_logout_state(request):
        logger.info("sign-out return without the expected state")
    return redirect("account_login")


# --- console ---------------------------------------------------------------------------------


def _provider_for(request: HttpRequest, slug: str | None) -> tuple[Organisation, IdentityProvider]:
    """The organisation's provider (a new, unsaved one the first time), once allowed."""
    if slug is None:
        organisation = request.user.organisation
        if organisation is None:
            raise Http404("Cette page n'existe pas ou vous n'y avez pas accès.")
    else:
        organisation = get_visible_or_404(request.user, Organisation, slug=slug)
    provider = IdentityProvider.objects.filter(organisation=organisation).first()
    if provider is None:
        provider = IdentityProvider(
            organisation=organisation, provider_id=services.provider_id_for(organisation)
        )
    require(request.user, "edit", provider)
    return organisation, provider


@login_required
@never_cache
@sensitive_post_parameters("client_secret")
def provider_edit(request: HttpRequest, slug: str | None = None) -> HttpResponse:
    """Register, test, switch on or off the organisation's identity provider."""
    organisation, provider = _provider_for(request, slug)
    action = request.POST.get("action", "save") if request.method == "POST" else None
    if action == "disable" and provider.pk:
        services.do_set_enabled(request.user, provider, False, request=request)
        messages.success(
            request,
            _(
                "La connexion par %(provider)s est désactivée : les personnes de %(org)s se "
                "connectent de nouveau avec leur mot de passe."
            )
            % {"provider": provider.name, "org": organisation.name},
        )
        return redirect(request.path)
    form = IdentityProviderForm(
        request.POST if action in ("save", "test") else None,
        instance=provider if provider.pk else None,
        initial=None if provider.pk else {"name": "", "scopes": "openid email profile"},
        has_secret=bool(provider.client_secret),
    )
    tested = None
    if action == "test" and form.is_valid():
        try:
            tested = oidc.summary(services.check_discovery(form.cleaned_data["issuer"]))
        except ValidationError as error:
            attach_errors(form, error)
    elif action == "save" and form.is_valid():
        try:
            saved = services.check_and_save_provider(
                request.user, organisation, form.provider_data(), request=request
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            if saved.is_enabled:
                text = _(
                    "Le fournisseur d'identité de %(org)s est enregistré et activé : ses "
                    "personnes sont dirigées vers %(provider)s dès leur prochaine connexion."
                )
            else:
                text = _(
                    "Le fournisseur d'identité de %(org)s est enregistré, mais pas encore "
                    "activé : cochez « Activé » quand vous êtes prêt."
                )
            messages.success(request, text % {"org": organisation.name, "provider": saved.name})
            return redirect(request.path)
    own = organisation.pk == request.user.organisation_id
    context = {
        "form": form,
        "organisation": organisation,
        "provider": provider if provider.pk else None,
        "own": own,
        "tested": tested,
        "summary": oidc.summary(provider.metadata) if provider.pk else None,
        "callback_url": request.build_absolute_uri(
            reverse("identity:callback", kwargs={"provider_id": provider.provider_id})
        ),
        "signed_out_url": request.build_absolute_uri(reverse("identity:signed_out")),
        "domains": organisation.domain_names,
    }
    return render_console(
        request, "identity/provider_form.html", context, "sso" if own else "organisations"
    )
