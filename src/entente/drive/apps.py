"""Django application configuration for documents (the drive)."""

from django.apps import AppConfig


class DriveConfig(AppConfig):
    name = "entente.drive"
    label = "drive"
    verbose_name = "Documents"

    def ready(self) -> None:
        from entente.drive import permissions  # noqa: F401  (registers the permission rules)
