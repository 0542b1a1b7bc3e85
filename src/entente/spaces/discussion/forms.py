"""The forms of the discussion: a message (its words and the files of the space joined to it)
and a new thread (a subject and its first message). Forms parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from entente.core.permissions import visible
from entente.drive.models import Node, NodeKind
from entente.spaces.discussion.services import BODY_MAX, MAX_ATTACHMENTS, TITLE_MAX
from entente.spaces.models import Space

#: files of the space proposed to join to a message (the most recently changed)
ATTACHABLE_LIMIT = 50

BODY_HELP = _(
    "Mise en forme : **gras**, *italique*, une liste avec « - » en début de ligne, un lien "
    "avec [texte](https://…). Pour mentionner un membre, écrivez @prenom.nom : il sera prévenu."
)


def attachable_files(user: Any, space: Space, keep: list[Node] | None = None) -> list[Node]:
    """The files of the space's documents ``user`` may open, the most recent first, and the
    files already joined (``keep``)."""
    files = list(
        visible(user, Node)
        .filter(drive__space=space, kind=NodeKind.FILE)
        .order_by("-modified_at", "-pk")[:ATTACHABLE_LIMIT]
    )
    known = {node.pk for node in files}
    return [*(node for node in keep or [] if node.pk not in known), *files]


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        max_length=BODY_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=BODY_HELP,
        error_messages={"required": _("Écrivez un message.")},
    )
    attachments = forms.TypedMultipleChoiceField(
        label=_("Joindre des fichiers de l'espace"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Ce fichier ne fait pas partie des documents proposés."),
        },
    )

    def __init__(self, *args: Any, files: list[Node] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attachments"].choices = [(node.pk, node.name) for node in files or []]
        self.fields["attachments"].help_text = gettext(
            "Les fichiers des documents de l'espace modifiés le plus récemment (%(max)d au plus "
            "par message). Chaque membre ne les ouvre que s'il y a accès."
        ) % {"max": MAX_ATTACHMENTS}


def _title_field() -> forms.CharField:
    return forms.CharField(
        label=_("Sujet"),
        max_length=TITLE_MAX,
        help_text=_("En quelques mots, par exemple « Ordre du jour du comité du 12 mars »."),
        error_messages={"required": _("Donnez un sujet à la discussion.")},
    )


class ThreadTitleForm(forms.Form):
    title = _title_field()


class ThreadForm(PostForm):
    title = _title_field()

    field_order = ["title", "body", "attachments"]
