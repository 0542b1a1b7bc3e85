"""Permission rules for services (departments) and groups.

``Service``: every member of the territory sees the services of active organisations (they
are part of the directory); ``edit`` and ``delete`` belong to the organisation's admins.

``Group``: seen by the people of its organisation (to share with it); ``edit`` and
``delete`` belong to the organisation's admins.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from entente.core.permissions import Rules, register
from entente.directory.models import Group, Service
from entente.organisations.permissions import is_admin_of


@register(Service)
class ServiceRules(Rules):
    actions = ("view", "edit", "delete")

    def visible(self, user: Any) -> QuerySet:
        if user.is_guest and not user.is_operator:
            return Service.objects.none()
        qs = Service.objects.all()
        return qs if user.is_operator else qs.filter(organisation__is_active=True)

    def can_edit(self, user: Any, obj: Service) -> bool:
        return is_admin_of(user, obj.organisation_id)

    def can_delete(self, user: Any, obj: Service) -> bool:
        return is_admin_of(user, obj.organisation_id)


@register(Group)
class GroupRules(Rules):
    actions = ("view", "edit", "delete")

    def visible(self, user: Any) -> QuerySet:
        if user.organisation_id is None:
            return Group.objects.none()
        return Group.objects.filter(organisation_id=user.organisation_id)

    def can_edit(self, user: Any, obj: Group) -> bool:
        return is_admin_of(user, obj.organisation_id)

    def can_delete(self, user: Any, obj: Group) -> bool:
        return is_admin_of(user, obj.organisation_id)
