"""Use cases of single sign-on: configure an organisation's provider, route a sign-in by mail
domain, accept (or refuse) the person a provider vouches for, and sign out at the provider.

``do_…`` functions change state and assume the caller checked permission through
``entente.core.permissions`` (``edit`` on the ``IdentityProvider``); ``check_…`` functions
validate first (a discovery fetch for a provider), then call them. Validation errors are
``ValidationError`` with French messages keyed by form field; a refused sign-in is
``SsoRefused``, whose message says what happened and what to do.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from allauth.core.internal.datakit import parse_bool_safely
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts import services as people
from entente.accounts.models import Status, User
from entente.audit.models import EventKind
from entente.audit.services import record
from entente.core.validators import CONTROL_RE
from entente.directory.models import Service
from entente.identity import oidc
from entente.identity.models import IdentityProvider
from entente.identity.providers import PROVIDER_ID_PREFIX
from entente.organisations.models import MailDomain, Organisation

logger = logging.getLogger(__name__)

ALLAUTH_PROVIDER = "openid_connect"
#: the person's single sign-on session: provider id and raw id_token (for ``id_token_hint``)
SESSION_KEY = "entente_sso"
#: the ``state`` sent to the provider's end_session_endpoint, checked when it sends the person back
LOGOUT_STATE_KEY = "entente_sso_logout_state"
END_SESSION_SALT = "entente.identity.end_session"
END_SESSION_MAX_AGE = 300
PROVIDER_FIELDS = (
    "kind",
    "name",
    "issuer",
    "client_id",
    "scopes",
    "claim_first_name",
    "claim_last_name",
    "claim_email",
    "claim_service",
    "claim_job_title",
    "acr_values",
    "allow_local_password",
    "trust_email",
    "is_enabled",
)
PROFILE_LIMITS = {"first_name": 100, "last_name": 100, "job_title": 150, "service": 150}


class SsoRefused(Exception):
    """A sign-in the platform refuses; ``message`` tells the person why and what to do."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def provider_id_for(organisation: Organisation) -> str:
    return f"{PROVIDER_ID_PREFIX}{organisation.slug}"


# --- routing by mail domain ------------------------------------------------------------------


def enabled_providers():
    return IdentityProvider.objects.filter(is_enabled=True, organisation__is_active=True)


def provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider of the organisation owning ``email``'s domain, if any.

    Routing is by domain only: it tells nothing about whether an account exists.
    """
    domain = (email or "").strip().lower().rpartition("@")[2]
    if not domain:
        return None
    return (
        enabled_providers()
        .filter(organisation__mail_domains__domain=domain)
        .select_related("organisation")
        .first()
    )


def provider_for_person(person: User) -> IdentityProvider | None:
    if person.organisation_id is None:
        return None
    return enabled_providers().filter(organisation_id=person.organisation_id).first()


def sso_domains() -> dict[str, dict[str, Any]]:
    """Mail domains served by a provider, for the sign-in page's script (public routing data)."""
    rows = MailDomain.objects.filter(
        organisation__identity_provider__in=enabled_providers()
    ).values_list(
        "domain",
        "organisation__name",
        "organisation__identity_provider__name",
        "organisation__identity_provider__allow_local_password",
    )
    return {
        domain: {"organisation": org, "provider": name, "local": local}
        for domain, org, name, local in rows
    }


# --- configuration ---------------------------------------------------------------------------


def check_discovery(issuer: str) -> dict[str, Any]:
    """Fetch the provider's discovery document; a problem becomes a form error on ``issuer``."""
    try:
        return oidc.fetch_discovery(issuer)
    except oidc.OidcError as error:
        raise ValidationError({"issuer": error.message}, code=error.code) from None


def check_and_save_provider(
    actor: User,
    organisation: Organisation,
    data: dict[str, Any],
    request: HttpRequest | None = None,
) -> IdentityProvider:
    """Validate an organisation's provider settings (discovery included) and save them.

    ``data``: the ``PROVIDER_FIELDS`` and ``client_secret`` (empty keeps the stored one).
    The discovery request runs before any database lock is taken.
    """
    existing = IdentityProvider.objects.filter(organisation=organisation).first()
    if not data.get("client_secret") and not (existing and existing.client_secret):
        raise ValidationError(
            {"client_secret": _("Indiquez le secret client fourni par le fournisseur d'identité.")}
        )
    metadata = check_discovery(data.get("issuer", ""))
    return do_save_provider(actor, organisation, data, metadata, request=request)


@transaction.atomic
def do_save_provider(
    actor: User,
    organisation: Organisation,
    data: dict[str, Any],
    metadata: dict[str, Any],
    request: HttpRequest | None = None,
) -> IdentityProvider:
    """Store the provider and bring allauth's ``SocialApp`` in step with it."""
    provider = (
        IdentityProvider.objects.select_for_update().filter(organisation=organisation).first()
    )
    created = provider is None
    if provider is None:
        provider = IdentityProvider(
            organisation=organisation, provider_id=provider_id_for(organisation)
        )
    changed = []
    for field in PROVIDER_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field == "issuer":
            value = oidc.normalise_issuer(value)
        elif isinstance(value, str):
            value = value.strip()
        if getattr(provider, field) != value:
            setattr(provider, field, value)
            changed.append(field)
    if data.get("client_secret"):
        if provider.client_secret != data["client_secret"]:
            changed.append("client_secret")
        provider.client_secret = data["client_secret"]
    if not provider.scopes.strip():
        provider.scopes = " ".join(provider.scope_list)
    provider.metadata = metadata
    provider.checked_at = timezone.now()
    provider.full_clean()
    provider.save()
    sync_social_app(provider)
    if changed or created:
        record(
            EventKind.SSO_PROVIDER_UPDATED,
            actor=actor,
            organisation=organisation,
            target=provider,
            request=request,
            fields=sorted(changed),  # names only: the secret itself is never recorded
            created=created,
            enabled=provider.is_enabled,
        )
    return provider


@transaction.atomic
def do_set_enabled(
    actor: User, provider: IdentityProvider, enabled: bool, request: HttpRequest | None = None
) -> IdentityProvider:
    """Switch single sign-on off (or on again) without contacting the provider."""
    provider = IdentityProvider.objects.select_for_update().get(pk=provider.pk)
    if provider.is_enabled == enabled:
        return provider
    provider.is_enabled = enabled
    provider.save(update_fields=["is_enabled", "updated_at"])
    sync_social_app(provider)
    record(
        EventKind.SSO_PROVIDER_UPDATED,
        actor=actor,
        organisation=provider.organisation,
        target=provider,
        request=request,
        fields=["is_enabled"],
        enabled=enabled,
    )
    return provider


def sync_social_app(provider: IdentityProvider) -> SocialApp | None:
    """The allauth ``SocialApp`` exists exactly while the provider is enabled (allauth reads it
    at each sign-in, so nothing needs a restart)."""
    apps = SocialApp.objects.filter(provider=ALLAUTH_PROVIDER, provider_id=provider.provider_id)
    if not provider.is_enabled:
        apps.delete()
        return None
    app = apps.first() or SocialApp(provider=ALLAUTH_PROVIDER, provider_id=provider.provider_id)
    metadata = provider.metadata
    auth_methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    app.name = provider.name[:40]
    app.client_id = provider.client_id
    app.secret = provider.client_secret
    app.settings = {
        "server_url": provider.issuer,
        "kind": provider.kind,
        "scope": provider.scope_list,
        "acr_values": provider.acr_values.strip(),
        "fetch_userinfo": True,
        "oauth_pkce_enabled": "S256" in (metadata.get("code_challenge_methods_supported") or []),
        "token_auth_method": "client_secret_post"
        if "client_secret_post" in auth_methods
        else "client_secret_basic",
    }
    app.save()
    return app


# --- claims ----------------------------------------------------------------------------------


def read_claim(claims: dict[str, Any], name: str) -> Any:
    """A claim by name; ``a.b`` reads a nested object (``address.locality``)."""
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _text(value: Any, limit: int) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return CONTROL_RE.sub("", str(value)).strip()[:limit]


def mapped_profile(provider: IdentityProvider, claims: dict[str, Any]) -> dict[str, str]:
    """The person's fields read from the claims through the provider's mapping."""
    profile = {}
    for field in ("first_name", "last_name", "service", "job_title"):
        claim = provider.claim_for(field)
        profile[field] = _text(read_claim(claims, claim), PROFILE_LIMITS[field]) if claim else ""
    email = _text(read_claim(claims, provider.claim_for("email")), 254)
    profile["email"] = people.normalise_email(email) if "@" in email else ""
    return profile


def claims_of(sociallogin: SocialLogin) -> dict[str, Any]:
    """The id_token claims, overridden by the userinfo answer (fresher and often richer)."""
    data = sociallogin.account.extra_data or {}
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


def _service(organisation: Organisation, name: str) -> Service | None:
    """An existing service of the organisation with this name (never created here)."""
    if not name:
        return None
    matches = list(Service.objects.filter(organisation=organisation, name__iexact=name)[:2])
    return matches[0] if len(matches) == 1 else None


def _names_from_email(email: str) -> tuple[str, str]:
    parts = [p for p in re.split(r"[._-]+", email.partition("@")[0]) if p]
    first = parts[0].capitalize() if parts else email
    last = " ".join(p.capitalize() for p in parts[1:]) or first
    return first[:100], last[:100]


def _person_data(
    organisation: Organisation, profile: dict[str, str], person: User | None
) -> dict[str, Any]:
    """What the claims carry, ready for ``accounts.services`` (empty claims change nothing)."""
    data: dict[str, Any] = {}
    for field in ("first_name", "last_name", "job_title"):
        if profile[field]:
            data[field] = profile[field]
    service = _service(organisation, profile["service"])
    if service is not None:
        data["service"] = service
    if person is None:
        fallback_first, fallback_last = _names_from_email(profile["email"])
        data.setdefault("first_name", fallback_first)
        data.setdefault("last_name", fallback_last)
        data["email"] = profile["email"]
        data["status"] = Status.AGENT
    elif profile["email"] and profile["email"] != person.email:
        data["email"] = profile["email"]
    return data


# --- accepting a sign-in ---------------------------------------------------------------------


def _check_domain(email: str, provider: IdentityProvider) -> None:
    domain = email.rpartition("@")[2]
    owner = MailDomain.objects.filter(domain=domain).select_related("organisation").first()
    if owner is not None and owner.organisation_id != provider.organisation_id:
        raise SsoRefused(
            _(
                "L'adresse %(email)s relève de %(owner)s : elle ne peut pas servir à se connecter "
                "par le service de connexion de %(org)s. Prévenez l'administrateur de votre "
                "organisation."
            )
            % {"email": email, "owner": owner.organisation.name, "org": provider.organisation.name},
            "email_other_organisation",
        )


def _check_person(person: User, provider: IdentityProvider) -> None:
    if not person.is_active:
        raise SsoRefused(
            _(
                "Votre compte est désactivé : vous ne pouvez pas vous connecter. Si c'est une "
                "erreur, contactez l'administrateur de votre organisation."
            ),
            "inactive",
        )
    if person.organisation_id != provider.organisation_id:
        raise SsoRefused(
            _(
                "Votre compte n'appartient pas à %(org)s : connectez-vous par la page de "
                "connexion avec votre adresse e-mail, ou prévenez l'administrateur."
            )
            % {"org": provider.organisation.name},
            "other_organisation",
        )


def _apply_claims(person: User, provider: IdentityProvider, profile: dict[str, str]) -> User:
    data = _person_data(provider.organisation, profile, person)
    try:
        return people.do_update_person(person, person, data)
    except ValidationError as error:
        raise SsoRefused(_refusal_detail(error), "invalid_profile") from None


def _refusal_detail(error: ValidationError) -> str:
    return _(
        "Les informations transmises par votre fournisseur d'identité ne peuvent pas être "
        "enregistrées : %(details)s Prévenez l'administrateur de votre organisation."
    ) % {"details": " ".join(error.messages)}


def _link(request: HttpRequest, sociallogin: SocialLogin, person: User) -> None:
    """Attach the provider's identity (``sub``) to ``person`` (allauth's SocialAccount)."""
    sociallogin.user = person
    sociallogin.save(request, connect=True)


def accept_sso_login(request: HttpRequest, sociallogin: SocialLogin) -> User:
    """Decide who a provider's answer signs in; raise ``SsoRefused`` otherwise.

    People are matched on the provider's ``sub`` (allauth's ``SocialAccount.uid``, scoped by
    provider), never on a name. A new ``sub`` is linked to the existing person of the
    organisation with the same address only if the provider says the address is verified (or
    the organisation trusts its provider's addresses), and only if that person is not already
    linked to another ``sub``; without anyone to link, the person is created in the
    organisation. Names, service (an existing one, matched by name) and job title follow the
    claims at every sign-in.
    """
    provider_id = sociallogin.account.provider
    provider = (
        IdentityProvider.objects.select_related("organisation")
        .filter(provider_id=provider_id)
        .first()
    )
    if provider is None or not provider.is_enabled or not provider.organisation.is_active:
        raise SsoRefused(
            _(
                "La connexion par le service de votre organisation n'est pas activée. "
                "Connectez-vous avec votre mot de passe, ou demandez à l'administrateur de "
                "votre organisation."
            ),
            "disabled",
        )
    claims = claims_of(sociallogin)
    profile = mapped_profile(provider, claims)
    sub = sociallogin.account.uid
    try:
        with transaction.atomic():
            person, linked, created = _accept(request, sociallogin, provider, profile, claims)
            if linked:
                record(
                    EventKind.SSO_LINKED,
                    actor=person,
                    target=person,
                    organisation=provider.organisation,
                    request=request,
                    provider=provider_id,
                    sub=sub,
                    created=created,
                )
            record(
                EventKind.SSO_LOGIN,
                actor=person,
                target=person,
                organisation=provider.organisation,
                request=request,
                provider=provider_id,
                sub=sub,
                acr=str(claims.get("acr") or ""),
            )
            return person
    except SsoRefused as refusal:
        logger.info("SSO sign-in refused (%s) for sub %s at %s", refusal.code, sub, provider_id)
        record(
            EventKind.LOGIN_FAILED,
            actor_label=profile["email"] or f"{provider_id}:{sub}"[:254],
            organisation=provider.organisation,
            request=request,
            reason=f"sso:{refusal.code}",
            provider=provider_id,
            sub=sub,
        )
        raise


def _accept(
    request: HttpRequest,
    sociallogin: SocialLogin,
    provider: IdentityProvider,
    profile: dict[str, str],
    claims: dict[str, Any],
) -> tuple[User, bool, bool]:
    """``(person, newly linked, newly created)``; see ``accept_sso_login``."""
    email = profile["email"]
    if sociallogin.is_existing:  # this sub is known: its person, whatever the address says
        person = User.objects.select_for_update().get(pk=sociallogin.user.pk)
        _check_person(person, provider)
        if email:
            _check_domain(email, provider)
        return _apply_claims(person, provider, profile), False, False
    if not email:
        raise SsoRefused(
            _(
                "Votre fournisseur d'identité n'a pas transmis votre adresse e-mail. Demandez à "
                "l'administrateur de votre organisation d'ajouter la portée « email »."
            ),
            "no_email",
        )
    _check_domain(email, provider)
    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is None:
        data = _person_data(provider.organisation, profile, None)
        try:
            person = people.do_create_person(None, provider.organisation, data, invite=False)
        except ValidationError as error:
            raise SsoRefused(_refusal_detail(error), "invalid_profile") from None
        _link(request, sociallogin, person)
        return person, True, True
    if existing.organisation_id != provider.organisation_id:
        raise SsoRefused(
            _(
                "L'adresse %(email)s est déjà celle d'un compte d'une autre organisation ou d'une "
                "personne invitée : rien n'a été relié. Prévenez l'administrateur de votre "
                "organisation."
            )
            % {"email": email},
            "email_taken",
        )
    _check_person(existing, provider)
    if SocialAccount.objects.filter(user=existing, provider=provider.provider_id).exists():
        raise SsoRefused(
            _(
                "Le compte %(email)s est déjà relié à une autre identité chez votre fournisseur : "
                "rien n'a été fusionné. Demandez à l'administrateur de votre organisation de "
                "vérifier ce compte."
            )
            % {"email": email},
            "other_sub",
        )
    verified = provider.trust_email or parse_bool_safely(claims.get("email_verified"))
    if not verified:
        raise SsoRefused(
            _(
                "Un compte existe déjà avec l'adresse %(email)s, mais votre fournisseur "
                "d'identité n'indique pas que cette adresse est vérifiée : le compte n'a pas été "
                "relié. Connectez-vous avec votre mot de passe, ou demandez à l'administrateur "
                "de votre organisation."
            )
            % {"email": email},
            "unverified_email",
        )
    person = _apply_claims(existing, provider, profile)
    _link(request, sociallogin, person)
    return person, True, False


# --- starting and ending a single sign-on session --------------------------------------------


def redirect_page(
    request: HttpRequest, url: str, provider: IdentityProvider, leaving: bool
) -> HttpResponse:
    """A page that sends the browser on to the provider.

    A plain redirect answering a form would be blocked by the platform's Content-Security-Policy
    (``form-action 'self'`` also covers where the form's answer redirects), so the page moves
    on by itself (``<meta http-equiv="refresh">``) and offers a link for good measure.
    """
    context = {"url": url, "provider": provider, "leaving": leaving}
    return render(request, "identity/redirect.html", context)


def start_sso(
    request: HttpRequest,
    provider: IdentityProvider,
    *,
    login_hint: str = "",
    next_url: str | None = None,
) -> HttpResponse:
    """Send the person to their organisation's provider (allauth keeps the state in the session)."""
    from entente.identity.views import render_sso_error

    try:
        allauth_provider = get_social_adapter(request).get_provider(request, provider.provider_id)
        response = allauth_provider.redirect(
            request, AuthProcess.LOGIN, next_url=next_url, login_hint=login_hint
        )
    except SocialApp.DoesNotExist:
        return render_sso_error(request, None, status=404)
    if response.status_code in (301, 302, 303) and response.get("Location"):
        return redirect_page(request, response["Location"], provider, leaving=False)
    return response


def remember_sso_session(request: HttpRequest, sociallogin: SocialLogin) -> None:
    """Keep the provider and its raw id_token in the session, for sign-out at the provider."""
    request.session[SESSION_KEY] = {
        "provider_id": sociallogin.account.provider,
        "id_token": str((sociallogin.state or {}).get("id_token") or ""),
    }


def end_session_url(request: HttpRequest) -> str | None:
    """The provider's sign-out address (RP-initiated logout) for this session, if it has one."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    provider = IdentityProvider.objects.filter(provider_id=data.get("provider_id")).first()
    if provider is None or not provider.end_session_endpoint:
        return None
    params = {
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("identity:signed_out")),
        "state": secrets.token_urlsafe(32),  # ProConnect: 32 characters at least
        "client_id": provider.client_id,
    }
    if data.get("id_token"):
        params["id_token_hint"] = data["id_token"]
    endpoint = provider.end_session_endpoint
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"


def logout_relay_url(request: HttpRequest) -> str | None:
    """Where sign-out sends the browser: a signed relay page on the platform, which then moves
    on to the provider (see ``redirect_page``); ``None`` for a session without single sign-on."""
    url = end_session_url(request)
    if url is None:
        return None
    data = request.session[SESSION_KEY]
    token = signing.dumps(
        {"url": url, "provider_id": data["provider_id"]}, salt=END_SESSION_SALT, compress=True
    )
    return f"{reverse('identity:end_session')}?{urlencode({'t': token})}"


def read_logout_relay(token: str) -> tuple[str, IdentityProvider] | None:
    try:
        data = signing.loads(token, salt=END_SESSION_SALT, max_age=END_SESSION_MAX_AGE)
    except signing.BadSignature:
        return None
    provider = IdentityProvider.objects.filter(provider_id=data.get("provider_id")).first()
    if provider is None or not str(data.get("url", "")).startswith(provider.end_session_endpoint):
        return None
    return data["url"], provider


def remember_logout_state(request: HttpRequest, end_session_url: str) -> None:
    """Keep the ``state`` of the sign-out request (in the new, anonymous session)."""
    request.session[LOGOUT_STATE_KEY] = parse_qs(urlsplit(end_session_url).query).get(
        "state", [""]
    )[0]


def check_logout_state(request: HttpRequest) -> bool:
    """Whether the provider sent back the ``state`` of our sign-out request (used once)."""
    expected = request.session.pop(LOGOUT_STATE_KEY, "")
    return bool(expected) and secrets.compare_digest(expected, request.GET.get("state", ""))
