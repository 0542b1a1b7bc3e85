"""Use cases for people: create, invite, edit, (de)activate, sign out, accept an invitation.

Functions named ``do_…`` change state and assume the caller checked permission through
``entente.core.permissions``; ``check_…`` functions validate and raise ``ValidationError``
with a French message that forms show next to the right field. Every change is recorded in
the audit log inside the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts.models import Status, User
from entente.accounts.sessions import end_all_sessions
from entente.audit.models import EventKind
from entente.audit.services import record
from entente.directory.models import Service
from entente.organisations.models import MailDomain, Organisation

PERSON_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "status",
    "job_title",
    "mandate",
    "phone",
    "service",
    "manager",
    "is_org_admin",
)


def pending_invitation_q() -> Q:
    """People invited who have not chosen a password yet (and may still do so)."""
    return Q(
        is_active=True, invited_at__isnull=False, password__startswith=UNUSABLE_PASSWORD_PREFIX
    )


def normalise_email(email: str) -> str:
    return User.objects.normalize_email((email or "").strip()).lower()


def check_email_for_organisation(
    email: str, organisation: Organisation | None, exclude: User | None = None
) -> str:
    """Validate an e-mail for a person of ``organisation`` and return it normalised.

    Refused: an address already used by someone else (case-insensitive), and an address
    whose domain is registered to *another* organisation of the territory. Addresses on
    domains nobody registered stay allowed: élus often use a personal address.
    """
    email = normalise_email(email)
    taken = User.objects.filter(email__iexact=email)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError(
            {"email": _("Une personne utilise déjà cette adresse e-mail sur la plateforme.")},
            code="email_taken",
        )
    domain = email.rpartition("@")[2]
    owner = MailDomain.objects.filter(domain=domain).select_related("organisation").first()
    if owner is not None and owner.organisation_id != getattr(organisation, "pk", None):
        raise ValidationError(
            {
                "email": _(
                    "Le domaine « %(domain)s » appartient à %(org)s : cette personne doit être "
                    "créée par cette organisation."
                )
                % {"domain": domain, "org": owner.organisation.name}
            },
            code="email_other_organisation",
        )
    return email


def check_service_in_organisation(service: Service | None, organisation: Organisation) -> None:
    if service is not None and service.organisation_id != organisation.pk:
        raise ValidationError(
            {"service": _("Ce service n'appartient pas à votre organisation.")}, code="service_org"
        )


def check_manager(person: User, manager: User | None) -> None:
    """A manager is someone else of the same organisation, never one of the person's own
    reports (directly or further down: the chain would loop)."""
    if manager is None:
        return
    if manager.pk == person.pk or manager.organisation_id != person.organisation_id:
        raise ValidationError(
            {"manager": _("Choisissez une autre personne de l'organisation comme responsable.")},
            code="manager_invalid",
        )
    links = dict(
        User.objects.filter(organisation_id=person.organisation_id).values_list("pk", "manager_id")
    )
    node, steps = manager.pk, 0
    while node is not None and steps <= len(links):
        if node == person.pk:
            raise ValidationError(
                {
                    "manager": _(
                        "%(name)s est déjà sous la responsabilité de cette personne : "
                        "choisissez un autre responsable."
                    )
                    % {"name": manager}
                },
                code="manager_cycle",
            )
        node, steps = links.get(node), steps + 1


def check_status_for_member(status: str | None) -> None:
    if status == Status.GUEST:
        raise ValidationError(
            {"status": _("Une personne d'une organisation ne peut pas être invitée extérieure.")},
            code="status_guest",
        )


def _apply(person: User, data: dict[str, Any]) -> list[str]:
    """Copy the known fields of ``data`` onto ``person``; return the names of those that changed."""
    changed = []
    for field in PERSON_FIELDS:
        if field not in data:
            continue
        if field in ("service", "manager"):  # compare ids: reading them would cost a query
            if getattr(person, f"{field}_id") != getattr(data[field], "pk", None):
                setattr(person, field, data[field])
                changed.append(field)
        elif getattr(person, field) != data[field]:
            setattr(person, field, data[field])
            changed.append(field)
    if person.status != Status.ELU and person.mandate:
        person.mandate = ""
        if "mandate" not in changed:
            changed.append("mandate")
    return changed


@transaction.atomic
def do_create_person(
    actor: User, organisation: Organisation, data: dict[str, Any], invite: bool = True
) -> User:
    """Create a person of ``organisation`` (no usable password) and optionally invite them."""
    email = check_email_for_organisation(data.get("email", ""), organisation)
    check_service_in_organisation(data.get("service"), organisation)
    check_status_for_member(data.get("status"))
    person = User(organisation=organisation)
    _apply(person, {**data, "email": email})
    person.set_unusable_password()
    person.full_clean()
    person.save()
    record(EventKind.PERSON_CREATED, actor=actor, target=person, organisation=organisation)
    if person.is_org_admin:
        record(EventKind.ADMIN_GRANTED, actor=actor, target=person, organisation=organisation)
    if invite:
        do_send_invitation(actor, person)
    return person


@transaction.atomic
def do_update_person(actor: User, person: User, data: dict[str, Any]) -> User:
    """Change a person's identity, job, service or status; the organisation never changes here."""
    person = (
        User.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=person.pk)
    )
    if "email" in data:
        data = {
            **data,
            "email": check_email_for_organisation(data["email"], person.organisation, person),
        }
    if person.organisation is not None:
        check_service_in_organisation(data.get("service"), person.organisation)
        check_status_for_member(data.get("status"))
    if "manager" in data:
        check_manager(person, data["manager"])
    if data.get("is_org_admin") is False and person.pk == actor.pk and person.is_org_admin:
        raise ValidationError(
            {"is_org_admin": _("Vous ne pouvez pas retirer votre propre rôle d'administrateur.")}
        )
    changed = _apply(person, data)
    person.full_clean()
    if not changed:
        return person
    person.save(update_fields=changed)
    record(EventKind.PERSON_UPDATED, actor=actor, target=person, fields=sorted(changed))
    if "is_org_admin" in changed:
        kind = EventKind.ADMIN_GRANTED if person.is_org_admin else EventKind.ADMIN_REVOKED
        record(kind, actor=actor, target=person)
    return person


@transaction.atomic
def do_set_admin(actor: User, person: User, is_admin: bool) -> User:
    """Grant or remove the organisation administrator role (never one's own)."""
    if person.pk == actor.pk:
        raise ValidationError(_("Vous ne pouvez pas changer votre propre rôle d'administrateur."))
    if person.is_guest:
        raise ValidationError(_("Une personne invitée de l'extérieur ne peut pas administrer."))
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.is_org_admin == is_admin:
        return person
    person.is_org_admin = is_admin
    person.save(update_fields=["is_org_admin"])
    record(
        EventKind.ADMIN_GRANTED if is_admin else EventKind.ADMIN_REVOKED, actor=actor, target=person
    )
    return person


@transaction.atomic
def do_deactivate_person(actor: User, person: User) -> User:
    """End a person's access at once: their account is closed and their sessions ended.

    Django's authentication backend already refuses inactive people when it reloads the user
    of a session; the sessions are ended too, so that nothing of them is left behind.
    """
    if person.pk == actor.pk:
        raise ValidationError(_("Vous ne pouvez pas désactiver votre propre compte."))
    if not person.is_active:
        return person
    person.is_active = False
    person.deactivated_at = timezone.now()
    person.save(update_fields=["is_active", "deactivated_at"])
    record(EventKind.PERSON_DEACTIVATED, actor=actor, target=person)
    end_all_sessions(person)
    return person


@transaction.atomic
def do_force_sign_out(actor: User, person: User) -> int:
    """End every open session of ``person``, on every device; return how many were open.

    Their account stays active: they may sign in again at once (after a lost phone, say, with
    a new password or second factor). Sessions are ended outside the database's reach when
    they live in the cache, so a rollback does not bring them back; ending too many is safe.
    """
    if person.pk == actor.pk:
        raise ValidationError(
            _("Pour fermer vos propres sessions, utilisez la page « Sessions ouvertes ».")
        )
    ended = end_all_sessions(person)
    record(EventKind.FORCED_SIGN_OUT, actor=actor, target=person, sessions=ended)
    return ended


@transaction.atomic
def do_reactivate_person(actor: User, person: User) -> User:
    if person.is_active:
        return person
    person.is_active = True
    person.deactivated_at = None
    person.save(update_fields=["is_active", "deactivated_at"])
    record(EventKind.PERSON_REACTIVATED, actor=actor, target=person)
    return person


@transaction.atomic
def do_send_invitation(actor: User | None, person: User) -> None:
    """Mark ``person`` invited now and e-mail them a one-time link once the transaction commits.

    A new invitation invalidates the previous link (the token covers ``invited_at``).
    """
    from entente.accounts.tasks import send_invitation_email

    if person.has_usable_password():
        raise ValidationError(
            _("%(name)s a déjà choisi un mot de passe : une invitation n'est plus nécessaire.")
            % {"name": person}
        )
    if not person.is_active:
        raise ValidationError(
            _("%(name)s est désactivé·e : réactivez ce compte avant d'envoyer une invitation.")
            % {"name": person}
        )
    person.invited_at = timezone.now()
    person.save(update_fields=["invited_at"])
    record(EventKind.PERSON_INVITED, actor=actor, target=person, actor_label="système")
    actor_id = actor.pk if actor is not None else None
    transaction.on_commit(lambda: send_invitation_email.enqueue(person.pk, actor_id))


@transaction.atomic
def do_accept_invitation(person: User, password: str) -> User:
    """Set the password chosen by an invited person (the invitation link dies with it)."""
    password_validation.validate_password(password, person)
    person.set_password(password)
    person.save(update_fields=["password"])
    record(EventKind.INVITATION_ACCEPTED, actor=person, target=person)
    return person


#: how long a guest's access may last at most, from the invitation
GUEST_MAX_DAYS = 365


def check_guest_invitation(actor: User, email: str, expires_at: datetime) -> str:
    """Validate the invitation of someone from outside the territory; return the e-mail.

    Refused: inviters whose organisation's policy forbids guests (and guests themselves), an
    address on a domain of the territory (that person belongs to an organisation: share with
    them directly), an address already used, an expiry in the past or more than a year away.
    """
    organisation = actor.organisation
    if organisation is None:
        raise ValidationError(
            _("Une personne invitée ne peut pas inviter d'autres personnes."), code="guest_inviter"
        )
    if not organisation.policy.guests_allowed:
        raise ValidationError(
            _(
                "%(org)s n'autorise pas l'invitation de personnes extérieures. Demandez à "
                "l'administrateur de votre organisation."
            )
            % {"org": organisation.name},
            code="guests_forbidden",
        )
    email = normalise_email(email)
    domain = email.rpartition("@")[2]
    owner = MailDomain.objects.filter(domain=domain).select_related("organisation").first()
    if owner is not None:
        raise ValidationError(
            {
                "email": _(
                    "Cette adresse appartient à %(org)s, une organisation du territoire : "
                    "partagez directement avec cette personne, sans l'inviter."
                )
                % {"org": owner.organisation.name}
            },
            code="guest_is_member",
        )
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("Une personne utilise déjà cette adresse e-mail sur la plateforme.")},
            code="email_taken",
        )
    now = timezone.now()
    if expires_at <= now or expires_at > now + timedelta(days=GUEST_MAX_DAYS):
        raise ValidationError(
            {"guest_expires_at": _("Choisissez une date de fin d'accès dans l'année qui vient.")},
            code="guest_expiry",
        )
    return email


@transaction.atomic
def do_invite_guest(
    actor: User,
    *,
    email: str,
    first_name: str,
    last_name: str,
    expires_at: datetime,
    reason: str = "",
) -> User:
    """Create the account of a guest (no organisation, access until ``expires_at``) and e-mail
    them their one-time link. They sign in locally, must add a second factor, and see only
    what is shared with them (spaces and items grant that access; the guest account alone
    grants nothing)."""
    email = check_guest_invitation(actor, email, expires_at)
    guest = User(
        email=email,
        first_name=first_name,
        last_name=last_name,
        organisation=None,
        status=Status.GUEST,
        guest_expires_at=expires_at,
    )
    guest.set_unusable_password()
    guest.full_clean()
    guest.save()
    record(
        EventKind.GUEST_INVITED,
        actor=actor,
        target=guest,
        organisation=actor.organisation,
        expires_at=expires_at.isoformat(),
        reason=reason[:200],
    )
    do_send_invitation(actor, guest)
    return guest
