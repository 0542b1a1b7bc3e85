"""Permission rules for the audit log.

``AuditEvent``: an organisation's administrators see the events of their organisation;
operators see every event. Nobody may change or delete one (no action besides ``view``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from entente.audit.models import AuditEvent
from entente.core.permissions import Rules, register
from entente.organisations.permissions import is_admin_of


@register(AuditEvent)
class AuditEventRules(Rules):
    actions = ("view",)

    def visible(self, user: Any) -> QuerySet:
        if user.is_operator:
            return AuditEvent.objects.all()
        if is_admin_of(user, user.organisation_id):
            return AuditEvent.objects.filter(organisation_id=user.organisation_id)
        return AuditEvent.objects.none()
