"""Serializers of the spaces API: a space with the viewer's role and abilities, its members,
and the bodies of the actions (add a member, change a role, archive)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from entente.core.permissions import abilities
from entente.spaces.models import Activity, JoinRequest, Membership, Space, SpaceRole, Visibility
from entente.spaces.permissions import member_role


class RoleField(serializers.ChoiceField):
    """A role in a space (schema: the ``SpaceRoleEnum`` component)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=SpaceRole.choices, **kwargs)


class MyRoleField(RoleField):
    """The viewer's role in a space, null when not a member (read only)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, allow_null=True, **kwargs)

    def to_representation(self, space: Space) -> str | None:
        if hasattr(space, "my_role"):
            return space.my_role
        return member_role(self.context["request"].user, space)


class VisibilityField(serializers.ChoiceField):
    """Who sees a space (schema: the ``SpaceVisibilityEnum`` component)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=Visibility.choices, **kwargs)


def _enum_component(auto_schema: Any, name: str, choices: Any) -> dict[str, Any]:
    component = ResolvedComponent(
        name=name,
        type=ResolvedComponent.SCHEMA,
        object=name,
        schema={
            "type": "string",
            "enum": list(choices.values),
            "description": "\n".join(f"* `{v}` - {label}" for v, label in choices.choices),
        },
    )
    auto_schema.registry.register_on_missing(component)
    return component.ref


# Named enum components of their own: « role » and « visibility » are field names other apps'
# serializers use with other values, and the schema would otherwise name them by field name
# and collide.
class RoleFieldExtension(OpenApiSerializerFieldExtension):
    target_class = RoleField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        return _enum_component(auto_schema, "SpaceRoleEnum", SpaceRole)


class VisibilityFieldExtension(OpenApiSerializerFieldExtension):
    target_class = VisibilityField

    def map_serializer_field(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        return _enum_component(auto_schema, "SpaceVisibilityEnum", Visibility)


class SpaceSerializer(serializers.ModelSerializer):
    """A space. ``my_role`` is the viewer's role (null when not a member); ``abilities`` says
    what the viewer may do (``view_content``, ``contribute``, ``manage``, ``join``)."""

    visibility = VisibilityField(required=False)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    archived = serializers.BooleanField(source="is_archived", read_only=True)
    my_role = MyRoleField()
    member_count = serializers.SerializerMethodField()
    abilities = serializers.SerializerMethodField()

    class Meta:
        model = Space
        fields = [
            "id",
            "name",
            "description",
            "visibility",
            "organisation",
            "archived",
            "archived_at",
            "created_at",
            "my_role",
            "member_count",
            "abilities",
        ]
        read_only_fields = ["archived_at", "created_at"]

    def get_member_count(self, space: Space) -> int:
        if hasattr(space, "member_count"):
            return space.member_count
        return space.memberships.count()

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "boolean"},
            "example": {
                "view": True,
                "view_content": True,
                "contribute": True,
                "manage": False,
                "join": False,
            },
        }
    )
    def get_abilities(self, space: Space) -> dict[str, bool]:
        return abilities(self.context["request"].user, space, seen=True)


class SpaceMemberPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()
    email = serializers.EmailField()
    organisation = serializers.SerializerMethodField()
    guest = serializers.BooleanField(source="is_guest")

    def get_name(self, person: Any) -> str:
        return person.get_full_name() or person.email

    @extend_schema_field({"type": "string", "nullable": True})
    def get_organisation(self, person: Any) -> str | None:
        return person.organisation.name if person.organisation_id else None


class MembershipSerializer(serializers.ModelSerializer):
    person = SpaceMemberPersonSerializer(source="user", read_only=True)
    role = RoleField()

    class Meta:
        model = Membership
        fields = ["id", "person", "role", "created_at"]
        read_only_fields = ["created_at"]


class MemberInputSerializer(serializers.Serializer):
    user = serializers.IntegerField(
        min_value=1, help_text=_("L'identifiant d'une personne que vous trouvez dans l'annuaire.")
    )
    role = RoleField(default=SpaceRole.CONTRIBUTOR)


class RoleInputSerializer(serializers.Serializer):
    role = RoleField()


class ArchiveInputSerializer(serializers.Serializer):
    archived = serializers.BooleanField(default=True)


class JoinRequestSerializer(serializers.ModelSerializer):
    """A request to join an open space: who asks, what they said, where it stands."""

    person = SpaceMemberPersonSerializer(source="user", read_only=True)
    space = serializers.IntegerField(source="space_id", read_only=True)
    status = serializers.CharField(
        read_only=True, help_text="`pending` (en attente), `accepted` ou `refused`."
    )

    class Meta:
        model = JoinRequest
        fields = ["id", "space", "person", "message", "status", "created_at", "decided_at"]
        read_only_fields = fields


class JoinRequestInputSerializer(serializers.Serializer):
    message = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=1000,
        help_text=_("Ce que vous dites aux gestionnaires (facultatif)."),
    )


class AcceptInputSerializer(serializers.Serializer):
    role = RoleField(default=SpaceRole.READER)


class ActivityActorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, person: Any) -> str:
        return person.get_full_name() or person.email


class ActivitySerializer(serializers.ModelSerializer):
    """One line of a space's feed: who (``actor``, null if gone) did what (``verb``, and in
    words ``verb_label``) on what (``target_label``, reachable at ``target_url``)."""

    actor = ActivityActorSerializer(read_only=True, allow_null=True)
    verb = serializers.CharField(
        read_only=True, help_text="Par exemple `note.updated`, `member.joined`, `task.done`."
    )
    verb_label = serializers.CharField(source="get_verb_display", read_only=True)

    class Meta:
        model = Activity
        fields = ["id", "actor", "verb", "verb_label", "target_label", "target_url", "created_at"]
        read_only_fields = fields
