"""The form of a person's notification preferences: how often e-mails go out, and, for each
kind of notification, where it goes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from entente.notifications.models import (
    Delivery,
    EmailFrequency,
    NotificationKind,
    NotificationPreferences,
)


def field_name(kind: str) -> str:
    """The form field of ``kind`` ("event.invitation" → "kind_event_invitation")."""
    return "kind_" + str(kind).replace(".", "_")


class PreferencesForm(forms.Form):
    email_frequency = forms.ChoiceField(
        label=_("E-mails"),
        choices=EmailFrequency.choices,
        widget=forms.RadioSelect,
        help_text=_("Pour les notifications que vous recevez aussi par e-mail."),
    )

    def __init__(self, *args: Any, preferences: NotificationPreferences, **kwargs: Any) -> None:
        initial = {"email_frequency": preferences.email_frequency}
        for kind in NotificationKind:
            initial[field_name(kind)] = preferences.delivery(kind)
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[field_name(kind)] = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, widget=forms.RadioSelect
            )

    def kind_fields(self) -> list[forms.BoundField]:
        return [self[field_name(kind)] for kind in NotificationKind]

    def deliveries(self) -> dict[str, str]:
        return {kind.value: self.cleaned_data[field_name(kind)] for kind in NotificationKind}
