"""Forms of the tile and announcement management pages (the services check the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from entente.core.permissions import visible
from entente.organisations.models import Organisation
from entente.portal.models import AnnouncementLevel, validate_tile_url

TERRITORY = _("Tout le territoire")


def _organisation_field(user: Any) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Pour qui"),
        queryset=visible(user, Organisation).filter(is_active=True).order_by("name"),
        required=False,
        empty_label=TERRITORY,
        help_text=_("« Tout le territoire » : proposé aux personnes de toutes les organisations."),
    )


class _ScopedForm(forms.Form):
    """Operators choose for whom (an organisation or the territory); administrators manage
    their own organisation's only, so the field is not shown to them."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.is_operator:
            self.fields = {"organisation": _organisation_field(user), **self.fields}


class TileForm(_ScopedForm):
    title = forms.CharField(label=_("Titre"), max_length=80)
    url = forms.CharField(
        label=_("Adresse"),
        max_length=500,
        validators=[validate_tile_url],
        help_text=_("Par exemple https://parapheur.example.fr, ou /agenda/ pour une page d'ici."),
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("Une phrase : à quoi sert cette application."),
    )
    category = forms.CharField(
        label=_("Catégorie"),
        max_length=60,
        required=False,
        help_text=_("Facultatif, par exemple « Finances » ou « Ressources humaines »."),
    )
    is_active = forms.BooleanField(label=_("Afficher cette tuile sur l'accueil"), required=False)


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


class AnnouncementForm(_ScopedForm):
    title = forms.CharField(label=_("Titre"), max_length=150)
    body = forms.CharField(
        label=_("Texte"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Texte simple ; **gras**, listes et liens sont acceptés."),
    )
    level = forms.ChoiceField(
        label=_("Importance"),
        choices=AnnouncementLevel.choices,
        initial=AnnouncementLevel.INFO,
        widget=forms.RadioSelect,
    )
    starts_at = forms.DateTimeField(
        label=_("Afficher à partir du"),
        required=False,
        widget=DateTimeLocal(),
        help_text=_("Vide : dès maintenant."),
    )
    ends_at = forms.DateTimeField(
        label=_("Afficher jusqu'au"),
        required=False,
        widget=DateTimeLocal(),
        help_text=_("Vide : jusqu'à ce que vous retiriez l'annonce."),
    )
