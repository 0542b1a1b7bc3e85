"""Who is calling SCIM: the bearer token, its organisation, and how often it may call.

A request is accepted when its ``Authorization: Bearer …`` token is known, not revoked, and
the permission rules let its ``ScimClient`` provision the organisation named in the URL (a
token acts on its own organisation only). Every refusal gives the same 401, whatever the
reason, so nobody learns which organisations or tokens exist.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from entente.audit.services import client_ip
from entente.organisations.models import Organisation
from entente.provisioning import services
from entente.provisioning.permissions import ScimClient, may_provision
from entente.provisioning.scim.errors import ScimError

DEFAULT_RATE_PER_MINUTE = 1200
UNAUTHORISED = (
    "Jeton absent, invalide ou révoqué pour cette organisation. Créez un jeton dans "
    "Administration › Provisionnement et envoyez-le dans l'en-tête « Authorization: Bearer "
    "<jeton> »."
)


def _unauthorised() -> ScimError:
    error = ScimError(401, UNAUTHORISED)
    error.headers["WWW-Authenticate"] = 'Bearer realm="Entente SCIM"'
    return error


def bearer_secret(request: HttpRequest) -> str:
    scheme, _space, secret = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else ""


def authenticate(request: HttpRequest, slug: str) -> tuple[ScimClient, Organisation]:
    """The client of this request and the organisation of the URL, or a 401/429 SCIM error."""
    token = services.find_token(bearer_secret(request))
    if token is None:
        raise _unauthorised()
    organisation = Organisation.objects.filter(slug=slug).first()
    client = ScimClient(token)
    if organisation is None or not may_provision(client, organisation):
        raise _unauthorised()
    throttle(client)
    services.do_touch_token(token, client_ip(request))
    return client, organisation


def rate_per_minute() -> int:
    return int(getattr(settings, "SCIM_RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_PER_MINUTE))


def throttle(client: ScimClient) -> None:
    """At most ``SCIM_RATE_LIMIT_PER_MINUTE`` requests per token and minute (429 beyond)."""
    limit = rate_per_minute()
    if limit <= 0:
        return
    now = timezone.now()
    key = f"scim-rate:{client.token.pk}:{now:%Y%m%d%H%M}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    if count > limit:
        error = ScimError(
            429,
            f"Trop de requêtes avec ce jeton (au plus {limit} par minute) : réessayez dans "
            "une minute.",
        )
        error.headers["Retry-After"] = str(60 - now.second)
        raise error
