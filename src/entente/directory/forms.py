"""Forms of the structure console: services (with a tree-ordered service picker) and groups."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from entente.core.validators import validate_phone
from entente.directory.models import Group, Service
from entente.directory.services import build_tree, flatten


class ServiceTreeIterator(ModelChoiceIterator):
    """Choices in tree order, each labelled with its full path ("Direction › Service")."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for node, path in flatten(build_tree(self.queryset)):
            yield (self.choice(node.service)[0], path)


class ServiceChoiceField(forms.ModelChoiceField):
    """Pick one service of an organisation; a service of another one is refused in plain words."""

    iterator = ServiceTreeIterator
    default_error_messages = {
        "invalid_choice": _(
            "Ce service n'existe pas dans votre organisation : choisissez-en un dans la liste."
        ),
    }


class ServiceForm(forms.Form):
    """Create or edit a service: its name, where it sits in the tree, how to reach it."""

    name = Service._meta.get_field("name").formfield()
    parent = ServiceChoiceField(
        queryset=None,
        label=_("Service parent"),
        required=False,
        empty_label=_("— Aucun (service de premier niveau) —"),
        help_text=_("Le service dans lequel celui-ci est rangé."),
    )
    email = Service._meta.get_field("email").formfield(
        help_text=_("Facultatif : une adresse commune au service.")
    )
    phone = Service._meta.get_field("phone").formfield(
        validators=[validate_phone], help_text=_("Facultatif. Exemple : 01 23 45 67 89")
    )

    def __init__(
        self, *args: Any, services: QuerySet, service: Service | None = None, **kwargs: Any
    ) -> None:
        if service is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": service.name,
                    "parent": service.parent_id,
                    "email": service.email,
                    "phone": service.phone,
                },
            )
            services = services.exclude(pk=service.pk)
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = services
        self.fields["phone"].widget.input_type = "tel"


class MembersField(forms.ModelMultipleChoiceField):
    """People of the group's organisation, one checkbox each (keyboard and screen readers)."""

    widget = forms.CheckboxSelectMultiple
    default_error_messages = {
        "invalid_choice": _(
            "Une des personnes choisies ne fait pas partie de votre organisation ou n'est plus "
            "active : elle ne peut pas être membre du groupe."
        ),
        "invalid_pk_value": _("« %(pk)s » ne désigne aucune personne."),
    }

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_full_name()} ({obj.email})"


class GroupForm(forms.Form):
    """Create or edit a group: its name, what it is for, and its members."""

    name = Group._meta.get_field("name").formfield()
    description = Group._meta.get_field("description").formfield(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("À quoi sert ce groupe (300 caractères au plus)."),
    )
    members = MembersField(
        queryset=None,
        label=_("Membres"),
        required=False,
        help_text=_("Les personnes actives de votre organisation."),
    )

    def __init__(
        self, *args: Any, people: QuerySet, group: Group | None = None, **kwargs: Any
    ) -> None:
        if group is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": group.name,
                    "description": group.description,
                    "members": [person.pk for person in group.members.all()],
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = people


class DirectorySearchForm(forms.Form):
    """The directory's search box and filters (query string: ``q``, ``organisation``,
    ``service``, ``elus``). The services offered are those of the chosen organisation."""

    q = forms.CharField(
        label=_("Rechercher une personne"),
        required=False,
        max_length=200,
        help_text=_("Nom, fonction, mandat, service ou organisation : « bern voirie »."),
    )
    organisation = forms.ModelChoiceField(
        queryset=None,
        label=_("Organisation"),
        required=False,
        empty_label=_("Toutes les organisations"),
        error_messages={
            "invalid_choice": _(
                "Cette organisation n'existe pas ou vous n'y avez pas accès : choisissez-en une "
                "dans la liste."
            )
        },
    )
    service = ServiceChoiceField(
        queryset=None,
        label=_("Service"),
        required=False,
        empty_label=_("Tous les services"),
        help_text=_("Choisissez d'abord une organisation ; ses sous-services sont inclus."),
        error_messages={
            "invalid_choice": _(
                "Ce service n'existe pas dans l'organisation choisie : choisissez-en un dans "
                "la liste."
            )
        },
    )
    elus = forms.BooleanField(label=_("Élus seulement"), required=False)

    def __init__(self, *args: Any, organisations: QuerySet, services: QuerySet, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs.update(autocomplete="off", spellcheck="false")
        chosen = self.data.get("organisation") if self.is_bound else None
        self.fields["service"].queryset = (
            services.filter(organisation_id=chosen)
            if chosen and str(chosen).isdigit()
            else services.none()
        )

    @property
    def is_searching(self) -> bool:
        """Something typed or a filter chosen (otherwise the page offers to browse)."""
        return self.is_valid() and any(
            self.cleaned_data.get(name) for name in ("q", "organisation", "service", "elus")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        service, organisation = data.get("service"), data.get("organisation")
        if service is not None and organisation is None:
            data["organisation"] = service.organisation
        return data
