"""Serializers of the tasks API: a list, a task (with the viewer's abilities), and the
bodies that create or change them (ids checked against the space by the views)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from entente.core.permissions import abilities
from entente.spaces.models import Task, TaskList, TaskStatus
from entente.spaces.serializers import _enum_component


class TaskStatusField(serializers.ChoiceField):
    """A task's status (schema: the ``SpaceTaskStatusEnum`` component)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("État inconnu : todo, doing ou done.")},
        )
        super().__init__(choices=TaskStatus.choices, **kwargs)


# « status » is a field name other apps use with other values: a named component of its own.
class TaskStatusFieldExtension(OpenApiSerializerFieldExtension):
    target_class = TaskStatusField

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        return _enum_component(auto_schema, "SpaceTaskStatusEnum", TaskStatus)


class TaskListSerializer(serializers.ModelSerializer):
    task_count = serializers.SerializerMethodField()

    class Meta:
        model = TaskList
        fields = ["id", "name", "position", "created_at", "task_count"]
        read_only_fields = ["position", "created_at"]

    def get_task_count(self, task_list: TaskList) -> int:
        if hasattr(task_list, "task_count"):
            return task_list.task_count
        return task_list.tasks.count()


class TaskListInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150)


class TaskPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, person: Any) -> str:
        return person.get_full_name() or person.email


class TaskSerializer(serializers.ModelSerializer):
    """A task. ``overdue`` says its due date is past while it is not done; ``abilities``
    what the viewer may do (``view``, ``edit``, ``delete``)."""

    status = TaskStatusField(read_only=True)
    assignee = TaskPersonSerializer(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()
    abilities = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "task_list",
            "title",
            "description",
            "assignee",
            "due_date",
            "status",
            "overdue",
            "position",
            "created_at",
            "updated_at",
            "completed_at",
            "abilities",
        ]
        read_only_fields = fields

    def get_overdue(self, task: Task) -> bool:
        return bool(
            task.due_date
            and task.status != TaskStatus.DONE
            and task.due_date < timezone.localdate()
        )

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "boolean"},
            "example": {"view": True, "edit": True, "delete": True},
        }
    )
    def get_abilities(self, task: Task) -> dict[str, bool]:
        return abilities(self.context["request"].user, task, seen=True)


class TaskInputSerializer(serializers.Serializer):
    """What creates or changes a task. ``task_list`` and ``assignee`` are ids: a list of the
    same space, a member of the space (null: nobody)."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    task_list = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=_("Une liste de l'espace ; à la création, sa première liste par défaut."),
    )
    assignee = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text=_("Un membre de l'espace (il en est prévenu), ou null."),
    )
    due_date = serializers.DateField(
        required=False,
        allow_null=True,
        error_messages={"invalid": _("Date invalide : attendu AAAA-MM-JJ.")},
    )
    status = TaskStatusField(required=False)
    position = serializers.IntegerField(
        min_value=0,
        max_value=100000,
        required=False,
        help_text=_("La place dans sa liste, 0 en haut."),
    )

    def validate_due_date(self, value: datetime.date | None) -> datetime.date | None:
        if value is not None and not (2000 <= value.year <= 2100):
            raise serializers.ValidationError(_("Choisissez une date entre 2000 et 2100."))
        return value


class SpaceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MyTaskSerializer(TaskSerializer):
    """A task in the list of one's own open tasks, across spaces: with its space."""

    space = SpaceRefSerializer(read_only=True)

    class Meta(TaskSerializer.Meta):
        fields = ["space", *TaskSerializer.Meta.fields]


class MyTasksQuerySerializer(serializers.Serializer):
    until = serializers.DateField(required=False, help_text="Échéance au plus tard ce jour.")
