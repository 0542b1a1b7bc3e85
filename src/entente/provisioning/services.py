"""Use cases of provisioning: SCIM tokens, changes made through SCIM, and the CSV import.

``do_…`` functions change state and assume the caller checked permission through
``entente.core.permissions`` (``create``/``revoke`` on a ``ScimToken``, ``provision`` on the
organisation's identities: see ``provisioning.permissions``). People and groups are changed
through the use cases of ``accounts.services`` and ``directory.services``, so every rule
written there holds here too; each change made through SCIM is also recorded as a
``SCIM_CHANGE`` audit event in the organisation's chain, in the same transaction.

The CSV import is in two steps that share one function: ``plan_import`` computes the report
(created / updated / deactivated / unchanged / rejected lines) without writing;
``apply_import`` computes it again inside a transaction holding the organisation's lock and
writes only when no line is rejected — all or nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.accounts import services as people
from entente.accounts.models import User
from entente.audit.models import EventKind
from entente.audit.services import record
from entente.directory import services as structure
from entente.directory.models import Group, Service
from entente.organisations.models import Organisation
from entente.provisioning.csvfile import ImportRow, ParsedFile
from entente.provisioning.importing import ImportLine, ImportReport, plan_import
from entente.provisioning.models import ScimGroupIdentity, ScimIdentity, ScimToken
from entente.provisioning.permissions import ScimClient

TOKEN_PREFIX = "scim_"
PREFIX_LENGTH = 12
#: last_used_at is written at most this often per token (not on every request)
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class AutomatedActor:
    """Who acts when no person does (a SCIM client, the command line).

    The people and structure use cases take an ``actor``; this one is nobody's account, so
    the audit log records ``label`` instead of a person, and "never oneself" rules never
    match (``pk`` is ``None``).
    """

    label: str
    organisation: Organisation | None = None
    pk: None = None
    is_authenticated: bool = False
    is_operator: bool = False
    is_org_admin: bool = False
    email: str = ""


def actor_for(client: ScimClient) -> AutomatedActor:
    return AutomatedActor(label=client.label, organisation=client.organisation)


def actor_label(actor: Any) -> str:
    return actor.label if isinstance(actor, AutomatedActor) else ""


# --- tokens ---------------------------------------------------------------------------------------


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def do_create_token(
    actor: User, organisation: Organisation, name: str, send_invitations: bool = False
) -> tuple[ScimToken, str]:
    """Issue a token for ``organisation``; return it with its secret (shown once, never stored)."""
    name = (name or "").strip()
    if ScimToken.objects.filter(
        organisation=organisation, name__iexact=name, revoked_at__isnull=True
    ).exists():
        raise ValidationError(
            {"name": _("Un jeton actif porte déjà ce nom : choisissez un autre nom.")}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ScimToken(
        organisation=organisation,
        name=name,
        prefix=secret[:PREFIX_LENGTH],
        digest=token_digest(secret),
        send_invitations=send_invitations,
        created_by=actor,
    )
    token.full_clean()
    token.save()
    record(
        EventKind.SCIM_TOKEN_CREATED,
        actor=actor,
        organisation=organisation,
        target=token,
        send_invitations=send_invitations,
    )
    return token, secret


@transaction.atomic
def do_revoke_token(actor: User, token: ScimToken) -> ScimToken:
    """Stop a token at once: the next request that carries it is refused."""
    token = ScimToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(EventKind.SCIM_TOKEN_REVOKED, actor=actor, organisation=token.organisation, target=token)
    return token


def find_token(secret: str) -> ScimToken | None:
    """The token whose secret is ``secret`` (active or not), by its digest: one query."""
    if not secret or len(secret) > 200:
        return None
    return (
        ScimToken.objects.select_related("organisation").filter(digest=token_digest(secret)).first()
    )


def do_touch_token(token: ScimToken, ip: str | None) -> None:
    """Remember when (and from where) a token was last used, at most once a minute."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    ScimToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
    token.last_used_at = now


# --- shared checks -------------------------------------------------------------------------------


def find_service(
    organisation: Organisation, text: str, tree: list[Service] | None = None
) -> Service:
    """The service of ``organisation`` named ``text``, or at the path ``"Direction › Service"``.

    Names compare regardless of case; a name several services share must be given as a path.
    Nothing is ever created: an unknown service raises ``ValidationError``.
    """
    wanted = [part.strip().casefold() for part in text.replace(">", "›").split("›")]
    if tree is None:
        tree = list(Service.objects.filter(organisation=organisation).select_related("parent"))
    paths = {service.pk: _path_of(service, tree) for service in tree}
    if len(wanted) > 1:
        found = [s for s in tree if [p.casefold() for p in paths[s.pk]] == wanted]
    else:
        found = [s for s in tree if s.name.strip().casefold() == wanted[0]]
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError(
            _(
                "Le service « %(name)s » n'existe pas dans %(org)s : créez-le d'abord dans "
                "Administration › Services, ou corrigez son nom."
            )
            % {"name": text, "org": organisation.name},
            code="unknown_service",
        )
    examples = " ; ".join(" › ".join(paths[s.pk]) for s in found[:3])
    raise ValidationError(
        _(
            "Plusieurs services s'appellent « %(name)s » : indiquez le chemin complet, par "
            "exemple « %(examples)s »."
        )
        % {"name": text, "examples": examples},
        code="ambiguous_service",
    )


def _path_of(service: Service, tree: list[Service]) -> list[str]:
    by_id = {s.pk: s for s in tree}
    names = [service.name]
    node = by_id.get(service.parent_id)
    while node is not None and len(names) < 20:
        names.insert(0, node.name)
        node = by_id.get(node.parent_id)
    return names


def check_email_free(email: str, exclude: User | None = None) -> None:
    """Refuse an address another person already uses (code ``uniqueness``)."""
    taken = User.objects.filter(email__iexact=email)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError(
            _("L'adresse « %(email)s » est déjà utilisée par une autre personne de la plateforme.")
            % {"email": email},
            code="uniqueness",
        )


def check_identity_free(
    organisation: Organisation, user_name: str, external_id: str, exclude: User | None = None
) -> None:
    """``userName`` and ``externalId`` are unique in an organisation (code ``uniqueness``)."""
    identities = ScimIdentity.objects.filter(organisation=organisation)
    if exclude is not None:
        identities = identities.exclude(user=exclude)
    people_named = User.objects.filter(organisation=organisation, email__iexact=user_name).filter(
        Q(scim_identity__isnull=True) | Q(scim_identity__user_name="")
    )
    if exclude is not None:
        people_named = people_named.exclude(pk=exclude.pk)
    if user_name and (
        identities.filter(user_name__iexact=user_name).exists() or people_named.exists()
    ):
        raise ValidationError(
            _("Le userName « %(value)s » est déjà celui d'une autre personne de l'organisation.")
            % {"value": user_name},
            code="uniqueness",
        )
    if external_id and identities.filter(external_id=external_id).exists():
        raise ValidationError(
            _("L'externalId « %(value)s » est déjà celui d'une autre personne de l'organisation.")
            % {"value": external_id},
            code="uniqueness",
        )


# --- people through SCIM -----------------------------------------------------------------------------


def _save_identity(organisation: Organisation, person: User, identity: dict[str, str]) -> bool:
    """Create or update ``person``'s SCIM identity; return whether it changed."""
    current = ScimIdentity.objects.filter(user=person).first()
    if current is None:
        current = ScimIdentity(organisation=organisation, user=person)
    changed = current.pk is None
    for field in ("external_id", "user_name"):
        if field in identity and getattr(current, field) != identity[field]:
            setattr(current, field, identity[field])
            changed = True
    if changed:
        current.save()
    return changed


def _person_changes(person: User, data: dict[str, Any]) -> list[str]:
    changed = []
    for field, value in data.items():
        current = person.service_id if field == "service" else getattr(person, field)
        wanted = getattr(value, "pk", None) if field == "service" else value
        if current != wanted:
            changed.append(field)
    return changed


@transaction.atomic
def do_scim_create_person(
    client: ScimClient,
    organisation: Organisation,
    data: dict[str, Any],
    identity: dict[str, str],
    active: bool = True,
    request: Any = None,
) -> User:
    """Create a person for the organisation's identity system (invited only if the token says so)."""
    check_email_free(data.get("email", ""))
    check_identity_free(
        organisation, identity.get("user_name", ""), identity.get("external_id", "")
    )
    actor = actor_for(client)
    invite = client.token.send_invitations and active
    person = people.do_create_person(actor, organisation, data, invite=invite)
    if not active:
        people.do_deactivate_person(actor, person)
    _save_identity(organisation, person, identity)
    record(
        EventKind.SCIM_CHANGE,
        organisation=organisation,
        target=person,
        request=request,
        actor_label=client.label,
        operation="create",
        resource="User",
        active=active,
        invited=invite,
    )
    return person


@transaction.atomic
def do_scim_update_person(
    client: ScimClient,
    person: User,
    data: dict[str, Any],
    identity: dict[str, str],
    active: bool | None = None,
    request: Any = None,
    operation: str = "update",
) -> tuple[User, list[str]]:
    """Change a person as the identity system says; return them and the fields that changed."""
    organisation = client.organisation
    person = User.objects.select_for_update().get(pk=person.pk)
    if "email" in data and data["email"] != person.email:
        check_email_free(data["email"], exclude=person)
    check_identity_free(
        organisation, identity.get("user_name", ""), identity.get("external_id", ""), person
    )
    actor = actor_for(client)
    changed = _person_changes(person, data)
    if changed:
        person = people.do_update_person(actor, person, {k: data[k] for k in changed})
    if active is not None and active != person.is_active:
        if active:
            people.do_reactivate_person(actor, person)
        else:
            people.do_deactivate_person(actor, person)
        changed.append("is_active")
    if _save_identity(organisation, person, identity):
        changed.extend(f for f in ("external_id", "user_name") if f in identity)
    changed = sorted(set(changed))
    if changed:
        record(
            EventKind.SCIM_CHANGE,
            organisation=organisation,
            target=person,
            request=request,
            actor_label=client.label,
            operation=operation,
            resource="User",
            fields=changed,
        )
    return person, changed


# --- groups through SCIM -----------------------------------------------------------------------------


def check_group_name_free(
    organisation: Organisation, name: str, exclude: Group | None = None
) -> None:
    others = Group.objects.filter(organisation=organisation)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    wanted = name.strip().casefold()
    if any(other.casefold() == wanted for other in others.values_list("name", flat=True)):
        raise ValidationError(
            _("Un groupe s'appelle déjà « %(name)s » dans l'organisation.") % {"name": name},
            code="uniqueness",
        )


def _save_group_identity(group: Group, external_id: str | None) -> bool:
    current = ScimGroupIdentity.objects.filter(group=group).first()
    if current is None:
        current = ScimGroupIdentity(organisation_id=group.organisation_id, group=group)
    changed = current.pk is None
    if external_id is not None and current.external_id != external_id:
        others = ScimGroupIdentity.objects.filter(
            organisation_id=group.organisation_id, external_id=external_id
        ).exclude(group=group)
        if external_id and others.exists():
            raise ValidationError(
                _("L'externalId « %(value)s » est déjà celui d'un autre groupe.")
                % {"value": external_id},
                code="uniqueness",
            )
        current.external_id = external_id
        changed = True
    if changed:
        current.save()
    return changed


@transaction.atomic
def do_scim_create_group(
    client: ScimClient,
    organisation: Organisation,
    name: str,
    members: list[User],
    external_id: str = "",
    request: Any = None,
) -> Group:
    check_group_name_free(organisation, name)
    group = structure.do_create_group(
        actor_for(client), organisation, {"name": name, "description": "", "members": members}
    )
    _save_group_identity(group, external_id)
    record(
        EventKind.SCIM_CHANGE,
        organisation=organisation,
        target=group,
        request=request,
        actor_label=client.label,
        operation="create",
        resource="Group",
        members=len(members),
    )
    return group


@transaction.atomic
def do_scim_update_group(
    client: ScimClient,
    group: Group,
    name: str,
    members: list[User],
    external_id: str | None = None,
    request: Any = None,
) -> Group:
    """Rename a group and set its members, as the identity system says."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    current = set(group.members.values_list("pk", flat=True))
    wanted = {member.pk for member in members}
    fields = []
    if name != group.name:
        check_group_name_free(group.organisation, name, exclude=group)
        fields.append("displayName")
    if current != wanted:
        fields.append("members")
    if fields:
        data: dict[str, Any] = {"name": name}
        if "members" in fields:
            data["members"] = members
        group = structure.do_update_group(actor_for(client), group, data)
    if _save_group_identity(group, external_id) and external_id is not None:
        fields.append("externalId")
    if fields:
        record(
            EventKind.SCIM_CHANGE,
            organisation=group.organisation,
            target=group,
            request=request,
            actor_label=client.label,
            operation="update",
            resource="Group",
            fields=sorted(set(fields)),
            added=len(wanted - current),
            removed=len(current - wanted),
        )
    return group


@transaction.atomic
def do_scim_delete_group(client: ScimClient, group: Group, request: Any = None) -> None:
    record(
        EventKind.SCIM_CHANGE,
        organisation=group.organisation,
        target=group,
        request=request,
        actor_label=client.label,
        operation="delete",
        resource="Group",
    )
    structure.do_delete_group(actor_for(client), group)


# --- CSV import ----------------------------------------------------------------------------------------


class _Rejected(Exception):
    """A use case refused one line while writing: roll the whole import back."""


def _write_line(actor: Any, organisation: Organisation, line: ImportLine, invite: bool) -> None:
    if line.person_id is None:
        person = people.do_create_person(
            actor, organisation, line.data, invite=invite and line.active is not False
        )
        if line.active is False:
            people.do_deactivate_person(actor, person)
        return
    person = User.objects.get(pk=line.person_id)
    if line.data:
        person = people.do_update_person(actor, person, line.data)
    if line.active is True and not person.is_active:
        people.do_reactivate_person(actor, person)
    elif line.active is False and person.is_active:
        people.do_deactivate_person(actor, person)


def apply_import(
    organisation: Organisation,
    rows: list[ImportRow],
    *,
    actor: Any,
    deactivate_missing: bool = False,
    invite: bool = False,
    warnings: list[str] | None = None,
    source: str = "",
) -> ImportReport:
    """Plan the import again under the organisation's lock and write it if no line is rejected.

    Returns the report; ``report.applied`` says whether anything was written. A refusal from
    a use case while writing (a rule ``plan_import`` does not know) marks that line rejected
    and rolls everything back.
    """
    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        report = plan_import(
            organisation,
            rows,
            actor=actor,
            deactivate_missing=deactivate_missing,
            warnings=warnings,
        )
        report.dry_run = False
        if not report.ok:
            return report
        try:
            with transaction.atomic():
                for line in report.lines:
                    if line.action == ImportLine.UNCHANGED:
                        continue
                    try:
                        _write_line(actor, organisation, line, invite)
                    except ValidationError as error:
                        line.action = ImportLine.REJECTED
                        line.reasons = [" ".join(error.messages)]
                        raise _Rejected from error
                record(
                    EventKind.CSV_IMPORT,
                    actor=actor,
                    organisation=organisation,
                    actor_label=actor_label(actor),
                    source=source[:200],
                    deactivate_missing=deactivate_missing,
                    invited=invite,
                    **report.counts,
                )
        except _Rejected:
            return report
        report.applied = True
    return report


NO_ROWS_WITH_DEACTIVATION = (
    "Le fichier ne contient aucune personne : avec « désactiver les absents », tous les comptes "
    "de l'organisation seraient désactivés. Vérifiez le fichier."
)


def import_people(
    organisation: Organisation,
    parsed: ParsedFile,
    *,
    actor: Any,
    dry_run: bool = True,
    deactivate_missing: bool = False,
    invite: bool = False,
    source: str = "",
) -> ImportReport:
    """The whole import of a file read by ``csvfile``: refused files, dry run, or apply.

    A file that could not be read, or an empty file with ``deactivate_missing``, is refused
    as a whole (``report.error``) and nothing is planned.
    """
    error = parsed.error or (
        NO_ROWS_WITH_DEACTIVATION if deactivate_missing and not parsed.rows else ""
    )
    if error:
        return ImportReport(
            organisation=organisation, warnings=list(parsed.warnings), error=error, dry_run=dry_run
        )
    if dry_run:
        return plan_import(
            organisation,
            parsed.rows,
            actor=actor,
            deactivate_missing=deactivate_missing,
            warnings=parsed.warnings,
        )
    return apply_import(
        organisation,
        parsed.rows,
        actor=actor,
        deactivate_missing=deactivate_missing,
        invite=invite,
        warnings=parsed.warnings,
        source=source,
    )


__all__ = [
    "AutomatedActor",
    "ImportLine",
    "ImportReport",
    "ImportRow",
    "apply_import",
    "do_create_token",
    "do_revoke_token",
    "find_service",
    "find_token",
    "import_people",
    "plan_import",
]
