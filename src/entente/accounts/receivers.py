"""Hooks on allauth's second-factor events and on sign-in, wired in AccountsConfig.ready.

allauth adds, removes and checks second factors inside its own views and announces it only
through signals; these receivers record the audit events and keep the session's "second
factor" state up to date. Our own use cases call ``audit.services.record`` directly.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals

from entente.accounts import mfa, sessions
from entente.audit.models import EventKind
from entente.audit.services import record


def _factor(authenticator: Authenticator) -> dict[str, str]:
    data = {"factor": str(authenticator.type)}
    if authenticator.type == Authenticator.Type.WEBAUTHN:
        data["name"] = str(authenticator.wrap().name)[:100]
    return data


def on_authenticator_added(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        record(EventKind.RECOVERY_CODES_GENERATED, actor=user, target=user, request=request)
        return
    record(EventKind.MFA_ADDED, actor=user, target=user, request=request, **_factor(authenticator))
    session = getattr(request, "session", None)
    if session is not None:
        session[mfa.SESSION_KEY] = mfa.OK


def on_authenticator_removed(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    record(
        EventKind.MFA_REMOVED, actor=user, target=user, request=request, **_factor(authenticator)
    )


def on_authenticator_reset(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        record(EventKind.RECOVERY_CODES_GENERATED, actor=user, target=user, request=request)


def on_authentication_failed(
    sender: Any, request: Any, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    """A wrong code at sign-in (the person is not signed in yet) or when confirming access."""
    record(
        EventKind.MFA_FAILED,
        actor_label=user.email,
        target=user,
        request=request,
        factor=str(authenticator.type),
        reauthentication=bool(kwargs.get("reauthentication")),
    )


def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Every sign-in (password, second factor, invitation, single sign-on) opens a session."""
    if request is None or getattr(request, "session", None) is None:
        return
    if mfa.remember_second_factor_state(request, user) == mfa.MISSING:
        mfa.confirm_access_from_fresh_sign_in(request, user)
    sessions.track_session(request, user)


def connect() -> None:
    uid = "entente.accounts"
    mfa_signals.authenticator_added.connect(on_authenticator_added, dispatch_uid=f"{uid}.added")
    mfa_signals.authenticator_removed.connect(
        on_authenticator_removed, dispatch_uid=f"{uid}.removed"
    )
    mfa_signals.authenticator_reset.connect(on_authenticator_reset, dispatch_uid=f"{uid}.reset")
    mfa_signals.authentication_failed.connect(
        on_authentication_failed, dispatch_uid=f"{uid}.mfa_failed"
    )
    auth_signals.user_logged_in.connect(on_login, dispatch_uid=f"{uid}.login")
