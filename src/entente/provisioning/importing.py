"""Planning a CSV import of people: what each line would do, and why a line is refused.

``plan_import`` only reads: it answers with an ``ImportReport`` listing, line by line, the
people created, updated, deactivated, unchanged or rejected (with reasons in French). The
dry run shows this report; ``services.apply_import`` computes it again under a lock and writes
it only when no line is rejected. Queries do not grow with the file: the organisation's
people, the mail domains, the services and the addresses of the file (by chunks) are read
once each.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from entente.accounts.models import Status, User
from entente.accounts.services import normalise_email
from entente.core.validators import CONTROL_RE, validate_phone
from entente.directory.models import Service
from entente.organisations.models import MailDomain, Organisation
from entente.provisioning.csvfile import MAX_CELL, ImportRow, header_label

CHUNK = 500
#: column → longest value accepted (the fields' own limits)
MAX_LENGTHS = {
    "email": 254,
    "first_name": 100,
    "last_name": 100,
    "job_title": 150,
    "mandate": 200,
    "phone": 25,
    "service": 500,
}
TRUE_WORDS = {"oui", "o", "yes", "y", "vrai", "true", "1", "x"}
FALSE_WORDS = {"non", "n", "no", "faux", "false", "0"}
STATUS_WORDS = {
    "agent": Status.AGENT,
    "agente": Status.AGENT,
    "elu": Status.ELU,
    "élu": Status.ELU,
    "elue": Status.ELU,
    "élue": Status.ELU,
    "élu·e": Status.ELU,
    "elu·e": Status.ELU,
    "élu(e)": Status.ELU,
}
FIELD_LABELS = {
    "email": "adresse e-mail",
    "first_name": "prénom",
    "last_name": "nom",
    "status": "statut",
    "mandate": "mandat",
    "job_title": "fonction",
    "phone": "téléphone",
    "service": "service",
    "is_org_admin": "administrateur",
    "is_active": "actif",
}


@dataclass
class ImportLine:
    """What one line of the file does (or one person absent from it, with ``line=None``)."""

    CREATED: ClassVar[str] = "created"
    UPDATED: ClassVar[str] = "updated"
    DEACTIVATED: ClassVar[str] = "deactivated"
    UNCHANGED: ClassVar[str] = "unchanged"
    REJECTED: ClassVar[str] = "rejected"

    line: int | None
    email: str
    action: str = "unchanged"
    reasons: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    active: bool | None = None
    person_id: int | None = None
    note: str = ""

    @property
    def label(self) -> str:
        return ACTION_LABELS[self.action]

    @property
    def change_labels(self) -> list[str]:
        return [FIELD_LABELS.get(name, name) for name in self.changes]


ACTION_LABELS = {
    ImportLine.CREATED: "créée",
    ImportLine.UPDATED: "modifiée",
    ImportLine.DEACTIVATED: "désactivée",
    ImportLine.UNCHANGED: "inchangée",
    ImportLine.REJECTED: "rejetée",
}
ACTIONS = tuple(ACTION_LABELS)


@dataclass
class ImportReport:
    organisation: Organisation
    lines: list[ImportLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    dry_run: bool = True
    applied: bool = False

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(line.action for line in self.lines)
        return {action: found.get(action, 0) for action in ACTIONS}

    @property
    def ok(self) -> bool:
        return not self.error and not any(line.action == ImportLine.REJECTED for line in self.lines)

    @property
    def rejected(self) -> list[ImportLine]:
        return [line for line in self.lines if line.action == ImportLine.REJECTED]

    @property
    def changed(self) -> list[ImportLine]:
        return [line for line in self.lines if line.action != ImportLine.UNCHANGED]


def parse_yes_no(text: str) -> bool | None:
    """``oui``/``non`` (and friends) → bool; ``""`` → ``None``; anything else raises."""
    word = text.strip().casefold()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(word)


class _Context:
    """What the plan needs to know about the platform, read once."""

    def __init__(self, organisation: Organisation, rows: list[ImportRow]) -> None:
        self.organisation = organisation
        self.members = {
            person.email.lower(): person
            for person in User.objects.filter(organisation=organisation).order_by("pk")
        }
        wanted = sorted(
            {normalise_email(row.values.get("email", "")) for row in rows}
            - set(self.members)
            - {""}
        )
        self.strangers: dict[str, User] = {}
        for start in range(0, len(wanted), CHUNK):
            for person in User.objects.filter(email__in=wanted[start : start + CHUNK]):
                self.strangers[person.email.lower()] = person
        self.domains = {
            domain.domain: domain.organisation
            for domain in MailDomain.objects.select_related("organisation")
        }
        self.services = list(Service.objects.filter(organisation=organisation))
        self.service_cache: dict[str, Service | str] = {}

    def service(self, text: str) -> Service | str:
        """The service at ``text``, or the French reason it cannot be used."""
        if text not in self.service_cache:
            from entente.provisioning.services import find_service

            try:
                self.service_cache[text] = find_service(self.organisation, text, self.services)
            except ValidationError as error:
                self.service_cache[text] = " ".join(error.messages)
        return self.service_cache[text]


def _check_cells(row: ImportRow, reasons: list[str]) -> None:
    for name, value in row.values.items():
        label = header_label(name)
        if CONTROL_RE.search(value):
            reasons.append(f"{label} : caractères invisibles ou de contrôle, retirez-les")
        limit = MAX_LENGTHS.get(name, MAX_CELL)
        if len(value) > limit:
            reasons.append(f"{label} : {len(value)} caractères, au plus {limit}")


def _check_email(
    email: str, line: int, context: _Context, seen: dict[str, list[int]], reasons: list[str]
) -> None:
    if not email:
        reasons.append("adresse e-mail manquante")
        return
    try:
        validate_email(email)
    except ValidationError:
        reasons.append(f"adresse e-mail mal formée « {email[:80]} »")
        return
    others = [number for number in seen[email] if number != line]
    if others:
        where = ", ".join(str(number) for number in others[:5])
        reasons.append(f"adresse présente plusieurs fois dans le fichier (aussi ligne {where})")
    owner = context.domains.get(email.rpartition("@")[2])
    if owner is not None and owner.pk != context.organisation.pk:
        reasons.append(
            f"le domaine « {email.rpartition('@')[2]} » appartient à {owner.name} : cette "
            "personne doit être importée par cette organisation"
        )
    elif email in context.strangers:
        reasons.append("adresse déjà utilisée par une personne d'une autre organisation")


def _wanted(row: ImportRow, context: _Context, reasons: list[str]) -> dict[str, Any]:
    """The values the line asks for, by person field (only for the columns present)."""
    values = row.values
    data: dict[str, Any] = {}
    for name in ("first_name", "last_name"):
        if not values.get(name):
            reasons.append(f"{header_label(name)} manquant")
        data[name] = values.get(name, "")
    for name in ("job_title", "mandate", "phone"):
        if name in values:
            data[name] = values[name]
    if values.get("phone"):
        try:
            validate_phone(values["phone"])
        except ValidationError:
            reasons.append(
                f"téléphone invalide « {values['phone'][:30]} » (exemple : 01 23 45 67 89)"
            )
    if values.get("status"):
        status = STATUS_WORDS.get(values["status"].strip().casefold())
        if status is None:
            reasons.append(f"statut « {values['status'][:30]} » inconnu : indiquez agent ou élu")
        else:
            data["status"] = status
    if "service" in values:
        data["service"] = None
        if values["service"]:
            found = context.service(values["service"])
            if isinstance(found, str):
                reasons.append(found[0].lower() + found[1:].rstrip("."))
            else:
                data["service"] = found
    for column, target in (("is_org_admin", "is_org_admin"), ("active", "is_active")):
        if column in values:
            try:
                flag = parse_yes_no(values[column])
            except ValueError:
                reasons.append(
                    f"{header_label(column)} « {values[column][:20]} » : indiquez oui ou non"
                )
            else:
                if flag is not None:
                    data[target] = flag
    return data


def _plan_line(
    row: ImportRow, context: _Context, seen: dict[str, list[int]], actor: Any
) -> ImportLine:
    email = normalise_email(row.values.get("email", ""))
    reasons = list(row.problems)
    _check_cells(row, reasons)
    _check_email(email, row.line, context, seen, reasons)
    data = _wanted(row, context, reasons)
    person = context.members.get(email)
    active = data.pop("is_active", None)
    status = data.get("status", person.status if person else Status.AGENT)
    if data.get("mandate") and status != Status.ELU:
        reasons.append("un mandat n'est possible que pour un élu : indiquez « élu » dans statut")
    line = ImportLine(line=row.line, email=email, reasons=reasons, active=active)
    actor_pk = getattr(actor, "pk", None)
    if person is not None and actor_pk is not None and person.pk == actor_pk:
        if active is False:
            reasons.append("vous ne pouvez pas désactiver votre propre compte")
        if data.get("is_org_admin") is False and person.is_org_admin:
            reasons.append("vous ne pouvez pas retirer votre propre rôle d'administrateur")
    if reasons:
        line.action = ImportLine.REJECTED
        return line
    if person is None:
        line.action = ImportLine.CREATED
        line.data = {"email": email, "status": Status.AGENT, **data}
        line.changes = []
        return line
    line.person_id = person.pk
    changes = []
    for name, value in data.items():
        current = person.service_id if name == "service" else getattr(person, name)
        if current != (value.pk if isinstance(value, Service) else value):
            changes.append(name)
    line.data = {name: data[name] for name in changes}
    if active is not None and active != person.is_active:
        changes.append("is_active")
    line.changes = changes
    if active is False and person.is_active:
        line.action = ImportLine.DEACTIVATED
    elif changes:
        line.action = ImportLine.UPDATED
    else:
        line.action = ImportLine.UNCHANGED
    return line


def plan_import(
    organisation: Organisation,
    rows: list[ImportRow],
    *,
    actor: Any = None,
    deactivate_missing: bool = False,
    warnings: list[str] | None = None,
) -> ImportReport:
    """What importing ``rows`` into ``organisation`` would do, line by line; writes nothing.

    People of the organisation are matched by e-mail (regardless of case). With
    ``deactivate_missing``, its active people absent from the file are deactivated (except
    ``actor`` themself, who is warned instead).
    """
    report = ImportReport(organisation=organisation, warnings=list(warnings or []))
    context = _Context(organisation, rows)
    seen: dict[str, list[int]] = {}
    for row in rows:
        email = normalise_email(row.values.get("email", ""))
        if email:
            seen.setdefault(email, []).append(row.line)
    for row in rows:
        email = normalise_email(row.values.get("email", ""))
        seen.setdefault(email, [])
        report.lines.append(_plan_line(row, context, seen, actor))
    if deactivate_missing:
        present = set(seen)
        actor_pk = getattr(actor, "pk", None)
        for email, person in context.members.items():
            if email in present or not person.is_active:
                continue
            if actor_pk is not None and person.pk == actor_pk:
                report.warnings.append(
                    "Votre propre compte n'est pas dans le fichier : il n'est pas désactivé."
                )
                continue
            report.lines.append(
                ImportLine(
                    line=None,
                    email=email,
                    action=ImportLine.DEACTIVATED,
                    changes=["is_active"],
                    active=False,
                    person_id=person.pk,
                    note="absente du fichier",
                )
            )
    return report
