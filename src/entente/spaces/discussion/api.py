"""REST API of the discussion of a space:

- ``/api/v1/spaces/<space_pk>/threads/``: its threads (pinned first, then the most recently
  active), start one (title, first message, attachments);
- ``/api/v1/spaces/<space_pk>/threads/<id>/``: a thread with all its posts; ``PATCH`` pins or
  locks it (managers);
- ``/api/v1/spaces/<space_pk>/threads/<thread_pk>/posts/``: its posts, reply; ``…/<id>/``:
  ``PATCH`` edits a post, ``DELETE`` deletes it (its author, or a manager).

Only members of the space reach any of it: others get the same 404 as for a missing space. A
member who may not do a change (a reader, anyone in an archived space) gets a 403. Views stay
thin: a serializer parses, one use case of ``services`` acts.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
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

from entente.core.permissions import get_visible_or_404, require, visible
from entente.spaces.api_common import ERRORS, SPACE_PK, InSpace
from entente.spaces.discussion import services
from entente.spaces.discussion.display import decorate_posts, decorate_threads, threads_of
from entente.spaces.discussion.serializers import (
    PostInputSerializer,
    PostSerializer,
    ThreadDetailSerializer,
    ThreadInputSerializer,
    ThreadModerationSerializer,
    ThreadSerializer,
)
from entente.spaces.models import Post, Thread

THREAD_PK = OpenApiParameter("thread_pk", int, OpenApiParameter.PATH)


@extend_schema(parameters=[SPACE_PK])
@extend_schema_view(
    list=extend_schema(
        summary="Discussions d'un espace (ses membres)",
        description="Épinglées d'abord, puis les plus récemment actives.",
    ),
    retrieve=extend_schema(
        summary="Une discussion et tous ses messages",
        responses={200: ThreadDetailSerializer, **ERRORS},
    ),
    create=extend_schema(
        summary="Ouvrir une discussion (contributeurs)",
        description="Un sujet et le premier message, en Markdown ; `@prenom.nom` mentionne "
        "un membre de l'espace, qui est prévenu. `attachments` : numéros de fichiers que vous "
        "pouvez ouvrir.",
        request=ThreadInputSerializer,
        responses={201: ThreadDetailSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "Une question",
                value={
                    "title": "Ordre du jour du comité",
                    "body": "Qu'ajoutons-nous ? @agnes.martin, tu as le budget ?",
                    "attachments": [],
                },
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Renommer (son auteur, un gestionnaire), épingler ou clore (gestionnaires)",
        request=ThreadModerationSerializer,
        responses={200: ThreadSerializer, **ERRORS},
    ),
    destroy=extend_schema(
        summary="Supprimer une discussion et ses messages",
        description="Un gestionnaire, ou son auteur tant que personne d'autre n'y a écrit.",
        responses={204: None, **ERRORS},
    ),
)
class ThreadViewSet(InSpace, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ThreadSerializer
    queryset = Thread.objects.none()  # the schema's model; rows come from get_queryset
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return threads_of(self.request.user, self.space())

    def _shown(self, pk: int) -> Thread:
        thread = self.get_queryset().get(pk=pk)
        return decorate_threads(self.request.user, self.space(), [thread])[0]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = decorate_threads(request.user, self.space(), list(page))
        return self.get_paginated_response(ThreadSerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        thread = self.get_object()
        return Response(self._detail(thread.pk))

    def _detail(self, pk: int) -> dict[str, Any]:
        thread = self._shown(pk)
        thread.post_list = decorate_posts(self.request.user, thread, thread.posts.all())
        return ThreadDetailSerializer(thread).data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        space = self.space()
        require(request.user, "contribute", space)
        serializer = ThreadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        thread = services.start_thread(
            request.user, space, data["title"], data["body"], data.get("attachments", [])
        )
        return Response(self._detail(thread.pk), status=status.HTTP_201_CREATED)

    @transaction.atomic
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        thread = self.get_object()
        thread.space = self.space()
        serializer = ThreadModerationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "title" in data:
            services.rename_thread(request.user, thread, data["title"])
        if "pinned" in data:
            services.set_pinned(request.user, thread, data["pinned"])
        if "locked" in data:
            services.set_locked(request.user, thread, data["locked"])
        return Response(ThreadSerializer(self._shown(thread.pk)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        thread = self.get_object()
        thread.space = self.space()
        services.delete_thread(request.user, thread)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[SPACE_PK, THREAD_PK])
@extend_schema_view(
    list=extend_schema(
        summary="Messages d'une discussion", description="Les plus anciens d'abord."
    ),
    retrieve=extend_schema(summary="Un message", responses={200: PostSerializer, **ERRORS}),
    create=extend_schema(
        summary="Répondre (contributeurs, discussion non close)",
        request=PostInputSerializer,
        responses={201: PostSerializer, **ERRORS},
        examples=[OpenApiExample("Une réponse", value={"body": "D'accord, merci !"})],
    ),
    partial_update=extend_schema(
        summary="Modifier un message (son auteur, ou un gestionnaire)",
        description="`attachments` absent : les fichiers joints restent.",
        request=PostInputSerializer,
        responses={200: PostSerializer, **ERRORS},
    ),
    destroy=extend_schema(
        summary="Supprimer un message (son auteur, ou un gestionnaire)",
        description="« Message supprimé » reste à sa place ; son texte et ses fichiers joints "
        "disparaissent.",
        responses={204: None, **ERRORS},
    ),
)
class PostViewSet(
    InSpace, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = PostSerializer
    queryset = Post.objects.none()
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def thread(self) -> Thread:
        if not hasattr(self, "_thread"):
            thread = get_visible_or_404(
                self.request.user, Thread, pk=self.kwargs["thread_pk"], space=self.space()
            )
            thread.space = self.space()
            self._thread = thread
        return self._thread

    def get_queryset(self):
        return (
            visible(self.request.user, Post)
            .filter(thread=self.thread())
            .order_by("created_at", "pk")
        )

    def _shown(self, pk: int) -> Post:
        return decorate_posts(self.request.user, self.thread(), self.get_queryset().filter(pk=pk))[
            0
        ]

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset().values_list("pk", flat=True))
        rows = decorate_posts(request.user, self.thread(), self.get_queryset().filter(pk__in=page))
        return self.get_paginated_response(PostSerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(PostSerializer(self._shown(self.get_object().pk)).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        thread = self.thread()
        require(request.user, "reply", thread)
        serializer = PostInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        post = services.reply(request.user, thread, data["body"], data.get("attachments", []))
        return Response(PostSerializer(self._shown(post.pk)).data, status=status.HTTP_201_CREATED)

    def _post(self) -> Post:
        post = self.get_object()
        post.thread = self.thread()
        return post

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        post = self._post()
        require(request.user, "edit", post)
        serializer = PostInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.edit_post(request.user, post, data.get("body", post.body), data.get("attachments"))
        return Response(PostSerializer(self._shown(post.pk)).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_post(request.user, self._post())
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: DefaultRouter) -> None:
    router.register(r"spaces/(?P<space_pk>[0-9]+)/threads", ThreadViewSet, basename="space-thread")
    router.register(
        r"spaces/(?P<space_pk>[0-9]+)/threads/(?P<thread_pk>[0-9]+)/posts",
        PostViewSet,
        basename="space-thread-post",
    )
