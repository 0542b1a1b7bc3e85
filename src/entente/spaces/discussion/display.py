"""What the pages and the API show of a discussion: the threads of a space with their number
of replies and last poster, and the posts of a thread with their safe HTML, their attachments
(linked only to whoever may open them, asked again on every read) and what the viewer may do.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.urls import reverse

from entente.core.permissions import abilities, visible
from entente.drive.models import Node
from entente.spaces.discussion.mentions import render_with_mentions
from entente.spaces.models import Post, Space, Thread

#: a message's headings start at h4 (the page has h1 space, h2 thread, h3 message)
SHIFT_HEADINGS = 3


def threads_of(viewer: Any, space: Space) -> QuerySet:
    """The threads of ``space`` the viewer sees: pinned first, then the most recently active,
    with ``post_count`` and ``last_author_id``."""
    last = Post.objects.filter(thread=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        visible(viewer, Thread)
        .filter(space=space)
        .select_related("author")
        .annotate(post_count=Count("posts"), last_author_id=Subquery(last.values("author_id")[:1]))
        .order_by("-pinned", "-last_post_at", "-pk")
    )


def decorate_threads(viewer: Any, space: Space, threads: list[Thread]) -> list[Thread]:
    """Each thread gets ``reply_count``, ``last_author`` and ``rights`` (in one more query)."""
    ids = {thread.last_author_id for thread in threads if thread.last_author_id}
    people = get_user_model().objects.in_bulk(ids)
    for thread in threads:
        thread.space = space  # one role lookup for the whole list
        thread.reply_count = max(thread.post_count - 1, 0)
        thread.last_author = people.get(thread.last_author_id)
        thread.rights = abilities(viewer, thread, seen=True)
    return threads


def posts_of(viewer: Any, thread: Thread) -> list[Post]:
    """The posts of ``thread``, oldest first, ready to show (see ``decorate_posts``)."""
    return decorate_posts(viewer, thread, thread.posts.all())


def decorate_posts(viewer: Any, thread: Thread, posts: Any) -> list[Post]:
    """``posts`` of ``thread``, each with ``html`` (empty once deleted), ``files``
    (``[{"node", "url"}]``, ``url`` empty when the viewer may not open the file) and
    ``rights``. A few queries whatever the number of posts."""
    posts = list(posts.select_related("author").prefetch_related("attachments", "mentions"))
    ids = {node.pk for post in posts for node in post.attachments.all()}
    openable = (
        set(visible(viewer, Node).filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    )
    for post in posts:
        post.thread = thread  # shares the space, and its role lookups
        post.is_deleted = post.deleted_at is not None
        post.html = (
            ""
            if post.is_deleted
            else render_with_mentions(post.body, post.mentions.all(), shift_headings=SHIFT_HEADINGS)
        )
        post.files = [
            {
                "node": node,
                "url": reverse("drive:file", args=[node.pk]) if node.pk in openable else "",
            }
            for node in sorted(post.attachments.all(), key=lambda n: n.name.lower())
        ]
        post.rights = abilities(viewer, post, seen=True)
    return posts
