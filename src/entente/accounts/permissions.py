"""Permission rules for people and their app passwords.

Who sees whom (``visible``):

- everyone sees themself;
- a member of an organisation sees the active people of their own organisation, and the
  active people of every organisation whose policy shows its directory to the territory;
- an organisation's administrators also see the inactive people of their organisation;
- operators see every person (they administer the platform and its organisations' admins);
- a guest (no organisation) sees only themself until spaces and shares give them more.

Actions on a ``User``:

- ``view``: open their card.
- ``edit``: change their identity, job, service, status (their organisation's administrators;
  operators for organisation administrators).
- ``deactivate`` / ``reactivate``: end or restore their access (same people; never oneself).
- ``invite``: send (again) the e-mail with a one-time link to choose a password.
- ``set_admin``: grant or remove the organisation administrator role (never on oneself).
- ``sign_out``: end all their open sessions at once, on every device (same people as
  ``deactivate``; never oneself: one's own sessions are closed from "Sessions ouvertes").

App passwords (``visible``): a person sees their own; an organisation's administrators also
see those of their organisation's people (to cut off a lost device); operators see all.

Actions on an ``AppPassword``:

- ``view``: see its name, prefix, creation and last use (never the secret: it is not kept).
- ``revoke``: stop it working at once (its owner, their organisation's administrators,
  operators).
- ``create`` (class-level): create one for oneself (every active person; operators also create
  them for others from the command line).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from entente.accounts.models import AppPassword, User
from entente.core.permissions import Rules, register
from entente.organisations.models import DirectoryVisibility
from entente.organisations.permissions import is_admin_of


def manages(actor: Any, person: User) -> bool:
    """Is ``actor`` an administrator of ``person``'s organisation, or an operator acting on an admin?"""
    if is_admin_of(actor, person.organisation_id):
        return True
    return bool(actor.is_operator and person.is_org_admin)


@register(User)
class UserRules(Rules):
    actions = ("view", "edit", "deactivate", "reactivate", "invite", "set_admin", "sign_out")

    def visible(self, user: Any) -> QuerySet:
        if user.is_operator:
            return User.objects.all()
        mine = Q(pk=user.pk)
        if user.is_guest:
            return User.objects.filter(mine)
        territory = Q(
            is_active=True,
            organisation__is_active=True,
            organisation__policy__directory_visibility=DirectoryVisibility.TERRITORY,
        )
        own_org = Q(organisation_id=user.organisation_id)
        if not user.is_org_admin:
            own_org &= Q(is_active=True)
        return User.objects.filter(mine | own_org | territory)

    def can_edit(self, user: Any, obj: User) -> bool:
        return manages(user, obj)

    def can_deactivate(self, user: Any, obj: User) -> bool:
        return obj.pk != user.pk and obj.is_active and manages(user, obj)

    def can_sign_out(self, user: Any, obj: User) -> bool:
        return obj.pk != user.pk and obj.is_active and manages(user, obj)

    def can_reactivate(self, user: Any, obj: User) -> bool:
        return not obj.is_active and manages(user, obj)

    def can_invite(self, user: Any, obj: User) -> bool:
        return obj.is_active and manages(user, obj)

    def can_set_admin(self, user: Any, obj: User) -> bool:
        if obj.pk == user.pk or obj.is_guest:
            return False
        return is_admin_of(user, obj.organisation_id) or bool(user.is_operator)


@register(AppPassword)
class AppPasswordRules(Rules):
    actions = ("view", "revoke")
    class_actions = ("create",)

    def visible(self, user: Any) -> QuerySet:
        if user.is_operator:
            return AppPassword.objects.all()
        mine = Q(user_id=user.pk)
        if is_admin_of(user, user.organisation_id):
            mine |= Q(user__organisation_id=user.organisation_id)
        return AppPassword.objects.filter(mine)

    def can_view(self, user: Any, obj: AppPassword) -> bool:
        if obj.user_id == user.pk or user.is_operator:
            return True
        return is_admin_of(user, obj.user.organisation_id)

    def can_revoke(self, user: Any, obj: AppPassword) -> bool:
        return obj.revoked_at is None and self.can_view(user, obj)

    def can_create_any(self, user: Any) -> bool:
        return True
