"""Pages of the notes of a space: the list, one note (rendered Markdown), write and change
one (never over someone else's newer version), its history with what changed, one revision,
restore it, delete the note. Members read; contributors write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from entente.core.forms import attach_errors
from entente.core.markdown import plain_excerpt
from entente.core.markdown import render as render_markdown
from entente.core.permissions import can, require
from entente.spaces.frame import frame, space_or_404
from entente.spaces.models import Note, NoteRevision, Space
from entente.spaces.notes import services
from entente.spaces.notes.forms import NoteForm

PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 30


def _notes_url(space: Space) -> str:
    return reverse("spaces:notes", args=[space.pk])


def _frame(request: HttpRequest, space: Space, sub_label: str = "", **extra: Any) -> dict:
    return frame(
        request,
        space,
        "notes",
        tab_label=_("Notes"),
        tab_url=_notes_url(space),
        sub_label=sub_label,
        **extra,
    )


def _note(request: HttpRequest, space: Space, note_pk: int) -> Note:
    """The note ``note_pk`` of ``space`` if the person sees it (else the same 404)."""
    note = (
        Note.objects.filter(space=space, pk=note_pk, deleted_at__isnull=True)
        .select_related("space", "created_by", "updated_by")
        .first()
    )
    if note is None or not can(request.user, "view", note):
        raise Http404
    return note


@login_required
def notes(request: HttpRequest, pk: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    rows = (
        Note.objects.filter(space=space, deleted_at__isnull=True)
        .select_related("updated_by")
        .order_by("title", "pk")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for note in page:
        note.excerpt = plain_excerpt(note.body, 160)
    context = _frame(request, space, page=page)
    return render(request, "spaces/notes/list.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def create(request: HttpRequest, pk: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    require(request.user, "contribute", space)
    form = NoteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            note = services.create_note(
                request.user,
                space,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("La note « %(title)s » est créée.") % {"title": note})
            return redirect(services.note_url(note))
    context = _frame(request, space, _("Nouvelle note"), form=form, note=None)
    return render(request, "spaces/notes/form.html", context)


@login_required
def detail(request: HttpRequest, pk: int, note: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    row = _note(request, space, note)
    context = _frame(
        request,
        space,
        row.title,
        note=row,
        html=render_markdown(row.body, shift_headings=2),
        can_edit=can(request.user, "edit", row),
    )
    return render(request, "spaces/notes/detail.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, pk: int, note: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    row = _note(request, space, note)
    require(request.user, "edit", row)
    conflict = None
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                row = services.update_note(
                    request.user,
                    row,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    base_version=form.cleaned_data["version"],
                )
            except services.NoteConflict as error:
                conflict = error.note
                form.add_error(None, error.messages)
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, _("La note est enregistrée."))
                return redirect(services.note_url(row))
    else:
        form = NoteForm(
            initial={
                "title": row.title,
                "body": row.body,
                "version": services.version_token(row),
            }
        )
    context = _frame(
        request,
        space,
        _("Modifier « %(title)s »") % {"title": row.title},
        form=form,
        note=row,
        conflict=conflict,
        conflict_html=render_markdown(conflict.body, shift_headings=3) if conflict else "",
    )
    return render(request, "spaces/notes/form.html", context)


def _with_previous(revisions: list[NoteRevision], older: NoteRevision | None) -> None:
    """Give each revision (newest first) the count of lines added and removed since the one
    before it (``older`` is the one before the last of the list)."""
    for index, revision in enumerate(revisions):
        previous = revisions[index + 1] if index + 1 < len(revisions) else older
        rows = services.line_diff(previous.body if previous else "", revision.body)
        revision.added = sum(1 for r in rows if r["kind"] == "added")
        revision.removed = sum(1 for r in rows if r["kind"] == "removed")
        revision.renamed = previous is not None and previous.title != revision.title
        revision.is_first = previous is None


@login_required
def history(request: HttpRequest, pk: int, note: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    row = _note(request, space, note)
    page = Paginator(
        row.revisions.select_related("author").order_by("-pk"), HISTORY_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    revisions = list(page)
    older = (
        row.revisions.filter(pk__lt=revisions[-1].pk).order_by("-pk").first() if revisions else None
    )
    _with_previous(revisions, older)
    context = _frame(
        request,
        space,
        _("Historique de « %(title)s »") % {"title": row.title},
        note=row,
        revisions=revisions,
        page=page,
        can_edit=can(request.user, "edit", row),
    )
    return render(request, "spaces/notes/history.html", context)


@login_required
def revision(request: HttpRequest, pk: int, note: int, revision: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    row = _note(request, space, note)
    version = row.revisions.select_related("author").filter(pk=revision).first()
    if version is None:
        raise Http404
    previous = row.revisions.filter(pk__lt=version.pk).order_by("-pk").first()
    is_current = version.title == row.title and version.body == row.body
    context = _frame(
        request,
        space,
        _("Version du %(date)s") % {"date": _date(version)},
        note=row,
        version=version,
        previous=previous,
        diff=services.line_diff(previous.body if previous else "", version.body),
        renamed=previous is not None and previous.title != version.title,
        html=render_markdown(version.body, shift_headings=3),
        is_current=is_current,
        can_edit=can(request.user, "edit", row) and not is_current,
        history_url=reverse("spaces:note_history", args=[space.pk, row.pk]),
    )
    return render(request, "spaces/notes/revision.html", context)


def _date(version: NoteRevision) -> str:
    return date_format(timezone.localtime(version.created_at), "DATETIME_FORMAT")


@login_required
@require_POST
def restore(request: HttpRequest, pk: int, note: int, revision: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    row = _note(request, space, note)
    require(request.user, "edit", row)
    version = row.revisions.filter(pk=revision).first()
    if version is None:
        raise Http404
    try:
        services.restore_revision(request.user, version)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("spaces:note_revision", pk=space.pk, note=row.pk, revision=version.pk)
    messages.success(
        request,
        _("La version du %(date)s est de nouveau le texte de la note.") % {"date": _date(version)},
    )
    return redirect(services.note_url(row))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: HttpRequest, pk: int, note: int) -> HttpResponse:
    space = space_or_404(request, pk, "view_content")
    row = _note(request, space, note)
    require(request.user, "delete", row)
    if request.method == "POST":
        services.delete_note(request.user, row)
        messages.success(request, _("La note « %(title)s » est supprimée.") % {"title": row})
        return redirect(_notes_url(space))
    context = _frame(request, space, _("Supprimer « %(title)s »") % {"title": row.title}, note=row)
    return render(request, "spaces/notes/delete.html", context)
