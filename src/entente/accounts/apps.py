"""Django application configuration for accounts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "entente.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        from entente.accounts import permissions  # noqa: F401  (registers the permission rules)
