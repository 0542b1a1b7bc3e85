"""Removing a member ends every door of the space at once: documents, agenda, discussion,
tasks, notes, activity — in the permission engine, the pages and the API alike."""

from __future__ import annotations

import pytest

from entente.calendars import services as agenda
from entente.calendars.models import Calendar
from entente.core.permissions import can, visible
from entente.core.testing import signed_in
from entente.drive import services as drive
from entente.drive.models import Node
from entente.drive.tests.factories import make_file
from entente.spaces import services as spaces
from entente.spaces.discussion import services as discussion
from entente.spaces.models import Note, SpaceRole, Task, Thread
from entente.spaces.notes import services as notes
from entente.spaces.tasks import services as tasks

pytestmark = pytest.mark.django_db


def test_a_removed_member_loses_documents_agenda_threads_tasks_and_notes_at_once(
    agent, other_agent
):
    space = spaces.create_space(agent, name="Voie verte")
    membership = spaces.add_member(agent, space, other_agent, SpaceRole.CONTRIBUTOR)
    document = make_file(agent, drive.space_drive(space).root, "plan.txt")
    calendar = agenda.space_calendar(space)
    thread = discussion.start_thread(agent, space, "Tracé", "Par les berges ?")
    task = tasks.create_task(agent, space, None, "Compter", assignee=other_agent)
    note = notes.create_note(agent, space, title="Charte", body="Principes")
    pages = [
        f"/espaces/{space.pk}/",
        f"/documents/espace/{space.pk}/",
        f"/documents/fichier/{document.pk}/",
        f"/espaces/{space.pk}/discussion/{thread.pk}/",
        f"/espaces/{space.pk}/taches/{task.pk}/",
        f"/espaces/{space.pk}/notes/{note.pk}/",
        f"/espaces/{space.pk}/activite/",
        f"/api/v1/spaces/{space.pk}/threads/{thread.pk}/",
        f"/api/v1/spaces/{space.pk}/tasks/{task.pk}/",
        f"/api/v1/spaces/{space.pk}/notes/{note.pk}/",
    ]
    client = signed_in(other_agent)
    assert [client.get(path).status_code for path in pages] == [200] * len(pages)
    objects = [(document, Node), (calendar, Calendar), (thread, Thread), (task, Task), (note, Note)]
    assert all(can(other_agent, "view", obj) for obj, _model in objects)

    spaces.remove_member(agent, membership)

    for obj, model in objects:
        obj.refresh_from_db()
        assert not can(other_agent, "view", obj), model
        assert obj not in visible(other_agent, model), model
    statuses = [client.get(path).status_code for path in pages]
    assert statuses == [404] * len(pages), statuses  # a private space: not even its name
    assert tasks.tasks_due_for(other_agent).count() == 0
