"""What happened that concerns someone: an invitation, a share, a mention, a task."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    EVENT_INVITATION = "event.invitation", _("Invitations à une réunion")
    SHARE = "drive.share", _("Documents partagés avec moi")
    MENTION = "space.mention", _("Mentions dans une discussion")
    TASK_ASSIGNED = "space.task_assigned", _("Tâches qui me sont attribuées")
    SPACE_INVITATION = "space.invitation", _("Ajouts à un espace")
    JOIN_REQUEST = "space.join_request", _("Demandes pour rejoindre un espace")


class Notification(models.Model):
    """One entry of a person's notification centre (and, by their preference, an e-mail)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    #: one line, already in words ("Agnès Martin vous a mentionné·e dans « Budget »")
    title = models.CharField(max_length=300)
    #: an excerpt or details (plain text)
    body = models.TextField(blank=True, max_length=2000)
    #: a path of the platform to open it
    url = models.CharField(max_length=500, blank=True)
    space = models.ForeignKey(
        "spaces.Space", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    #: set once the notification went out by e-mail (alone or in a digest), or was skipped
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class EmailFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("Immédiat : un e-mail à chaque notification")
    DAILY = "daily", _("Résumé quotidien : un seul e-mail par jour, s'il y a du nouveau")
    NEVER = "never", _("Jamais : seulement dans le centre de notifications")


class Delivery(models.TextChoices):
    """Where the notifications of one kind go, for one person."""

    ALL = "all", _("Dans le centre de notifications et par e-mail")
    CENTRE = "centre", _("Dans le centre de notifications seulement")
    NONE = "none", _("Ne pas me prévenir")


class NotificationPreferences(models.Model):
    """How one person wants to be told. No row means the defaults: immediate e-mails, every
    kind in the centre and by e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    email_frequency = models.CharField(
        _("fréquence des e-mails"),
        max_length=12,
        choices=EmailFrequency.choices,
        default=EmailFrequency.IMMEDIATE,
    )
    #: ``{kind: Delivery}`` for the kinds that differ from ``Delivery.ALL``
    deliveries = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("préférences de notification")
        verbose_name_plural = _("préférences de notification")

    def __str__(self) -> str:
        return str(self.user)

    def delivery(self, kind: str) -> str:
        value = (self.deliveries or {}).get(str(kind), Delivery.ALL)
        return value if value in Delivery.values else Delivery.ALL
