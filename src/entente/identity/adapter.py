"""Hooks into django-allauth for single sign-on.

- ``SocialAccountAdapter`` (``SOCIALACCOUNT_ADAPTER``): picks our provider class for an
  organisation's provider, hands every provider answer to ``services.accept_sso_login`` (match
  on ``sub``, link, create just in time, or refuse) and shows errors as French pages.
- ``AccountAdapter`` (``ACCOUNT_ADAPTER``): the accounts app's adapter, plus the memory of
  which provider opened the session (and its id_token), and sign-out at that provider
  (RP-initiated logout).
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthError, AuthProcess
from django.http import HttpRequest
from django.utils.translation import gettext as _

from entente.accounts.adapter import AccountAdapter as BaseAccountAdapter
from entente.identity import oidc, services
from entente.identity.providers import is_organisation_provider_id, provider_class_for

logger = logging.getLogger(__name__)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_provider(
        self, request: HttpRequest, provider: str, client_id: str | None = None
    ) -> Any:
        instance = super().get_provider(request, provider, client_id=client_id)
        app = getattr(instance, "app", None)
        if app is not None and is_organisation_provider_id(app.provider_id):
            cls = provider_class_for(app.settings.get("kind"))
            if type(instance) is not cls:
                instance = cls(request, app=app)
        return instance

    def generate_state_param(self, state: dict) -> str:
        # ProConnect requires a state of at least 32 characters (allauth makes 16).
        return secrets.token_urlsafe(32)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # People arrive through ``services.accept_sso_login``, never through allauth's sign-up.
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        from entente.identity.views import render_sso_error

        if not is_organisation_provider_id(sociallogin.account.provider):
            return
        if (sociallogin.state or {}).get("process", AuthProcess.LOGIN) != AuthProcess.LOGIN:
            raise ImmediateHttpResponse(
                render_sso_error(
                    request,
                    _(
                        "Un compte ne se relie pas à la main au service de connexion de votre "
                        "organisation : il l'est à votre première connexion par ce service."
                    ),
                    status=403,
                )
            )
        try:
            sociallogin.user = services.accept_sso_login(request, sociallogin)
        except services.SsoRefused as refusal:
            raise ImmediateHttpResponse(
                render_sso_error(request, refusal.message, status=403)
            ) from None

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: str | None = None,
        exception: Exception | None = None,
        extra_context: dict | None = None,
    ) -> None:
        from entente.identity.views import render_sso_error

        if error == AuthError.CANCELLED:
            message = _(
                "Vous avez annulé la connexion auprès du service de votre organisation. "
                "Vous pouvez recommencer quand vous voulez."
            )
            raise ImmediateHttpResponse(render_sso_error(request, message, status=401))
        if isinstance(exception, oidc.OidcError):
            message = exception.message
        else:
            message = None
        logger.warning(
            "SSO authentication error at %s: %s %r",
            getattr(getattr(provider, "app", None), "provider_id", provider),
            error,
            exception,
        )
        raise ImmediateHttpResponse(render_sso_error(request, message, status=401))


class AccountAdapter(BaseAccountAdapter):
    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> Any:
        """Remember which provider opened the session, and its id_token (for sign-out)."""
        sociallogin = (kwargs.get("signal_kwargs") or {}).get("sociallogin")
        if sociallogin is not None and is_organisation_provider_id(sociallogin.account.provider):
            services.remember_sso_session(request, sociallogin)
        return super().post_login(request, user, **kwargs)

    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        """After signing out of a session opened through single sign-on, sign out at the
        provider too (its ``end_session_endpoint``, with ``id_token_hint``).

        allauth asks for this address before it ends the session, so the session still holds
        the id_token here.
        """
        return services.logout_relay_url(request) or super().get_logout_redirect_url(request)
