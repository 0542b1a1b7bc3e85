"""Use cases for organisations: create and edit them, their mail domains, policies and admins.

``do_…`` functions change state and assume the caller checked permission through
``entente.core.permissions`` (``create`` / ``edit`` / ``edit_policies`` / ``manage_admins``).
``parse_…``, ``check_…`` and ``validate_…`` functions only validate. All of them raise
``ValidationError`` with French messages keyed by form field.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image

from entente.accounts import services as people
from entente.accounts.models import Status, User
from entente.audit.models import EventKind
from entente.audit.services import record
from entente.core.validators import validate_domain, validate_siren
from entente.organisations.models import MailDomain, Organisation, Policy

ORGANISATION_FIELDS = ("kind", "name", "slug", "siren")
POLICY_FIELDS = tuple(
    f.name for f in Policy._meta.concrete_fields if f.name not in {"organisation", "updated_at"}
)
#: slugs that would shadow a page of the console (``/admin-org/organisations/<slug>/``)
RESERVED_SLUGS = frozenset({"nouvelle", "nouveau", "admin", "admins"})
MAX_LOGO_BYTES = 1024 * 1024
MAX_LOGO_SIDE = 4096
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
MAX_DOMAINS = 50


# --- validation ---------------------------------------------------------------------------------


def parse_domains(text: str) -> list[str]:
    """Split a comma-, space- or newline-separated list of mail domains, normalised and checked.

    ``"Valmont.fr, @mairie-valmont.fr\\n"`` → ``["valmont.fr", "mairie-valmont.fr"]``.
    """
    domains: list[str] = []
    for raw in re.split(r"[\s,;]+", text or ""):
        domain = raw.strip().lower().lstrip("@").rstrip(".")
        if domain and domain not in domains:
            domains.append(domain)
    if len(domains) > MAX_DOMAINS:
        raise ValidationError(
            _("Indiquez au plus %(max)d domaines.") % {"max": MAX_DOMAINS}, code="too_many_domains"
        )
    errors = []
    for domain in domains:
        try:
            validate_domain(domain)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return domains


def check_domains_available(domains: list[str], organisation: Organisation | None) -> None:
    """Each new domain must be free: not registered by another organisation, and not already
    used by people of other organisations (their addresses would then point to the wrong one).
    Domains ``organisation`` already owns are not checked again."""
    owned = (
        set(organisation.mail_domains.values_list("domain", flat=True)) if organisation else set()
    )
    new = [domain for domain in domains if domain not in owned]
    taken = {
        d.domain: d.organisation.name
        for d in MailDomain.objects.filter(domain__in=new).select_related("organisation")
    }
    errors = []
    for domain in new:
        if domain in taken:
            errors.append(
                _("Le domaine « %(domain)s » appartient déjà à %(org)s.")
                % {"domain": domain, "org": taken[domain]}
            )
            continue
        users = User.objects.filter(email__iendswith=f"@{domain}")
        if organisation is not None:
            users = users.exclude(organisation=organisation)
        example = users.order_by("email").values_list("email", flat=True).first()
        if example is not None:
            errors.append(
                _(
                    "Le domaine « %(domain)s » est déjà utilisé par des personnes d'autres "
                    "organisations (par exemple %(email)s) : changez d'abord leur adresse."
                )
                % {"domain": domain, "email": example}
            )
    if errors:
        raise ValidationError({"domains": errors}, code="domain_taken")


def validate_logo(file: UploadedFile) -> str:
    """Check an uploaded logo (PNG, JPEG or WebP, at most 1 Mo) and return its file extension."""
    if file.size is not None and file.size > MAX_LOGO_BYTES:
        raise ValidationError(
            _("Le logo pèse plus de 1 Mo : réduisez-le ou enregistrez-le en PNG compressé."),
            code="logo_size",
        )
    try:
        file.seek(0)
        with Image.open(file) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except Exception:  # noqa: BLE001 — Pillow raises many kinds of errors for a bad file
        kind = None
    finally:
        file.seek(0)
    if kind not in LOGO_FORMATS:
        raise ValidationError(
            _(
                "Le logo doit être une image PNG, JPEG ou WebP (les fichiers SVG ne sont pas "
                "acceptés)."
            ),
            code="logo_format",
        )
    if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE:
        raise ValidationError(
            _("Le logo mesure plus de %(max)d pixels de côté : réduisez-le.")
            % {"max": MAX_LOGO_SIDE},
            code="logo_dimensions",
        )
    return LOGO_FORMATS[kind]


def _check_identity(organisation: Organisation) -> None:
    errors: dict[str, str] = {}
    same_name = Organisation.objects.filter(name__iexact=organisation.name)
    same_slug = Organisation.objects.filter(slug=organisation.slug)
    same_siren = Organisation.objects.filter(siren=organisation.siren)
    if organisation.pk:
        same_name = same_name.exclude(pk=organisation.pk)
        same_slug = same_slug.exclude(pk=organisation.pk)
        same_siren = same_siren.exclude(pk=organisation.pk)
    if same_name.exists():
        errors["name"] = _("Une organisation porte déjà ce nom.")
    if organisation.slug in RESERVED_SLUGS:
        errors["slug"] = _("Cet identifiant est réservé : choisissez-en un autre.")
    elif same_slug.exists():
        errors["slug"] = _("Cet identifiant est déjà pris par une autre organisation.")
    if organisation.siren:
        try:
            validate_siren(organisation.siren)
        except ValidationError as error:
            errors["siren"] = error.messages[0]
        else:
            if same_siren.exists():
                errors["siren"] = _("Ce SIREN est déjà celui d'une autre organisation.")
    if errors:
        raise ValidationError(errors)


def _apply_organisation(organisation: Organisation, data: dict[str, Any]) -> list[str]:
    changed = []
    for name in ORGANISATION_FIELDS:
        if name not in data:
            continue
        value = (data[name] or "").strip()
        if name == "siren":
            value = value.replace(" ", "")
        if getattr(organisation, name) != value:
            setattr(organisation, name, value)
            changed.append(name)
    return changed


def _set_domains(organisation: Organisation, domains: list[str]) -> bool:
    current = set(organisation.mail_domains.values_list("domain", flat=True))
    if current == set(domains):
        return False
    check_domains_available(domains, organisation)
    organisation.mail_domains.exclude(domain__in=domains).delete()
    MailDomain.objects.bulk_create(
        [MailDomain(organisation=organisation, domain=d) for d in domains if d not in current]
    )
    return True


def _set_logo(organisation: Organisation, logo: UploadedFile | None, remove: bool) -> bool:
    if logo:
        extension = validate_logo(logo)
        organisation.logo.save(
            f"{organisation.slug}-{secrets.token_hex(4)}.{extension}", logo, save=False
        )
        return True
    if remove and organisation.logo:
        organisation.logo.delete(save=False)
        return True
    return False


# --- organisations ------------------------------------------------------------------------------


@transaction.atomic
def do_create_organisation(actor: User, data: dict[str, Any]) -> Organisation:
    """Add a member organisation with its domains, its logo and default policies.

    ``data``: ``kind``, ``name``, ``slug`` (derived from the name when empty), ``siren``,
    ``domains`` (a list, see ``parse_domains``), ``logo`` (an uploaded file or ``None``).
    """
    organisation = Organisation()
    _apply_organisation(organisation, data)
    if not organisation.slug:
        organisation.slug = slugify(organisation.name)[:60].strip("-")
    _check_identity(organisation)
    domains = data.get("domains") or []
    check_domains_available(domains, None)
    organisation.full_clean(exclude=["logo"])
    _set_logo(organisation, data.get("logo"), remove=False)
    organisation.save()
    MailDomain.objects.bulk_create(
        [MailDomain(organisation=organisation, domain=d) for d in domains]
    )
    Policy.objects.create(organisation=organisation)
    record(EventKind.ORGANISATION_CREATED, actor=actor, target=organisation, domains=domains)
    return organisation


@transaction.atomic
def do_update_organisation(
    actor: User, organisation: Organisation, data: dict[str, Any]
) -> Organisation:
    """Change an organisation's type, name, SIREN, domains or logo (its slug stays fixed)."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = _apply_organisation(organisation, {k: v for k, v in data.items() if k != "slug"})
    _check_identity(organisation)
    organisation.full_clean(exclude=["logo"])
    if "domains" in data and _set_domains(organisation, data["domains"]):
        changed.append("domains")
    if _set_logo(organisation, data.get("logo"), remove=bool(data.get("remove_logo"))):
        changed.append("logo")
    if changed:
        organisation.save()
        record(
            EventKind.ORGANISATION_UPDATED, actor=actor, target=organisation, fields=sorted(changed)
        )
    return organisation


@transaction.atomic
def do_set_organisation_active(
    actor: User, organisation: Organisation, active: bool
) -> Organisation:
    """Open or close an organisation: closed, its people leave the directory and its admins
    lose their rights until it is opened again (nothing is deleted)."""
    if not active and actor.organisation_id == organisation.pk:
        raise ValidationError(_("Vous ne pouvez pas désactiver votre propre organisation."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.is_active == active:
        return organisation
    organisation.is_active = active
    organisation.save(update_fields=["is_active", "updated_at"])
    record(
        EventKind.ORGANISATION_UPDATED,
        actor=actor,
        target=organisation,
        fields=["is_active"],
        is_active=active,
    )
    return organisation


@transaction.atomic
def do_update_policy(actor: User, organisation: Organisation, data: dict[str, Any]) -> Policy:
    """Change the policies an organisation sets for its people and data."""
    policy, _created = Policy.objects.get_or_create(organisation=organisation)
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    changed = []
    for name in POLICY_FIELDS:
        if name in data and getattr(policy, name) != data[name]:
            setattr(policy, name, data[name])
            changed.append(name)
    policy.full_clean()
    if changed:
        policy.save(update_fields=[*changed, "updated_at"])
        record(
            EventKind.POLICY_UPDATED,
            actor=actor,
            organisation=organisation,
            target=policy,
            changes={name: str(getattr(policy, name)) for name in changed},
        )
    return policy


# --- administrators -----------------------------------------------------------------------------


@transaction.atomic
def do_add_admin(
    actor: User, organisation: Organisation, data: dict[str, Any]
) -> tuple[User, bool]:
    """Name an administrator of ``organisation``; return ``(person, created)``.

    An active person of that organisation with this address gets the role; otherwise the
    person is created with the role and invited by e-mail.
    """
    email = people.normalise_email(data.get("email", ""))
    existing = User.objects.filter(email__iexact=email, organisation=organisation).first()
    if existing is not None:
        if not existing.is_active:
            raise ValidationError(
                {
                    "email": _(
                        "%(name)s fait partie de cette organisation mais son compte est "
                        "désactivé : "
                        "réactivez-le d'abord."
                    )
                    % {"name": existing}
                }
            )
        return people.do_set_admin(actor, existing, True), False
    fields = {
        key: data[key] for key in ("first_name", "last_name", "status", "job_title") if key in data
    }
    person_data = {"status": Status.AGENT, **fields, "email": email, "is_org_admin": True}
    return people.do_create_person(actor, organisation, person_data, invite=True), True


@transaction.atomic
def do_revoke_admin(actor: User, person: User) -> User:
    """Remove the administrator role (the person keeps their account)."""
    if not person.is_org_admin:
        raise ValidationError(_("%(name)s n'est pas administrateur·rice.") % {"name": person})
    return people.do_set_admin(actor, person, False)
