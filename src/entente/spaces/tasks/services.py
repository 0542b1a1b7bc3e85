"""Use cases of the tasks of a space: lists (create, rename, delete), tasks (create, change,
assign, change status, move, delete), and the open tasks of a person across their spaces.

Every change checks the actor's right through the permission engine (a non-member gets the
same 404 as for a missing row, a reader a 403) and raises ``ValidationError`` with a French
message when the change breaks a rule; nothing is written then.

A list is deleted only when empty, unless ``move_to`` names another list of the same space
that receives its tasks: a task is never lost by deleting its list.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core.permissions import can, require, visible
from entente.notifications.models import NotificationKind
from entente.notifications.services import notify
from entente.spaces.activity import record_activity
from entente.spaces.models import ActivityVerb, Membership, Space, Task, TaskList, TaskStatus


def tasks_url(space: Space) -> str:
    return reverse("spaces:tasks", args=[space.pk])


def task_url(task: Task) -> str:
    return reverse("spaces:task_detail", args=[task.space_id, task.pk])


def _require_contribute(actor: Any, space: Space) -> None:
    """A non-member gets the 404 of a missing space; a reader (or anyone in an archived
    space) the 403 of "not allowed"."""
    if not can(actor, "view_content", space):
        raise Http404
    require(actor, "contribute", space)


def _name(person: Any) -> str:
    return person.get_full_name() or person.email


def _check_assignee(space: Space, assignee: Any) -> None:
    if assignee is None:
        return
    if not (
        getattr(assignee, "is_active", False)
        and Membership.objects.filter(space=space, user_id=assignee.pk).exists()
    ):
        raise ValidationError(
            {"assignee": [_("Cette personne n'est pas membre de l'espace : choisissez un membre.")]}
        )


def _check_list(space: Space, task_list: TaskList) -> None:
    if task_list.space_id != space.pk:
        raise ValidationError({"task_list": [_("Cette liste n'existe pas dans cet espace.")]})


def _check_status(status: str) -> None:
    if status not in TaskStatus.values:
        raise ValidationError({"status": [_("État inconnu : à faire, en cours ou terminée.")]})


def _clean_text(value: str) -> str:
    return (value or "").strip()


def _next_position(queryset: QuerySet) -> int:
    top = queryset.aggregate(top=Max("position"))["top"]
    return 0 if top is None else top + 1


def _announce_assignment(actor: Any, task: Task) -> None:
    """Tell the new assignee (not when they assigned themselves)."""
    if task.assignee is None:
        return
    space = task.space
    body = _("Espace « %(space)s »") % {"space": space.name}
    if task.due_date:
        body += " — " + _("échéance le %(date)s") % {"date": task.due_date.strftime("%d/%m/%Y")}
    notify(
        task.assignee,
        NotificationKind.TASK_ASSIGNED,
        title=_("%(actor)s vous a attribué la tâche « %(title)s »")
        % {"actor": _name(actor), "title": task.title},
        url=task_url(task),
        actor=actor,
        body=body,
        space=space,
    )


# ---------------------------------------------------------------- lists


@transaction.atomic
def create_list(actor: Any, space: Space, name: str) -> TaskList:
    """A contributor adds a list at the end of the space's lists."""
    _require_contribute(actor, space)
    task_list = TaskList(
        space=space,
        name=_clean_text(name),
        position=_next_position(TaskList.objects.filter(space=space)),
    )
    task_list.full_clean()
    task_list.save()
    return task_list


@transaction.atomic
def rename_list(actor: Any, task_list: TaskList, name: str) -> TaskList:
    require(actor, "edit", task_list)
    task_list.name = _clean_text(name)
    task_list.full_clean()
    task_list.save(update_fields=["name"])
    return task_list


@transaction.atomic
def delete_list(actor: Any, task_list: TaskList, move_to: TaskList | None = None) -> int:
    """Delete an empty list; a list with tasks only when ``move_to`` (another list of the
    same space) receives them, after its own. Returns how many tasks moved."""
    require(actor, "delete", task_list)
    tasks = Task.objects.filter(task_list=task_list)
    moved = 0
    if tasks.exists():
        if move_to is None:
            raise ValidationError(
                {
                    "move_to": [
                        _(
                            "Cette liste contient des tâches : choisissez la liste qui les "
                            "reçoit, ou supprimez-les d'abord."
                        )
                    ]
                }
            )
        if move_to.pk == task_list.pk or move_to.space_id != task_list.space_id:
            raise ValidationError(
                {"move_to": [_("Choisissez une autre liste de cet espace pour ses tâches.")]}
            )
        offset = _next_position(Task.objects.filter(task_list=move_to))
        moved = tasks.update(task_list=move_to, position=F("position") + offset)
    task_list.delete()
    return moved


def default_list(actor: Any, space: Space) -> TaskList:
    """The space's first list, made (« Tâches ») when it has none yet."""
    first = TaskList.objects.filter(space=space).order_by("position", "pk").first()
    return first or create_list(actor, space, _("Tâches"))


# ---------------------------------------------------------------- tasks


@transaction.atomic
def create_task(
    actor: Any,
    space: Space,
    task_list: TaskList | None,
    title: str,
    description: str = "",
    assignee: Any = None,
    due_date: datetime.date | None = None,
    status: str = TaskStatus.TODO,
) -> Task:
    """A contributor adds a task at the end of ``task_list`` (the first list of the space,
    made if needed, when None). The assignee, if any, must be a member and is notified."""
    _require_contribute(actor, space)
    if task_list is None:
        task_list = default_list(actor, space)
    _check_list(space, task_list)
    _check_assignee(space, assignee)
    _check_status(status)
    task = Task(
        space=space,
        task_list=task_list,
        title=_clean_text(title),
        description=_clean_text(description),
        assignee=assignee,
        due_date=due_date,
        status=status,
        position=_next_position(Task.objects.filter(task_list=task_list)),
        created_by=actor,
        completed_at=timezone.now() if status == TaskStatus.DONE else None,
    )
    task.full_clean()
    task.save()
    record_activity(space, actor, ActivityVerb.TASK_CREATED, label=task.title, url=task_url(task))
    if assignee is not None:
        _announce_assignment(actor, task)
    return task


_UNSET: Any = object()


@transaction.atomic
def update_task(
    actor: Any,
    task: Task,
    *,
    title: str = _UNSET,
    description: str = _UNSET,
    assignee: Any = _UNSET,
    due_date: datetime.date | None = _UNSET,
    status: str = _UNSET,
    task_list: TaskList = _UNSET,
) -> Task:
    """Change what is given of ``task`` (what is not given stays). A new assignee must be a
    member and is notified; the status follows ``set_status``'s rules."""
    require(actor, "edit", task)
    space = task.space
    changed: list[str] = []
    if title is not _UNSET:
        task.title = _clean_text(title)
        changed.append("title")
    if description is not _UNSET:
        task.description = _clean_text(description)
        changed.append("description")
    if due_date is not _UNSET:
        task.due_date = due_date
        changed.append("due_date")
    reassigned = False
    if assignee is not _UNSET and getattr(assignee, "pk", None) != task.assignee_id:
        _check_assignee(space, assignee)
        task.assignee = assignee
        changed.append("assignee")
        reassigned = assignee is not None
    if task_list is not _UNSET and task_list.pk != task.task_list_id:
        _check_list(space, task_list)
        task.task_list = task_list
        task.position = _next_position(Task.objects.filter(task_list=task_list))
        changed += ["task_list", "position"]
    done_now = False
    if status is not _UNSET and status != task.status:
        _check_status(status)
        done_now = _apply_status(task, status)
        changed += ["status", "completed_at"]
    if not changed:
        return task
    task.full_clean()
    task.save(update_fields=[*changed, "updated_at"])
    if reassigned:
        record_activity(
            space, actor, ActivityVerb.TASK_ASSIGNED, label=task.title, url=task_url(task)
        )
        _announce_assignment(actor, task)
    if done_now:
        record_activity(space, actor, ActivityVerb.TASK_DONE, label=task.title, url=task_url(task))
    return task


def _apply_status(task: Task, status: str) -> bool:
    """Set ``status`` and ``completed_at`` (set when done, cleared when not); True when the
    task has just been done."""
    was_done = task.status == TaskStatus.DONE
    task.status = status
    if status == TaskStatus.DONE:
        if not was_done:
            task.completed_at = timezone.now()
        return not was_done
    task.completed_at = None
    return False


@transaction.atomic
def set_status(actor: Any, task: Task, status: str) -> Task:
    """Move ``task`` to « à faire », « en cours » or « terminée » (which dates it)."""
    require(actor, "edit", task)
    _check_status(status)
    if status == task.status:
        return task
    done_now = _apply_status(task, status)
    task.save(update_fields=["status", "completed_at", "updated_at"])
    if done_now:
        record_activity(
            task.space, actor, ActivityVerb.TASK_DONE, label=task.title, url=task_url(task)
        )
    return task


@transaction.atomic
def move_task(
    actor: Any, task: Task, *, task_list: TaskList | None = None, position: int | None = None
) -> Task:
    """Put ``task`` in ``task_list`` (its own when None) at ``position`` (0 is the top; at
    the end when None); the other tasks of the list shift to make room."""
    require(actor, "edit", task)
    target = task_list or task.task_list
    _check_list(task.space, target)
    if position is not None and position < 0:
        raise ValidationError({"position": [_("La position est un nombre positif.")]})
    others = list(
        Task.objects.filter(task_list=target).exclude(pk=task.pk).order_by("position", "pk")
    )
    index = len(others) if position is None else min(position, len(others))
    others.insert(index, task)
    task.task_list = target
    for number, row in enumerate(others):
        if row.pk == task.pk:
            row.position = number
            continue
        if row.position != number:
            row.position = number
            row.save(update_fields=["position"])
    task.save(update_fields=["task_list", "position", "updated_at"])
    return task


@transaction.atomic
def delete_task(actor: Any, task: Task) -> None:
    require(actor, "delete", task)
    task.delete()


# ---------------------------------------------------------------- a person's tasks


def tasks_due_for(user: Any, until: datetime.date | None = None) -> QuerySet:
    """The open tasks (to do, in progress) assigned to ``user`` in the spaces they belong
    to now, soonest due first (those without a date last); ``until`` keeps those due by
    that day (and drops those without a date)."""
    rows = (
        visible(user, Task)
        .filter(assignee_id=user.pk)
        .exclude(status=TaskStatus.DONE)
        .select_related("space", "task_list")
    )
    if until is not None:
        rows = rows.filter(due_date__lte=until)
    return rows.order_by(F("due_date").asc(nulls_last=True), "pk")


def space_members(space: Space) -> QuerySet:
    """The people who may be given a task of ``space``: its active members, by name."""
    return (
        get_user_model()
        .objects.filter(space_memberships__space=space, is_active=True)
        .order_by("last_name", "first_name", "pk")
    )
