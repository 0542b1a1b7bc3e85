"""One-time links for invitations: valid until the person chooses a password, or until expiry."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """A password-reset-like token (it dies once a password is set) with its own salt and lifetime."""

    key_salt = "entente.accounts.tokens.InvitationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        invited = "" if user.invited_at is None else user.invited_at.isoformat()
        return f"{user.pk}{user.password}{user.is_active}{invited}{timestamp}"

    def check_token(self, user: Any, token: Any) -> bool:
        if user is None or not isinstance(token, str) or token.count("-") != 1:
            return False
        ts_b36, _hash = token.split("-")
        try:
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        expected = self._make_token_with_timestamp(user, ts, self.secret)
        if not constant_time_compare(expected, token):
            return False
        lifetime = settings.INVITATION_TIMEOUT_DAYS * 24 * 3600
        return (self._num_seconds(self._now()) - ts) <= lifetime


invitation_token = InvitationTokenGenerator()
