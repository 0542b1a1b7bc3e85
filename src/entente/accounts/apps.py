"""Django application configuration for accounts."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "entente.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        # permissions registers the rules; receivers hooks allauth's second-factor events
        from entente.accounts import permissions, receivers  # noqa: F401

        receivers.connect()
