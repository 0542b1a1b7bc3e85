"""Django application configuration for collaborative spaces."""

from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "entente.spaces"
    label = "spaces"
    verbose_name = "Espaces"

    def ready(self) -> None:
        from entente.spaces import permissions  # noqa: F401  (registers the permission rules)
