"""Django application configuration for organisations."""

from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "entente.organisations"
    label = "organisations"
    verbose_name = "Organisations"

    def ready(self) -> None:
        from entente.organisations import permissions  # noqa: F401  (registers the permission rules)
