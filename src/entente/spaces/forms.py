"""The forms of spaces: create one, its settings, add a member, change a role. Forms parse and
check what a person typed; services (and the permission engine) decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from entente.spaces.models import Space, SpaceRole, Visibility, role_rank

VISIBILITY_HELP = _(
    "Qui voit cet espace dans la liste des espaces. Ses documents et ses membres restent "
    "réservés à ses membres, quelle que soit la visibilité."
)

ROLE_HELP = {
    SpaceRole.READER: _("consulte les documents et l'agenda de l'espace"),
    SpaceRole.CONTRIBUTOR: _("ajoute et modifie des documents et des évènements"),
    SpaceRole.MANAGER: _("ajoute et retire des membres, change les paramètres"),
    SpaceRole.OWNER: _("comme un gestionnaire, et nomme d'autres propriétaires"),
}


def role_choices(actor_role: str | None) -> list[tuple[str, str]]:
    """The roles ``actor_role`` may give, weakest first: a manager gives up to manager,
    only an owner names owners (the services refuse anything else anyway)."""
    ceiling = role_rank(actor_role)
    return [
        (value, label)
        for value, label in reversed(SpaceRole.choices)
        if role_rank(value) <= ceiling
        and (value != SpaceRole.OWNER or actor_role == SpaceRole.OWNER)
    ]


class SpaceForm(forms.ModelForm):
    """Name, description and visibility: to create a space and, later, in its settings."""

    class Meta:
        model = Space
        fields = ["name", "description", "visibility"]
        labels = {
            "name": _("Nom de l'espace"),
            "description": _("Description"),
            "visibility": _("Visibilité"),
        }
        help_texts = {
            "name": _("Par exemple « Projet école Jean-Moulin » ou « Schéma cyclable 2027 »."),
            "description": _("À quoi sert l'espace, en quelques lignes (facultatif)."),
            "visibility": VISIBILITY_HELP,
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = Visibility.choices  # no empty « --------- »


class AddMemberForm(forms.Form):
    """One of the people found by the search, and the role given."""

    user = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    role = forms.ChoiceField(label=_("Rôle donné"))

    def __init__(self, *args: Any, actor_role: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(actor_role)
        self.fields["role"].initial = SpaceRole.CONTRIBUTOR
        self.fields["user"].error_messages = {
            "required": _("Choisissez la personne à ajouter."),
            "invalid": _("Choisissez la personne à ajouter."),
            "min_value": _("Choisissez la personne à ajouter."),
        }


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=SpaceRole.choices)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Nom, service ou organisation"), required=False, max_length=100)


class JoinRequestForm(forms.Form):
    """What someone asking to enter an open space may tell its managers."""

    message = forms.CharField(
        label=_("Message aux gestionnaires (facultatif)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Qui vous êtes, pourquoi ce projet vous concerne. 1000 caractères au plus."),
    )


class AcceptForm(forms.Form):
    """The role given to someone whose request is accepted (reader unless chosen)."""

    role = forms.ChoiceField(label=_("Rôle donné"))

    def __init__(self, *args: Any, actor_role: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices(actor_role)
        self.fields["role"].initial = SpaceRole.READER
