"""Use cases for app passwords: create (shown once), revoke, and check one presented by a client.

An app password is what a CalDAV, WebDAV or desktop client, or an API script, sends instead
of the account password. It is 24 random symbols from a 32-letter alphabet without look-alike
characters (120 bits), shown grouped by four (``abcd-efgh-…``). Only its SHA-256 digest is
stored, with its first four symbols as a prefix the person recognises: a presented password is
found by one indexed lookup on the digest, never by a slow password hash per request.

``do_…`` functions change state and assume the caller checked permission through
``entente.core.permissions``; both record an audit event in the same transaction.
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.models import AppPassword, User
from entente.audit.models import EventKind
from entente.audit.services import client_ip, record
from entente.core.validators import CONTROL_RE, validate_plain_text

#: 32 symbols (5 bits each): lower-case letters and digits without 0/o and 1/l.
ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"
GROUPS = 6
GROUP_LENGTH = 4
SECRET_LENGTH = GROUPS * GROUP_LENGTH  # 24 symbols: 120 bits of entropy
PREFIX_LENGTH = 4
DEFAULT_MAX_ACTIVE = 50
#: the last-used fields are written at most this often per app password (unless the client
#: or its address changes): a calendar client polling every few seconds costs no write each time
LAST_USED_RESOLUTION = timedelta(minutes=1)
CLI_ACTOR = "ligne de commande"


def max_active() -> int:
    return int(getattr(settings, "APP_PASSWORDS_MAX_ACTIVE", DEFAULT_MAX_ACTIVE))


def generate_secret() -> str:
    """A new secret, grouped for reading aloud and typing on a phone: ``abcd-efgh-…``."""
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))
    return "-".join(symbols[i : i + GROUP_LENGTH] for i in range(0, SECRET_LENGTH, GROUP_LENGTH))


def canonical(secret: str) -> str | None:
    """The 24 symbols of ``secret`` without dashes, spaces or capitals; None if it cannot be one.

    Clients and people retype passwords: grouping and case are not part of the secret.
    """
    if not isinstance(secret, str) or len(secret) > 4 * SECRET_LENGTH:
        return None
    compact = "".join(secret.split()).replace("-", "").lower()
    if len(compact) != SECRET_LENGTH or any(char not in ALPHABET for char in compact):
        return None
    return compact


def digest_of(secret: str) -> str | None:
    compact = canonical(secret)
    if compact is None:
        return None
    return hashlib.sha256(compact.encode("ascii")).hexdigest()


def display_prefix(app_password: AppPassword) -> str:
    return f"{app_password.prefix}-…"


def check_app_password_name(owner: User, name: str) -> str:
    """Validate the name of a new app password of ``owner``; return it cleaned."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(
            {"name": _("Donnez un nom à ce mot de passe, par exemple « Agenda du téléphone ».")},
            code="name_required",
        )
    if len(name) > AppPassword._meta.get_field("name").max_length:
        raise ValidationError(
            {"name": _("Ce nom est trop long : 100 caractères au plus.")}, code="name_too_long"
        )
    try:
        validate_plain_text(name)
    except ValidationError as error:
        raise ValidationError({"name": error.messages}, code="name_invalid") from None
    if AppPassword.objects.filter(user=owner, revoked_at__isnull=True, name__iexact=name).exists():
        raise ValidationError(
            {
                "name": _(
                    "Un mot de passe d'application s'appelle déjà « %(name)s » : choisissez un "
                    "autre nom, ou révoquez l'ancien d'abord."
                )
                % {"name": name}
            },
            code="name_taken",
        )
    return name


@transaction.atomic
def do_create_app_password(
    actor: User | None, owner: User, name: str, *, request: HttpRequest | None = None
) -> tuple[AppPassword, str]:
    """Create an app password for ``owner``; return it with its secret, which is never stored.

    ``actor`` is None when an operator creates it from the command line. The owner's row is
    locked so two simultaneous creations cannot pass the limit or share a name.
    """
    owner = User.objects.select_for_update().get(pk=owner.pk)
    if not owner.is_active:
        raise ValidationError(
            _("Le compte de %(name)s est désactivé : il ne peut pas recevoir de mot de passe.")
            % {"name": owner},
            code="owner_inactive",
        )
    name = check_app_password_name(owner, name)
    limit = max_active()
    if AppPassword.objects.filter(user=owner, revoked_at__isnull=True).count() >= limit:
        raise ValidationError(
            _(
                "Vous avez déjà %(limit)d mots de passe d'application actifs, le maximum : "
                "révoquez ceux que vous n'utilisez plus, puis créez-en un nouveau."
            )
            % {"limit": limit},
            code="too_many",
        )
    secret = generate_secret()
    compact = canonical(secret)
    app_password = AppPassword(
        user=owner,
        name=name,
        prefix=compact[:PREFIX_LENGTH],
        digest=hashlib.sha256(compact.encode("ascii")).hexdigest(),
    )
    try:
        with transaction.atomic():
            app_password.save(force_insert=True)
    except IntegrityError:  # the name was taken between the check and the insert
        raise ValidationError(
            {
                "name": _(
                    "Un mot de passe d'application porte déjà ce nom : choisissez-en un autre."
                )
            },
            code="name_taken",
        ) from None
    record(
        EventKind.APP_PASSWORD_CREATED,
        actor=actor,
        actor_label="" if actor is not None else CLI_ACTOR,
        organisation=owner.organisation,
        target=app_password,
        request=request,
        name=name,
        prefix=app_password.prefix,
        owner=owner.email,
    )
    return app_password, secret


@transaction.atomic
def do_revoke_app_password(
    actor: User | None, app_password: AppPassword, *, request: HttpRequest | None = None
) -> AppPassword:
    """Revoke ``app_password``: the next request that presents it is refused. Idempotent."""
    app_password = (
        AppPassword.objects.select_for_update(of=("self",))
        .select_related("user__organisation")
        .get(pk=app_password.pk)
    )
    if app_password.revoked_at is not None:
        return app_password
    app_password.revoked_at = timezone.now()
    app_password.save(update_fields=["revoked_at"])
    record(
        EventKind.APP_PASSWORD_REVOKED,
        actor=actor,
        actor_label="" if actor is not None else CLI_ACTOR,
        organisation=app_password.user.organisation,
        target=app_password,
        request=request,
        name=app_password.name,
        prefix=app_password.prefix,
        owner=app_password.user.email,
    )
    return app_password


def _usable_by(user: User) -> bool:
    """Deactivated people, and guests whose access has expired, are refused at once."""
    if not user.is_active:
        return False
    expires = user.guest_expires_at
    return expires is None or expires > timezone.now()


def find_app_password(email: str, secret: str) -> AppPassword | None:
    """The active app password ``secret`` of the active person ``email``, or None.

    One indexed query on the digest; a secret that cannot be an app password costs none.
    """
    digest = digest_of(secret)
    if digest is None or not isinstance(email, str):
        return None
    app_password = (
        AppPassword.objects.select_related("user__organisation")
        .filter(digest=digest, revoked_at__isnull=True)
        .first()
    )
    if app_password is None:
        return None
    user = app_password.user
    if user.email.lower() != email.strip().lower() or not _usable_by(user):
        return None
    return app_password


def _address(request: HttpRequest | None) -> str | None:
    ip = client_ip(request)
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


def note_use(app_password: AppPassword, request: HttpRequest | None) -> None:
    """Record when, from which client and address ``app_password`` was last used.

    Written at most once per ``LAST_USED_RESOLUTION`` unless the client or address changes,
    with an UPDATE that touches only these three columns (never a revocation made meanwhile).
    """
    now = timezone.now()
    meta = request.META if request is not None else {}
    client = CONTROL_RE.sub("", str(meta.get("HTTP_USER_AGENT", ""))).strip()
    client = client[: AppPassword._meta.get_field("last_used_client").max_length]
    ip = _address(request)
    if (
        app_password.last_used_at is not None
        and now - app_password.last_used_at < LAST_USED_RESOLUTION
        and app_password.last_used_client == client
        and app_password.last_used_ip == ip
    ):
        return
    AppPassword.objects.filter(pk=app_password.pk).update(
        last_used_at=now, last_used_client=client, last_used_ip=ip
    )
    app_password.last_used_at, app_password.last_used_client = now, client
    app_password.last_used_ip = ip


def authenticate_app_password(email: str, secret: str, request: HttpRequest | None) -> User | None:
    """The person ``email`` if ``secret`` is one of their active app passwords, else None.

    Never checks the account password. Throttling is the caller's job (the Basic-auth door in
    ``entente.core.authentication`` does it for every protocol).
    """
    app_password = find_app_password(email, secret)
    if app_password is None:
        return None
    note_use(app_password, request)
    return app_password.user
