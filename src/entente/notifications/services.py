"""Use cases of notifications. ``notify`` is what every other app calls.

A notification lands in its recipient's centre unless they asked for nothing of its kind; it
goes out by e-mail according to their preferences: at once (a background job queued after
the commit), in the daily digest (``entente notifications_digest``), or never. ``emailed_at``
is set once it went out by e-mail, or as soon as it is known that it never will.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core.mail import absolute_url, send_templated_mail
from entente.core.permissions import is_active_user, require
from entente.notifications.models import (
    Delivery,
    EmailFrequency,
    Notification,
    NotificationKind,
    NotificationPreferences,
)

logger = logging.getLogger(__name__)

#: how far back the daily digest looks
DIGEST_WINDOW = dt.timedelta(days=1)


def safe_path(url: str) -> str:
    """``url`` when it is a path of the platform ("/agenda/…"), else "" (never another site:
    no scheme, no "//host", no backslash that a browser would read as a slash)."""
    url = (url or "").strip()
    if not url.startswith("/") or url.startswith("//") or "\\" in url:
        return ""
    if any(ord(char) < 32 or ord(char) == 127 for char in url):
        return ""
    return url


# --- preferences ---------------------------------------------------------------------------------


def preferences_for(user: Any) -> NotificationPreferences:
    """``user``'s preferences (the defaults, unsaved, when they never changed them)."""
    prefs = NotificationPreferences.objects.filter(user_id=user.pk).first()
    return prefs or NotificationPreferences(user=user)


def delivery_for(user: Any, kind: str) -> str:
    """Where notifications of ``kind`` go for ``user`` (a ``Delivery``)."""
    return preferences_for(user).delivery(kind)


def wants_email(user: Any, kind: str) -> bool:
    """Does ``user`` accept e-mails about ``kind``? For the apps that send their own e-mail
    (invitations to a meeting, shared documents)."""
    prefs = preferences_for(user)
    return prefs.email_frequency != EmailFrequency.NEVER and prefs.delivery(kind) == Delivery.ALL


@transaction.atomic
def set_preferences(
    actor: Any, *, email_frequency: str, deliveries: Mapping[str, str]
) -> NotificationPreferences:
    """Record how ``actor`` wants to be told. Kinds missing from ``deliveries`` go back to
    "in the centre and by e-mail"."""
    errors: dict[str, list[str]] = {}
    if email_frequency not in EmailFrequency.values:
        errors["email_frequency"] = [_("Choisissez une fréquence parmi celles proposées.")]
    if not isinstance(deliveries, Mapping):
        errors["deliveries"] = [_("Indiquez, pour chaque type, où vous voulez être prévenu·e.")]
        deliveries = {}
    for kind, value in deliveries.items():
        if kind not in NotificationKind.values:
            errors.setdefault("deliveries", []).append(
                _("Type de notification inconnu : « %(kind)s ».") % {"kind": kind}
            )
        elif value not in Delivery.values:
            errors.setdefault("deliveries", []).append(
                _("Choix inconnu pour « %(kind)s » : « %(value)s ».")
                % {"kind": NotificationKind(kind).label, "value": value}
            )
    if errors:
        raise ValidationError(errors)
    prefs, _created = NotificationPreferences.objects.get_or_create(user_id=actor.pk)
    prefs.email_frequency = email_frequency
    prefs.deliveries = {
        kind: value
        for kind in NotificationKind.values
        if (value := deliveries.get(kind, Delivery.ALL)) != Delivery.ALL
    }
    prefs.save(update_fields=["email_frequency", "deliveries", "updated_at"])
    return prefs


# --- notifying -----------------------------------------------------------------------------------


def notify(
    recipient: Any,
    kind: str,
    *,
    title: str,
    url: str = "",
    actor: Any = None,
    body: str = "",
    space: Any = None,
    emailed: bool = False,
) -> Notification | None:
    """Tell ``recipient`` about something of ``kind`` (a ``NotificationKind``).

    Nobody is notified of their own action, nor when inactive, nor about a kind they turned
    off. E-mail delivery (immediate or digest, by preference) is done by the background task,
    queued after the commit, never inside the caller's request. ``emailed=True`` says the
    caller sends its own e-mail about it (invitations, shares): none is sent from here.
    ``url`` must be a path of the platform; anything else is dropped.
    """
    if recipient is None or not is_active_user(recipient):
        return None
    if actor is not None and getattr(actor, "pk", None) == recipient.pk:
        return None
    prefs = preferences_for(recipient)
    delivery = prefs.delivery(kind)
    if delivery == Delivery.NONE:
        return None
    by_mail = (
        not emailed
        and bool(recipient.email)
        and delivery == Delivery.ALL
        and prefs.email_frequency != EmailFrequency.NEVER
    )
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        title=title[:300],
        body=body[:2000],
        url=safe_path(url)[:500],
        space=space,
        emailed_at=None if by_mail else timezone.now(),
    )
    if by_mail and prefs.email_frequency == EmailFrequency.IMMEDIATE:
        from entente.notifications import tasks

        transaction.on_commit(lambda: tasks.send_notification_email.enqueue(notification.pk))
    return notification


# --- reading -------------------------------------------------------------------------------------


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def mark_read(actor: Any, notification: Notification) -> Notification:
    """Mark one of ``actor``'s notifications read (already read: left as it was)."""
    require(actor, "mark_read", notification)
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def mark_all_read(actor: Any) -> int:
    """Mark every unread notification of ``actor`` read; how many were."""
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- e-mails -------------------------------------------------------------------------------------


def open_link(notification: Notification) -> str:
    """The absolute link that opens ``notification`` on the platform (and marks it read)."""
    return absolute_url(reverse("notifications:open", args=[notification.pk]))


def _item(notification: Notification) -> dict[str, Any]:
    actor = notification.actor
    return {
        "notification": notification,
        "kind": NotificationKind(notification.kind).label
        if notification.kind in NotificationKind.values
        else "",
        "actor": (actor.get_full_name() or actor.email) if actor else "",
        "link": open_link(notification),
    }


def _links() -> dict[str, str]:
    return {
        "centre_link": absolute_url(reverse("notifications:centre")),
        "preferences_link": absolute_url(reverse("notifications:preferences")),
    }


def send_email(notification_id: int) -> bool:
    """E-mail one notification to a person in immediate mode; False when nothing went out
    (already sent or skipped, turned off since, inactive person). Safe to run twice."""
    notification = (
        Notification.objects.filter(pk=notification_id, emailed_at__isnull=True)
        .select_related("recipient", "actor")
        .first()
    )
    if notification is None:
        return False
    person = notification.recipient
    prefs = preferences_for(person)
    if prefs.email_frequency == EmailFrequency.DAILY:
        return False  # they switched to the digest since: it will carry it
    rows = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True)
    if not rows.update(emailed_at=timezone.now()):
        return False  # another worker took it
    if (
        not is_active_user(person)
        or not person.email
        or prefs.email_frequency != EmailFrequency.IMMEDIATE
        or prefs.delivery(notification.kind) != Delivery.ALL
    ):
        return False
    try:
        send_templated_mail(
            "notification", person.email, {"person": person, **_item(notification), **_links()}
        )
    except Exception:
        Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
        raise
    return True


def send_digests(now: dt.datetime | None = None) -> int:
    """Send each person in daily mode one e-mail with their notifications of the last day not
    e-mailed yet (those already read are left out); how many e-mails went out. Running it
    twice sends nothing new."""
    now = now or timezone.now()
    since = now - DIGEST_WINDOW
    pending = Notification.objects.filter(
        emailed_at__isnull=True,
        created_at__gte=since,
        created_at__lte=now,
        recipient__is_active=True,
        recipient__notification_preferences__email_frequency=EmailFrequency.DAILY,
    )
    people = get_user_model().objects.filter(pk__in=pending.values("recipient_id")).order_by("pk")
    sent = 0
    for person in people:
        try:
            sent += _send_digest(person, since, now)
        except Exception:
            logger.exception("Résumé de notifications non envoyé à la personne %s", person.pk)
    return sent


def _send_digest(person: Any, since: dt.datetime, now: dt.datetime) -> bool:
    ids = list(
        Notification.objects.filter(
            recipient=person, emailed_at__isnull=True, created_at__gte=since, created_at__lte=now
        ).values_list("pk", flat=True)
    )
    stamp = timezone.now()
    Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=stamp)
    claimed = Notification.objects.filter(pk__in=ids, emailed_at=stamp)
    prefs = preferences_for(person)
    items = [
        _item(n)
        for n in claimed.select_related("actor").order_by("created_at", "pk")
        if n.read_at is None and prefs.delivery(n.kind) == Delivery.ALL
    ]
    if not items or not is_active_user(person) or not person.email:
        return False
    try:
        send_templated_mail(
            "notification_digest",
            person.email,
            {"person": person, "items": items, "count": len(items), **_links()},
        )
    except Exception:
        claimed.update(emailed_at=None)
        raise
    return True
