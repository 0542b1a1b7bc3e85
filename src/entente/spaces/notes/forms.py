"""The form of a note: its title, its Markdown text and the version the person started from."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from entente.spaces.models import Note


class NoteForm(forms.Form):
    title = forms.CharField(label=_("Titre"), max_length=200)
    body = forms.CharField(
        label=_("Texte"),
        required=False,
        max_length=Note._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 20, "class": "note-editor__text"}),
        help_text=_("En Markdown : voir l'aide ci-dessous."),
    )
    #: the ``updated_at`` of the note when the person opened it (empty for a new note)
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].error_messages["required"] = _("Donnez un titre à la note.")
