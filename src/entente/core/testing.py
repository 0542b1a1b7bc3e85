"""Small helpers shared by the view tests of every app."""

from __future__ import annotations

from typing import Any

from django.contrib.messages import get_messages
from django.test import Client

BACKEND = "entente.accounts.backends.AuthenticationBackend"


def signed_in(user: Any) -> Client:
    """A test browser signed in as ``user``."""
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def notices(response: Any) -> list[str]:
    """The messages (« Le dossier est créé. ») the response's request left for the next page."""
    return [str(message) for message in get_messages(response.wsgi_request)]
