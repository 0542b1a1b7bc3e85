"""Django application configuration for directory."""

from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "entente.directory"
    label = "directory"
    verbose_name = "Annuaire"

    def ready(self) -> None:
        from entente.directory import permissions  # noqa: F401  (registers the permission rules)
