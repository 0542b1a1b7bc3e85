"""Serializers of the discussion API: threads (with the viewer's abilities), posts (the
Markdown as written and its safe HTML, attachments linked only when the viewer may open them)
and the bodies of the changes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from entente.spaces.discussion.services import BODY_MAX, MAX_ATTACHMENTS, TITLE_MAX
from entente.spaces.models import Post, Thread

ABILITIES_SCHEMA = {"type": "object", "additionalProperties": {"type": "boolean"}}


class DiscussionAuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, person: Any) -> str:
        return person.get_full_name() or person.email


class PostAttachmentSerializer(serializers.Serializer):
    """A file joined to a post; ``url`` is null when the viewer may not open it."""

    id = serializers.IntegerField(source="node.pk")
    name = serializers.CharField(source="node.name")
    url = serializers.CharField(allow_null=True)

    def to_representation(self, file: dict[str, Any]) -> dict[str, Any]:
        return {"id": file["node"].pk, "name": file["node"].name, "url": file["url"] or None}


class PostSerializer(serializers.ModelSerializer):
    """A message. ``body`` is its Markdown, ``html`` the safe HTML shown (both empty once
    deleted); ``abilities``: ``view``, ``edit``, ``delete``."""

    author = DiscussionAuthorSerializer(allow_null=True, read_only=True)
    deleted = serializers.SerializerMethodField()
    html = serializers.SerializerMethodField()
    mentions = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    abilities = serializers.SerializerMethodField()

    class Meta:
        model = Post
        fields = [
            "id",
            "author",
            "body",
            "html",
            "created_at",
            "edited_at",
            "deleted",
            "mentions",
            "attachments",
            "abilities",
        ]

    def get_deleted(self, post: Post) -> bool:
        return post.deleted_at is not None

    def get_html(self, post: Post) -> str:
        return str(post.html)

    def get_mentions(self, post: Post) -> list[int]:
        return [person.pk for person in post.mentions.all()]

    @extend_schema_field(PostAttachmentSerializer(many=True))
    def get_attachments(self, post: Post) -> list[dict[str, Any]]:
        return PostAttachmentSerializer(post.files, many=True).data

    @extend_schema_field(ABILITIES_SCHEMA)
    def get_abilities(self, post: Post) -> dict[str, bool]:
        return post.rights


class ThreadSerializer(serializers.ModelSerializer):
    """A thread of a space; ``abilities``: ``view``, ``reply``, ``moderate``."""

    author = DiscussionAuthorSerializer(allow_null=True, read_only=True)
    reply_count = serializers.IntegerField(read_only=True)
    last_author = DiscussionAuthorSerializer(allow_null=True, read_only=True)
    abilities = serializers.SerializerMethodField()

    class Meta:
        model = Thread
        fields = [
            "id",
            "title",
            "author",
            "created_at",
            "last_post_at",
            "last_author",
            "reply_count",
            "pinned",
            "locked",
            "abilities",
        ]

    @extend_schema_field(ABILITIES_SCHEMA)
    def get_abilities(self, thread: Thread) -> dict[str, bool]:
        return thread.rights


class ThreadDetailSerializer(ThreadSerializer):
    """A thread and all its posts, oldest first."""

    posts = PostSerializer(source="post_list", many=True, read_only=True)

    class Meta(ThreadSerializer.Meta):
        fields = [*ThreadSerializer.Meta.fields, "posts"]


def _attachments_field(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        max_length=MAX_ATTACHMENTS,
        help_text=_("Numéros de fichiers des documents que vous pouvez ouvrir."),
        **kwargs,
    )


class PostInputSerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=BODY_MAX, help_text=_("Markdown ; @prenom.nom mentionne un membre.")
    )
    attachments = _attachments_field(required=False)


class ThreadInputSerializer(PostInputSerializer):
    title = serializers.CharField(max_length=TITLE_MAX)


class ThreadModerationSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=TITLE_MAX)
    pinned = serializers.BooleanField(required=False)
    locked = serializers.BooleanField(required=False)
