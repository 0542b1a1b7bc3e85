"""Hooks into django-allauth: no self-service sign-up (accounts come from admins and invitations)."""

from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from entente.accounts import throttle


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": throttle.THROTTLED_MESSAGE,
    }

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """allauth refuses an attempt once the account or address had too many failures."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            login = credentials.get("email") or credentials.get("username") or ""
            throttle.record_throttled(request, login)
            raise

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def clean_email(self, email: str) -> str:
        return super().clean_email(email).strip().lower()

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """allauth asks for the password before sensitive changes (second factors…). Someone
        who signs in only through their organisation's provider has no password to type and,
        before enrolling, no second factor either: for them, a sign-in within allauth's
        reauthentication window counts as the confirmation (what a password re-entry proves).
        """
        required = super().is_reauthentication_required(app=app, **kwargs)
        request = getattr(self, "request", None)
        user = getattr(request, "user", None)
        if not required or user is None or not user.is_authenticated or user.has_usable_password():
            return required
        records = get_authentication_records(request, user)
        recent = [
            r
            for r in records
            if r.get("method") == "socialaccount"
            and time.time() - r.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
        ]
        return not recent
