"""Tasks of a space, use cases: who may change what, assignment to members only (notified,
recorded), status and completion date, moves, list deletion, a person's open tasks."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from entente.accounts.tests.factories import UserFactory
from entente.core.permissions import can, visible
from entente.notifications.models import Notification, NotificationKind
from entente.spaces import services as space_services
from entente.spaces.models import Activity, ActivityVerb, SpaceRole, Task, TaskList, TaskStatus
from entente.spaces.tasks import services
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(org, agent):
    space = SpaceFactory(name="Projet école", organisation=org)
    add(space, agent, SpaceRole.OWNER)
    return space


@pytest.fixture
def task_list(space, agent):
    return services.create_list(agent, space, "Travaux")


def test_a_contributor_creates_and_assigns_a_task_the_assignee_is_notified(
    space, task_list, agent, other_agent
):
    add(space, other_agent, SpaceRole.CONTRIBUTOR)
    due = datetime.date(2026, 12, 1)

    task = services.create_task(
        agent, space, task_list, "  Réserver la salle ", assignee=other_agent, due_date=due
    )

    assert task.title == "Réserver la salle" and task.status == TaskStatus.TODO
    note = Notification.objects.get(recipient=other_agent)
    assert note.kind == NotificationKind.TASK_ASSIGNED
    assert "Réserver la salle" in note.title and note.actor == agent and note.space == space
    assert note.url == f"/espaces/{space.pk}/taches/{task.pk}/"
    assert Activity.objects.filter(space=space, verb=ActivityVerb.TASK_CREATED).count() == 1


def test_assigning_oneself_notifies_nobody(space, task_list, agent):
    task = services.create_task(agent, space, task_list, "Relire", assignee=agent)

    assert task.assignee == agent
    assert not Notification.objects.exists()


def test_a_task_cannot_go_to_someone_outside_the_space(space, task_list, agent, other_agent):
    with pytest.raises(ValidationError) as error:
        services.create_task(agent, space, task_list, "Secret", assignee=other_agent)

    assert "membre" in str(error.value.message_dict["assignee"])
    assert not Task.objects.exists()
    assert not Notification.objects.exists() and not Activity.objects.exists()


def test_reassigning_to_a_non_member_changes_nothing(space, task_list, agent, other_agent):
    task = services.create_task(agent, space, task_list, "Relire")

    with pytest.raises(ValidationError):
        services.update_task(agent, task, title="Autre", assignee=other_agent)

    task.refresh_from_db()
    assert task.title == "Relire" and task.assignee is None


def test_reassignment_notifies_and_records(space, task_list, agent, other_agent):
    add(space, other_agent, SpaceRole.READER)
    task = services.create_task(agent, space, task_list, "Relire")

    services.update_task(agent, task, assignee=other_agent)

    assert Notification.objects.filter(recipient=other_agent).count() == 1
    assert Activity.objects.filter(verb=ActivityVerb.TASK_ASSIGNED).count() == 1
    # the same assignee again: nothing new
    services.update_task(agent, task, assignee=other_agent)
    assert Notification.objects.filter(recipient=other_agent).count() == 1


def test_done_dates_the_task_and_going_back_clears_it(space, task_list, agent):
    task = services.create_task(agent, space, task_list, "Relire")

    services.set_status(agent, task, TaskStatus.DONE)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_at is not None
    assert Activity.objects.filter(verb=ActivityVerb.TASK_DONE).count() == 1

    services.set_status(agent, task, TaskStatus.DOING)
    task.refresh_from_db()
    assert task.status == TaskStatus.DOING and task.completed_at is None

    with pytest.raises(ValidationError):
        services.set_status(agent, task, "perdu")


@pytest.mark.parametrize("role", [SpaceRole.READER, None])
def test_readers_and_outsiders_change_nothing(space, task_list, agent, other_agent, role):
    task = services.create_task(agent, space, task_list, "Relire")
    if role:
        add(space, other_agent, role)
    refused = PermissionDenied if role else Http404

    with pytest.raises(refused):
        services.create_task(other_agent, space, task_list, "Intrus")
    with pytest.raises(refused):
        services.create_list(other_agent, space, "Intrus")
    with pytest.raises(refused):
        services.set_status(other_agent, task, TaskStatus.DONE)
    with pytest.raises(refused):
        services.move_task(other_agent, task, position=0)
    with pytest.raises(refused):
        services.delete_task(other_agent, task)
    assert Task.objects.count() == 1 and TaskList.objects.count() == 1
    assert can(other_agent, "view", task) is bool(role)


def test_an_archived_space_is_read_only(space, task_list, agent):
    task = services.create_task(agent, space, task_list, "Relire")
    space_services.archive_space(agent, space, True)
    space.refresh_from_db()

    with pytest.raises(PermissionDenied):
        services.set_status(agent, Task.objects.get(pk=task.pk), TaskStatus.DONE)
    with pytest.raises(PermissionDenied):
        services.create_task(agent, space, task_list, "Encore")


def test_a_list_of_another_space_is_refused(space, agent, org):
    elsewhere = SpaceFactory(organisation=org)
    add(elsewhere, agent, SpaceRole.OWNER)
    foreign = services.create_list(agent, elsewhere, "Ailleurs")

    with pytest.raises(ValidationError):
        services.create_task(agent, space, foreign, "Perdue")
    assert not Task.objects.exists()


def test_the_first_task_makes_a_default_list(space, agent):
    task = services.create_task(agent, space, None, "Première")

    assert task.task_list.name == "Tâches" and task.task_list.space == space


def test_move_within_and_across_lists(space, task_list, agent):
    other = services.create_list(agent, space, "Communication")
    a, b, c = (services.create_task(agent, space, task_list, name) for name in "ABC")

    services.move_task(agent, c, position=0)
    assert list(task_list.tasks.order_by("position").values_list("title", flat=True)) == [
        "C",
        "A",
        "B",
    ]
    services.move_task(agent, a, task_list=other)
    assert a.task_list == other
    assert list(other.tasks.values_list("title", flat=True)) == ["A"]


def test_a_list_with_tasks_is_deleted_only_into_another(space, task_list, agent):
    other = services.create_list(agent, space, "Communication")
    services.create_task(agent, space, task_list, "Relire")

    with pytest.raises(ValidationError):
        services.delete_list(agent, task_list)
    assert TaskList.objects.filter(pk=task_list.pk).exists()

    assert services.delete_list(agent, task_list, move_to=other) == 1
    assert not TaskList.objects.filter(pk=task_list.pk).exists()
    assert other.tasks.count() == 1
    services.delete_list(agent, services.create_list(agent, space, "Vide"))


def test_tasks_due_for_lists_my_open_tasks_of_my_spaces_only(space, task_list, agent, org):
    colleague = UserFactory(organisation=org)
    add(space, colleague, SpaceRole.CONTRIBUTOR)
    today = timezone.localdate()
    later = services.create_task(
        agent, space, task_list, "Plus tard", assignee=colleague, due_date=today.replace(year=2099)
    )
    soon = services.create_task(
        agent, space, task_list, "Bientôt", assignee=colleague, due_date=today
    )
    undated = services.create_task(agent, space, task_list, "Un jour", assignee=colleague)
    done = services.create_task(agent, space, task_list, "Fait", assignee=colleague)
    services.set_status(agent, done, TaskStatus.DONE)
    services.create_task(agent, space, task_list, "À moi", assignee=agent)

    assert list(services.tasks_due_for(colleague)) == [soon, later, undated]
    assert list(services.tasks_due_for(colleague, until=today)) == [soon]

    # removed from the space: those tasks are no longer theirs to see
    space.memberships.get(user=colleague).delete()
    assert list(services.tasks_due_for(colleague)) == []
    assert not visible(colleague, Task).exists()
