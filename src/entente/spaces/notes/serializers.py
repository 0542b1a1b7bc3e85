"""Serializers of the notes API: a note (with what the viewer may do), its revisions, and the
bodies to write one or change it (with the version the change starts from)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from entente.core.permissions import abilities
from entente.spaces.models import Note, NoteRevision


class NotePersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, person: Any) -> str:
        return person.get_full_name() or person.email


class NoteSerializer(serializers.ModelSerializer):
    """A note of a space. ``updated_at`` is the version to send back when changing it."""

    space = serializers.IntegerField(source="space_id", read_only=True)
    created_by = NotePersonSerializer(read_only=True, allow_null=True)
    updated_by = NotePersonSerializer(read_only=True, allow_null=True)
    abilities = serializers.SerializerMethodField()

    class Meta:
        model = Note
        fields = [
            "id",
            "space",
            "title",
            "body",
            "created_by",
            "updated_by",
            "created_at",
            "updated_at",
            "abilities",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "boolean"},
            "example": {"view": True, "edit": True, "delete": True},
        }
    )
    def get_abilities(self, note: Note) -> dict[str, bool]:
        return abilities(self.context["request"].user, note, seen=True)


class NoteInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=Note._meta.get_field("body").max_length,
        trim_whitespace=False,
    )


class NoteUpdateSerializer(NoteInputSerializer):
    updated_at = serializers.DateTimeField(
        help_text=_(
            "Le `updated_at` de la note telle que vous l'avez lue : si elle a changé depuis, "
            "la modification est refusée (409, `code`: `conflict`)."
        )
    )


class NoteRevisionSerializer(serializers.ModelSerializer):
    author = NotePersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = NoteRevision
        fields = ["id", "title", "body", "author", "created_at"]
        read_only_fields = fields
