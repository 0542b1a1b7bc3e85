from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "entente.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from entente.notifications import permissions  # noqa: F401  (registers the rules)
