"""What the API says about notifications and notification preferences."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from entente.notifications.models import (
    Delivery,
    EmailFrequency,
    Notification,
    NotificationKind,
    NotificationPreferences,
)


class NotificationActorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, person: Any) -> str:
        return person.get_full_name() or person.email


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=NotificationKind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    actor = NotificationActorSerializer(allow_null=True)
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "body",
            "url",
            "actor",
            "created_at",
            "read_at",
            "is_read",
        ]
        read_only_fields = fields

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class NotificationPreferencesSerializer(serializers.Serializer):
    email_frequency = serializers.ChoiceField(
        choices=EmailFrequency.choices,
        help_text="`immediate` (un e-mail à chaque notification), `daily` (résumé quotidien) "
        "ou `never`.",
    )
    deliveries = serializers.DictField(
        child=serializers.ChoiceField(choices=Delivery.choices),
        required=False,
        help_text="Pour chaque type de notification (`event.invitation`, `drive.share`, "
        "`space.mention`…) : `all` (centre et e-mail), `centre` (centre seulement) ou `none`. "
        "Un type absent revient à `all`.",
    )

    def validate_deliveries(self, value: dict[str, str]) -> dict[str, str]:
        unknown = sorted(set(value) - set(NotificationKind.values))
        if unknown:
            raise serializers.ValidationError(
                _("Type de notification inconnu : %(kinds)s.") % {"kinds": ", ".join(unknown)}
            )
        return value

    @staticmethod
    def of(prefs: NotificationPreferences) -> dict[str, Any]:
        return {
            "email_frequency": prefs.email_frequency,
            "deliveries": {kind.value: prefs.delivery(kind) for kind in NotificationKind},
        }


class NotificationsMarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="Combien de notifications sont passées à lues.")
    unread = serializers.IntegerField(help_text="Combien en reste-t-il de non lues.")
