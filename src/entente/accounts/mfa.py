"""Second factor: who must have one, the enrolment page and the middleware that leads there.

Operators, organisation administrators and guests (no organisation) always need a second
factor (an authenticator app or a security key); an organisation's policy can require one for
everyone. The decision is taken when a session is opened (``remember_second_factor_state``,
called on every sign-in) and kept in the session, so pages cost no query for it: a person
promoted to administrator, or whose organisation tightens its policy, is led through enrolment
at their next sign-in, as the policy page says. Until the person has a factor, every page
leads to ``/compte/securite/double-authentification/``, except the enrolment pages themselves,
sign-out, static files and the health probes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from allauth.account.internal.flows.login import (
    get_authentication_records,
    record_authentication,
)
from allauth.mfa.adapter import DefaultMFAAdapter, get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn import views as webauthn_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.organisations.models import MfaRequirement, Policy

#: what the session remembers: "ok" (nothing to do) or "missing" (enrolment needed)
SESSION_KEY = "entente_second_factor"
OK, MISSING = "ok", "missing"

#: the factors that count (recovery codes only back them up)
PRIMARY_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)

#: pages a person who must enrol may still open (URL names)
ENROLMENT_URL_NAMES = frozenset(
    {
        "accounts:mfa_enrol",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
        "account_logout",
        "set_language",
        "javascript-catalog",
        "healthz",
        "readyz",
    }
)

REASONS = {
    "operator": gettext_lazy(
        "Vous êtes opérateur de la plateforme : votre compte donne accès à toutes les "
        "organisations du territoire."
    ),
    "admin": gettext_lazy(
        "Vous administrez votre organisation : votre compte peut créer et désactiver des "
        "comptes et changer les règles de partage."
    ),
    "guest": gettext_lazy(
        "Vous êtes invité·e de l'extérieur : la double authentification protège les "
        "documents que l'on partage avec vous."
    ),
    "policy": gettext_lazy(
        "Votre organisation demande la double authentification à toutes les personnes "
        "qui utilisent la plateforme."
    ),
}

LAST_FACTOR_MESSAGE = gettext_lazy(
    "Vous ne pouvez pas retirer votre dernière méthode de double authentification : elle est "
    "obligatoire pour votre compte. Ajoutez d'abord une autre méthode (application ou clé de "
    "sécurité), puis retirez celle-ci."
)


def second_factor_reason(user: Any) -> str | None:
    """Why ``user`` must have a second factor (a key of ``REASONS``), or ``None`` if optional."""
    if user.is_operator:
        return "operator"
    if user.is_guest:
        return "guest"
    if user.is_org_admin:
        return "admin"
    required = (
        Policy.objects.filter(organisation_id=user.organisation_id)
        .values_list("mfa_required", flat=True)
        .first()
    )
    if required == MfaRequirement.EVERYONE:
        return "policy"
    return None


def requires_second_factor(user: Any) -> bool:
    return second_factor_reason(user) is not None


def has_second_factor(user: Any, *, besides: Authenticator | None = None) -> bool:
    """Does ``user`` have an authenticator app or a security key (other than ``besides``)?"""
    factors = Authenticator.objects.filter(user_id=user.pk, type__in=PRIMARY_TYPES)
    if besides is not None:
        factors = factors.exclude(pk=besides.pk)
    return factors.exists()


def must_enrol(user: Any) -> bool:
    return requires_second_factor(user) and not has_second_factor(user)


def remember_second_factor_state(request: HttpRequest, user: Any) -> str:
    """Decide once per session whether ``user`` must enrol; keep the answer in the session."""
    state = MISSING if must_enrol(user) else OK
    request.session[SESSION_KEY] = state
    return state


#: how recent a sign-in must be to count as "confirmed access" for the enrolment just after it
FRESH_SIGN_IN_SECONDS = 60


def confirm_access_from_fresh_sign_in(request: HttpRequest, user: Any) -> None:
    """Let the enrolment that follows a sign-in go on without asking for the password again.

    allauth asks people to confirm their password before any change of their second factors,
    and does not count the sign-in itself. A person sent to enrolment typed their password
    seconds ago: that sign-in is recorded as the confirmation (valid for allauth's usual five
    minutes), so they are not asked twice in a row.
    """
    records = get_authentication_records(request, user)
    if not records:
        return
    last = records[-1]
    if (
        last.get("method") == "password"
        and not last.get("reauthenticated")
        and time.time() - last.get("at", 0) < FRESH_SIGN_IN_SECONDS
    ):
        record_authentication(request, user, "password", reauthenticated=True)


class SecondFactorMiddleware:
    """Lead a person who must have a second factor and has none to the enrolment page.

    Placed after allauth's ``AccountMiddleware``: the person is known, the URL is resolved.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is not None and match.view_name in ENROLMENT_URL_NAMES:
            return None
        if request.path_info.startswith(settings.STATIC_URL):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.session.get(SESSION_KEY) == OK:
            return None
        # Unknown (a session opened before this rule) or missing: look again, since the person
        # may have just added a factor in another tab.
        if remember_second_factor_state(request, user) == OK:
            return None
        message = _(
            "Votre compte doit être protégé par une double authentification avant que vous "
            "puissiez continuer."
        )
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {"detail": message, "enrolment_url": reverse("accounts:mfa_enrol")}, status=403
            )
        return redirect("accounts:mfa_enrol")


class MFAAdapter(DefaultMFAAdapter):
    """allauth's MFA hooks: French messages, and the last required factor stays."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": LAST_FACTOR_MESSAGE,
        "incorrect_code": gettext_lazy(
            "Ce code ne convient pas. Vérifiez que vous saisissez le code affiché en ce moment "
            "(il change toutes les 30 secondes) ou un code de secours que vous n'avez pas déjà "
            "utilisé."
        ),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.RECOVERY_CODES:
            return True
        user = authenticator.user
        return not requires_second_factor(user) or has_second_factor(user, besides=authenticator)

    def generate_authenticator_name(self, user: Any, type: Authenticator.Type) -> str:
        count = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        if count == 0:
            return _("Ma clé de sécurité")
        return _("Clé de sécurité n° %(number)d") % {"number": count + 1}


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """The "Protégez votre compte" page: why a second factor is needed, and how to add one."""
    if has_second_factor(request.user):
        request.session[SESSION_KEY] = OK
        return redirect("mfa_index")
    reason = second_factor_reason(request.user)
    context = {"reason": reason, "reason_text": REASONS.get(reason or "", "")}
    return render(request, "mfa/enrol.html", context)


@login_required
def remove_webauthn(request: HttpRequest, pk: int) -> HttpResponse:
    """allauth's removal of a security key, refused when it is the last required factor.

    allauth asks the adapter before deactivating an authenticator app, not before removing a
    key: this view, mounted on the same path, asks for it.
    """
    key = get_object_or_404(
        Authenticator, pk=pk, user_id=request.user.pk, type=Authenticator.Type.WEBAUTHN
    )
    if not get_adapter().can_delete_authenticator(key):
        messages.error(request, LAST_FACTOR_MESSAGE)
        return redirect("mfa_list_webauthn")
    return webauthn_views.remove_webauthn(request, pk=pk)
