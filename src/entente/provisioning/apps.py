"""Provisioning of people: SCIM 2.0 per organisation and CSV import."""

from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "entente.provisioning"
    label = "provisioning"
    verbose_name = "Provisionnement"

    def ready(self) -> None:
        from entente.provisioning import permissions  # noqa: F401  (registers the permission rules)
