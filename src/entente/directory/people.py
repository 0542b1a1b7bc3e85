"""What the directory reads about people: filters, service paths, manager chain, spaces in
common, an organisation's tree with its people. Only rows ``visible(viewer, …)`` allows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from entente.accounts.models import Status, User
from entente.core.permissions import visible
from entente.directory.models import Service
from entente.directory.services import ServiceNode, _descendants, build_tree
from entente.organisations.models import Organisation
from entente.spaces.models import Space
from entente.spaces.permissions import member_space_ids

#: levels of managers shown above a person, at most (a cycle or a hidden one stops earlier)
MAX_MANAGER_CHAIN = 8
#: people listed under each service of the tree (the others through the filtered search)
PEOPLE_PER_SERVICE = 12


def directory_people(
    viewer: Any,
    *,
    organisation: Organisation | None = None,
    service: Service | None = None,
    elus_only: bool = False,
) -> QuerySet:
    """The active people ``viewer`` may see, narrowed by the page's filters (a service keeps
    the people of its sub-services too)."""
    people = visible(viewer, User).filter(is_active=True)
    if organisation is not None:
        people = people.filter(organisation=organisation)
    if service is not None:
        links = dict(
            Service.objects.filter(organisation_id=service.organisation_id).values_list(
                "pk", "parent_id"
            )
        )
        people = people.filter(service_id__in={service.pk, *_descendants(service.pk, links)})
    if elus_only:
        people = people.filter(status=Status.ELU)
    return people


def with_details(people: QuerySet) -> QuerySet:
    return people.select_related("organisation", "service")


def service_paths(services: QuerySet) -> dict[int, list[str]]:
    """``{service id: ["Direction", "Service"]}`` for ``services`` (one query per call)."""
    rows = list(services.only("pk", "name", "parent_id", "organisation_id"))
    by_org: dict[int, list[Service]] = {}
    for service in rows:
        by_org.setdefault(service.organisation_id, []).append(service)
    paths: dict[int, list[str]] = {}

    def walk(nodes: list[ServiceNode], prefix: list[str]) -> None:
        for node in nodes:
            path = [*prefix, node.service.name]
            paths[node.service.pk] = path
            walk(node.children, path)

    for services_of_org in by_org.values():
        walk(build_tree(services_of_org), [])
    return paths


def paths_for(viewer: Any, people: list[User]) -> dict[int, list[str]]:
    """The service paths of ``people``'s organisations (one query)."""
    organisations = {p.organisation_id for p in people if p.service_id}
    if not organisations:
        return {}
    return service_paths(visible(viewer, Service).filter(organisation_id__in=organisations))


def manager_chain(viewer: Any, person: User) -> list[User]:
    """``person``'s manager, their manager… as far as ``viewer`` may see, without cycles,
    at most ``MAX_MANAGER_CHAIN`` people (one query per level)."""
    people = visible(viewer, User).select_related("service")
    chain: list[User] = []
    seen = {person.pk}
    next_id = person.manager_id
    while next_id is not None and next_id not in seen and len(chain) < MAX_MANAGER_CHAIN:
        manager = people.filter(pk=next_id).first()
        if manager is None:
            break
        chain.append(manager)
        seen.add(manager.pk)
        next_id = manager.manager_id
    return chain


def reports(viewer: Any, person: User) -> QuerySet:
    """The active people reporting directly to ``person`` that ``viewer`` may see."""
    return (
        visible(viewer, User)
        .filter(manager=person, is_active=True)
        .select_related("service")
        .order_by("last_name", "first_name", "pk")
    )


def spaces_in_common(viewer: Any, person: User) -> QuerySet:
    """Spaces ``viewer`` sees where both ``viewer`` and ``person`` are members."""
    if viewer.pk == person.pk:
        return Space.objects.none()
    return (
        visible(viewer, Space)
        .filter(pk__in=member_space_ids(viewer))
        .filter(pk__in=member_space_ids(person))
        .order_by("name", "pk")
    )


def browse_organisations(viewer: Any) -> list[Organisation]:
    """The organisations ``viewer`` sees, each with ``people_count``: the people of it that
    ``viewer`` may find (two queries)."""
    organisations = list(visible(viewer, Organisation).filter(is_active=True).order_by("name"))
    counts = dict(
        visible(viewer, User)
        .filter(is_active=True, organisation__isnull=False)
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .values_list("organisation_id", "n")
    )
    for organisation in organisations:
        organisation.people_count = counts.get(organisation.pk, 0)
    return organisations


@dataclass
class TreeEntry:
    """A service of the tree with the people of it the viewer may see (not its sub-services)."""

    service: Service
    depth: int
    people: list[User] = field(default_factory=list)
    people_count: int = 0
    children: list[TreeEntry] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.people_count - len(self.people)


def organisation_tree(
    viewer: Any, organisation: Organisation
) -> tuple[list[TreeEntry], list[User]]:
    """``organisation``'s services as a tree, each with its people ``viewer`` may see, and the
    people attached to no service (three queries)."""
    services = visible(viewer, Service).filter(organisation=organisation)
    people = list(
        visible(viewer, User)
        .filter(organisation=organisation, is_active=True)
        .only(
            "pk",
            "first_name",
            "last_name",
            "email",
            "job_title",
            "mandate",
            "status",
            "service_id",
            "organisation_id",
        )
        .order_by("last_name", "first_name", "pk")
    )
    by_service: dict[int | None, list[User]] = {}
    for person in people:
        by_service.setdefault(person.service_id, []).append(person)

    def convert(nodes: list[ServiceNode]) -> list[TreeEntry]:
        entries = []
        for node in nodes:
            members = by_service.get(node.service.pk, [])
            entries.append(
                TreeEntry(
                    service=node.service,
                    depth=node.depth,
                    people=members[:PEOPLE_PER_SERVICE],
                    people_count=len(members),
                    children=convert(node.children),
                )
            )
        return entries

    tree = convert(build_tree(services))
    known = set(services.values_list("pk", flat=True))
    loose = [p for p in people if p.service_id is None or p.service_id not in known]
    return tree, loose


def organisation_people(viewer: Any, organisation: Organisation) -> QuerySet:
    """The active people of ``organisation`` that ``viewer`` may see (for the vCard export)."""
    return with_details(
        visible(viewer, User).filter(organisation=organisation, is_active=True)
    ).order_by("last_name", "first_name", "pk")
