"""REST API of the notes of a space: list, write, read, change (refused with a 409 when the
note changed since the version the change starts from), delete, and the revisions of one.

Members of the space read; contributors write. A space or note the viewer may not see is a
404; a change they may not make is a 403.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from entente.calendars.serializers import ErrorSerializer
from entente.core.permissions import require
from entente.spaces.api_common import ERRORS, SPACE_PK, InSpace
from entente.spaces.models import Note
from entente.spaces.notes import services
from entente.spaces.notes.serializers import (
    NoteInputSerializer,
    NoteRevisionSerializer,
    NoteSerializer,
    NoteUpdateSerializer,
)

CONFLICT = {
    409: OpenApiResponse(
        ErrorSerializer,
        description="La note a changé depuis la version envoyée (`code`: `conflict`) : rien "
        "n'est enregistré.",
    )
}


@extend_schema(parameters=[SPACE_PK])
@extend_schema_view(
    list=extend_schema(summary="Notes d'un espace (ses membres)"),
    retrieve=extend_schema(summary="Une note", responses={200: NoteSerializer, **ERRORS}),
    create=extend_schema(
        summary="Écrire une note (contributeur)",
        request=NoteInputSerializer,
        responses={201: NoteSerializer, **ERRORS},
        examples=[OpenApiExample("Un compte rendu", value={"title": "Comité", "body": "# Ordre"})],
    ),
    update=extend_schema(
        summary="Modifier une note (contributeur)",
        description="Envoyez le `updated_at` de la version lue : si quelqu'un l'a modifiée "
        "depuis, la réponse est 409 et rien n'est écrit. Chaque enregistrement garde une "
        "version dans l'historique.",
        request=NoteUpdateSerializer,
        responses={200: NoteSerializer, **ERRORS, **CONFLICT},
    ),
    destroy=extend_schema(
        summary="Supprimer une note (contributeur)", responses={204: None, **ERRORS}
    ),
)
class NoteViewSet(
    InSpace,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = NoteSerializer
    queryset = Note.objects.none()
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self):
        return (
            Note.objects.filter(space=self.space(), deleted_at__isnull=True)
            .select_related("space", "created_by", "updated_by")
            .order_by("title", "pk")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        space = self.space()
        require(request.user, "contribute", space)
        serializer = NoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        note = services.create_note(request.user, space, **serializer.validated_data)
        return Response(self.get_serializer(note).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        note = self.get_object()
        require(request.user, "edit", note)
        serializer = NoteUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            note = services.update_note(
                request.user,
                note,
                title=data["title"],
                body=data["body"],
                base_version=data["updated_at"],
            )
        except services.NoteConflict as error:
            return Response(
                {"code": "conflict", "detail": " ".join(error.messages)},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(self.get_serializer(note).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_note(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Versions d'une note, de la plus récente à la plus ancienne",
        responses={200: NoteRevisionSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def revisions(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        note = self.get_object()
        rows = note.revisions.select_related("author").order_by("-pk")
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(NoteRevisionSerializer(page, many=True).data)
        return Response(NoteRevisionSerializer(rows, many=True).data)


def register(router: DefaultRouter) -> None:
    router.register(r"spaces/(?P<space_pk>[0-9]+)/notes", NoteViewSet, basename="space-note")
