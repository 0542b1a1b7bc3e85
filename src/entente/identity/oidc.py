"""The network side of OpenID Connect: discovery, signing keys, signed tokens and userinfo.

Every address fetched here is checked first (``check_url``): HTTPS only (plain HTTP to the
local machine only while developing or testing), no credentials in the address, and never a
link-local, multicast or unspecified address (cloud metadata services live there). Every
failure raises ``OidcError`` carrying a French message that says what happened and what to
do; it subclasses allauth's ``OAuth2Error`` so that allauth's sign-in views show it as an
authentication error instead of failing with a 500.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

WELL_KNOWN = "/.well-known/openid-configuration"
TIMEOUT_SECONDS = 5
MAX_DOCUMENT_BYTES = 512 * 1024
CACHE_SECONDS = 600
LEEWAY_SECONDS = 60
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
#: asymmetric signatures only: a token signed with a shared secret (HS256) or unsigned is refused
SIGNING_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
REQUIRED_ENDPOINTS = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")
KEPT_METADATA = (
    "issuer",
    *REQUIRED_ENDPOINTS,
    "end_session_endpoint",
    "token_endpoint_auth_methods_supported",
    "code_challenge_methods_supported",
    "acr_values_supported",
    "scopes_supported",
    "claims_supported",
    "userinfo_signing_alg_values_supported",
    "id_token_signing_alg_values_supported",
)


class OidcError(OAuth2Error):
    """Something went wrong talking to an identity provider; ``message`` is for people."""

    def __init__(self, message: str, code: str = "oidc") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def local_http_allowed() -> bool:
    """Plain HTTP to the local machine is accepted only while developing or testing."""
    return bool(settings.DEBUG or getattr(settings, "TESTING", False))


def normalise_issuer(issuer: str) -> str:
    return (issuer or "").strip().rstrip("/")


def check_url(url: str) -> str:
    """Refuse an address the platform must not call; return it unchanged when fine."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        raise OidcError(_("« %(url)s » n'est pas une adresse valide.") % {"url": url}) from None
    local = host in LOCAL_HOSTS
    if parts.scheme != "https" and not (parts.scheme == "http" and local and local_http_allowed()):
        raise OidcError(
            _("L'adresse « %(url)s » doit commencer par https:// (connexion chiffrée).")
            % {"url": url},
            code="not_https",
        )
    if not host or parts.username or parts.password:
        raise OidcError(
            _("L'adresse « %(url)s » est incomplète ou contient un identifiant : retirez-le.")
            % {"url": url},
            code="bad_url",
        )
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port or 443)}
    except (socket.gaierror, UnicodeError):
        raise OidcError(
            _(
                "Le nom « %(host)s » est introuvable : vérifiez l'orthographe de l'adresse du "
                "fournisseur."
            )
            % {"host": host},
            code="unknown_host",
        ) from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        forbidden = ip.is_link_local or ip.is_multicast or ip.is_unspecified or ip.is_reserved
        if forbidden or (ip.is_loopback and not (local and local_http_allowed())):
            raise OidcError(
                _(
                    "L'adresse « %(url)s » désigne un réseau interdit : indiquez l'adresse publique du fournisseur."
                )
                % {"url": url},
                code="forbidden_network",
            )
    return url


def _get(url: str, *, what: str, **kwargs: Any) -> requests.Response:
    check_url(url)
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS, allow_redirects=False, **kwargs)
    except requests.Timeout:
        raise OidcError(
            _("%(what)s ne répond pas dans le délai de %(seconds)d secondes (%(url)s).")
            % {"what": what, "seconds": TIMEOUT_SECONDS, "url": url},
            code="timeout",
        ) from None
    except requests.RequestException:
        raise OidcError(
            _(
                "%(what)s est injoignable (%(url)s) : vérifiez l'adresse, ou que le serveur "
                "accepte les connexions depuis la plateforme."
            )
            % {"what": what, "url": url},
            code="unreachable",
        ) from None
    if response.is_redirect:
        raise OidcError(
            _(
                "%(what)s renvoie vers une autre adresse (%(url)s) : indiquez l'adresse exacte "
                "de l'émetteur."
            )
            % {"what": what, "url": url},
            code="redirect",
        )
    if response.status_code != 200:
        raise OidcError(
            _("%(what)s a répondu par une erreur HTTP %(status)d (%(url)s).")
            % {"what": what, "status": response.status_code, "url": url},
            code="http_error",
        )
    if len(response.content) > MAX_DOCUMENT_BYTES:
        raise OidcError(
            _("%(what)s a renvoyé un document trop volumineux (%(url)s).")
            % {"what": what, "url": url},
            code="too_big",
        )
    return response


def _json(response: requests.Response, message: str) -> dict:
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise OidcError(message, code="not_json")
    return document


def fetch_discovery(issuer: str) -> dict[str, Any]:
    """Fetch and check ``<issuer>/.well-known/openid-configuration``; return what we keep of it."""
    issuer = normalise_issuer(issuer)
    url = issuer + WELL_KNOWN
    response = _get(
        url, what=_("Le fournisseur d'identité"), headers={"Accept": "application/json"}
    )
    document = _json(
        response,
        _(
            "L'adresse %(url)s ne renvoie pas une configuration OpenID Connect (document JSON "
            "attendu) : vérifiez l'adresse de l'émetteur."
        )
        % {"url": url},
    )
    announced = str(document.get("issuer") or "")
    if normalise_issuer(announced) != issuer:
        raise OidcError(
            _(
                "Le fournisseur se présente comme « %(announced)s » et non « %(issuer)s » : "
                "recopiez exactement l'adresse de l'émetteur qu'il annonce."
            )
            % {"announced": announced or "?", "issuer": issuer},
            code="issuer_mismatch",
        )
    missing = [key for key in REQUIRED_ENDPOINTS if not isinstance(document.get(key), str)]
    if missing:
        raise OidcError(
            _("La configuration du fournisseur est incomplète : il manque %(keys)s.")
            % {"keys": ", ".join(missing)},
            code="incomplete",
        )
    for key in (*REQUIRED_ENDPOINTS, "end_session_endpoint"):
        if document.get(key):
            check_url(str(document[key]))
    response_types = document.get("response_types_supported")
    if isinstance(response_types, list) and "code" not in response_types:
        raise OidcError(
            _(
                "Le fournisseur n'accepte pas le flux « code d'autorisation » utilisé par la plateforme."
            ),
            code="no_code_flow",
        )
    return {key: document[key] for key in KEPT_METADATA if key in document}


def _cache_key(kind: str, value: str) -> str:
    return f"identity:{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def discovery_for_login(issuer: str) -> dict[str, Any]:
    """The provider's configuration during a sign-in, cached for a few minutes."""
    key = _cache_key("discovery", normalise_issuer(issuer))
    document = cache.get(key)
    if document is None:
        document = fetch_discovery(issuer)
        cache.set(key, document, CACHE_SECONDS)
    return document


def fetch_jwks(jwks_uri: str, *, refresh: bool = False) -> dict[str, Any]:
    """The provider's public signing keys (cached; ``refresh`` after a key rotation)."""
    key = _cache_key("jwks", jwks_uri)
    keys = None if refresh else cache.get(key)
    if keys is None:
        response = _get(jwks_uri, what=_("La liste des clés du fournisseur"))
        keys = _json(response, _("La liste des clés du fournisseur n'est pas un document JSON."))
        if not isinstance(keys.get("keys"), list):
            raise OidcError(_("La liste des clés du fournisseur est vide ou mal formée."), "jwks")
        cache.set(key, keys, CACHE_SECONDS)
    return keys


def _signing_key(jwks_uri: str, header: dict[str, Any]) -> jwt.PyJWK:
    algorithm = header.get("alg")
    if algorithm not in SIGNING_ALGORITHMS:
        raise OidcError(
            _("Le fournisseur signe ses jetons avec un algorithme refusé (%(alg)s).")
            % {"alg": algorithm or "none"},
            code="bad_algorithm",
        )
    kid = header.get("kid")
    for refresh in (False, True):
        candidates = [
            k
            for k in fetch_jwks(jwks_uri, refresh=refresh)["keys"]
            if isinstance(k, dict) and k.get("use", "sig") == "sig"
        ]
        matching = [k for k in candidates if k.get("kid") == kid] if kid else candidates
        if len(matching) == 1:
            try:
                return jwt.PyJWK(matching[0], algorithm=algorithm)
            except jwt.PyJWTError:
                break
    raise OidcError(_("Aucune clé du fournisseur ne correspond à la signature du jeton."), "no_key")


def verify_jwt(
    token: str, *, jwks_uri: str, issuer: str, audience: str, userinfo: bool = False
) -> dict[str, Any]:
    """Check a signed token (id_token, or userinfo answer) and return its claims.

    An id_token must name the issuer and this client as audience and must not be expired.
    A signed userinfo answer must carry ``sub``; its ``iss`` and ``aud``, when present, must
    match (OpenID Connect Core 5.3.2).
    """
    try:
        header = jwt.get_unverified_header(token)
        key = _signing_key(jwks_uri, header)
        claims = jwt.decode(
            token,
            key=key.key,
            algorithms=[header["alg"]],
            audience=None if userinfo else audience,
            issuer=None if userinfo else issuer,
            leeway=LEEWAY_SECONDS,
            options={
                "require": ["sub"] if userinfo else ["sub", "iss", "aud", "exp", "iat"],
                "verify_aud": not userinfo,
                "verify_iss": not userinfo,
            },
        )
    except jwt.PyJWTError as error:
        logger.warning("refused token from %s: %s", issuer, error)
        raise OidcError(
            _("Le jeton renvoyé par le fournisseur d'identité n'est pas valide (%(reason)s).")
            % {"reason": str(error)},
            code="invalid_token",
        ) from None
    if userinfo:
        if "iss" in claims and normalise_issuer(str(claims["iss"])) != normalise_issuer(issuer):
            raise OidcError(
                _("La réponse userinfo signée vient d'un autre émetteur."), "userinfo_iss"
            )
        audiences = claims.get("aud")
        audiences = [audiences] if isinstance(audiences, str) else audiences
        if audiences is not None and audience not in audiences:
            raise OidcError(
                _("La réponse userinfo signée est destinée à un autre client."), "userinfo_aud"
            )
    return claims


def fetch_userinfo(
    endpoint: str,
    access_token: str,
    *,
    jwks_uri: str,
    issuer: str,
    client_id: str,
    signed_required: bool = False,
) -> dict[str, Any]:
    """The userinfo answer: plain JSON, or a signed JWT (``application/jwt``, as ProConnect)."""
    response = _get(
        endpoint,
        what=_("Le service userinfo du fournisseur"),
        headers={
            "Authorization": f"Bearer {access_token}",
            "Accept": "application/jwt, application/json",
        },
    )
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type == "application/jwt":
        return verify_jwt(
            response.text.strip(),
            jwks_uri=jwks_uri,
            issuer=issuer,
            audience=client_id,
            userinfo=True,
        )
    if signed_required:
        raise OidcError(
            _(
                "Le fournisseur a renvoyé les informations de la personne sans les signer, alors "
                "que ProConnect doit les signer : vérifiez le réglage userinfo_signed_response_alg "
                "de l'application chez ProConnect."
            ),
            code="userinfo_unsigned",
        )
    return _json(response, _("La réponse userinfo du fournisseur n'est pas un document JSON."))


def summary(metadata: dict[str, Any]) -> dict[str, Any]:
    """What the console shows of a provider's configuration."""
    return {
        "issuer": metadata.get("issuer", ""),
        "authorization_endpoint": metadata.get("authorization_endpoint", ""),
        "end_session_endpoint": metadata.get("end_session_endpoint", ""),
        "signed_userinfo": bool(metadata.get("userinfo_signing_alg_values_supported")),
        "acr_values_supported": ", ".join(map(str, metadata.get("acr_values_supported") or [])),
    }
