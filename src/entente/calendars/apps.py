"""Django application configuration for calendars."""

from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "entente.calendars"
    label = "calendars"
    verbose_name = "Agenda"

    def ready(self) -> None:
        from entente.calendars import permissions  # noqa: F401  (registers the permission rules)
