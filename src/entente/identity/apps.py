"""Single sign-on per organisation (OIDC: ProConnect, LemonLDAP::NG, Keycloak)."""

from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "entente.identity"
    label = "identity"
    verbose_name = "Fournisseurs d'identité"

    def ready(self) -> None:
        from entente.identity import permissions  # noqa: F401
