"""Forms of the documents pages: they parse what a person typed or ticked; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.drive.models import ShareRole

#: what the bulk bar of a folder can do with the ticked items
BULK_ACTIONS = [
    ("move", gettext_lazy("Déplacer")),
    ("copy", gettext_lazy("Copier")),
    ("delete", gettext_lazy("Mettre à la corbeille")),
    ("download", gettext_lazy("Télécharger")),
]

#: what each role lets people do, in plain words (shown beside the choice)
ROLE_HELP = {
    ShareRole.READER: gettext_lazy("ouvrir et télécharger"),
    ShareRole.EDITOR: gettext_lazy("ouvrir, modifier, ajouter, renommer et supprimer"),
    ShareRole.MANAGER: gettext_lazy("tout cela, et aussi partager avec d'autres"),
}


class FolderForm(forms.Form):
    """« Nouveau dossier »: the name of the folder to create."""

    name = forms.CharField(
        label=gettext_lazy("Nom du nouveau dossier"),
        max_length=255,
        error_messages={"required": gettext_lazy("Donnez un nom au dossier.")},
    )


class RenameForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Nouveau nom"),
        max_length=255,
        error_messages={"required": gettext_lazy("Donnez un nom.")},
    )


def parse_ids(values: list[str]) -> list[int]:
    """The ids ticked in a list (anything that is not a number is ignored)."""
    ids: list[int] = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if number > 0 and number not in ids:
            ids.append(number)
    return ids[:500]


class BulkForm(forms.Form):
    """The bulk bar of a folder: an action and the ticked items (or one row's own button)."""

    action = forms.ChoiceField(choices=BULK_ACTIONS, required=False)

    def __init__(self, data: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(data, *args, **kwargs)
        self.ids = parse_ids(data.getlist("ids")) if data is not None else []
        # a row's own "Mettre à la corbeille" button carries its id
        self.single = parse_ids([data.get("corbeille", "")]) if data is not None else []

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.single:
            data["action"], data["ids"] = "delete", self.single
            return data
        if not data.get("action"):
            raise forms.ValidationError(_("Choisissez une action."))
        if not self.ids:
            raise forms.ValidationError(
                _("Cochez d'abord un ou plusieurs éléments, puis choisissez l'action.")
            )
        data["ids"] = self.ids
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=gettext_lazy("Droit donné"),
        choices=ShareRole.choices,
        initial=ShareRole.READER,
        error_messages={"invalid_choice": gettext_lazy("Choisissez un droit de la liste.")},
    )


class ShareForm(RoleForm):
    """Share with the grantee of a button of the results (``user:12``, ``space:3``…)."""

    grantee = forms.CharField(
        max_length=40,
        error_messages={"required": gettext_lazy("Choisissez avec qui partager.")},
    )
    confirm_external = forms.BooleanField(
        label=gettext_lazy("Partager quand même hors de mon organisation"), required=False
    )

    def clean_grantee(self) -> tuple[str, int]:
        kind, _sep, pk = self.cleaned_data["grantee"].partition(":")
        if kind not in {"user", "group", "space", "organisation"} or not pk.isdigit():
            raise forms.ValidationError(_("Ce destinataire est inconnu : cherchez-le à nouveau."))
        return kind, int(pk)


class NewVersionForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier de la nouvelle version"),
        error_messages={
            "required": gettext_lazy("Choisissez le fichier à envoyer."),
            "empty": gettext_lazy("Ce fichier est vide."),
        },
        allow_empty_file=True,
    )
