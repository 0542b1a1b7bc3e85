"""REST API of notifications: one's own notifications (all or unread), marking them read (one
or all), and one's notification preferences. Another person's notification is a 404, like a
missing one."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from entente.calendars.serializers import ErrorSerializer  # the API's one error body
from entente.core.permissions import visible
from entente.notifications import services
from entente.notifications.models import Notification
from entente.notifications.serializers import (
    NotificationPreferencesSerializer,
    NotificationSerializer,
    NotificationsMarkedSerializer,
)

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Valeurs invalides (`code`: `invalid`)."),
    404: OpenApiResponse(ErrorSerializer, description="Absente ou pas à vous (même réponse)."),
}


@extend_schema_view(
    list=extend_schema(
        summary="Mes notifications",
        description="Les plus récentes d'abord. `?unread=1` ne garde que les non lues.",
        parameters=[OpenApiParameter("unread", bool, description="Seulement les non lues.")],
    ),
    retrieve=extend_schema(
        summary="Une de mes notifications", responses={200: NotificationSerializer, **ERRORS}
    ),
)
class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # the schema's model; rows come from get_queryset
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        rows = visible(self.request.user, Notification).select_related("actor")
        if self.request.query_params.get("unread") in ("1", "true"):
            rows = rows.filter(read_at__isnull=True)
        return rows

    @extend_schema(
        summary="Marquer une notification comme lue",
        request=None,
        responses={200: NotificationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        notification = self.get_object()
        services.mark_read(request.user, notification)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="Tout marquer comme lu",
        request=None,
        responses={200: NotificationsMarkedSerializer},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        marked = services.mark_all_read(request.user)
        return Response({"marked": marked, "unread": services.unread_count(request.user)})

    @extend_schema(
        methods=["GET"],
        summary="Mes préférences",
        responses={200: NotificationPreferencesSerializer},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Changer mes préférences",
        description="Remplace les préférences : un type absent de `deliveries` revient à `all`.",
        request=NotificationPreferencesSerializer,
        responses={200: NotificationPreferencesSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "Résumé quotidien, sans les mentions par e-mail",
                value={"email_frequency": "daily", "deliveries": {"space.mention": "centre"}},
            )
        ],
    )
    @action(detail=False, methods=["get", "put"])
    def preferences(self, request: Request) -> Response:
        if request.method == "PUT":
            serializer = NotificationPreferencesSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data: dict[str, Any] = serializer.validated_data
            services.set_preferences(
                request.user,
                email_frequency=data["email_frequency"],
                deliveries=data.get("deliveries", {}),
            )
        return Response(
            NotificationPreferencesSerializer.of(services.preferences_for(request.user))
        )


def register(router: DefaultRouter) -> None:
    router.register("notifications", NotificationViewSet, basename="notification")
