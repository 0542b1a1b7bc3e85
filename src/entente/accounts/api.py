"""REST API for people: the people a user may see, and ``me``."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from entente.accounts.models import User
from entente.core.permissions import abilities, visible


class PersonSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    service = serializers.StringRelatedField()
    abilities = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "organisation",
            "status",
            "job_title",
            "mandate",
            "phone",
            "service",
            "is_org_admin",
            "is_active",
            "abilities",
        ]

    def get_abilities(self, obj: User) -> dict[str, bool]:
        return abilities(self.context["request"].user, obj, seen=True)


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PersonSerializer

    def get_queryset(self):
        return visible(self.request.user, User).select_related("organisation", "service")

    @action(detail=False)
    def me(self, request: Request) -> Response:
        return Response(self.get_serializer(request.user).data)


def register(router: DefaultRouter) -> None:
    router.register("people", PersonViewSet, basename="person")
