"""REST API for organisations (read for members of the territory)."""

from __future__ import annotations

from rest_framework import serializers, viewsets
from rest_framework.routers import DefaultRouter

from entente.core.permissions import abilities, visible
from entente.organisations.models import Organisation


class OrganisationSerializer(serializers.ModelSerializer):
    domains = serializers.SerializerMethodField()
    abilities = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "kind", "siren", "is_active", "domains", "abilities"]

    def get_domains(self, obj: Organisation) -> list[str]:
        return obj.domain_names

    def get_abilities(self, obj: Organisation) -> dict[str, bool]:
        return abilities(self.context["request"].user, obj, seen=True)


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return visible(self.request.user, Organisation).prefetch_related("mail_domains")


def register(router: DefaultRouter) -> None:
    router.register("organisations", OrganisationViewSet, basename="organisation")
