"""Django application configuration for portal."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "entente.portal"
    label = "portal"
    verbose_name = "Portail"

    def ready(self) -> None:
        # registers the permission rules of tiles and announcements
        from entente.portal import permissions  # noqa: F401
