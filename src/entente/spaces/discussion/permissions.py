"""Permission rules of the discussion of a space (threads and their posts).

Actions on a ``Thread``:

- ``view`` (read it and its posts): the members of its space, whatever their role; a person
  removed from the space loses it at once (read from the membership on every request);
- ``reply``: the members who may ``contribute`` to the space (contributors and above, while
  the space is not archived), as long as the thread is not locked;
- ``moderate`` (pin, lock): the space's managers and owners, while it is not archived;
- ``edit`` (rename it): its author while still a member, or a moderator;
- ``delete`` (with all its messages): a moderator, or its author while nobody else has written
  in it.

Starting a thread is the space's ``contribute`` action.

Actions on a ``Post``:

- ``view``: the members of its space;
- ``edit`` and ``delete``: its author while still a member and the space is not archived, or a
  manager of the space (not archived either); a deleted post is changed by nobody.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from entente.core.permissions import Rules, can, register
from entente.spaces.models import Post, Thread
from entente.spaces.permissions import member_role, member_space_ids


@register(Thread)
class ThreadRules(Rules):
    actions = ("view", "reply", "moderate", "edit", "delete")

    def visible(self, user: Any) -> QuerySet:
        return Thread.objects.filter(space_id__in=member_space_ids(user))

    def can_view(self, user: Any, thread: Thread) -> bool:
        return member_role(user, thread.space) is not None

    def can_reply(self, user: Any, thread: Thread) -> bool:
        return not thread.locked and can(user, "contribute", thread.space)

    def can_moderate(self, user: Any, thread: Thread) -> bool:
        return not thread.space.is_archived and can(user, "manage", thread.space)

    def _is_author(self, user: Any, thread: Thread) -> bool:
        return (
            thread.author_id == user.pk
            and not thread.space.is_archived
            and member_role(user, thread.space) is not None
        )

    def can_edit(self, user: Any, thread: Thread) -> bool:
        return self._is_author(user, thread) or self.can_moderate(user, thread)

    def can_delete(self, user: Any, thread: Thread) -> bool:
        if self.can_moderate(user, thread):
            return True
        return (
            self._is_author(user, thread)
            and not thread.posts.exclude(author_id=user.pk).filter(deleted_at__isnull=True).exists()
        )


@register(Post)
class PostRules(Rules):
    actions = ("view", "edit", "delete")

    def visible(self, user: Any) -> QuerySet:
        return Post.objects.filter(thread__space_id__in=member_space_ids(user))

    def can_view(self, user: Any, post: Post) -> bool:
        return member_role(user, post.thread.space) is not None

    def can_edit(self, user: Any, post: Post) -> bool:
        space = post.thread.space
        if post.deleted_at is not None or space.is_archived:
            return False
        if post.author_id == user.pk and member_role(user, space) is not None:
            return True
        return can(user, "manage", space)

    def can_delete(self, user: Any, post: Post) -> bool:
        return self.can_edit(user, post)
