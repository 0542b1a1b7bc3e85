"""Use cases of spaces: create one, add, change and remove members, archive, and the
requests to join an open space (ask, cancel, accept, refuse).

Every change checks the actor's right through the permission engine and raises
``ValidationError`` with a French message when the change breaks a rule.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.audit.models import EventKind
from entente.audit.services import record
from entente.core.permissions import can, require
from entente.notifications.models import NotificationKind
from entente.notifications.services import notify
from entente.spaces.activity import record_activity
from entente.spaces.models import (
    ActivityVerb,
    JoinRequest,
    JoinRequestStatus,
    Membership,
    Space,
    SpaceRole,
    Visibility,
    role_rank,
)
from entente.spaces.permissions import member_role


def _name(person: Any) -> str:
    return (person.get_full_name() or person.email) if person is not None else ""


def space_url(space: Space) -> str:
    return reverse("spaces:detail", args=[space.pk])


def requests_url(space: Space) -> str:
    return reverse("spaces:members", args=[space.pk]) + "#demandes"


@transaction.atomic
def create_space(
    actor: Any, *, name: str, description: str = "", visibility: str = Visibility.PRIVATE
) -> Space:
    """``actor`` opens a space owned by their organisation and becomes its owner; the space
    gets its documents (on first use) and its agenda."""
    if not can(actor, "create", Space):
        raise PermissionDenied(_("Seules les personnes d'une organisation créent des espaces."))
    space = Space(
        name=name.strip(),
        description=description.strip(),
        visibility=visibility,
        organisation_id=actor.organisation_id,
        created_by=actor,
    )
    space.full_clean()
    space.save()
    Membership.objects.create(space=space, user=actor, role=SpaceRole.OWNER, added_by=actor)
    record(EventKind.SPACE_CREATED, actor=actor, target=space, organisation=space.organisation)
    record_activity(
        space, actor, ActivityVerb.SPACE_CREATED, label=space.name, url=space_url(space)
    )
    from entente.calendars.services import space_calendar  # calendars depends on spaces

    space_calendar(space)  # its agenda is there at once, in every « Agenda » choice
    return space


def _check_invitee(space: Space, user: Any) -> None:
    if not user.is_active or getattr(user, "access_expired", False):
        raise ValidationError(_("Ce compte n'est pas actif."))
    if user.is_guest and not space.organisation.policy.guests_allowed:
        raise ValidationError(
            _("La politique de %(org)s n'autorise pas les personnes extérieures.")
            % {"org": space.organisation}
        )


@transaction.atomic
def add_member(
    actor: Any, space: Space, user: Any, role: str = SpaceRole.CONTRIBUTOR, *, emailed: bool = False
) -> Membership:
    """A manager adds ``user`` (of any organisation, or a guest) with ``role``; they are
    notified (``emailed=True``: the caller already e-mails them about it)."""
    require(actor, "manage", space)
    if space.is_archived:
        raise ValidationError(_("Cet espace est archivé."))
    if role not in SpaceRole.values:
        raise ValidationError(_("Rôle inconnu."))
    _check_owner_grant(actor, space, role)
    _check_invitee(space, user)
    membership, created = Membership.objects.get_or_create(
        space=space, user=user, defaults={"role": role, "added_by": actor}
    )
    if not created:
        raise ValidationError(_("%(person)s est déjà membre de cet espace.") % {"person": user})
    record(
        EventKind.SPACE_MEMBER_ADDED,
        actor=actor,
        target=space,
        organisation=space.organisation,
        member=user.email,
        role=role,
    )
    # a pending request of the person is answered by this addition
    JoinRequest.objects.filter(space=space, user=user, status=JoinRequestStatus.PENDING).update(
        status=JoinRequestStatus.ACCEPTED, decided_by=actor, decided_at=timezone.now()
    )
    record_activity(space, actor, ActivityVerb.MEMBER_ADDED, label=_name(user))
    notify(
        user,
        NotificationKind.SPACE_INVITATION,
        title=_("%(actor)s vous a ajouté·e à l'espace %(space)s")
        % {"actor": _name(actor), "space": space.name},
        url=space_url(space),
        actor=actor,
        body=_("Votre rôle : %(role)s.") % {"role": SpaceRole(role).label.lower()},
        space=space,
        emailed=emailed,
    )
    return membership


def _check_owner_grant(actor: Any, space: Space, role: str) -> None:
    if role == SpaceRole.OWNER and member_role(actor, space) != SpaceRole.OWNER:
        raise PermissionDenied(_("Seul un propriétaire peut nommer un autre propriétaire."))


def _check_keeps_owner(space: Space, membership: Membership) -> None:
    if (
        membership.role == SpaceRole.OWNER
        and not space.memberships.filter(role=SpaceRole.OWNER).exclude(pk=membership.pk).exists()
    ):
        raise ValidationError(_("Un espace garde au moins un propriétaire."))


@transaction.atomic
def set_role(actor: Any, membership: Membership, role: str) -> Membership:
    space = membership.space
    require(actor, "manage", space)
    if role not in SpaceRole.values:
        raise ValidationError(_("Rôle inconnu."))
    _check_owner_grant(actor, space, role)
    if role_rank(membership.role) > role_rank(member_role(actor, space)):
        raise PermissionDenied(_("Vous ne pouvez pas changer le rôle d'un propriétaire."))
    if role != SpaceRole.OWNER:
        _check_keeps_owner(space, membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(actor: Any, membership: Membership) -> None:
    """A manager removes someone, or a member leaves; access to everything of the space ends
    at once (it is read from the membership on every request)."""
    space = membership.space
    if membership.user_id != actor.pk:
        require(actor, "manage", space)
        if role_rank(membership.role) > role_rank(member_role(actor, space)):
            raise PermissionDenied(_("Vous ne pouvez pas retirer un propriétaire."))
    _check_keeps_owner(space, membership)
    email = membership.user.email
    leaving = membership.user_id == actor.pk
    membership.delete()
    record(
        EventKind.SPACE_MEMBER_REMOVED,
        actor=actor,
        target=space,
        organisation=space.organisation,
        member=email,
    )
    if leaving:
        record_activity(space, actor, ActivityVerb.MEMBER_LEFT)


@transaction.atomic
def update_space(actor: Any, space: Space, **changes: Any) -> Space:
    """A manager renames the space or changes its description or visibility."""
    require(actor, "manage", space)
    if space.is_archived:
        raise ValidationError(_("Cet espace est archivé : désarchivez-le pour le modifier."))
    allowed = {"name", "description", "visibility"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            _("Champ inconnu : %(field)s.") % {"field": ", ".join(sorted(unknown))}
        )
    for field, value in changes.items():
        setattr(space, field, value.strip() if isinstance(value, str) else value)
    space.full_clean()
    space.save(update_fields=[*changes])
    record(
        EventKind.SPACE_UPDATED,
        actor=actor,
        target=space,
        organisation=space.organisation,
        changed=sorted(changes),
    )
    return space


@transaction.atomic
def archive_space(actor: Any, space: Space, archived: bool = True) -> Space:
    require(actor, "manage", space)
    space.archived_at = timezone.now() if archived else None
    space.save(update_fields=["archived_at"])
    record(
        EventKind.SPACE_ARCHIVED if archived else EventKind.SPACE_UNARCHIVED,
        actor=actor,
        target=space,
        organisation=space.organisation,
    )
    return space


def guest_for(actor: Any, *, email: str, first_name: str, last_name: str, expires_at, reason: str):
    """The guest account behind ``email``: the existing one (its access extended to
    ``expires_at`` if that is later), or a new one invited by e-mail. Refused like any guest
    invitation (policy, an address of the territory, an expiry too far)."""
    from entente.accounts.models import Status, User
    from entente.accounts.services import check_guest_invitation, do_invite_guest

    existing = User.objects.filter(email__iexact=email.strip(), status=Status.GUEST).first()
    if existing is None:
        return do_invite_guest(
            actor,
            email=email,
            first_name=first_name,
            last_name=last_name,
            expires_at=expires_at,
            reason=reason,
        )
    if actor.organisation is None or not actor.organisation.policy.guests_allowed:
        check_guest_invitation(actor, "x@invalid.invalid", expires_at)  # raises the policy error
    if not existing.is_active:
        raise ValidationError(_("Ce compte invité a été désactivé."), code="inactive")
    if existing.guest_expires_at is None or existing.guest_expires_at < expires_at:
        existing.guest_expires_at = expires_at
        existing.save(update_fields=["guest_expires_at"])
    return existing


@transaction.atomic
def invite_guest(
    actor: Any,
    space: Space,
    *,
    email: str,
    first_name: str,
    last_name: str,
    expires_at,
    role: str = SpaceRole.READER,
) -> Membership:
    """A manager invites someone from outside the territory into ``space``: a guest account
    (e-mailed its one-time link) that reaches only this space and what is shared with it."""
    from entente.accounts.models import Status, User

    require(actor, "manage", space)
    # a new guest gets the invitation e-mail: no second e-mail for the same news
    new = not User.objects.filter(email__iexact=email.strip(), status=Status.GUEST).exists()
    guest = guest_for(
        actor,
        email=email,
        first_name=first_name,
        last_name=last_name,
        expires_at=expires_at,
        reason=_("Espace « %(space)s »") % {"space": space.name},
    )
    return add_member(actor, space, guest, role, emailed=new)


# ---------------------------------------------------------------- join requests


def _managers(space: Space) -> list[Any]:
    return [
        membership.user
        for membership in space.memberships.filter(
            role__in=[SpaceRole.OWNER, SpaceRole.MANAGER]
        ).select_related("user")
    ]


@transaction.atomic
def request_to_join(actor: Any, space: Space, message: str = "") -> JoinRequest:
    """Someone of the territory asks to enter an open space; its managers are told."""
    require(actor, "join", space)
    message = (message or "").strip()
    if len(message) > 1000:
        raise ValidationError({"message": [_("Le message dépasse 1000 caractères.")]})
    if JoinRequest.objects.filter(
        space=space, user=actor, status=JoinRequestStatus.PENDING
    ).exists():
        raise ValidationError(
            _("Vous avez déjà demandé à rejoindre cet espace : sa réponse est en attente."),
            code="pending",
        )
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(space=space, user=actor, message=message)
    except IntegrityError:  # a second click raced the first one
        raise ValidationError(
            _("Vous avez déjà demandé à rejoindre cet espace : sa réponse est en attente."),
            code="pending",
        ) from None
    for manager in _managers(space):
        notify(
            manager,
            NotificationKind.JOIN_REQUEST,
            title=_("%(actor)s demande à rejoindre l'espace %(space)s")
            % {"actor": _name(actor), "space": space.name},
            url=requests_url(space),
            actor=actor,
            body=message,
            space=space,
        )
    return join_request


def _pending(join_request: JoinRequest) -> JoinRequest:
    row = (
        JoinRequest.objects.select_for_update(of=("self",))
        .select_related("space", "user")
        .filter(pk=join_request.pk)
        .first()
    )
    if row is None or row.status != JoinRequestStatus.PENDING:
        raise ValidationError(_("Cette demande a déjà reçu une réponse."), code="decided")
    return row


@transaction.atomic
def cancel_join_request(actor: Any, join_request: JoinRequest) -> None:
    """The person who asked withdraws their request."""
    if join_request.user_id != actor.pk:
        raise PermissionDenied(_("Seule la personne qui a fait la demande peut l'annuler."))
    _pending(join_request).delete()


@transaction.atomic
def accept_join_request(
    actor: Any, join_request: JoinRequest, role: str = SpaceRole.READER
) -> Membership:
    """A manager lets the person in, as a reader unless they choose another role."""
    space = join_request.space
    require(actor, "manage", space)
    if space.is_archived:
        raise ValidationError(_("Cet espace est archivé."))
    if role not in SpaceRole.values:
        raise ValidationError(_("Rôle inconnu."))
    _check_owner_grant(actor, space, role)
    row = _pending(join_request)
    person = row.user
    _check_invitee(space, person)
    membership, created = Membership.objects.get_or_create(
        space=space, user=person, defaults={"role": role, "added_by": actor}
    )
    row.status = JoinRequestStatus.ACCEPTED
    row.decided_by = actor
    row.decided_at = timezone.now()
    row.save(update_fields=["status", "decided_by", "decided_at"])
    if created:
        record(
            EventKind.SPACE_MEMBER_ADDED,
            actor=actor,
            target=space,
            organisation=space.organisation,
            member=person.email,
            role=role,
        )
        record_activity(space, person, ActivityVerb.MEMBER_JOINED, label=_name(person))
    notify(
        person,
        NotificationKind.JOIN_REQUEST,
        title=_("Votre demande pour rejoindre l'espace %(space)s est acceptée")
        % {"space": space.name},
        url=space_url(space),
        actor=actor,
        body=_("Votre rôle : %(role)s.") % {"role": SpaceRole(membership.role).label.lower()},
        space=space,
    )
    return membership


@transaction.atomic
def refuse_join_request(actor: Any, join_request: JoinRequest) -> JoinRequest:
    """A manager declines; the person is told (and may ask again later)."""
    space = join_request.space
    require(actor, "manage", space)
    row = _pending(join_request)
    row.status = JoinRequestStatus.REFUSED
    row.decided_by = actor
    row.decided_at = timezone.now()
    row.save(update_fields=["status", "decided_by", "decided_at"])
    notify(
        row.user,
        NotificationKind.JOIN_REQUEST,
        title=_("Votre demande pour rejoindre l'espace %(space)s n'est pas acceptée")
        % {"space": space.name},
        url=space_url(space),
        actor=actor,
        space=space,
    )
    return row
