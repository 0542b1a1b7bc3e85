"""REST API of the tasks of a space: its lists and its tasks (list, create, read, change,
delete), filtered by assignee (``me``) and status.

Views stay thin: a serializer parses, one use case of ``entente.spaces.tasks.services``
acts. A non-member gets the same 404 as for a missing space; a reader (or anyone in an
archived space) a 403 on every change; bad values a 400 ``invalid`` with the fields.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from entente.core.permissions import require, visible
from entente.spaces.api_common import ERRORS, SPACE_PK, InSpace
from entente.spaces.models import Task, TaskList, TaskStatus
from entente.spaces.tasks import services
from entente.spaces.tasks.serializers import (
    MyTaskSerializer,
    MyTasksQuerySerializer,
    TaskInputSerializer,
    TaskListInputSerializer,
    TaskListSerializer,
    TaskSerializer,
)


class _SpaceContentViewSet(InSpace, viewsets.GenericViewSet):
    """What both viewsets share: the space of the URL, for its members only."""

    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_object(self) -> Any:
        obj = super().get_object()
        obj.space = self.space()  # the one already fetched: its cached role answers the rights
        return obj

    def task_list(self, pk: int, field: str = "task_list") -> TaskList:
        found = TaskList.objects.filter(space=self.space(), pk=pk).first()
        if found is None:
            raise ValidationError({field: [_("Cette liste n'existe pas dans cet espace.")]})
        found.space = self.space()
        return found

    def member(self, pk: int | None) -> Any:
        if pk is None:
            return None
        person = services.space_members(self.space()).filter(pk=pk).first()
        if person is None:
            raise ValidationError(
                {
                    "assignee": [
                        _("Cette personne n'est pas membre de l'espace : choisissez un membre.")
                    ]
                }
            )
        return person


@extend_schema(parameters=[SPACE_PK])
@extend_schema_view(
    list=extend_schema(summary="Listes de tâches d'un espace (ses membres)"),
    retrieve=extend_schema(
        summary="Une liste de tâches", responses={200: TaskListSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="Créer une liste (contributeur)",
        request=TaskListInputSerializer,
        responses={201: TaskListSerializer, **ERRORS},
        examples=[OpenApiExample("Une liste", value={"name": "Préparation du comité"})],
    ),
    partial_update=extend_schema(
        summary="Renommer une liste (contributeur)",
        request=TaskListInputSerializer,
        responses={200: TaskListSerializer, **ERRORS},
    ),
    destroy=extend_schema(
        summary="Supprimer une liste (contributeur)",
        description="Une liste vide, ou une liste dont les tâches vont dans la liste "
        "`move_to` du même espace : aucune tâche n'est supprimée avec sa liste.",
        parameters=[
            OpenApiParameter("move_to", int, description="La liste qui reçoit ses tâches.")
        ],
        responses={204: None, **ERRORS},
    ),
)
class TaskListViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    _SpaceContentViewSet,
):
    serializer_class = TaskListSerializer
    queryset = TaskList.objects.none()

    def get_queryset(self):
        return (
            visible(self.request.user, TaskList)
            .filter(space=self.space())
            .annotate(task_count=Count("tasks"))
            .order_by("position", "pk")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        space = self.space()
        require(request.user, "contribute", space)
        serializer = TaskListInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task_list = services.create_list(request.user, space, serializer.validated_data["name"])
        return Response(TaskListSerializer(task_list).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task_list = self.get_object()
        require(request.user, "edit", task_list)
        serializer = TaskListInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.rename_list(request.user, task_list, serializer.validated_data["name"])
        return Response(TaskListSerializer(self.get_object()).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task_list = self.get_object()
        require(request.user, "delete", task_list)
        raw = request.query_params.get("move_to", "")
        move_to = None
        if raw:
            if not raw.isdigit():
                raise ValidationError({"move_to": [_("Indiquez l'identifiant d'une liste.")]})
            move_to = self.task_list(int(raw), "move_to")
        services.delete_list(request.user, task_list, move_to)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[SPACE_PK])
@extend_schema_view(
    list=extend_schema(
        summary="Tâches d'un espace (ses membres)",
        description="Par liste puis par position. Filtres : `assignee` (`me` ou un "
        "identifiant), `status` (`todo`, `doing`, `done`, ou `open` pour les non terminées), "
        "`task_list`.",
        parameters=[
            OpenApiParameter("assignee", str, description="`me` ou l'identifiant d'un membre."),
            OpenApiParameter("status", str, enum=[*TaskStatus.values, "open"]),
            OpenApiParameter("task_list", int),
        ],
        responses={200: TaskSerializer(many=True), 400: ERRORS[400], 404: ERRORS[404]},
    ),
    retrieve=extend_schema(summary="Une tâche", responses={200: TaskSerializer, **ERRORS}),
    create=extend_schema(
        summary="Créer une tâche (contributeur)",
        description="La personne à qui elle est attribuée (un membre) en est prévenue.",
        request=TaskInputSerializer,
        responses={201: TaskSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "Une tâche attribuée",
                value={"title": "Réserver la salle", "assignee": 12, "due_date": "2026-12-01"},
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Changer une tâche (contributeur)",
        description="Ce qui est donné change : intitulé, description, personne, échéance, "
        "état (`done` la date), liste et position.",
        request=TaskInputSerializer(partial=True),
        responses={200: TaskSerializer, **ERRORS},
    ),
    destroy=extend_schema(
        summary="Supprimer une tâche (contributeur)", responses={204: None, **ERRORS}
    ),
)
class TaskViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    _SpaceContentViewSet,
):
    serializer_class = TaskSerializer
    queryset = Task.objects.none()

    def get_queryset(self):
        rows = (
            visible(self.request.user, Task)
            .filter(space=self.space())
            .select_related("assignee")
            .order_by("task_list__position", "task_list_id", "position", "pk")
        )
        if self.action != "list":
            return rows
        params = self.request.query_params
        assignee = params.get("assignee", "")
        if assignee == "me":
            rows = rows.filter(assignee_id=self.request.user.pk)
        elif assignee.isdigit():
            rows = rows.filter(assignee_id=int(assignee))
        elif assignee:
            raise ValidationError({"assignee": [_("Indiquez « me » ou un identifiant.")]})
        state = params.get("status", "")
        if state == "open":
            rows = rows.exclude(status=TaskStatus.DONE)
        elif state in TaskStatus.values:
            rows = rows.filter(status=state)
        elif state:
            raise ValidationError({"status": [_("État inconnu : todo, doing, done ou open.")]})
        task_list = params.get("task_list", "")
        if task_list.isdigit():
            rows = rows.filter(task_list_id=int(task_list))
        elif task_list:
            raise ValidationError({"task_list": [_("Indiquez l'identifiant d'une liste.")]})
        return rows

    def _parse(self, partial: bool) -> dict[str, Any]:
        serializer = TaskInputSerializer(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "task_list" in data:
            data["task_list"] = self.task_list(data["task_list"])
        if "assignee" in data:
            data["assignee"] = self.member(data["assignee"])
        return data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        space = self.space()
        require(request.user, "contribute", space)
        data = self._parse(partial=False)
        with transaction.atomic():
            task = services.create_task(
                request.user,
                space,
                data.get("task_list"),
                data["title"],
                description=data.get("description", ""),
                assignee=data.get("assignee"),
                due_date=data.get("due_date"),
                status=data.get("status", TaskStatus.TODO),
            )
            if "position" in data:
                services.move_task(request.user, task, position=data["position"])
        return Response(
            TaskSerializer(task, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self.get_object()
        require(request.user, "edit", task)
        data = self._parse(partial=True)
        position = data.pop("position", None)
        with transaction.atomic():
            services.update_task(request.user, task, **data)
            if position is not None:
                services.move_task(request.user, task, position=position)
        return Response(self.get_serializer(self.get_object()).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_task(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="Mes tâches ouvertes, dans tous mes espaces",
        description="À faire et en cours, qui me sont attribuées dans les espaces dont je suis "
        "membre aujourd'hui ; les plus proches échéances d'abord, celles sans date à la fin.",
        parameters=[
            OpenApiParameter("until", OpenApiTypes.DATE, description="Échéance au plus tard.")
        ],
        responses={200: MyTaskSerializer(many=True), **ERRORS},
    )
)
class MyTasksViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MyTaskSerializer
    queryset = Task.objects.none()

    def get_queryset(self):
        query = MyTasksQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return services.tasks_due_for(self.request.user, query.validated_data.get("until"))


def register(router: DefaultRouter) -> None:
    router.register("my-tasks", MyTasksViewSet, basename="my-task")
    router.register(
        r"spaces/(?P<space_pk>[0-9]+)/task-lists", TaskListViewSet, basename="space-task-list"
    )
    router.register(r"spaces/(?P<space_pk>[0-9]+)/tasks", TaskViewSet, basename="space-task")
