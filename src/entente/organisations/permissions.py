"""Permission rules for organisations.

Actions on an ``Organisation``:

- ``view``: see it in lists and on cards (every member of the territory; operators also see
  inactive ones; guests see none).
- ``edit``: change its name, type, SIREN, domains, logo, active state (operators).
- ``edit_policies``: change its policies (its own administrators and operators).
- ``manage_people``: create, invite, edit, deactivate its people (its own administrators).
- ``manage_structure``: manage its services tree and groups (its own administrators).
- ``manage_admins``: name or remove its administrators (operators, and its own administrators).

Class-level actions (``obj`` is the ``Organisation`` class):

- ``create``: add a member organisation to the territory (operators only).
- ``administer``: open the organisations console, which lists every organisation, active or
  not, with its people counts (operators only).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from entente.core.permissions import Rules, register
from entente.organisations.models import Organisation


def is_admin_of(user: Any, organisation_id: int | None) -> bool:
    return bool(
        organisation_id is not None
        and user.is_org_admin
        and user.organisation_id == organisation_id
        and user.organisation.is_active
    )


@register(Organisation)
class OrganisationRules(Rules):
    actions = (
        "view",
        "edit",
        "edit_policies",
        "manage_people",
        "manage_structure",
        "manage_admins",
    )
    class_actions = ("create", "administer")

    def visible(self, user: Any) -> QuerySet:
        if user.is_operator:
            return Organisation.objects.all()
        if user.is_guest:
            return Organisation.objects.none()
        return Organisation.objects.filter(is_active=True)

    def can_create_any(self, user: Any) -> bool:
        return user.is_operator

    def can_administer_any(self, user: Any) -> bool:
        return user.is_operator

    def can_edit(self, user: Any, obj: Organisation) -> bool:
        return user.is_operator

    def can_edit_policies(self, user: Any, obj: Organisation) -> bool:
        return user.is_operator or is_admin_of(user, obj.pk)

    def can_manage_people(self, user: Any, obj: Organisation) -> bool:
        return is_admin_of(user, obj.pk)

    def can_manage_structure(self, user: Any, obj: Organisation) -> bool:
        return is_admin_of(user, obj.pk)

    def can_manage_admins(self, user: Any, obj: Organisation) -> bool:
        return user.is_operator or is_admin_of(user, obj.pk)
