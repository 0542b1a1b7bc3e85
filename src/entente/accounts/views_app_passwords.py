"""Account pages for app passwords: list, create (the secret is shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from entente.accounts.app_passwords import do_create_app_password, do_revoke_app_password
from entente.accounts.models import AppPassword
from entente.core.forms import attach_errors
from entente.core.permissions import get_for_action, require, visible


class AppPasswordForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Nom"),
        max_length=100,
        help_text=gettext_lazy(
            "Pour le reconnaître plus tard : l'appareil ou le logiciel qui va l'utiliser, par "
            "exemple « Agenda du téléphone » ou « Thunderbird au bureau »."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


@login_required
def app_passwords(request: HttpRequest) -> HttpResponse:
    """The person's active app passwords: name, prefix, creation, last use and client."""
    rows = (
        visible(request.user, AppPassword)
        .filter(user=request.user, revoked_at__isnull=True)
        .order_by("-created_at", "-pk")
    )
    return render(request, "accounts/app_passwords.html", {"app_passwords": rows})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def app_password_create(request: HttpRequest) -> HttpResponse:
    """Create an app password and show its secret in this answer only.

    The secret is rendered straight into the POST response (never stored, not even in the
    session, never cached): reloading the list or this page never shows it again.
    """
    require(request.user, "create", AppPassword)
    form = AppPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app_password, secret = do_create_app_password(
                request.user, request.user, form.cleaned_data["name"], request=request
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return render(
                request,
                "accounts/app_passwords_created.html",
                {"app_password": app_password, "secret": secret},
            )
    return render(request, "accounts/app_passwords_create.html", {"form": form})


def _next_or_list(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("accounts:app_passwords")


@login_required
@require_http_methods(["GET", "POST"])
def app_password_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask to confirm, then revoke. Someone else's app password answers 404, like a missing one."""
    app_password = get_for_action(
        request.user, AppPassword, "revoke", pk=pk, revoked_at__isnull=True
    )
    back = _next_or_list(request)
    if request.method == "POST":
        do_revoke_app_password(request.user, app_password, request=request)
        messages.success(
            request,
            _(
                "Le mot de passe d'application « %(name)s » est révoqué : les applications qui "
                "l'utilisaient ne peuvent plus se connecter."
            )
            % {"name": app_password.name},
        )
        return redirect(back)
    return render(
        request,
        "accounts/app_passwords_revoke.html",
        {
            "app_password": app_password,
            "back": back,
            "own": app_password.user_id == request.user.pk,
        },
    )
