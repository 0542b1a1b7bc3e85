"""Use cases for an organisation's structure: the services tree and named groups of people.

``do_…`` functions change state and assume the caller checked permission through
``entente.core.permissions`` (``manage_structure`` on the organisation, ``edit`` or
``delete`` on the service or group). They raise ``ValidationError`` with French messages
keyed by form field. Changes to one organisation's tree are serialised by locking the
organisation's row, so two concurrent moves can never build a cycle together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from entente.accounts.models import User
from entente.audit.models import EventKind
from entente.audit.services import record
from entente.core.validators import validate_phone
from entente.directory.models import MAX_SERVICE_DEPTH, Group, Service
from entente.organisations.models import Organisation

SERVICE_FIELDS = ("name", "parent", "email", "phone")
GROUP_FIELDS = ("name", "description")


# --- the tree, in memory ------------------------------------------------------------------------


@dataclass
class ServiceNode:
    """One service of a tree built in memory, with its children and its level (1 = root)."""

    service: Service
    depth: int = 1
    children: list[ServiceNode] = field(default_factory=list)


def build_tree(services: Iterable[Service]) -> list[ServiceNode]:
    """Nest ``services`` (one organisation's, any order) into roots with children, by name.

    A service whose parent is missing from ``services`` is shown as a root, so a partial list
    never hides anything.
    """
    nodes = {service.pk: ServiceNode(service) for service in services}
    roots: list[ServiceNode] = []
    for node in nodes.values():
        parent = nodes.get(node.service.parent_id)
        (parent.children if parent is not None else roots).append(node)

    def settle(level: list[ServiceNode], depth: int) -> None:
        level.sort(key=lambda n: n.service.name.casefold())
        for node in level:
            node.depth = depth
            settle(node.children, depth + 1)

    settle(roots, 1)
    return roots


def flatten(tree: list[ServiceNode]) -> list[tuple[ServiceNode, str]]:
    """Depth-first list of ``(node, "Direction › Service › Bureau")``, the order of a select."""
    out: list[tuple[ServiceNode, str]] = []

    def walk(level: list[ServiceNode], prefix: str) -> None:
        for node in level:
            path = f"{prefix} › {node.service.name}" if prefix else node.service.name
            out.append((node, path))
            walk(node.children, path)

    walk(tree, "")
    return out


def _links(organisation: Organisation) -> dict[int, int | None]:
    """``{service id: parent id}`` of every service of ``organisation`` (one query)."""
    return dict(Service.objects.filter(organisation=organisation).values_list("pk", "parent_id"))


def _depth(service_id: int | None, links: dict[int, int | None]) -> int:
    """Level of ``service_id`` in the tree (1 for a root, 0 for "no service")."""
    depth = 0
    node = service_id
    while node is not None and depth <= len(links):
        depth += 1
        node = links.get(node)
    return depth


def _descendants(service_id: int, links: dict[int, int | None]) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for child, parent in links.items():
        children.setdefault(parent, []).append(child)
    found: set[int] = set()
    stack = [service_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _height(service_id: int, links: dict[int, int | None]) -> int:
    """Number of levels of the subtree rooted at ``service_id`` (1 for a leaf)."""
    below = _descendants(service_id, links)
    if not below:
        return 1
    base = _depth(service_id, links)
    return max(_depth(node, links) for node in below) - base + 1


def _name_taken(name: str, queryset: QuerySet) -> bool:
    """Is ``name`` already used in ``queryset``, ignoring case ("É" = "é" on every database)?"""
    wanted = name.strip().casefold()
    return any(other.casefold() == wanted for other in queryset.values_list("name", flat=True))


# --- services -----------------------------------------------------------------------------------


def check_service_parent(
    organisation: Organisation, parent: Service | None, service: Service | None = None
) -> None:
    """Refuse a parent of another organisation, a cycle, or a tree deeper than allowed."""
    if parent is None:
        return
    if parent.organisation_id != organisation.pk:
        raise ValidationError(
            {"parent": _("Ce service parent n'appartient pas à votre organisation.")},
            code="parent_org",
        )
    links = _links(organisation)
    height = 1
    if service is not None and service.pk is not None:
        if parent.pk == service.pk or parent.pk in _descendants(service.pk, links):
            raise ValidationError(
                {
                    "parent": _(
                        "Un service ne peut pas être rangé sous lui-même ni sous l'un de ses "
                        "sous-services. Choisissez un autre service parent."
                    )
                },
                code="parent_cycle",
            )
        height = _height(service.pk, links)
    if _depth(parent.pk, links) + height > MAX_SERVICE_DEPTH:
        raise ValidationError(
            {
                "parent": _(
                    "L'arborescence des services compte au plus %(max)d niveaux : choisissez un "
                    "service parent moins profond."
                )
                % {"max": MAX_SERVICE_DEPTH}
            },
            code="parent_depth",
        )


def _check_service_name(
    organisation: Organisation, name: str, parent: Service | None, exclude: Service | None
) -> None:
    siblings = Service.objects.filter(organisation=organisation, parent=parent)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude.pk)
    if _name_taken(name, siblings):
        raise ValidationError(
            {
                "name": _(
                    "Un service porte déjà ce nom à cet endroit de l'arborescence : choisissez "
                    "un autre nom."
                )
            },
            code="service_name_taken",
        )


def _save_service(organisation: Organisation, service: Service, data: dict[str, Any]) -> Service:
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    parent = data.get("parent", service.parent if service.pk else None)
    check_service_parent(organisation, parent, service)
    _check_service_name(
        organisation, data.get("name", service.name), parent, service if service.pk else None
    )
    for name in SERVICE_FIELDS:
        if name in data:
            value = data[name]
            setattr(service, name, value.strip() if isinstance(value, str) else value)
    try:
        validate_phone(service.phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None
    service.full_clean()
    service.save()
    return service


@transaction.atomic
def do_create_service(actor: User, organisation: Organisation, data: dict[str, Any]) -> Service:
    """Add a service to ``organisation``'s tree (under ``data["parent"]``, or as a root)."""
    service = _save_service(organisation, Service(organisation=organisation), data)
    record(EventKind.SERVICE_CREATED, actor=actor, target=service, organisation=organisation)
    return service


@transaction.atomic
def do_update_service(actor: User, service: Service, data: dict[str, Any]) -> Service:
    """Rename a service, change its contact details, or move it under another parent."""
    service = Service.objects.select_related("organisation").get(pk=service.pk)
    service = _save_service(service.organisation, service, data)
    record(
        EventKind.SERVICE_UPDATED, actor=actor, target=service, organisation=service.organisation
    )
    return service


@transaction.atomic
def do_delete_service(actor: User, service: Service) -> None:
    """Delete an empty service; refuse while people or sub-services still belong to it."""
    Organisation.objects.select_for_update().filter(pk=service.organisation_id).first()
    people = User.objects.filter(service=service).count()
    children = Service.objects.filter(parent=service).count()
    if people or children:
        reasons = []
        if people:
            reasons.append(
                ngettext("%(count)d personne", "%(count)d personnes", people) % {"count": people}
            )
        if children:
            reasons.append(
                ngettext("%(count)d sous-service", "%(count)d sous-services", children)
                % {"count": children}
            )
        raise ValidationError(
            _(
                "Le service « %(name)s » ne peut pas être supprimé : il compte encore %(what)s. "
                "Rattachez-les à un autre service, puis recommencez."
            )
            % {"name": service.name, "what": _(" et ").join(reasons)},
            code="service_not_empty",
        )
    record(
        EventKind.SERVICE_DELETED, actor=actor, target=service, organisation=service.organisation
    )
    service.delete()


# --- groups -------------------------------------------------------------------------------------


def check_group_members(group: Group, members: Iterable[User]) -> list[User]:
    """Members must be people of the group's organisation; newcomers must be active."""
    members = list(members)
    current = set(group.members.values_list("pk", flat=True)) if group.pk else set()
    for person in members:
        if person.organisation_id != group.organisation_id:
            raise ValidationError(
                {
                    "members": _(
                        "%(name)s n'appartient pas à votre organisation : cette personne ne peut "
                        "pas être membre du groupe."
                    )
                    % {"name": person}
                },
                code="member_org",
            )
        if not person.is_active and person.pk not in current:
            raise ValidationError(
                {
                    "members": _(
                        "%(name)s est désactivé·e : réactivez ce compte avant de l'ajouter au "
                        "groupe."
                    )
                    % {"name": person}
                },
                code="member_inactive",
            )
    return members


def _save_group(group: Group, data: dict[str, Any]) -> Group:
    for name in GROUP_FIELDS:
        if name in data:
            setattr(group, name, (data[name] or "").strip())
    others = Group.objects.filter(organisation_id=group.organisation_id)
    if group.pk:
        others = others.exclude(pk=group.pk)
    if _name_taken(group.name, others):
        raise ValidationError(
            {
                "name": _(
                    "Un groupe porte déjà ce nom dans votre organisation : choisissez un autre nom."
                )
            },
            code="group_name_taken",
        )
    members = check_group_members(group, data["members"]) if "members" in data else None
    group.full_clean()
    group.save()
    if members is not None:
        group.members.set(members)
    return group


@transaction.atomic
def do_create_group(actor: User, organisation: Organisation, data: dict[str, Any]) -> Group:
    """Create a group of ``organisation`` with its name, description and members."""
    group = _save_group(Group(organisation=organisation), data)
    record(EventKind.GROUP_CREATED, actor=actor, target=group, organisation=organisation)
    return group


@transaction.atomic
def do_update_group(actor: User, group: Group, data: dict[str, Any]) -> Group:
    """Rename a group, change its description or replace its members."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    group = _save_group(group, data)
    record(EventKind.GROUP_UPDATED, actor=actor, target=group, organisation=group.organisation)
    return group


@transaction.atomic
def do_delete_group(actor: User, group: Group) -> None:
    """Delete a group (its members keep their accounts; only the grouping disappears)."""
    record(EventKind.GROUP_DELETED, actor=actor, target=group, organisation=group.organisation)
    group.delete()
