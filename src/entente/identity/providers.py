"""allauth provider classes for the organisations' identity providers (OpenID Connect).

allauth's ``openid_connect`` provider does the code flow; ours adds what the platform needs:

- every sign-in sends a ``nonce`` (checked in the id_token), ``login_hint`` (the e-mail typed
  on the sign-in page) and the ``acr_values`` of the organisation's settings; the returned
  ``acr`` is checked;
- the id_token signature is always checked against the provider's published keys, and the
  raw id_token is kept (for ``id_token_hint`` at sign-out);
- the userinfo answer may be a signed JWT (``application/jwt``), verified with those keys;
- the callback is ours (``/compte/sso/<provider_id>/callback/``), so is the discovery
  (checked addresses, cached).

``ProConnectProvider`` differs where ProConnect does: its userinfo answer **must** be signed.
LemonLDAP::NG and Keycloak are plain OpenID Connect and use ``OrganisationOIDCProvider``.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from allauth.socialaccount.models import SocialToken
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from entente.identity import oidc
from entente.identity.models import ProviderKind

logger = logging.getLogger(__name__)

PROVIDER_ID_PREFIX = "org-"
MAX_SUB_LENGTH = 191  # allauth's SocialAccount.uid


class OrganisationOIDCAdapter(OpenIDConnectOAuth2Adapter):
    """The OAuth2 side of one sign-in: endpoints, callback, token and userinfo checks."""

    #: the state stashed when the sign-in started (set by ``CallbackView._get_state``)
    state: dict[str, Any] | None = None

    @property
    def openid_config(self) -> dict[str, Any]:
        if not hasattr(self, "_openid_config"):
            provider = self.get_provider()
            self._openid_config = oidc.discovery_for_login(provider.app.settings["server_url"])
        return self._openid_config

    def get_callback_url(self, request: HttpRequest, app: Any) -> str:
        path = reverse("identity:callback", kwargs={"provider_id": self.provider_id})
        return build_absolute_uri(request, path, self.redirect_uri_protocol)

    def complete_login(
        self, request: HttpRequest, app: Any, token: SocialToken, **kwargs: Any
    ) -> Any:
        provider = self.get_provider()
        config = self.openid_config
        raw_id_token = kwargs["response"].get("id_token")
        if not raw_id_token:
            raise oidc.OidcError(
                _("Le fournisseur n'a pas renvoyé de jeton d'identité (id_token)."), "no_id_token"
            )
        id_claims = oidc.verify_jwt(
            raw_id_token,
            jwks_uri=config["jwks_uri"],
            issuer=config["issuer"],
            audience=app.client_id,
        )
        expected_nonce = (self.state or {}).get("nonce")
        if expected_nonce and id_claims.get("nonce") != expected_nonce:
            raise oidc.OidcError(
                _("Le jeton d'identité ne correspond pas à cette demande de connexion (nonce)."),
                "bad_nonce",
            )
        userinfo = oidc.fetch_userinfo(
            config["userinfo_endpoint"],
            token.token,
            jwks_uri=config["jwks_uri"],
            issuer=config["issuer"],
            client_id=app.client_id,
            signed_required=provider.signed_userinfo_required,
        )
        if not 0 < len(str(id_claims["sub"])) <= MAX_SUB_LENGTH:
            raise oidc.OidcError(_("L'identifiant (sub) renvoyé par le fournisseur est invalide."))
        if str(userinfo.get("sub")) != str(id_claims["sub"]):
            raise oidc.OidcError(
                _("Les informations reçues ne concernent pas la personne authentifiée (sub)."),
                "sub_mismatch",
            )
        check_acr(app.settings.get("acr_values", ""), id_claims.get("acr") or userinfo.get("acr"))
        if self.state is not None:
            self.state["id_token"] = raw_id_token
        return provider.sociallogin_from_response(
            request, {"userinfo": userinfo, "id_token": id_claims}
        )


def check_acr(requested: str, returned: Any) -> None:
    """When a level was asked for (``acr_values``), the provider must confirm one of them."""
    wanted = requested.split()
    if wanted and returned not in wanted:
        raise oidc.OidcError(
            _(
                "Le niveau d'authentification confirmé par le fournisseur (%(returned)s) n'est pas "
                "celui demandé (%(wanted)s) : reconnectez-vous avec un moyen d'authentification "
                "plus fort, ou prévenez l'administrateur de votre organisation."
            )
            % {"returned": returned or _("aucun"), "wanted": ", ".join(wanted)},
            code="acr",
        )


class CallbackView(OAuth2CallbackView):
    """allauth's callback, handing the stashed state to the adapter (for nonce checks)."""

    def _get_state(self, request: HttpRequest, provider: Any) -> tuple[Any, HttpResponse | None]:
        state, response = super()._get_state(request, provider)
        self.adapter.state = state
        return state, response


class OrganisationOIDCProvider(OpenIDConnectProvider):
    """An organisation's OpenID Connect provider (Keycloak, LemonLDAP::NG, any other)."""

    oauth2_adapter_class = OrganisationOIDCAdapter
    signed_userinfo_required = False

    def get_oauth2_adapter(self, request: HttpRequest) -> OrganisationOIDCAdapter:
        return self.oauth2_adapter_class(request, self.app.provider_id)

    def serialize(self) -> dict[str, Any]:
        # Several organisations may share one client id (one ProConnect registration for the
        # platform): name the provider by its own id so it is found again after a pause
        # (second factor) in the sign-in.
        return {"id": self.sub_id}

    def get_scope(self) -> list[str]:
        return list(self.app.settings.get("scope") or self.get_default_scope())

    def redirect(
        self,
        request: HttpRequest,
        process: Any,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> HttpResponse:
        login_hint = kwargs.pop("login_hint", None)
        auth_params = dict(kwargs.pop("auth_params", None) or self.get_auth_params())
        nonce = secrets.token_urlsafe(32)
        auth_params["nonce"] = nonce
        if login_hint:
            auth_params["login_hint"] = login_hint
        acr_values = self.app.settings.get("acr_values")
        if acr_values:
            auth_params["acr_values"] = acr_values
        else:
            auth_params.pop("acr_values", None)
        try:
            return super().redirect(
                request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
            )
        except oidc.OidcError as error:  # every door that starts a sign-in comes here
            from entente.identity.views import render_sso_error

            logger.warning("cannot start SSO at %s: %s", self.app.provider_id, error.message)
            return render_sso_error(request, error.message, status=502)


class ProConnectProvider(OrganisationOIDCProvider):
    """ProConnect (the State's federation for public agents): userinfo is always a signed JWT."""

    signed_userinfo_required = True

    def get_default_scope(self) -> list[str]:
        return ["openid", "email", "given_name", "usual_name", "uid"]


def provider_class_for(kind: str | None) -> type[OrganisationOIDCProvider]:
    return ProConnectProvider if kind == ProviderKind.PROCONNECT else OrganisationOIDCProvider


def is_organisation_provider_id(provider_id: str | None) -> bool:
    return bool(provider_id and provider_id.startswith(PROVIDER_ID_PREFIX))
