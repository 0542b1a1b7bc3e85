"""Audit log: append-only, hash-chained security and administration events."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "entente.audit"
    label = "audit"
    verbose_name = "Journal d'audit"

    def ready(self) -> None:
        from entente.audit import permissions, receivers  # noqa: F401

        receivers.connect()
