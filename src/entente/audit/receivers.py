"""Hooks on the framework's sign-in events (Django auth and allauth), wired in AuditConfig.ready.

These are the only signal receivers of the project: sign-in happens inside Django and
allauth, which announce it this way. Our own use cases call ``audit.services.record`` directly.
"""

from __future__ import annotations

from typing import Any

from allauth.account import signals as allauth_signals
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals

from entente.audit.models import EventKind
from entente.audit.services import record


def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(EventKind.LOGIN, actor=user, target=user, request=request)


def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(EventKind.LOGOUT, actor=user, target=user, request=request)


def on_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:254]
    person = get_user_model().objects.filter(email__iexact=attempted).first() if attempted else None
    record(
        EventKind.LOGIN_FAILED,
        actor_label=attempted,
        organisation=getattr(person, "organisation", None),
        target=person,
        request=request,
    )


def on_password_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(EventKind.PASSWORD_CHANGED, actor=user, target=user, request=request)


def on_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(EventKind.PASSWORD_RESET, actor_label=user.email, target=user, request=request)


def connect() -> None:
    uid = "entente.audit"
    auth_signals.user_logged_in.connect(on_login, dispatch_uid=f"{uid}.login")
    auth_signals.user_logged_out.connect(on_logout, dispatch_uid=f"{uid}.logout")
    auth_signals.user_login_failed.connect(on_login_failed, dispatch_uid=f"{uid}.failed")
    allauth_signals.password_changed.connect(on_password_changed, dispatch_uid=f"{uid}.pwchange")
    allauth_signals.password_reset.connect(on_password_reset, dispatch_uid=f"{uid}.pwreset")
