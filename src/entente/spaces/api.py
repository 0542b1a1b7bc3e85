"""REST API of spaces: the spaces the viewer sees (create, change the settings, archive),
the members of one (add, change a role, remove, leave), the requests to join an open one
(ask, cancel; accept or refuse as a manager) and its activity feed (read only).

Views stay thin: a serializer parses, one use case of ``entente.spaces.services`` acts. What
the viewer may not see is a 404; a space's members are kept from non-members with that same
404; what they see but may not change is a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from entente.core.permissions import can, require, visible
from entente.spaces import services
from entente.spaces.api_common import ERRORS, SPACE_PK, InSpace
from entente.spaces.models import Activity, JoinRequest, JoinRequestStatus, Membership, Space
from entente.spaces.serializers import (
    AcceptInputSerializer,
    ActivitySerializer,
    ArchiveInputSerializer,
    JoinRequestInputSerializer,
    JoinRequestSerializer,
    MemberInputSerializer,
    MembershipSerializer,
    RoleInputSerializer,
    SpaceSerializer,
)


@extend_schema_view(
    list=extend_schema(
        summary="Espaces visibles",
        description="Vos espaces, et ceux du territoire (visibles ou ouverts) dont vous n'êtes "
        "pas membre : `my_role` est nul pour ceux-là. `?member=1` ne garde que les vôtres.",
        parameters=[OpenApiParameter("member", bool, description="Seulement mes espaces.")],
    ),
    retrieve=extend_schema(summary="Un espace", responses={200: SpaceSerializer, **ERRORS}),
    create=extend_schema(
        summary="Créer un espace",
        description="Il appartient à votre organisation ; vous en êtes propriétaire.",
        responses={201: SpaceSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "Un projet",
                value={"name": "Projet école", "description": "", "visibility": "private"},
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Changer le nom, la description ou la visibilité (gestionnaire)",
        responses={200: SpaceSerializer, **ERRORS},
    ),
)
class SpaceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SpaceSerializer
    queryset = Space.objects.none()  # the schema's model; rows come from get_queryset
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        rows = (
            visible(user, Space)
            .select_related("organisation")
            .annotate(
                member_count=Count("memberships"),
                my_role=Subquery(
                    Membership.objects.filter(space=OuterRef("pk"), user_id=user.pk).values("role")[
                        :1
                    ]
                ),
            )
            .order_by("name", "pk")
        )
        if self.request.query_params.get("member") in ("1", "true"):
            rows = rows.filter(my_role__isnull=False)
        return rows

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        require(request.user, "create", Space)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        space = services.create_space(
            request.user,
            name=data["name"],
            description=data.get("description", ""),
            visibility=data.get("visibility", Space._meta.get_field("visibility").default),
        )
        return Response(self.get_serializer(space).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        space = self.get_object()
        serializer = self.get_serializer(space, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_space(request.user, space, **serializer.validated_data)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="Archiver ou désarchiver (gestionnaire)",
        request=ArchiveInputSerializer,
        responses={200: SpaceSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str | None = None) -> Response:
        space = self.get_object()
        serializer = ArchiveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.archive_space(request.user, space, serializer.validated_data["archived"])
        return Response(self.get_serializer(self.get_object()).data)


@extend_schema(parameters=[SPACE_PK])
@extend_schema_view(
    list=extend_schema(
        summary="Membres d'un espace (ses membres)",
        description="Les membres, de toutes organisations, et leur rôle.",
    ),
    retrieve=extend_schema(summary="Un membre", responses={200: MembershipSerializer, **ERRORS}),
    create=extend_schema(
        summary="Ajouter un membre (gestionnaire)",
        description="Une personne que vous trouvez dans l'annuaire (`user`), avec un rôle "
        "(`contributor` par défaut). Seul un propriétaire nomme un autre propriétaire.",
        request=MemberInputSerializer,
        responses={201: MembershipSerializer, **ERRORS},
        examples=[OpenApiExample("Un lecteur", value={"user": 12, "role": "reader"})],
    ),
    partial_update=extend_schema(
        summary="Changer le rôle d'un membre (gestionnaire)",
        request=RoleInputSerializer,
        responses={200: MembershipSerializer, **ERRORS},
    ),
    destroy=extend_schema(
        summary="Retirer un membre (gestionnaire), ou quitter l'espace (soi-même)",
        responses={204: None, **ERRORS},
    ),
)
class MembershipViewSet(
    InSpace,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MembershipSerializer
    queryset = Membership.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        space = self.space()
        return space.memberships.select_related("user__organisation").order_by(
            "user__last_name", "user__first_name", "pk"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        space = self.space()
        require(request.user, "manage", space)
        serializer = MemberInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = (
            visible(request.user, get_user_model()).filter(pk=data["user"], is_active=True).first()
        )
        if person is None:
            raise ValidationError({"user": [_("Cette personne est introuvable.")]})
        membership = services.add_member(request.user, space, person, data["role"])
        return Response(MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        membership = self.get_object()
        require(request.user, "manage", self.space())
        serializer = RoleInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.set_role(request.user, membership, serializer.validated_data["role"])
        return Response(MembershipSerializer(membership).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.remove_member(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="Demandes pour rejoindre un espace ouvert",
        description="Un gestionnaire voit les demandes de l'espace (en attente par défaut ; "
        "`?status=all` pour toutes) ; les autres ne voient que les leurs.",
        parameters=[
            OpenApiParameter(
                "status", str, description="`pending` (par défaut), `accepted`, `refused`, `all`."
            )
        ],
    ),
    retrieve=extend_schema(summary="Une demande", responses={200: JoinRequestSerializer, **ERRORS}),
    create=extend_schema(
        summary="Demander à rejoindre un espace ouvert",
        description="Ses gestionnaires sont prévenus. Une seule demande en attente par "
        "personne et par espace ; les personnes invitées ne demandent pas.",
        request=JoinRequestInputSerializer,
        responses={201: JoinRequestSerializer, **ERRORS},
        examples=[OpenApiExample("Avec un mot", value={"message": "Je suis au service voirie."})],
    ),
    destroy=extend_schema(
        summary="Annuler ma demande (la personne qui l'a faite)", responses={204: None, **ERRORS}
    ),
)
class JoinRequestViewSet(
    InSpace,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = JoinRequestSerializer
    queryset = JoinRequest.objects.none()
    http_method_names = ["get", "post", "delete", "head", "options"]

    space_action = "view"  # people who are not members yet ask to join here

    def get_queryset(self):
        space = self.space()
        user = self.request.user
        rows = space.join_requests.select_related("user__organisation").order_by("created_at", "pk")
        if not can(user, "manage", space):
            rows = rows.filter(user_id=user.pk)
        wanted = self.request.query_params.get("status", JoinRequestStatus.PENDING)
        if self.action == "list" and wanted != "all":
            rows = rows.filter(status=wanted)
        return rows

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        space = self.space()
        serializer = JoinRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            row = services.request_to_join(
                request.user, space, serializer.validated_data["message"]
            )
        except ValidationError as error:
            if getattr(error, "code", None) != "pending":
                raise
            return Response(
                {"code": "pending", "detail": " ".join(error.messages)},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(JoinRequestSerializer(row).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.cancel_join_request(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Accepter une demande (gestionnaire)",
        description="La personne devient membre, lectrice par défaut (`role` pour un autre rôle).",
        request=AcceptInputSerializer,
        responses={200: MembershipSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        require(request.user, "manage", self.space())
        serializer = AcceptInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.accept_join_request(
            request.user, row, serializer.validated_data["role"]
        )
        return Response(MembershipSerializer(membership).data)

    @extend_schema(
        summary="Refuser une demande (gestionnaire)",
        request=None,
        responses={200: JoinRequestSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        require(request.user, "manage", self.space())
        return Response(JoinRequestSerializer(services.refuse_join_request(request.user, row)).data)


@extend_schema(parameters=[SPACE_PK])
@extend_schema_view(
    list=extend_schema(
        summary="Fil d'activité d'un espace (ses membres)",
        description="Du plus récent au plus ancien. La lecture par l'API ne marque pas le fil "
        "comme lu (la page web le fait).",
    ),
)
class ActivityViewSet(InSpace, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ActivitySerializer
    queryset = Activity.objects.none()

    def get_queryset(self):
        return (
            Activity.objects.filter(space=self.space())
            .select_related("actor")
            .order_by("-created_at", "-pk")
        )


def register(router: DefaultRouter) -> None:
    router.register("spaces", SpaceViewSet, basename="space")
    router.register(
        r"spaces/(?P<space_pk>[0-9]+)/members", MembershipViewSet, basename="space-member"
    )
    router.register(
        r"spaces/(?P<space_pk>[0-9]+)/join-requests",
        JoinRequestViewSet,
        basename="space-join-request",
    )
    router.register(
        r"spaces/(?P<space_pk>[0-9]+)/activity", ActivityViewSet, basename="space-activity"
    )
