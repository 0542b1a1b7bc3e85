"""The shared Basic-auth door: app passwords only, throttled like every other sign-in door.

Every protocol that speaks HTTP Basic (the REST API now, CalDAV and WebDAV later) calls
``authenticate_basic(request)``. It accepts **only app passwords**, never the account
password: the account password is checked with a deliberately slow hash and may be protected
by a second factor, while an app password is random, found by one indexed lookup, and can be
revoked alone.

Failed attempts count against the same rule as the web sign-in form: allauth's rate limits
``ACCOUNT_RATE_LIMITS["login_failed"]`` (per address and per account), in the same counters,
so a guesser gains nothing by switching doors. Once a counter is full, even the right
password is refused (``BasicThrottled``) until the window passes, with a message that says
nothing about whether the account exists; each lockout is recorded once in the audit log.

Basic-authenticated requests open no session and need no CSRF token: the credentials travel
with every request, a browser never sends them on its own to another site's form.
"""

from __future__ import annotations

import base64
import binascii
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.signals import user_login_failed
from django.contrib.sites.shortcuts import get_current_site
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

if TYPE_CHECKING:
    from entente.accounts.models import AppPassword, User

REALM = "Entente"
CHALLENGE = f'Basic realm="{REALM}"'
#: an e-mail (254) and an app password fit in ~400 base64 characters; anything longer is junk
MAX_AUTHORIZATION_LENGTH = 1024
MAX_EMAIL_LENGTH = 254
RATE_APP = "allauth.account"
RATE_ACTION = "login_failed"
LOCKOUT_MARK = "entente:lockout:"


class InvalidBasicHeader(Exception):
    """An ``Authorization: Basic`` header that cannot carry credentials."""


class BasicThrottled(Exception):
    """Too many failed attempts for this account or from this address; ``wait`` in seconds."""

    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.wait = wait


def throttled_message() -> str:
    """The message of every sign-in door: it never says whether the account exists."""
    from entente.accounts.throttle import THROTTLED_MESSAGE

    return str(THROTTLED_MESSAGE)


def unauthorized_message() -> str:
    return _(
        "Identifiant ou mot de passe d'application incorrect. Utilisez votre adresse e-mail et "
        "un mot de passe d'application créé dans « Mon compte » : le mot de passe de votre "
        "compte n'est pas accepté ici."
    )


# --- Parsing ----------------------------------------------------------------------------------


def _http_request(request: Any) -> HttpRequest:
    """The Django request behind a DRF ``Request`` (or the request itself)."""
    return getattr(request, "_request", request)


def is_basic(request: Any) -> bool:
    """Does the request carry an ``Authorization`` header of the Basic scheme?"""
    value = _http_request(request).META.get("HTTP_AUTHORIZATION", "")
    return value.strip().partition(" ")[0].lower() == "basic"


def parse_basic(value: str) -> tuple[str, str]:
    """``(email, secret)`` from the value of an ``Authorization: Basic …`` header.

    Strict: an overlong value, bad base64, bytes that are not UTF-8, no colon, an empty part
    or a control character raise ``InvalidBasicHeader`` (the caller answers 401, never 500).
    """
    if len(value) > MAX_AUTHORIZATION_LENGTH:
        raise InvalidBasicHeader("overlong")
    scheme, _sep, encoded = value.strip().partition(" ")
    encoded = encoded.strip()
    if scheme.lower() != "basic" or not encoded:
        raise InvalidBasicHeader("no credentials")
    try:
        decoded = base64.b64decode(encoded.encode("ascii"), validate=True).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError, binascii.Error, ValueError):
        raise InvalidBasicHeader("not base64 of UTF-8") from None
    email, colon, secret = decoded.partition(":")
    if not colon or not email or not secret or len(email) > MAX_EMAIL_LENGTH:
        raise InvalidBasicHeader("no user-id:password pair")
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in decoded):
        raise InvalidBasicHeader("control character")
    return email.strip(), secret


# --- Throttling (allauth's rate-limit counters, shared with the web sign-in form) ----------------


@dataclass(frozen=True)
class _Counter:
    spec: str  # one rate of the setting, e.g. "5/5m/key"
    per: str  # "ip" or "key"
    amount: int
    duration: float
    cache_key: str


def attempts_key(request: HttpRequest, email: str) -> str:
    """The per-account key allauth's sign-in form counts failures under (``site:email``).

    Same key, same counter: failures on the form and on this door add up.
    """
    return f"{get_current_site(request).domain}:{email.strip().lower()}"


def _counters(request: HttpRequest, email: str) -> list[_Counter]:
    from allauth.account import app_settings
    from allauth.core.internal import ratelimit

    spec = app_settings.RATE_LIMITS.get(RATE_ACTION) or ""
    key = attempts_key(request, email)
    counters = []
    for part in dict.fromkeys(p.strip() for p in spec.split(",") if p.strip()):
        rate = ratelimit.parse_rate(part)
        if rate.per not in ("ip", "key"):  # "user" rates need a signed-in person
            continue
        cache_key = ratelimit.get_cache_key(
            request, app=RATE_APP, action=RATE_ACTION, rate=rate, key=key
        )
        counters.append(_Counter(part, rate.per, rate.amount, rate.duration, cache_key))
    return counters


def _full(counters: list[_Counter]) -> dict[_Counter, int]:
    """The counters that refuse the next attempt, with the seconds until they accept one.

    A read without the counters' lock: a check, not a consumption (one cache round trip).
    """
    if not counters:
        return {}
    histories = cache.get_many([counter.cache_key for counter in counters])
    now = time.time()
    full = {}
    for counter in counters:
        recent = sorted(
            (ts for ts in histories.get(counter.cache_key, []) if ts > now - counter.duration),
            reverse=True,
        )
        if len(recent) >= counter.amount:
            # accepted again once the amount-th most recent failure leaves the window
            wait = recent[counter.amount - 1] + counter.duration - now
            full[counter] = max(1, math.ceil(wait))
    return full


def _count_failure(request: HttpRequest, email: str, counters: list[_Counter]) -> None:
    """Add one failure to every counter, through allauth (its lock, its cache format)."""
    from allauth.core.internal import ratelimit

    key = attempts_key(request, email)
    for counter in counters:
        # limit_get: allauth counts only POSTs by default; protocols fail on GET too.
        ratelimit.consume(
            request,
            app=RATE_APP,
            action=RATE_ACTION,
            config={RATE_ACTION: counter.spec},
            key=key,
            limit_get=True,
        )


def _note_lockouts(request: HttpRequest, email: str, full: dict[_Counter, int]) -> None:
    """Record one THROTTLED audit event per lockout, whichever door filled the counter.

    The event itself is the one every sign-in door records (``entente.accounts.throttle``).
    """
    from entente.accounts import throttle

    fresh = [
        counter
        for counter, wait in full.items()
        if cache.add(f"{LOCKOUT_MARK}{counter.cache_key}", True, timeout=wait)
    ]
    if fresh:
        throttle.record_throttled(request, email, door="basic")


# --- The door ----------------------------------------------------------------------------------


def authenticate_basic_app_password(request: Any) -> AppPassword | None:
    """The app password a Basic-authenticated request presents, or None.

    None when there is no Basic header, when it is malformed, or when the credentials are
    wrong (unknown e-mail, not an active app password of this active person, or any other
    password, the account password included). Raises ``BasicThrottled`` once the failures
    of this account or address have reached the limit, even if the credentials are right.
    """
    from entente.accounts.app_passwords import find_app_password, note_use

    http_request = _http_request(request)
    value = http_request.META.get("HTTP_AUTHORIZATION", "")
    if not is_basic(http_request):
        return None
    try:
        email, secret = parse_basic(value)
    except InvalidBasicHeader:
        return None  # not an attempt at a password: a broken client, counted nowhere
    counters = _counters(http_request, email)
    full = _full(counters)
    if full:
        _note_lockouts(http_request, email, full)
        raise BasicThrottled(max(full.values()))
    app_password = find_app_password(email, secret)
    if app_password is not None:
        note_use(app_password, http_request)
        return app_password
    _count_failure(http_request, email, counters)
    user_login_failed.send(
        sender=__name__, credentials={"email": email[:MAX_EMAIL_LENGTH]}, request=http_request
    )
    _note_lockouts(http_request, email, _full(counters))
    return None


def authenticate_basic(request: Any) -> User | None:
    """The person a Basic-authenticated request stands for, or None (see above).

    Raises ``BasicThrottled``: answer it with ``throttled_response`` (429), and a None with
    ``unauthorized_response`` (401 with the Basic challenge) when the resource needs a person.
    """
    app_password = authenticate_basic_app_password(request)
    return app_password.user if app_password is not None else None


def unauthorized_response() -> HttpResponse:
    """401 with the Basic challenge, for the protocol doors outside the REST API."""
    response = HttpResponse(
        unauthorized_message(), status=401, content_type="text/plain; charset=utf-8"
    )
    response["WWW-Authenticate"] = CHALLENGE
    return response


def throttled_response(error: BasicThrottled) -> HttpResponse:
    """429 with ``Retry-After``, for the protocol doors outside the REST API."""
    response = HttpResponse(
        throttled_message(), status=429, content_type="text/plain; charset=utf-8"
    )
    response["Retry-After"] = str(error.wait)
    return response


# --- REST API (Django REST framework) ----------------------------------------------------------


class BasicAuthenticationFailed(exceptions.APIException):
    """401 with the Basic challenge.

    Not an ``AuthenticationFailed``: DRF turns those into a 403 when the first authentication
    class (sessions) has no challenge, and Basic clients need the 401 to know what to send.
    """

    status_code = 401
    default_code = "authentication_failed"
    auth_header = CHALLENGE

    def __init__(self) -> None:
        super().__init__(unauthorized_message())


class BasicThrottledError(exceptions.Throttled):
    """429 with ``Retry-After`` and the French message (the wait is added in French too)."""

    extra_detail_singular = gettext_lazy("Délai restant : {wait} seconde.")
    extra_detail_plural = gettext_lazy("Délai restant : {wait} secondes.")

    def __init__(self, wait: int) -> None:
        super().__init__(wait=wait, detail=throttled_message(), code="throttled")


class AppPasswordBasicAuthentication(BaseAuthentication):
    """DRF authentication by HTTP Basic with an e-mail and an app password (never the account
    password). ``request.auth`` is the ``AppPassword`` used."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        if not is_basic(request):
            return None  # no Basic header: let the request stay anonymous
        try:
            app_password = authenticate_basic_app_password(request)
        except BasicThrottled as error:
            raise BasicThrottledError(error.wait) from None
        if app_password is None:
            raise BasicAuthenticationFailed()
        return app_password.user, app_password

    def authenticate_header(self, request: Any) -> str:
        return CHALLENGE


class AppPasswordBasicScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the Basic door (registered by being defined)."""

    target_class = "entente.core.authentication.AppPasswordBasicAuthentication"
    name = "motDePasseApplication"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "basic",
            "description": (
                "Adresse e-mail et mot de passe d'application (créé dans « Mon compte »). "
                "Le mot de passe du compte n'est jamais accepté."
            ),
        }
