"""Django application configuration for portal."""

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "entente.portal"
    label = "portal"
    verbose_name = "Portail"
