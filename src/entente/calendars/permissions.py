"""Permission rules for calendars, events and bookable resources.

How much of a calendar a person gets (``access_level``), strongest first:

- ``manage``: its owner; for a space's calendar, the space's owners and managers; for a
  service calendar, its organisation's administrators; for a
  resource's calendar, the administrators of the resource's organisation;
- ``write``: a write share (to the person, a group they belong to, or their organisation);
  the people of the service, for a service calendar (delegation: an assistant given write on
  an élu's calendar manages it);
- (for a space's calendar, its contributors write, while the space is not archived, and its
  readers read; a share to a space reaches its members, a write share only those who may
  write in the space);
- ``read``: a read share; the people of the organisation, for its service and resource
  calendars;
- ``freebusy``: a free/busy share; and, for the calendar of a resource another organisation
  lets the territory book, its busy times only;
- nothing.

Shares are capped by the owning organisation's policy: when it forbids external sharing, a
share reaches only people of that organisation.

Actions on a ``Calendar``: ``freebusy`` (see when it is busy), ``view`` (read its events,
private ones as "occupé"), ``write`` (add, change, delete events), ``manage`` (rename, share,
delete the calendar, renew its subscription address). Class-level ``create``: every active
person of an organisation (guests have only what is shared with them).

Actions on an ``Event``: ``view`` (see it: ``read`` on its calendar, or being invited),
``view_details`` (its title and details: ``view``, and for a private event only ``write`` on
its calendar or being invited), ``edit`` and ``delete`` (``write`` on its calendar),
``respond`` (an attendee answers for themself). Someone's invitations go with their main
calendar: ``read`` on it gives ``view`` of the events they are invited to, ``write`` gives
``view_details`` and ``respond`` on their behalf (an assistant answers for an élu).

Actions on a ``Resource``: ``view``, ``book`` (people of its organisation; of the territory
when it is bookable by other organisations), ``manage`` (its organisation's administrators).
Class-level ``create``: organisation administrators.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from entente.calendars.models import (
    Attendee,
    Calendar,
    CalendarKind,
    CalendarShare,
    Event,
    Privacy,
    Resource,
    ShareLevel,
)
from entente.core.permissions import Rules, register
from entente.organisations.permissions import is_admin_of

LEVELS = ["freebusy", "read", "write", "manage"]


def _rank(level: str | None) -> int:
    return LEVELS.index(level) + 1 if level else 0


def _member(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.is_guest)


#: roles of a space that may write through it (its calendar, or a write share to the space)
SPACE_WRITERS = ["owner", "manager", "contributor"]
SPACE_MANAGERS = ["owner", "manager"]


def _share_filter(user: Any, prefix: str = "") -> Q:
    """Shares that reach ``user``: to them, a group of theirs, their organisation, or a space
    they belong to (a write share to a space lets its readers read only)."""
    q = Q(**{f"{prefix}user_id": user.pk}) | Q(**{f"{prefix}group__members": user.pk})
    q |= Q(
        **{
            f"{prefix}space__memberships__user": user.pk,
            f"{prefix}space__memberships__role__in": SPACE_WRITERS,
        }
    ) | Q(
        **{
            f"{prefix}space__memberships__user": user.pk,
            f"{prefix}level__in": ["freebusy", "read"],
        }
    )
    if user.organisation_id:
        q |= Q(**{f"{prefix}organisation_id": user.organisation_id})
    return q


def _policy_cap(share_q: Q, user: Any) -> Q:
    """A share of an organisation forbidding external sharing reaches its own people only."""
    return share_q & (
        Q(calendar__organisation__policy__external_sharing_allowed=True)
        | Q(calendar__organisation_id=user.organisation_id)
        | Q(calendar__organisation__isnull=True)
    )


def shares_reaching(user: Any) -> QuerySet:
    if not (user.is_authenticated and user.is_active):
        return CalendarShare.objects.none()
    return CalendarShare.objects.filter(_policy_cap(_share_filter(user), user))


def access_level(user: Any, calendar: Calendar) -> str | None:
    """The strongest of ``freebusy``, ``read``, ``write``, ``manage`` that ``user`` has."""
    if not (user.is_authenticated and user.is_active):
        return None
    best: str | None = None

    def grant(level: str) -> None:
        nonlocal best
        if _rank(level) > _rank(best):
            best = level

    if calendar.kind == CalendarKind.PERSONAL and calendar.owner_id == user.pk:
        return "manage"
    if calendar.kind in (CalendarKind.SERVICE, CalendarKind.RESOURCE):
        if is_admin_of(user, calendar.organisation_id):
            return "manage"
        if _member(user) and user.organisation_id == calendar.organisation_id:
            grant("read")
            if calendar.kind == CalendarKind.SERVICE and user.service_id == calendar.service_id:
                grant("write")
        if calendar.kind == CalendarKind.RESOURCE and _member(user):
            resource = calendar.resource
            if resource is not None and resource.bookable_by_territory and resource.is_active:
                grant("freebusy")
    if calendar.kind == CalendarKind.SPACE:
        grant(_space_level(user, calendar))
    for level in shares_reaching(user).filter(calendar=calendar).values_list("level", flat=True):
        grant(level)
    return best


def _space_level(user: Any, calendar: Calendar) -> str | None:
    """A space's calendar: its owners and managers manage it, contributors write (read only
    once the space is archived), readers read."""
    from entente.spaces.permissions import member_role

    role = member_role(user, calendar.space)
    if role is None:
        return None
    if role in SPACE_MANAGERS:
        return "manage"
    if role in SPACE_WRITERS and not calendar.space.is_archived:
        return "write"
    return "read"


def at_least(user: Any, calendar: Calendar, level: str) -> bool:
    return _rank(access_level(user, calendar)) >= _rank(level)


def calendars_at_least(user: Any, level: str) -> QuerySet:
    """The calendars on which ``user`` has at least ``level`` (the queryset twin of above)."""
    if not (user.is_authenticated and user.is_active):
        return Calendar.objects.none()
    levels = LEVELS[LEVELS.index(level) :]
    q = Q(kind=CalendarKind.PERSONAL, owner_id=user.pk)
    shares = shares_reaching(user).filter(level__in=[x for x in levels if x != "manage"])
    q |= Q(pk__in=shares.values("calendar_id"))
    if user.is_org_admin and user.organisation_id and user.organisation.is_active:
        q |= Q(
            kind__in=[CalendarKind.SERVICE, CalendarKind.RESOURCE],
            organisation_id=user.organisation_id,
        )
    if _member(user) and "write" in levels and user.service_id:
        q |= Q(kind=CalendarKind.SERVICE, service_id=user.service_id)
    if _member(user) and "read" in levels:
        q |= Q(
            kind__in=[CalendarKind.SERVICE, CalendarKind.RESOURCE],
            organisation_id=user.organisation_id,
        )
    space_roles = (
        SPACE_MANAGERS if "write" not in levels else SPACE_WRITERS if "read" not in levels else None
    )
    space_q = Q(kind=CalendarKind.SPACE, space__memberships__user=user.pk)
    if space_roles is not None:
        space_q &= Q(space__memberships__role__in=space_roles)
    if space_roles == SPACE_WRITERS:
        space_q = Q(
            kind=CalendarKind.SPACE,
            space__memberships__user=user.pk,
            space__memberships__role__in=SPACE_MANAGERS,
        ) | Q(
            kind=CalendarKind.SPACE,
            space__memberships__user=user.pk,
            space__memberships__role="contributor",
            space__archived_at__isnull=True,
        )
    q |= space_q
    if _member(user) and "freebusy" in levels:
        q |= Q(
            kind=CalendarKind.RESOURCE,
            resource__bookable_by_territory=True,
            resource__is_active=True,
        )
    return Calendar.objects.filter(q).distinct()


@register(Calendar)
class CalendarRules(Rules):
    actions = ("freebusy", "view", "write", "manage")
    class_actions = ("create",)

    def visible(self, user: Any) -> QuerySet:
        """Calendars whose events ``user`` may read (free/busy-only ones are not listed)."""
        return calendars_at_least(user, "read")

    def can_freebusy(self, user: Any, obj: Calendar) -> bool:
        return at_least(user, obj, "freebusy")

    def can_view(self, user: Any, obj: Calendar) -> bool:
        return at_least(user, obj, "read")

    def can_write(self, user: Any, obj: Calendar) -> bool:
        return at_least(user, obj, "write")

    def can_manage(self, user: Any, obj: Calendar) -> bool:
        return at_least(user, obj, "manage")

    def can_create_any(self, user: Any) -> bool:
        return _member(user)


def delegators(user: Any, level: str) -> QuerySet:
    """Ids of the people whose main calendar ``user`` may use at ``level`` (an assistant with
    ``write`` on an élu's agenda): their invitations are handled through that calendar."""
    return (
        calendars_at_least(user, level)
        .filter(kind=CalendarKind.PERSONAL, is_default=True)
        .exclude(owner_id=user.pk)
        .values("owner_id")
    )


def invitees_filter(user: Any, level: str) -> Q:
    """Attendee rows of ``user`` or of the people whose main calendar they use at ``level``."""
    return Q(user_id=user.pk) | Q(user_id__in=delegators(user, level))


@register(Event)
class EventRules(Rules):
    actions = ("view", "view_details", "edit", "delete", "respond")

    def visible(self, user: Any) -> QuerySet:
        if not (user.is_authenticated and user.is_active):
            return Event.objects.none()
        readable = calendars_at_least(user, "read").values("pk")
        invited = Attendee.objects.filter(invitees_filter(user, "read")).values("event_id")
        return Event.objects.filter(
            Q(calendar_id__in=readable) | Q(pk__in=invited) | Q(master_id__in=invited)
        )

    def _invited(self, user: Any, obj: Event, level: str) -> bool:
        """Invited themself, or someone whose main calendar ``user`` uses at ``level`` is."""
        ids = [obj.pk] + ([obj.master_id] if obj.master_id else [])
        return Attendee.objects.filter(invitees_filter(user, level), event_id__in=ids).exists()

    def can_view(self, user: Any, obj: Event) -> bool:
        return at_least(user, obj.calendar, "read") or self._invited(user, obj, "read")

    def can_view_details(self, user: Any, obj: Event) -> bool:
        if obj.privacy != Privacy.PRIVATE:
            return self.can_view(user, obj)
        return at_least(user, obj.calendar, "write") or self._invited(user, obj, "write")

    def can_edit(self, user: Any, obj: Event) -> bool:
        return at_least(user, obj.calendar, "write")

    def can_delete(self, user: Any, obj: Event) -> bool:
        return at_least(user, obj.calendar, "write")

    def can_respond(self, user: Any, obj: Event) -> bool:
        """Answer for themself, or for someone whose main calendar they may write (SENT-BY)."""
        return user.is_authenticated and user.is_active and self._invited(user, obj, "write")


@register(Resource)
class ResourceRules(Rules):
    actions = ("view", "book", "manage")
    class_actions = ("create",)

    def visible(self, user: Any) -> QuerySet:
        if not _member(user):
            return Resource.objects.none()
        q = Q(organisation_id=user.organisation_id, is_active=True)
        q |= Q(bookable_by_territory=True, is_active=True, organisation__is_active=True)
        if user.is_org_admin:
            q |= Q(organisation_id=user.organisation_id)
        return Resource.objects.filter(q)

    def can_book(self, user: Any, obj: Resource) -> bool:
        return obj.is_active and self.can_view(user, obj)

    def can_manage(self, user: Any, obj: Resource) -> bool:
        return is_admin_of(user, obj.organisation_id)

    def can_create_any(self, user: Any) -> bool:
        return bool(user.is_org_admin and user.organisation_id)


__all__ = ["ShareLevel", "access_level", "at_least", "calendars_at_least"]
