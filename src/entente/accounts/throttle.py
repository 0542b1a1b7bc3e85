"""Brute-force protection of the sign-in doors: the message people see and the audit trace.

The counting itself is allauth's (``ACCOUNT_RATE_LIMITS["login_failed"]``: per address and per
account, in the cache): once an account has had too many failures, the next attempt is
refused before the password is even checked, so the right password does not get through
either. Every door (web form, Basic auth of the API and DAV) uses the same counters, message
and trace. The message is the same whether the account exists or not.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from entente.audit.models import EventKind
from entente.audit.services import client_ip, record

THROTTLED_MESSAGE = _(
    "Trop de tentatives de connexion ont échoué. Par sécurité, la connexion est suspendue "
    "pendant quelques minutes, même avec le bon mot de passe. Patientez puis réessayez, ou "
    "choisissez « Mot de passe oublié »."
)

#: one audit event per account and address per minute, however fast the attempts come
RECORD_EVERY_SECONDS = 60


def record_throttled(request: HttpRequest | None, login: str, door: str = "web") -> None:
    """Record that sign-in attempts for ``login`` were refused by the rate limit."""
    login = (login or "").strip().lower()[:254]
    marker = hashlib.sha256(f"{door}:{client_ip(request)}:{login}".encode()).hexdigest()
    if not cache.add(f"entente:throttled:{marker}", 1, RECORD_EVERY_SECONDS):
        return
    person: Any = get_user_model().objects.filter(email__iexact=login).first() if login else None
    record(
        EventKind.THROTTLED,
        actor_label=login,
        organisation=getattr(person, "organisation", None),
        target=person,
        request=request,
        door=door,
    )
