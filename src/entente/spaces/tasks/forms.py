"""Forms of the tasks pages: a list's name, a task (quick add and full form), its status,
where to move it, the filter of the list view. Forms parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from entente.spaces.models import Space, Task, TaskList, TaskStatus
from entente.spaces.tasks.services import space_members

#: where a status or move form sends the person back (never a URL taken from the request)
RETURN_CHOICES = [("liste", "liste"), ("tableau", "tableau"), ("tache", "tâche")]


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.email
        if obj.organisation_id is None:
            return f"{name} ({_('invité·e')})"
        return name


class ListChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


def _lists(space: Space) -> Any:
    return TaskList.objects.filter(space=space).order_by("position", "pk")


class TaskListForm(forms.Form):
    name = forms.CharField(
        label=_("Nom de la liste"),
        max_length=150,
        help_text=_("Par exemple « Préparation du comité » ou « Travaux »."),
    )


class DeleteListForm(forms.Form):
    move_to = ListChoiceField(
        label=_("Déplacer ses tâches vers"),
        queryset=TaskList.objects.none(),
        required=False,
        empty_label=_("— aucune (la liste doit être vide) —"),
        error_messages={"invalid_choice": _("Choisissez une liste de cet espace.")},
    )

    def __init__(self, *args: Any, task_list: TaskList, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["move_to"].queryset = _lists(task_list.space).exclude(pk=task_list.pk)


class TaskForm(forms.Form):
    """A whole task: to create one with every detail, or to change it."""

    title = forms.CharField(label=_("Intitulé"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    task_list = ListChoiceField(
        label=_("Liste"),
        queryset=TaskList.objects.none(),
        required=False,  # none yet: the first task makes the list « Tâches »
        empty_label=None,
        error_messages={"invalid_choice": _("Choisissez une liste de cet espace.")},
    )
    assignee = MemberChoiceField(
        label=_("Attribuée à"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("— personne —"),
        help_text=_("Un membre de l'espace ; il en est prévenu."),
        error_messages={"invalid_choice": _("Choisissez un membre de l'espace.")},
    )
    due_date = forms.DateField(
        label=_("Échéance"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        help_text=_(
            "Facultatif, au format jj/mm/aaaa si votre navigateur ne propose pas de calendrier."
        ),
        error_messages={"invalid": _("Saisissez une date valide, par exemple 31/12/2026.")},
    )
    status = forms.ChoiceField(label=_("État"), choices=TaskStatus.choices)

    def __init__(self, *args: Any, space: Space, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task_list"].queryset = _lists(space)
        self.fields["assignee"].queryset = space_members(space)

    def clean_due_date(self) -> Any:
        value = self.cleaned_data.get("due_date")
        if value is not None and not (2000 <= value.year <= 2100):
            raise forms.ValidationError(_("Choisissez une date entre 2000 et 2100."))
        return value

    @classmethod
    def for_task(cls, task: Task, data: Any = None) -> TaskForm:
        return cls(
            data,
            space=task.space,
            initial={
                "title": task.title,
                "description": task.description,
                "task_list": task.task_list_id,
                "assignee": task.assignee_id,
                "due_date": task.due_date,
                "status": task.status,
            },
        )


class QuickTaskForm(forms.Form):
    """One line: the title, and the list when the space has several."""

    title = forms.CharField(label=_("Nouvelle tâche"), max_length=200)
    task_list = ListChoiceField(
        label=_("Dans la liste"),
        queryset=TaskList.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": _("Choisissez une liste de cet espace.")},
    )

    def __init__(self, *args: Any, space: Space, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task_list"].queryset = _lists(space)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Déplacer vers"),
        choices=TaskStatus.choices,
        error_messages={"invalid_choice": _("Choisissez un état : à faire, en cours, terminée.")},
    )
    retour = forms.ChoiceField(choices=RETURN_CHOICES, required=False)


class MoveForm(forms.Form):
    task_list = ListChoiceField(
        label=_("Vers la liste"),
        queryset=TaskList.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choisissez une liste de cet espace.")},
    )
    position = forms.IntegerField(
        label=_("Position"),
        required=False,
        min_value=1,
        max_value=100000,
        help_text=_("1 pour la mettre en haut ; vide pour la mettre en bas."),
    )
    retour = forms.ChoiceField(choices=RETURN_CHOICES, required=False)

    def __init__(self, *args: Any, space: Space, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["task_list"].queryset = _lists(space)


FILTER_STATUS = [("", _("Tous les états")), ("ouvertes", _("Non terminées")), *TaskStatus.choices]


class FilterForm(forms.Form):
    mes = forms.BooleanField(label=_("Mes tâches seulement"), required=False)
    etat = forms.ChoiceField(label=_("État"), choices=FILTER_STATUS, required=False)
