"""Pages of the tasks of a space under ``/espaces/<pk>/taches/``: the lists and their tasks
(filtered by « mes tâches » or by status), the board by status, a task (see, change, move,
delete), a list (rename, delete). Every page works without JavaScript: plain forms posted,
then a redirect with a message. Members see; contributors change (not in an archived
space); a non-member gets the 404 of a missing page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from entente.core.forms import attach_errors
from entente.core.permissions import get_visible_or_404, require, visible
from entente.spaces.frame import frame, space_or_404
from entente.spaces.models import Space, Task, TaskList, TaskStatus
from entente.spaces.tasks import services
from entente.spaces.tasks.forms import (
    DeleteListForm,
    FilterForm,
    MoveForm,
    QuickTaskForm,
    StatusForm,
    TaskForm,
    TaskListForm,
)

#: the board's columns, in order
COLUMNS = [TaskStatus.TODO, TaskStatus.DOING, TaskStatus.DONE]


def _task(request: HttpRequest, space: Space, task_pk: int) -> Task:
    task = (
        visible(request.user, Task)
        .select_related("task_list", "assignee", "created_by")
        .filter(pk=task_pk, space=space)
        .first()
    )
    if task is None:
        raise Http404
    task.space = space  # the one already fetched: its cached role answers the rights
    return task


def _task_list(request: HttpRequest, space: Space, list_pk: int) -> TaskList:
    task_list = get_visible_or_404(request.user, TaskList, pk=list_pk, space=space)
    task_list.space = space
    return task_list


def _decorate(tasks: list[Task], today: Any) -> list[Task]:
    """What the templates show of each task, computed once."""
    for task in tasks:
        task.is_done = task.status == TaskStatus.DONE
        task.overdue = bool(task.due_date and not task.is_done and task.due_date < today)
        task.due_today = bool(task.due_date and not task.is_done and task.due_date == today)
    return tasks


def _filtered(request: HttpRequest, space: Space) -> tuple[FilterForm, QuerySet]:
    form = FilterForm(request.GET or None)
    rows = (
        visible(request.user, Task)
        .filter(space=space)
        .select_related("assignee")
        .order_by("position", "pk")
    )
    if form.is_valid():
        if form.cleaned_data["mes"]:
            rows = rows.filter(assignee_id=request.user.pk)
        state = form.cleaned_data["etat"]
        if state == "ouvertes":
            rows = rows.exclude(status=TaskStatus.DONE)
        elif state:
            rows = rows.filter(status=state)
    return form, rows


def _tabs(space: Space) -> dict[str, str]:
    return {"tab_label": _("Tâches"), "tab_url": services.tasks_url(space)}


def _render_tasks(
    request: HttpRequest,
    space: Space,
    quick_form: QuickTaskForm | None = None,
    list_form: TaskListForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = frame(request, space, "tasks", **_tabs(space))
    filter_form, rows = _filtered(request, space)
    lists = list(
        TaskList.objects.filter(space=space)
        .order_by("position", "pk")
        .prefetch_related(Prefetch("tasks", queryset=rows, to_attr="shown"))
    )
    today = timezone.localdate()
    for task_list in lists:
        _decorate(task_list.shown, today)
    context.update(
        {
            "lists": lists,
            "filter_form": filter_form,
            "filtering": filter_form.is_valid() and any(filter_form.cleaned_data.values()),
            "shown_count": sum(len(task_list.shown) for task_list in lists),
            "quick_form": quick_form or QuickTaskForm(space=space),
            "list_form": list_form or TaskListForm(),
            "status_choices": TaskStatus.choices,
        }
    )
    return render(request, "spaces/tasks/index.html", context, status=status)


@login_required
def tasks(request: HttpRequest, pk: int) -> HttpResponse:
    """The space's lists, each with its tasks."""
    return _render_tasks(request, space_or_404(request, pk, "view_content"))


@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    """The tasks by status, in three columns; each card moves with a plain form."""
    space = space_or_404(request, pk, "view_content")
    context = frame(request, space, "tasks", **_tabs(space), sub_label=_("Tableau"))
    filter_form, rows = _filtered(request, space)
    cards = _decorate(
        list(rows.select_related("task_list").order_by("task_list__position", "position", "pk")),
        timezone.localdate(),
    )
    columns = []
    for value in COLUMNS:
        column_cards = [card for card in cards if card.status == value]
        columns.append({"value": value, "label": TaskStatus(value).label, "cards": column_cards})
    context.update(
        {
            "columns": columns,
            "filter_form": filter_form,
            "status_choices": TaskStatus.choices,
            "has_lists": TaskList.objects.filter(space=space).exists(),
        }
    )
    return render(request, "spaces/tasks/board.html", context)


# ---------------------------------------------------------------- lists


@login_required
@require_POST
def list_create(request: HttpRequest, pk: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    require(request.user, "contribute", space)
    form = TaskListForm(request.POST)
    if form.is_valid():
        try:
            task_list = services.create_list(request.user, space, form.cleaned_data["name"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("La liste « %(name)s » est créée.") % {"name": task_list})
            return redirect(f"{services.tasks_url(space)}#liste-{task_list.pk}")
    return _render_tasks(request, space, list_form=form, status=400)


def _render_list_edit(
    request: HttpRequest,
    space: Space,
    task_list: TaskList,
    form: TaskListForm | None = None,
    delete_form: DeleteListForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = frame(request, space, "tasks", **_tabs(space), sub_label=task_list.name)
    context.update(
        {
            "task_list": task_list,
            "task_count": task_list.tasks.count(),
            "form": form or TaskListForm(initial={"name": task_list.name}),
            "delete_form": delete_form or DeleteListForm(task_list=task_list),
        }
    )
    return render(request, "spaces/tasks/list_edit.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def list_edit(request: HttpRequest, pk: int, list_pk: int) -> HttpResponse:
    """Rename a list (the page also offers to delete it)."""
    space = space_or_404(request, pk, "view_content")
    task_list = _task_list(request, space, list_pk)
    require(request.user, "edit", task_list)
    if request.method != "POST":
        return _render_list_edit(request, space, task_list)
    form = TaskListForm(request.POST)
    if form.is_valid():
        try:
            services.rename_list(request.user, task_list, form.cleaned_data["name"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, _("La liste s'appelle maintenant « %(name)s ».") % {"name": task_list.name}
            )
            return redirect(f"{services.tasks_url(space)}#liste-{task_list.pk}")
    return _render_list_edit(request, space, task_list, form=form, status=400)


@login_required
@require_POST
def list_delete(request: HttpRequest, pk: int, list_pk: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    task_list = _task_list(request, space, list_pk)
    require(request.user, "delete", task_list)
    form = DeleteListForm(request.POST, task_list=task_list)
    if form.is_valid():
        try:
            moved = services.delete_list(request.user, task_list, form.cleaned_data["move_to"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            if moved:
                messages.success(
                    request,
                    _("La liste est supprimée ; ses tâches sont dans « %(name)s ».")
                    % {"name": form.cleaned_data["move_to"]},
                )
            else:
                messages.success(request, _("La liste est supprimée."))
            return redirect(services.tasks_url(space))
    return _render_list_edit(request, space, task_list, delete_form=form, status=400)


# ---------------------------------------------------------------- tasks


def _render_create(
    request: HttpRequest, space: Space, form: TaskForm, status: int = 200
) -> HttpResponse:
    context = frame(request, space, "tasks", **_tabs(space), sub_label=_("Nouvelle tâche"))
    context["form"] = form
    return render(request, "spaces/tasks/task_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new task: the full form (GET, or POST of it) or the one-line quick add
    (``rapide=1``, a title and a list)."""
    space = space_or_404(request, pk, "view_content")
    require(request.user, "contribute", space)
    if request.method != "POST":
        initial = {"status": TaskStatus.TODO}
        if request.GET.get("liste", "").isdigit():
            initial["task_list"] = int(request.GET["liste"])
        return _render_create(request, space, TaskForm(space=space, initial=initial))
    quick = request.POST.get("rapide") == "1"
    form: QuickTaskForm | TaskForm = (
        QuickTaskForm(request.POST, space=space) if quick else TaskForm(request.POST, space=space)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            task = services.create_task(
                request.user,
                space,
                data.get("task_list"),
                data["title"],
                description=data.get("description", ""),
                assignee=data.get("assignee"),
                due_date=data.get("due_date"),
                status=data.get("status") or TaskStatus.TODO,
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("La tâche « %(title)s » est ajoutée.") % {"title": task})
            if quick:
                return redirect(f"{services.tasks_url(space)}#tache-{task.pk}")
            return redirect(services.task_url(task))
    if quick:
        return _render_tasks(request, space, quick_form=form, status=400)
    return _render_create(request, space, form, status=400)


def _render_detail(
    request: HttpRequest, space: Space, task: Task, form: TaskForm | None = None, status: int = 200
) -> HttpResponse:
    context = frame(request, space, "tasks", **_tabs(space), sub_label=task.title)
    _decorate([task], timezone.localdate())
    can_edit = context["can_contribute"]
    context.update(
        {
            "task": task,
            "can_edit": can_edit,
            "form": form or (TaskForm.for_task(task) if can_edit else None),
            "move_form": MoveForm(
                space=space, initial={"task_list": task.task_list_id}, auto_id="deplacer_%s"
            ),
            "status_choices": TaskStatus.choices,
        }
    )
    return render(request, "spaces/tasks/task_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def task_detail(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """A task: its details; for contributors, the form that changes it (POST here)."""
    space = space_or_404(request, pk, "view_content")
    task = _task(request, space, task_pk)
    if request.method != "POST":
        return _render_detail(request, space, task)
    require(request.user, "edit", task)
    form = TaskForm(request.POST, space=space)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_task(
                request.user,
                task,
                title=data["title"],
                description=data["description"],
                assignee=data["assignee"],
                due_date=data["due_date"],
                status=data["status"],
                task_list=data["task_list"],
            )
        except ValidationError as error:
            attach_errors(form, error)
            task.refresh_from_db()
        else:
            messages.success(request, _("La tâche est enregistrée."))
            return redirect(services.task_url(task))
    return _render_detail(request, space, task, form=form, status=400)


def _back(space: Space, task: Task, where: str) -> str:
    if where == "tableau":
        return f"{reverse('spaces:tasks_board', args=[space.pk])}#carte-{task.pk}"
    if where == "tache":
        return services.task_url(task)
    return f"{services.tasks_url(space)}#tache-{task.pk}"


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def task_status(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """Change a task's status: the « Déplacer vers… » of the board and of the list. Answers
    JSON to the board's script (``Accept: application/json``), a redirect otherwise."""
    space = space_or_404(request, pk, "view_content")
    task = _task(request, space, task_pk)
    require(request.user, "edit", task)
    form = StatusForm(request.POST)
    if not form.is_valid():
        message = " ".join(form.errors.get("status", [])) or _("Choisissez un état.")
        if _wants_json(request):
            return JsonResponse({"code": "invalid", "detail": message}, status=400)
        messages.error(request, message)
        return redirect(_back(space, task, request.POST.get("retour", "")))
    services.set_status(request.user, task, form.cleaned_data["status"])
    message = _("« %(title)s » : %(status)s.") % {
        "title": task.title,
        "status": task.get_status_display().lower(),
    }
    if _wants_json(request):
        return JsonResponse({"status": task.status, "detail": message})
    messages.success(request, message)
    return redirect(_back(space, task, form.cleaned_data["retour"]))


@login_required
@require_POST
def task_move(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    """Put a task in another list, or at another place in its own."""
    space = space_or_404(request, pk, "view_content")
    task = _task(request, space, task_pk)
    require(request.user, "edit", task)
    form = MoveForm(request.POST, space=space)
    if form.is_valid():
        position = form.cleaned_data["position"]
        services.move_task(
            request.user,
            task,
            task_list=form.cleaned_data["task_list"],
            position=None if position is None else position - 1,
        )
        messages.success(
            request,
            _("« %(title)s » est dans la liste « %(name)s ».")
            % {"title": task.title, "name": task.task_list.name},
        )
        return redirect(_back(space, task, form.cleaned_data["retour"]))
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(_back(space, task, request.POST.get("retour", "tache")))


@login_required
@require_POST
def task_delete(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    task = _task(request, space, task_pk)
    require(request.user, "delete", task)
    title = task.title
    services.delete_task(request.user, task)
    messages.success(request, _("La tâche « %(title)s » est supprimée.") % {"title": title})
    return redirect(services.tasks_url(space))
