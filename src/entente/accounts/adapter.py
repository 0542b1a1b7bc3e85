"""Hooks into django-allauth: no self-service sign-up (accounts come from admins and invitations)."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
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
