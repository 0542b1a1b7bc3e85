"""Permission rules for the tasks of a space.

Actions on a ``TaskList`` and on a ``Task``:

- ``view``: the members of its space (any role; a former member loses it at once);
- ``edit`` (rename a list; change a task, its assignee, its status, move it): the members
  who may ``contribute`` to the space — contributors, managers and owners — while the space
  is not archived;
- ``delete``: the same people.

Creating a list or a task is ``contribute`` on the space itself (see
``entente.spaces.permissions``). Rows are visible only in the spaces the person belongs to.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from entente.core.permissions import Rules, can, register
from entente.spaces.models import Task, TaskList
from entente.spaces.permissions import member_role, member_space_ids


class _SpaceContentRules(Rules):
    actions = ("view", "edit", "delete")

    def visible(self, user: Any) -> QuerySet:
        return self.model._default_manager.filter(space_id__in=member_space_ids(user))

    def can_view(self, user: Any, obj: Any) -> bool:
        return member_role(user, obj.space) is not None

    def can_edit(self, user: Any, obj: Any) -> bool:
        return can(user, "contribute", obj.space)

    def can_delete(self, user: Any, obj: Any) -> bool:
        return can(user, "contribute", obj.space)


@register(TaskList)
class TaskListRules(_SpaceContentRules):
    pass


@register(Task)
class TaskRules(_SpaceContentRules):
    pass
