"""The authentication backend of every sign-in door: allauth's, refusing expired guests too."""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend


class AuthenticationBackend(AllauthBackend):
    """Deactivated people and guests whose access date has passed cannot sign in, and their
    open sessions stop working on the next request (Django reloads the user through here)."""

    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "access_expired", False)
