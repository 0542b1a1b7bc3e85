"""Permission rules for identity providers.

Actions on an ``IdentityProvider`` (one per organisation):

- ``view``: see its settings in the console (never the client secret, which is write-only):
  the organisation's own administrators, and operators.
- ``edit``: register, change, test, switch on or off the organisation's provider: the same
  people.

Nobody else learns whether an organisation has a provider from the console (same 404 as for
a missing page). The rules only read ``organisation_id``, so they also answer for a provider
not saved yet (the first configuration of an organisation).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from entente.core.permissions import Rules, register
from entente.identity.models import IdentityProvider
from entente.organisations.permissions import is_admin_of


def manages(user: Any, organisation_id: int | None) -> bool:
    return bool(user.is_operator or is_admin_of(user, organisation_id))


@register(IdentityProvider)
class IdentityProviderRules(Rules):
    actions = ("view", "edit")

    def visible(self, user: Any) -> QuerySet:
        if user.is_operator:
            return IdentityProvider.objects.all()
        if is_admin_of(user, user.organisation_id):
            return IdentityProvider.objects.filter(organisation_id=user.organisation_id)
        return IdentityProvider.objects.none()

    def can_view(self, user: Any, obj: IdentityProvider) -> bool:
        return manages(user, obj.organisation_id)

    def can_edit(self, user: Any, obj: IdentityProvider) -> bool:
        return manages(user, obj.organisation_id)
