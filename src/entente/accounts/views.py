"""Account pages that allauth does not provide: accepting an invitation."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from entente.accounts import services
from entente.accounts.models import User
from entente.accounts.tokens import invitation_token

BACKEND = "entente.accounts.backends.AuthenticationBackend"


def _invited_person(uidb64: str, token: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    person = User.objects.filter(pk=pk, is_active=True).first()
    if person is None or not invitation_token.check_token(person, token):
        return None
    return person


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
def accept_invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    person = _invited_person(uidb64, token)
    if person is None:
        return render(request, "accounts/invitation_invalid.html", status=400)
    form = SetPasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.do_accept_invitation(person, form.cleaned_data["new_password1"])
        login(request, person, backend=BACKEND)
        messages.success(request, _("Bienvenue ! Votre mot de passe est enregistré."))
        return redirect("portal:home")
    return render(request, "accounts/accept_invitation.html", {"form": form, "person": person})


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The person's account hub: identity and links to every security setting."""
    return render(request, "accounts/account.html")


def e2e_login(request: HttpRequest, user_id: int) -> HttpResponse:
    """Test-only sign-in shortcut for browser tests; mounted only when E2E_LOGIN_SHORTCUT is on."""
    if not settings.E2E_LOGIN_SHORTCUT:
        raise Http404
    person = get_object_or_404(User, pk=user_id, is_active=True)
    login(request, person, backend=BACKEND)
    return redirect(
        request.GET.get("next", "/") if request.GET.get("next", "/").startswith("/") else "/"
    )
