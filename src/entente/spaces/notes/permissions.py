"""Permission rules of the notes of a space.

Actions on a ``Note``:

- ``view`` (read it, its history and its revisions): the members of its space; a deleted
  note is seen by nobody;
- ``edit`` (change it, restore one of its revisions) and ``delete``: whoever may
  ``contribute`` to its space (contributors and above, while the space is not archived).

Creating a note is the space's ``contribute`` action.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from entente.core.permissions import Rules, can, register
from entente.spaces.models import Note
from entente.spaces.permissions import member_space_ids


@register(Note)
class NoteRules(Rules):
    actions = ("view", "edit", "delete")

    def visible(self, user: Any) -> QuerySet:
        return Note.objects.filter(space_id__in=member_space_ids(user), deleted_at__isnull=True)

    def can_view(self, user: Any, note: Note) -> bool:
        return note.deleted_at is None and can(user, "view_content", note.space)

    def can_edit(self, user: Any, note: Note) -> bool:
        return note.deleted_at is None and can(user, "contribute", note.space)

    def can_delete(self, user: Any, note: Note) -> bool:
        return self.can_edit(user, note)
