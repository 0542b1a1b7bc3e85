"""Serializers of the directory's API: people as the directory shows them, the services tree."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from entente.accounts.models import User


class DirectoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DirectoryOrganisationRefSerializer(DirectoryRefSerializer):
    slug = serializers.CharField()


class DirectoryPersonSerializer(serializers.ModelSerializer):
    """A person's directory card (never more than the directory page shows)."""

    full_name = serializers.CharField(source="get_full_name")
    organisation = serializers.SerializerMethodField()
    service = serializers.SerializerMethodField()
    service_path = serializers.SerializerMethodField()
    manager = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "full_name",
            "first_name",
            "last_name",
            "email",
            "phone",
            "status",
            "job_title",
            "mandate",
            "organisation",
            "service",
            "service_path",
            "manager",
            "url",
        ]

    @extend_schema_field(DirectoryOrganisationRefSerializer(allow_null=True))
    def get_organisation(self, person: User) -> dict[str, Any] | None:
        org = person.organisation
        return None if org is None else {"id": org.pk, "name": org.name, "slug": org.slug}

    @extend_schema_field(DirectoryRefSerializer(allow_null=True))
    def get_service(self, person: User) -> dict[str, Any] | None:
        service = person.service
        return None if service is None else {"id": service.pk, "name": service.name}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_service_path(self, person: User) -> list[str]:
        paths = self.context.get("paths") or {}
        return paths.get(person.service_id, [])

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_manager(self, person: User) -> int | None:
        """The manager's id, only when the viewer may see them."""
        visible_ids = self.context.get("visible_manager_ids")
        if person.manager_id is None or visible_ids is None:
            return None
        return person.manager_id if person.manager_id in visible_ids else None

    def get_url(self, person: User) -> str:
        from django.urls import reverse

        return reverse("directory:person", args=[person.pk])


class DirectoryServiceNodeSerializer(serializers.Serializer):
    """One service and its sub-services, with the number of people the viewer may see."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    people_count = serializers.IntegerField()
    children = serializers.ListField(child=serializers.DictField())


class PeopleQuerySerializer(serializers.Serializer):
    """Query string of the people list."""

    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    organisation = serializers.IntegerField(required=False, min_value=1)
    service = serializers.IntegerField(required=False, min_value=1)
    elus = serializers.BooleanField(required=False, default=False)


class ServicesQuerySerializer(serializers.Serializer):
    organisation = serializers.CharField(
        max_length=60, help_text=_("Identifiant ou identifiant court de l'organisation.")
    )
