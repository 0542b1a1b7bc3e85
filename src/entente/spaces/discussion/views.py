"""Pages of the discussion of a space, under ``/espaces/<pk>/discussion/``: its threads (pinned
first, then the most recently active), a new thread, a thread with its messages and the reply
form, editing and deleting a message, pinning and closing a thread.

Only members open them (others get the same 404 as for a missing space); every change goes
through ``services``, which asks the permission engine: a reader, or anyone in an archived
space, gets a 403 for a change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from entente.core.forms import attach_errors
from entente.core.permissions import abilities, get_visible_or_404, require
from entente.spaces.discussion import services
from entente.spaces.discussion.display import decorate_threads, posts_of, threads_of
from entente.spaces.discussion.forms import (
    PostForm,
    ThreadForm,
    ThreadTitleForm,
    attachable_files,
)
from entente.spaces.discussion.mentions import proposed_handles
from entente.spaces.frame import frame, space_or_404
from entente.spaces.models import Post, Space, Thread

#: threads listed per page
PAGE_SIZE = 30
GET_POST = ["GET", "HEAD", "POST"]


def _thread(request: HttpRequest, space: Space, pk: int) -> Thread:
    thread = get_visible_or_404(request.user, Thread, pk=pk, space=space)
    thread.space = space
    return thread


def _post(request: HttpRequest, space: Space, pk: int) -> Post:
    post = get_visible_or_404(request.user, Post, pk=pk, thread__space=space)
    post.thread = _thread(request, space, post.thread_id)
    return post


def _context(request: HttpRequest, space: Space, **extra: Any) -> dict[str, Any]:
    return frame(
        request,
        space,
        "discussion",
        tab_label=_("Discussion"),
        tab_url=reverse("spaces:threads", args=[space.pk]),
        **extra,
    )


def _mentions(space: Space) -> list[tuple[str, Any]]:
    people = services.space_members(space).order_by("last_name", "first_name", "pk")
    return proposed_handles(people)


@login_required
def threads(request: HttpRequest, pk: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    page = Paginator(threads_of(request.user, space), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = decorate_threads(request.user, space, list(page.object_list))
    return render(
        request, "spaces/discussion/threads.html", _context(request, space, page=page, query="")
    )


@login_required
@require_http_methods(GET_POST)
def new_thread(request: HttpRequest, pk: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    require(request.user, "contribute", space)
    form = ThreadForm(request.POST or None, files=attachable_files(request.user, space))
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.start_thread(
                request.user,
                space,
                form.cleaned_data["title"],
                form.cleaned_data["body"],
                form.cleaned_data["attachments"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, _("La discussion « %(title)s » est ouverte.") % {"title": thread}
            )
            return redirect(services.thread_url(thread))
    context = _context(
        request, space, sub_label=_("Nouvelle discussion"), form=form, mentions=_mentions(space)
    )
    return render(request, "spaces/discussion/thread_form.html", context)


def _thread_page(
    request: HttpRequest, space: Space, thread: Thread, form: PostForm | None = None
) -> HttpResponse:
    user = request.user
    rights = abilities(user, thread, seen=True)
    if rights["reply"] and form is None:
        form = PostForm(files=attachable_files(user, space), auto_id="reponse_%s")
    context = _context(
        request,
        space,
        sub_label=thread.title,
        thread=thread,
        posts=posts_of(user, thread),
        rights=rights,
        form=form if rights["reply"] else None,
        mentions=_mentions(space) if rights["reply"] else [],
    )
    return render(request, "spaces/discussion/thread.html", context)


@login_required
def thread(request: HttpRequest, pk: int, thread: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    return _thread_page(request, space, _thread(request, space, thread))


@login_required
@require_POST
def reply(request: HttpRequest, pk: int, thread: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    row = _thread(request, space, thread)
    require(request.user, "reply", row)
    form = PostForm(request.POST, files=attachable_files(request.user, space), auto_id="reponse_%s")
    if form.is_valid():
        try:
            post = services.reply(
                request.user, row, form.cleaned_data["body"], form.cleaned_data["attachments"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Votre réponse est publiée."))
            return redirect(services.post_url(post))
    return _thread_page(request, space, row, form=form)


@login_required
@require_http_methods(GET_POST)
def edit_post(request: HttpRequest, pk: int, post: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    row = _post(request, space, post)
    require(request.user, "edit", row)
    current = list(row.attachments.all())
    form = PostForm(
        request.POST or None,
        initial={"body": row.body, "attachments": [node.pk for node in current]},
        files=attachable_files(request.user, space, keep=current),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_post(
                request.user, row, form.cleaned_data["body"], form.cleaned_data["attachments"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Le message est modifié."))
            return redirect(services.post_url(row))
    context = _context(
        request,
        space,
        sub_label=_("Modifier un message"),
        thread=row.thread,
        post=row,
        form=form,
        mentions=_mentions(space),
    )
    return render(request, "spaces/discussion/post_edit.html", context)


@login_required
@require_http_methods(GET_POST)
def delete_post(request: HttpRequest, pk: int, post: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    row = _post(request, space, post)
    require(request.user, "delete", row)
    if request.method == "POST":
        services.delete_post(request.user, row)
        messages.success(request, _("Le message est supprimé."))
        return redirect(services.post_url(row))
    context = _context(
        request, space, sub_label=_("Supprimer un message"), thread=row.thread, post=row
    )
    return render(request, "spaces/discussion/post_delete.html", context)


@login_required
@require_POST
def pin_thread(request: HttpRequest, pk: int, thread: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    row = services.set_pinned(
        request.user, _thread(request, space, thread), request.POST.get("pinned") == "1"
    )
    if row.pinned:
        messages.success(request, _("La discussion est épinglée en tête de la liste."))
    else:
        messages.success(request, _("La discussion n'est plus épinglée."))
    return redirect(services.thread_url(row))


@login_required
@require_POST
def lock_thread(request: HttpRequest, pk: int, thread: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    row = services.set_locked(
        request.user, _thread(request, space, thread), request.POST.get("locked") == "1"
    )
    if row.locked:
        messages.success(request, _("La discussion est close : plus personne n'y répond."))
    else:
        messages.success(request, _("La discussion est rouverte aux réponses."))
    return redirect(services.thread_url(row))


@login_required
@require_http_methods(GET_POST)
def rename_thread(request: HttpRequest, pk: int, thread: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    row = _thread(request, space, thread)
    require(request.user, "edit", row)
    form = ThreadTitleForm(request.POST or None, initial={"title": row.title})
    if request.method == "POST" and form.is_valid():
        try:
            services.rename_thread(request.user, row, form.cleaned_data["title"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Le sujet de la discussion est changé."))
            return redirect(services.thread_url(row))
    context = _context(request, space, sub_label=_("Renommer"), thread=row, form=form)
    return render(request, "spaces/discussion/thread_rename.html", context)


@login_required
@require_http_methods(GET_POST)
def delete_thread(request: HttpRequest, pk: int, thread: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    row = _thread(request, space, thread)
    require(request.user, "delete", row)
    if request.method == "POST":
        title = row.title
        services.delete_thread(request.user, row)
        messages.success(
            request, _("La discussion « %(title)s » est supprimée.") % {"title": title}
        )
        return redirect("spaces:threads", pk=space.pk)
    context = _context(request, space, sub_label=_("Supprimer"), thread=row)
    return render(request, "spaces/discussion/thread_delete.html", context)
