"""Django application configuration for collaborative spaces."""

from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "entente.spaces"
    label = "spaces"
    verbose_name = "Espaces"

    def ready(self) -> None:
        # each module registers its permission rules
        from entente.spaces import permissions  # noqa: F401
        from entente.spaces.discussion import permissions as _d  # noqa: F401
        from entente.spaces.notes import permissions as _n  # noqa: F401
        from entente.spaces.tasks import permissions as _t  # noqa: F401
