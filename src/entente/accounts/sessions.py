"""Open sessions: recording them, describing their device, ending one or all of a person's.

Sessions live in the database by default and in Redis (cache sessions) when REDIS_URL is set;
neither can be searched by person. Ending a person's sessions therefore raises their session
generation (part of the hash Django checks on every request, see ``User``), which voids every
session of theirs in any backend, recorded or not; allauth's ``UserSession`` rows (one per
sign-in) hold the keys of the recorded ones, which are deleted at once too.
"""

from __future__ import annotations

import re
from importlib import import_module
from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import context
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from allauth.usersessions.internal.flows.sessions import end_sessions
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from entente.audit.models import EventKind
from entente.audit.services import record

# (pattern, name): the first that matches names the browser; order matters (Edge says Chrome).
BROWSERS = [
    (r"Edg(e|A|iOS)?/", "Edge"),
    (r"OPR/|Opera", "Opera"),
    (r"SamsungBrowser/", "Samsung Internet"),
    (r"Firefox/|FxiOS/", "Firefox"),
    (r"Chrome/|CriOS/|Chromium/", "Chrome"),
    (r"Version/[\d.]+.*Safari/", "Safari"),
    (r"Thunderbird/", "Thunderbird"),
]
SYSTEMS = [
    (r"iPhone", "un iPhone"),
    (r"iPad", "un iPad"),
    (r"Android", "Android"),
    (r"Windows", "Windows"),
    (r"CrOS", "ChromeOS"),
    (r"Macintosh|Mac OS X", "un Mac"),
    (r"Linux", "Linux"),
]


def describe_user_agent(user_agent: str) -> str:
    """A device in plain words: ``"Firefox sur Windows"``, ``"Safari sur un iPhone"``."""
    browser = next((name for pattern, name in BROWSERS if re.search(pattern, user_agent)), "")
    system = next((name for pattern, name in SYSTEMS if re.search(pattern, user_agent)), "")
    if browser and system:
        return _("%(browser)s sur %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return browser or _("Un navigateur sur %(system)s") % {"system": system}
    return _("Navigateur ou application non reconnu")


def _store(session_key: str | None = None) -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def track_session(request: HttpRequest, user: Any) -> None:
    """Record the session just opened for ``user`` (any sign-in, not only allauth's forms).

    allauth records sessions when its own sign-in completes; invitations and single sign-on
    that call Django's ``login()`` directly are recorded here, so that they can be listed and
    ended too. Nothing is recorded when the client's address is unknown (test clients).
    """
    session = getattr(request, "session", None)
    if session is None:
        return
    try:
        ip = get_account_adapter().get_client_ip(request)
    except PermissionDenied:
        return
    if not session.session_key:
        session.save()
    user_agent = request.META.get("HTTP_USER_AGENT", "")
    max_length = UserSession._meta.get_field("user_agent").max_length
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={"user": user, "ip": ip, "user_agent": user_agent[:max_length]},
    )


def end_all_sessions(user: Any) -> int:
    """End every session of ``user`` now, whatever the session backend; return how many.

    The person's next request, from any device, finds no session and is asked to sign in.
    """
    keys = set(UserSession.objects.filter(user_id=user.pk).values_list("session_key", flat=True))
    type(user).objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    store = _store()
    ended = 0
    for key in keys:
        if store.exists(key):
            ended += 1
        store.delete(key)
    UserSession.objects.filter(user_id=user.pk).delete()
    return ended


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    """allauth's sessions hooks: a session a person closes is recorded in the audit log."""

    def end_sessions(self, sessions: Any) -> None:
        request = context.request
        actor = getattr(request, "user", None)
        for session in sessions:
            record(
                EventKind.SESSION_REVOKED,
                actor=actor,
                target=session.user,
                request=request,
                device=describe_user_agent(session.user_agent),
                ip=session.ip,
            )
        super().end_sessions(sessions)


@login_required
@require_POST
def end_session(request: HttpRequest, pk: int) -> HttpResponse:
    """Close one of one's own sessions (this one signs the person out)."""
    session = get_object_or_404(UserSession, pk=pk, user_id=request.user.pk)
    current = session.is_current()
    device = describe_user_agent(session.user_agent)
    end_sessions(request, [session])
    if current:
        return redirect(settings.LOGOUT_REDIRECT_URL)
    messages.success(
        request,
        _("La session ouverte sur %(device)s est fermée : cet appareil devra se reconnecter.")
        % {"device": device},
    )
    return redirect("usersessions_list")
