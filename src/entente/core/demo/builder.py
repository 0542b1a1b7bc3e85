"""Write the demo territory to the database, adding only what is missing (safe to run twice).

Rows are matched on their natural keys (organisation slug, mail domain, e-mail, service
``(organisation, parent, name)``, group ``(organisation, name)``). What already exists is
never rewritten, so changes made in the consoles survive a new run; the one exception is
``password``: given explicitly, it becomes the password of every demo account that can sign in.

Written with bulk queries and one password hash shared by every demo account (hashing is
deliberately slow: a few hundred hashes would take minutes), so a run takes seconds.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from entente.accounts.mfa import requires_second_factor
from entente.accounts.models import User
from entente.audit.models import EventKind
from entente.audit.services import record
from entente.calendars.models import Event, Resource
from entente.core.demo.agenda import load_agenda
from entente.core.demo.collaboration import load_collaboration
from entente.core.demo.data import DEMO_PASSWORD, DEMO_TOTP_SECRET
from entente.core.demo.documents import load_documents
from entente.core.demo.plan import TerritoryPlan, territory
from entente.core.validators import validate_domain
from entente.directory.models import Group, Service
from entente.drive.models import Node
from entente.organisations.models import MailDomain, Organisation, Policy
from entente.search.index import reindex_all
from entente.spaces.models import Space

ACTOR_LABEL = "entente demo"
BATCH_SIZE = 500


class DemoConflict(Exception):
    """The database holds something the demo cannot live with (a domain taken by another
    organisation, a name or SIREN already used…): nothing was written."""


@dataclass(frozen=True)
class AccountLine:
    """One line of the sign-in table printed at the end."""

    name: str
    role: str
    organisation: str
    email: str
    password_works: bool  # does the announced password open this account?
    second_factor: bool  # signs in with the demo authenticator key as second factor


@dataclass
class DemoResult:
    password: str  # the password the sign-in table announces
    created: Counter = field(default_factory=Counter)
    totals: dict[str, int] = field(default_factory=dict)
    accounts: list[AccountLine] = field(default_factory=list)
    passwords_changed: int = 0


class _Password:
    """One raw password, hashed at most once and checked at most once per stored hash."""

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self._encoded: str | None = None
        self._checked: dict[str, bool] = {}

    @property
    def encoded(self) -> str:
        if self._encoded is None:
            self._encoded = make_password(self.raw)
            self._checked[self._encoded] = True
        return self._encoded

    def opens(self, encoded: str | None) -> bool:
        if not encoded:
            return False
        if encoded not in self._checked:
            self._checked[encoded] = check_password(self.raw, encoded)
        return self._checked[encoded]


def load_demo(password: str | None = None) -> DemoResult:
    """Add whatever of the demo territory is missing; with ``password``, also make it the
    password of every demo account that can sign in. Raises ``DemoConflict``."""
    plan = territory()
    secret = _Password(password if password is not None else DEMO_PASSWORD)
    result = DemoResult(password=secret.raw)
    with transaction.atomic():
        orgs = _organisations(plan, result)
        _domains(plan, orgs)
        _policies(plan, orgs, result)
        service_ids = _services(plan, orgs, result)
        _people(plan, orgs, service_ids, secret, result)
        _groups(plan, orgs, result)
        result.created["authenticators"] = _second_factors(plan)
        load_agenda(orgs, result.created)
        load_documents(orgs, result.created)
        load_collaboration(result.created)
        if password is not None:
            result.passwords_changed = _reset_passwords(plan, secret)
        result.accounts = _accounts(plan, secret)
        org_ids = [org.pk for org in orgs.values()]
        result.totals = {
            "organisations": len(org_ids),
            "people": User.objects.filter(organisation_id__in=org_ids).count(),
            "services": Service.objects.filter(organisation_id__in=org_ids).count(),
            "groups": Group.objects.filter(organisation_id__in=org_ids).count(),
            "resources": Resource.objects.filter(organisation_id__in=org_ids).count(),
            "events": Event.objects.filter(calendar__organisation_id__in=org_ids).count(),
            "spaces": Space.objects.filter(organisation_id__in=org_ids).count(),
            "documents": Node.objects.filter(
                drive__organisation_id__in=org_ids, kind="file", deleted_at__isnull=True
            ).count(),
        }
    # the search index follows every save; a full pass also reads the files' text at once
    # (the background task would do it later) and catches rows written before this version
    reindex_all(with_content=True)
    return result


def _organisations(plan: TerritoryPlan, result: DemoResult) -> dict[str, Organisation]:
    slugs = [org.data.slug for org in plan.organisations]
    found = {org.slug: org for org in Organisation.objects.filter(slug__in=slugs)}
    for org_plan in plan.organisations:
        data = org_plan.data
        if data.slug in found:
            continue
        organisation = Organisation(
            kind=data.kind, name=data.name, slug=data.slug, siren=data.siren
        )
        try:
            organisation.full_clean(exclude=["logo"])
        except ValidationError as error:
            raise DemoConflict(f"{data.name} : {' '.join(error.messages)}") from None
        organisation.save()
        record(
            EventKind.ORGANISATION_CREATED,
            target=organisation,
            actor_label=ACTOR_LABEL,
            domains=[data.domain],
            demo=True,
        )
        found[data.slug] = organisation
        result.created["organisations"] += 1
    return found


def _domains(plan: TerritoryPlan, orgs: dict[str, Organisation]) -> None:
    wanted = {org.data.domain: orgs[org.data.slug] for org in plan.organisations}
    owners = {
        domain: (org_id, org_name)
        for domain, org_id, org_name in MailDomain.objects.filter(domain__in=wanted).values_list(
            "domain", "organisation_id", "organisation__name"
        )
    }
    missing = []
    for domain, organisation in wanted.items():
        if domain not in owners:
            validate_domain(domain)
            missing.append(MailDomain(organisation=organisation, domain=domain))
        elif owners[domain][0] != organisation.pk:
            raise DemoConflict(
                f"Le domaine « {domain} » appartient déjà à {owners[domain][1]} : impossible de "
                f"l'attribuer à {organisation.name}."
            )
    MailDomain.objects.bulk_create(missing)


def _policies(plan: TerritoryPlan, orgs: dict[str, Organisation], result: DemoResult) -> None:
    have = set(
        Policy.objects.filter(organisation__in=orgs.values()).values_list(
            "organisation_id", flat=True
        )
    )
    missing = []
    for org_plan in plan.organisations:
        organisation = orgs[org_plan.data.slug]
        if organisation.pk in have:
            continue
        policy = Policy(organisation=organisation, **org_plan.data.policy)
        policy.full_clean(exclude=["organisation"], validate_unique=False)
        missing.append(policy)
    Policy.objects.bulk_create(missing)
    result.created["policies"] += len(missing)


def _services(
    plan: TerritoryPlan, orgs: dict[str, Organisation], result: DemoResult
) -> dict[tuple[int, tuple[str, ...]], int]:
    """Create the missing services, parents first; return ``{(org id, path): service id}``."""
    org_ids = [org.pk for org in orgs.values()]

    def existing() -> dict[tuple[int, int | None, str], int]:
        rows = Service.objects.filter(organisation_id__in=org_ids).values_list(
            "pk", "organisation_id", "parent_id", "name"
        )
        return {(org_id, parent_id, name): pk for pk, org_id, parent_id, name in rows}

    keys = existing()
    ids: dict[tuple[int, tuple[str, ...]], int] = {}
    depth = 1
    while True:
        level = [
            (orgs[org_plan.data.slug], path)
            for org_plan in plan.organisations
            for path in org_plan.services
            if len(path) == depth
        ]
        if not level:
            return ids
        missing = []
        for organisation, path in level:
            parent_id = ids[(organisation.pk, path[:-1])] if depth > 1 else None
            if (organisation.pk, parent_id, path[-1]) not in keys:
                service = Service(organisation=organisation, parent_id=parent_id, name=path[-1])
                service.full_clean(
                    exclude=["organisation", "parent"],
                    validate_unique=False,
                    validate_constraints=False,
                )
                missing.append(service)
        if missing:
            Service.objects.bulk_create(missing)
            result.created["services"] += len(missing)
            keys = existing()
        for organisation, path in level:
            parent_id = ids[(organisation.pk, path[:-1])] if depth > 1 else None
            ids[(organisation.pk, path)] = keys[(organisation.pk, parent_id, path[-1])]
        depth += 1


def _people(
    plan: TerritoryPlan,
    orgs: dict[str, Organisation],
    service_ids: dict[tuple[int, tuple[str, ...]], int],
    secret: _Password,
    result: DemoResult,
) -> None:
    emails = [person.email for person in plan.people]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    now = timezone.now()
    missing = []
    for org_plan in plan.organisations:
        organisation = orgs[org_plan.data.slug]
        for person in org_plan.people:
            if person.email in existing:
                continue
            user = User(
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                organisation=organisation,
                status=person.status,
                job_title=person.job_title,
                mandate=person.mandate,
                phone=person.phone,
                service_id=service_ids.get((organisation.pk, person.service)),
                is_org_admin=person.is_org_admin,
                is_operator=person.is_operator,
                is_staff=person.is_operator,
                is_superuser=person.is_operator,
                date_joined=now,
            )
            if person.pending:
                user.set_unusable_password()
                user.invited_at = now
            else:
                user.password = secret.encoded
            if person.inactive:
                user.is_active = False
                user.deactivated_at = now
            user.full_clean(
                exclude=["organisation", "service"],
                validate_unique=False,
                validate_constraints=False,
            )
            missing.append(user)
    User.objects.bulk_create(missing, batch_size=BATCH_SIZE)
    result.created["people"] += len(missing)


def _groups(plan: TerritoryPlan, orgs: dict[str, Organisation], result: DemoResult) -> None:
    """Create the missing groups with their members (existing groups keep theirs)."""
    org_ids = [org.pk for org in orgs.values()]
    existing = set(
        Group.objects.filter(organisation_id__in=org_ids).values_list("organisation_id", "name")
    )
    missing = []
    members: dict[tuple[int, str], list[str]] = {}
    for org_plan in plan.organisations:
        organisation = orgs[org_plan.data.slug]
        for group_plan in org_plan.groups:
            if (organisation.pk, group_plan.name) in existing:
                continue
            group = Group(
                organisation=organisation,
                name=group_plan.name,
                description=group_plan.description,
            )
            group.full_clean(
                exclude=["organisation"], validate_unique=False, validate_constraints=False
            )
            missing.append(group)
            members[(organisation.pk, group_plan.name)] = group_plan.members
    if not missing:
        return
    Group.objects.bulk_create(missing)
    result.created["groups"] += len(missing)
    group_ids = {
        (org_id, name): pk
        for pk, org_id, name in Group.objects.filter(organisation_id__in=org_ids).values_list(
            "pk", "organisation_id", "name"
        )
    }
    people = {
        (org_id, email): pk
        for pk, org_id, email in User.objects.filter(
            email__in=[email for emails in members.values() for email in emails]
        ).values_list("pk", "organisation_id", "email")
    }
    through = Group.members.through
    rows = [
        through(group_id=group_ids[key], user_id=people[(key[0], email)])
        for key, emails in members.items()
        for email in emails
        if (key[0], email) in people
    ]
    through.objects.bulk_create(rows, batch_size=BATCH_SIZE)


def _second_factors(plan: TerritoryPlan) -> int:
    """Give the demo key as authenticator app to every demo account that must have one, so
    that admins and operators can sign in to the demo with any TOTP app (or `oathtool`)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    emails = [person.email for person in plan.people if not person.pending]
    people = User.objects.filter(email__in=emails, is_active=True).select_related(
        "organisation__policy"
    )
    enrolled = set(
        Authenticator.objects.filter(
            user__email__in=emails, type=Authenticator.Type.TOTP
        ).values_list("user_id", flat=True)
    )
    missing = [
        Authenticator(
            user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(DEMO_TOTP_SECRET)}
        )
        for user in people
        if user.pk not in enrolled and requires_second_factor(user)
    ]
    Authenticator.objects.bulk_create(missing, batch_size=BATCH_SIZE)
    return len(missing)


def _reset_passwords(plan: TerritoryPlan, secret: _Password) -> int:
    """Give ``secret`` to every demo account that can sign in and does not have it already."""
    emails = [person.email for person in plan.people if not person.pending]
    rows = User.objects.filter(email__in=emails).values_list("pk", "password")
    stale = [pk for pk, encoded in rows if not secret.opens(encoded)]
    if stale:
        User.objects.filter(pk__in=stale).update(password=secret.encoded)
    return len(stale)


def _accounts(plan: TerritoryPlan, secret: _Password) -> list[AccountLine]:
    personas = plan.personas()
    users = {
        user.email: user
        for user in User.objects.filter(email__in=[person.email for person, _org in personas])
    }
    lines = []
    for person, org_plan in personas:
        user = users.get(person.email)
        lines.append(
            AccountLine(
                name=person.full_name,
                role=person.role,
                organisation=org_plan.data.label,
                email=person.email,
                password_works=user is not None and secret.opens(user.password),
                second_factor=user is not None and requires_second_factor(user),
            )
        )
    return lines
