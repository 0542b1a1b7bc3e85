"""Permission rules for provisioning: SCIM tokens, provisioned identities, bulk changes.

Two kinds of callers ask these questions: people (an organisation's administrators, the
platform's operators) in the console, and a ``ScimClient`` — the principal a SCIM request
acts as once its bearer token is recognised. A SCIM client is not a person: it has no role,
no directory visibility, and may act on one organisation only, its token's.

Actions on a ``ScimToken``:

- ``view``: see the token in the list (its name, prefix, dates — the secret is shown once,
  at creation, and never stored): the administrators of its organisation, and operators.
- ``revoke``: stop the token at once (same people, while it is active).
- ``create``: asked on an unsaved token of an organisation, ``ScimToken(organisation=org)``:
  issue a token for that organisation (same people).

Actions on a ``ScimIdentity`` or ``ScimGroupIdentity`` (the link between a person or a
group and the organisation's identity system):

- ``view``: the administrators of its organisation, operators, and the SCIM client of that
  organisation.
- ``provision``: asked on an unsaved identity of an organisation,
  ``ScimIdentity(organisation=org)``: create, change and deactivate that organisation's people
  and groups in bulk — through SCIM for a client whose active token belongs to that active
  organisation; through a CSV import for that organisation's administrators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from entente.core.permissions import Rules, can, register
from entente.organisations.models import Organisation
from entente.organisations.permissions import is_admin_of
from entente.provisioning.models import ScimGroupIdentity, ScimIdentity, ScimToken


@dataclass(frozen=True, eq=False)
class ScimClient:
    """The principal of a SCIM request: the token that authenticated it, nobody's account."""

    token: ScimToken

    is_authenticated = True
    is_anonymous = False
    is_operator = False
    is_org_admin = False
    is_guest = False
    pk = None

    @property
    def is_active(self) -> bool:
        return self.token.is_active and self.token.organisation.is_active

    @property
    def organisation_id(self) -> int:
        return self.token.organisation_id

    @property
    def organisation(self) -> Organisation:
        return self.token.organisation

    @property
    def label(self) -> str:
        return f"jeton SCIM « {self.token.name} » ({self.token.prefix}…)"


def _is_person(user: Any) -> bool:
    return not isinstance(user, ScimClient)


def _manages_tokens(user: Any, organisation_id: int | None) -> bool:
    return _is_person(user) and (bool(user.is_operator) or is_admin_of(user, organisation_id))


@register(ScimToken)
class ScimTokenRules(Rules):
    actions = ("view", "revoke")

    def visible(self, user: Any) -> QuerySet:
        if not _is_person(user):
            return ScimToken.objects.none()
        if user.is_operator:
            return ScimToken.objects.all()
        if user.organisation_id is not None and is_admin_of(user, user.organisation_id):
            return ScimToken.objects.filter(organisation_id=user.organisation_id)
        return ScimToken.objects.none()

    def can_view(self, user: Any, obj: ScimToken) -> bool:
        return _manages_tokens(user, obj.organisation_id)

    def can_revoke(self, user: Any, obj: ScimToken) -> bool:
        return obj.is_active and _manages_tokens(user, obj.organisation_id)

    def can_create(self, user: Any, obj: ScimToken) -> bool:
        return _manages_tokens(user, obj.organisation_id)


class _IdentityRules(Rules):
    actions = ("view",)

    def visible(self, user: Any) -> QuerySet:
        manager = self.model._default_manager
        if not _is_person(user):
            return manager.filter(organisation_id=user.organisation_id)
        if user.is_operator:
            return manager.all()
        if user.organisation_id is not None and is_admin_of(user, user.organisation_id):
            return manager.filter(organisation_id=user.organisation_id)
        return manager.none()

    def can_view(self, user: Any, obj: Any) -> bool:
        if not _is_person(user):
            return obj.organisation_id == user.organisation_id
        return bool(user.is_operator) or is_admin_of(user, obj.organisation_id)

    def can_provision(self, user: Any, obj: Any) -> bool:
        if not _is_person(user):
            return obj.organisation_id == user.organisation_id
        return is_admin_of(user, obj.organisation_id)


@register(ScimIdentity)
class ScimIdentityRules(_IdentityRules):
    pass


@register(ScimGroupIdentity)
class ScimGroupIdentityRules(_IdentityRules):
    pass


def may_provision(user: Any, organisation: Organisation) -> bool:
    """May ``user`` (a person or a SCIM client) change ``organisation``'s people in bulk?"""
    return can(user, "provision", ScimIdentity(organisation=organisation))


def may_manage_tokens(user: Any, organisation: Organisation) -> bool:
    """May ``user`` issue SCIM tokens for ``organisation`` (and see its tokens)?"""
    return can(user, "create", ScimToken(organisation=organisation))
