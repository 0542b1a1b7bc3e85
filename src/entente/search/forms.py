"""The search form, shared by the page and the API: the words and the filters, checked."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.core.permissions import visible
from entente.organisations.models import Organisation
from entente.search.models import TYPE_LABELS
from entente.search.services import MAX_QUERY_CHARS, Filters
from entente.spaces.models import Space


class SearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Rechercher"),
        required=False,
        max_length=MAX_QUERY_CHARS,
        error_messages={
            "max_length": gettext_lazy("Cherchez avec %(limit_value)d caractères au plus.")
        },
    )
    type = forms.ChoiceField(label=gettext_lazy("Type"), required=False)
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("Toutes"),
    )
    space = forms.ModelChoiceField(
        label=gettext_lazy("Espace"),
        queryset=Space.objects.none(),
        required=False,
        empty_label=gettext_lazy("Tous"),
    )
    author = forms.CharField(label=gettext_lazy("Auteur"), required=False)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        invalid_date = _("Indiquez une date au format AAAA-MM-JJ.")
        self.fields["from"] = forms.DateField(
            label=_("Du"), required=False, error_messages={"invalid": invalid_date}
        )
        self.fields["to"] = forms.DateField(
            label=_("Au"), required=False, error_messages={"invalid": invalid_date}
        )
        self.fields["type"].choices = [("", _("Tout"))] + [
            (key, label) for key, label in TYPE_LABELS.items()
        ]
        self.fields["organisation"].queryset = visible(user, Organisation).order_by("name")
        self.fields["space"].queryset = visible(user, Space).order_by("name")
        for name in ("organisation", "space"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "Ce choix n'existe pas ou ne vous est pas accessible."
            )
        self.fields["type"].error_messages["invalid_choice"] = _(
            "Choisissez un type parmi : %(types)s."
        ) % {"types": ", ".join(TYPE_LABELS)}
        self.author_person = None

    def clean_author(self) -> int | None:
        value = (self.cleaned_data.get("author") or "").strip()
        if not value:
            return None
        if value == "me":
            self.author_person = self.user
            return self.user.pk
        person = (
            visible(self.user, get_user_model()).filter(pk=int(value)).first()
            if value.isdigit() and len(value) < 19
            else None
        )
        if person is None:
            raise forms.ValidationError(
                _("Cette personne n'existe pas ou ne vous est pas accessible.")
            )
        self.author_person = person
        return person.pk

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", _("La date de fin précède la date de début."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            type=data.get("type") or "",
            organisation_id=data["organisation"].pk if data.get("organisation") else None,
            space_id=data["space"].pk if data.get("space") else None,
            date_from=data.get("from"),
            date_to=data.get("to"),
            author_id=data.get("author"),
        )

    def first_error(self) -> str:
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            return f"{label} : {errors[0]}" if label else errors[0]
        return ""
