"""The demo territory as plain data, without the database: the same people on every run.

Each organisation draws its people from its own ``random.Random`` seeded with its slug, so
adding an organisation to ``data.ORGANISATIONS`` never changes the people of the others.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from entente.core.demo import data, jobs, names
from entente.core.demo.data import S

GENDERED_RE = re.compile(r"\{([^|{}]*)\|([^|{}]*)\}")
PHONE_SHARE = 0.75  # share of agents with a direct line


@dataclass
class PersonPlan:
    email: str
    first_name: str
    last_name: str
    female: bool
    status: str  # "agent" or "elu"
    job_title: str = ""
    mandate: str = ""
    phone: str = ""
    service: tuple[str, ...] = ()  # path from the root; empty for no service
    is_org_admin: bool = False
    is_operator: bool = False
    pending: bool = False  # invited, has not chosen a password yet
    inactive: bool = False  # left the organisation: account deactivated
    head: bool = False  # heads their service
    bureau: bool = False  # member of the executive (mayor or president and deputies)
    persona: str = ""  # key of a persona of PRODUCT.md
    role: str = ""  # for personas: the line of the sign-in table

    @property
    def can_sign_in(self) -> bool:
        return not self.pending and not self.inactive

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass
class GroupPlan:
    name: str
    description: str
    members: list[str]  # e-mails


@dataclass
class OrganisationPlan:
    data: data.OrganisationData
    services: list[tuple[str, ...]]  # paths, every parent before its children
    people: list[PersonPlan]
    groups: list[GroupPlan] = field(default_factory=list)


@dataclass
class TerritoryPlan:
    organisations: list[OrganisationPlan]

    @property
    def people(self) -> list[PersonPlan]:
        return [person for org in self.organisations for person in org.people]

    def personas(self) -> list[tuple[PersonPlan, OrganisationPlan]]:
        """The personas of PRODUCT.md with their organisation, in ``data.PERSONAS`` order."""
        found = {
            person.persona: (person, org)
            for org in self.organisations
            for person in org.people
            if person.persona
        }
        return [found[persona.key] for persona in data.PERSONAS]


def gendered(text: str, female: bool) -> str:
    """Resolve ``{feminine|masculine}`` choices: ``"{Adjointe|Adjoint}"`` → ``"Adjoint"``."""
    return GENDERED_RE.sub(lambda match: match.group(1 if female else 2), text)


def ascii_part(text: str) -> str:
    """A name as it appears in an address: ``"N'Diaye"`` → ``"ndiaye"``, ``"Le Gall"`` → ``"le-gall"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    plain = re.sub(r"['’]", "", plain)
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def email_for(first_name: str, last_name: str, domain: str) -> str:
    return f"{ascii_part(first_name)}.{ascii_part(last_name)}@{domain}"


def service_paths(roots: Iterable[S], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Depth-first paths of a services tree: ``[("DGS",), ("DGS", "Finances"), …]``."""
    paths: list[tuple[str, ...]] = []
    for node in roots:
        path = (*prefix, node.name)
        paths.append(path)
        paths.extend(service_paths(node.children, path))
    return paths


class _Namer:
    """Draws names nobody else of the organisation has (same name, same address)."""

    def __init__(self, rng: random.Random, domain: str) -> None:
        self.rng = rng
        self.domain = domain
        self.emails: set[str] = set()

    def reserve(self, email: str) -> None:
        self.emails.add(email)

    def draw(self, female: bool) -> tuple[str, str, str]:
        firsts = names.FEMALE_FIRST_NAMES if female else names.MALE_FIRST_NAMES
        while True:
            first = self.rng.choice(firsts)
            last = self.rng.choice(names.LAST_NAMES)
            email = email_for(first, last, self.domain)
            if email not in self.emails:
                self.emails.add(email)
                return first, last, email


def _distribute(paths: list[tuple[str, ...]], count: int) -> list[int]:
    """How many agents each service gets: one each first (its head), the rest in proportion
    to ``jobs.SERVICE_WEIGHTS`` (largest remainders first, ties in tree order)."""
    if count < len(paths):
        return [1] * count + [0] * (len(paths) - count)
    extra = count - len(paths)
    weights = [jobs.SERVICE_WEIGHTS.get(path[-1], 1) for path in paths]
    shares = [extra * weight / sum(weights) for weight in weights]
    counts = [1 + int(share) for share in shares]
    by_remainder = sorted(range(len(paths)), key=lambda i: (int(shares[i]) - shares[i], i))
    for index in by_remainder[: count - sum(counts)]:
        counts[index] += 1
    return counts


def _phone(rng: random.Random) -> str:
    if rng.random() >= PHONE_SHARE:
        return ""
    return f"01 99 00 {rng.randrange(100):02d} {rng.randrange(100):02d}"


def plan_organisation(org: data.OrganisationData) -> OrganisationPlan:
    """People, services and groups of one organisation (deterministic)."""
    rng = random.Random(f"{data.SEED}/{org.slug}")
    namer = _Namer(rng, org.domain)
    paths = service_paths(org.services)
    people: list[PersonPlan] = []

    personas = [p for p in data.PERSONAS if p.organisation == org.slug]
    for persona in personas:
        if persona.service and persona.service not in paths:
            raise ValueError(f"{persona.key}: service {persona.service} absent de {org.slug}")
        email = email_for(persona.first_name, persona.last_name, org.domain)
        namer.reserve(email)
        people.append(
            PersonPlan(
                email=email,
                first_name=persona.first_name,
                last_name=persona.last_name,
                female=persona.female,
                status="elu" if persona.mandate else "agent",
                job_title=persona.job_title,
                mandate=persona.mandate,
                phone=persona.phone,
                service=persona.service,
                is_org_admin=persona.is_org_admin,
                is_operator=persona.is_operator,
                persona=persona.key,
                role=persona.role,
            )
        )

    # élus: the head, the deputies, the delegated councillors (personas take their own seat)
    mandates = org.mandates
    seats = [
        (mandates.head, True),
        *((deputy, True) for deputy in mandates.deputies[: org.deputies]),
        *((councillor, False) for councillor in mandates.councillors[: org.councillors]),
    ]
    for template, bureau in seats:
        taken = next(
            (
                person
                for person in people
                if person.mandate in {gendered(template, True), gendered(template, False)}
            ),
            None,
        )
        if taken is not None:
            taken.bureau = bureau
            continue
        female = rng.random() < 0.5
        first, last, email = namer.draw(female)
        people.append(
            PersonPlan(
                email=email,
                first_name=first,
                last_name=last,
                female=female,
                status="elu",
                mandate=gendered(template, female),
                bureau=bureau,
            )
        )

    # agents, service by service; the first of each service heads it
    agents: list[PersonPlan] = []
    counts = _distribute(paths, max(org.size - len(people), 0))
    for path, count in zip(paths, counts, strict=True):
        head_title, titles = jobs.JOBS.get(path[-1], (f"Responsable {path[-1]}", ()))
        for index in range(count):
            female = rng.random() < 0.55
            first, last, email = namer.draw(female)
            title = head_title if index == 0 else rng.choice(titles or jobs.GENERIC_JOBS)
            agents.append(
                PersonPlan(
                    email=email,
                    first_name=first,
                    last_name=last,
                    female=female,
                    status="agent",
                    job_title=gendered(title, female),
                    phone=_phone(rng),
                    service=path,
                    head=index == 0,
                )
            )
    people.extend(agents)

    if not any(person.is_org_admin for person in people):
        heads = {person.service[-1]: person for person in agents if person.head}
        admin_service = next((name for name in jobs.ADMIN_SERVICES if name in heads), None)
        (heads[admin_service] if admin_service else agents[0]).is_org_admin = True

    # newcomers still to accept their invitation, and a departed agent
    others = [person for person in reversed(agents) if not person.head and not person.is_org_admin]
    for person in others[: org.pending_invitations]:
        person.pending = True
    for person in others[org.pending_invitations :][: org.deactivated]:
        person.inactive = True

    plan = OrganisationPlan(data=org, services=paths, people=people)
    plan.groups = _groups(rng, plan)
    return plan


def _groups(rng: random.Random, plan: OrganisationPlan) -> list[GroupPlan]:
    """Direction committee (heads of the top services), digital relays, the executive."""
    active = [person for person in plan.people if not person.inactive]
    direction = [p.email for p in active if p.head and len(p.service) == 1]
    digital = [
        p.email
        for p in active
        if p.is_org_admin or p.is_operator or (p.head and p.service[-1] in jobs.ADMIN_SERVICES)
    ]
    relays = [p for p in active if p.status == "agent" and not p.head and p.email not in digital]
    digital += [p.email for p in rng.sample(relays, min(3, len(relays)))]
    bureau = [p.email for p in active if p.bureau]
    return [
        GroupPlan(*data.DIRECTION_GROUP, direction),
        GroupPlan(*data.DIGITAL_GROUP, digital),
        GroupPlan(plan.data.mandates.bureau, data.BUREAU_DESCRIPTION, bureau),
    ]


@cache
def territory() -> TerritoryPlan:
    """The whole demo territory (computed once per process)."""
    return TerritoryPlan([plan_organisation(org) for org in data.ORGANISATIONS])
