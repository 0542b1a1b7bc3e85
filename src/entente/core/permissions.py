"""The permission engine: the one place that answers "may this person do this?".

Every door (HTML views, REST API, and later CalDAV, WebDAV, WOPI, SCIM and search) asks
the same two questions, never a hand-written filter:

- ``can(user, action, obj)`` → bool: may ``user`` perform ``action`` on ``obj``?
  ``obj`` is a model instance, or a model class for class-level actions such as ``"create"``.
- ``visible(user, Model)`` → QuerySet: the rows of ``Model`` that ``user`` may see.
- ``abilities(user, obj)`` → dict: every action of ``obj``'s rules at once, for templates and
  API clients that decide which buttons to show.

Each domain app writes a ``Rules`` subclass per model in its ``permissions.py`` and
registers it with ``@register(Model)``. The actions each model knows, and what they mean,
are listed in that module's docstring.

Anonymous and inactive users may do nothing and see nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.http import Http404

_REGISTRY: dict[type[models.Model], Rules] = {}


class Rules:
    """Base class of the permission rules of one model."""

    model: ClassVar[type[models.Model]]
    #: instance-level actions, in the order they are listed in ``abilities``
    actions: ClassVar[tuple[str, ...]] = ("view",)
    #: class-level actions (``obj`` is the model class, or a container passed as ``obj``)
    class_actions: ClassVar[tuple[str, ...]] = ()

    def visible(self, user: Any) -> models.QuerySet:
        """Rows of the model ``user`` may see. Subclasses narrow this."""
        return self.model._default_manager.none()

    def check(self, user: Any, action: str, obj: models.Model) -> bool:
        """Instance-level decision; dispatches to ``can_<action>``."""
        method: Callable[[Any, models.Model], bool] | None = getattr(self, f"can_{action}", None)
        if method is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} ne connaît pas l'action « {action} »"
            )
        return bool(method(user, obj))

    def check_class(self, user: Any, action: str) -> bool:
        method: Callable[[Any], bool] | None = getattr(self, f"can_{action}_any", None)
        if method is None:
            raise ImproperlyConfigured(
                f"{type(self).__name__} ne connaît pas l'action « {action} »"
            )
        return bool(method(user))

    def can_view(self, user: Any, obj: models.Model) -> bool:
        return self.visible(user).filter(pk=obj.pk).exists()


def register(model: type[models.Model]) -> Callable[[type[Rules]], type[Rules]]:
    """Class decorator: make ``rules_cls`` the rules of ``model``."""

    def decorator(rules_cls: type[Rules]) -> type[Rules]:
        rules_cls.model = model
        _REGISTRY[model] = rules_cls()
        return rules_cls

    return decorator


def rules_for(model_or_obj: type[models.Model] | models.Model) -> Rules:
    # ``__class__``, not ``type()``: request.user is a lazy proxy whose type() is the proxy's.
    model = model_or_obj if isinstance(model_or_obj, type) else model_or_obj.__class__
    model = getattr(model, "_meta", None) and model._meta.concrete_model or model
    try:
        return _REGISTRY[model]
    except KeyError:
        raise ImproperlyConfigured(f"Aucune règle de permission pour {model.__name__}") from None


def is_active_user(user: Any) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and not getattr(user, "access_expired", False)
    )


def can(user: Any, action: str, obj: type[models.Model] | models.Model) -> bool:
    """May ``user`` perform ``action`` on ``obj`` (an instance, or a model class)?"""
    if not is_active_user(user):
        return False
    rules = rules_for(obj)
    if isinstance(obj, type):
        return rules.check_class(user, action)
    return rules.check(user, action, obj)


def visible(user: Any, model: type[models.Model]) -> models.QuerySet:
    """Every row of ``model`` that ``user`` may see."""
    if not is_active_user(user):
        return model._default_manager.none()
    return rules_for(model).visible(user)


def abilities(user: Any, obj: models.Model, *, seen: bool = False) -> dict[str, bool]:
    """All instance-level actions of ``obj``'s rules, as ``{"view": True, "edit": False, …}``.

    ``seen=True`` says ``obj`` was fetched through ``visible(user, …)``, which already
    answers ``view`` (saves one query per row in lists).
    """
    rules = rules_for(obj)
    if not is_active_user(user):
        return dict.fromkeys(rules.actions, False)
    return {
        action: True if (seen and action == "view") else rules.check(user, action, obj)
        for action in rules.actions
    }


def get_visible_or_404(user: Any, model: type[models.Model], **lookup: Any) -> models.Model:
    """Fetch one row ``user`` may see; "absent" and "not allowed" give the same 404."""
    try:
        return visible(user, model).get(**lookup)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404("Cette page n'existe pas ou vous n'y avez pas accès.") from None


def require(user: Any, action: str, obj: type[models.Model] | models.Model) -> None:
    """Refuse unless ``can(user, action, obj)``.

    Someone who cannot even see ``obj`` gets the same 404 as for a missing row (nothing to
    probe); someone who sees it but may not act gets a 403, as does a class-level action
    (``obj`` a model class: there is no row to hide).
    """
    if can(user, action, obj):
        return
    if not isinstance(obj, models.Model) or (
        "view" in rules_for(obj).actions and can(user, "view", obj)
    ):
        raise PermissionDenied("Vous n'avez pas le droit de faire cette action.")
    raise Http404("Cette page n'existe pas ou vous n'y avez pas accès.")


def get_for_action(user: Any, model: type[models.Model], action: str, **lookup: Any) -> Any:
    """Fetch one row ``user`` may see (else the same 404 as a missing one) and may ``action``
    (else a 403): what a page acting on one row asks first."""
    obj = get_visible_or_404(user, model, **lookup)
    require(user, action, obj)
    return obj
