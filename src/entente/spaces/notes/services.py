"""Use cases of the notes of a space: write one, change it (every save kept as a revision,
never over someone else's newer version), restore a revision, delete it.

Every change checks the actor's right through the permission engine and raises
``ValidationError`` with a French message when it breaks a rule; a save over a version the
person did not start from raises ``NoteConflict`` (a ``ValidationError`` with the code
``conflict``) and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from entente.core.permissions import require
from entente.spaces.activity import record_activity
from entente.spaces.models import Activity, ActivityVerb, Note, NoteRevision, Space

#: one « a modifié une note » line per author and note in this window (no flood)
ACTIVITY_WINDOW = dt.timedelta(minutes=10)


class NoteConflict(ValidationError):
    """Someone saved the note after the person opened it: their save is refused."""

    def __init__(self, note: Note) -> None:
        who = note.updated_by.get_full_name() or note.updated_by.email if note.updated_by else ""
        when = date_format(timezone.localtime(note.updated_at), "DATETIME_FORMAT")
        if who:
            message = _(
                "%(who)s a modifié cette note le %(when)s, après que vous l'avez ouverte : "
                "votre version n'est pas enregistrée. Copiez vos changements, rouvrez la note "
                "et reportez-les."
            ) % {"who": who, "when": when}
        else:
            message = _(
                "Quelqu'un a modifié cette note le %(when)s, après que vous l'avez ouverte : "
                "votre version n'est pas enregistrée. Copiez vos changements, rouvrez la note "
                "et reportez-les."
            ) % {"when": when}
        super().__init__(message, code="conflict")
        self.note = note


def note_url(note: Note) -> str:
    return reverse("spaces:note", args=[note.space_id, note.pk])


def version_token(note: Note) -> str:
    """What an edit form carries to say which version it started from."""
    return note.updated_at.isoformat()


def _parse_version(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if not value:
        return None
    try:
        parsed = parse_datetime(str(value).strip())
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return parsed


def _clean(note: Note) -> None:
    note.title = (note.title or "").strip()
    if not note.title:
        raise ValidationError({"title": [_("Donnez un titre à la note.")]})
    note.full_clean(exclude=["space", "created_by", "updated_by"])


def _revise(note: Note, author: Any) -> NoteRevision:
    return NoteRevision.objects.create(note=note, title=note.title, body=note.body, author=author)


def _record(note: Note, actor: Any, verb: str) -> None:
    url = note_url(note)
    if verb == ActivityVerb.NOTE_UPDATED:
        recent = Activity.objects.filter(
            space_id=note.space_id,
            actor_id=actor.pk,
            verb__in=[ActivityVerb.NOTE_CREATED, ActivityVerb.NOTE_UPDATED],
            target_url=url,
            created_at__gte=timezone.now() - ACTIVITY_WINDOW,
        )
        if recent.exists():
            return
    record_activity(note.space, actor, verb, label=note.title, url=url)


@transaction.atomic
def create_note(actor: Any, space: Space, *, title: str, body: str = "") -> Note:
    """A contributor writes a new note in ``space``; its first revision is kept."""
    require(actor, "contribute", space)
    note = Note(
        space=space,
        title=title,
        body=body or "",
        created_by=actor,
        updated_by=actor,
        updated_at=timezone.now(),
    )
    _clean(note)
    note.save()
    _revise(note, actor)
    _record(note, actor, ActivityVerb.NOTE_CREATED)
    return note


def _locked(note: Note) -> Note:
    return (
        Note.objects.select_for_update(of=("self",))
        .select_related("space", "updated_by")
        .get(pk=note.pk)
    )


@transaction.atomic
def update_note(actor: Any, note: Note, *, title: str, body: str, base_version: Any) -> Note:
    """``actor`` saves ``title`` and ``body``, having started from ``base_version`` (the
    ``updated_at`` of the note they opened). If the note changed since, nothing is written
    and ``NoteConflict`` says who changed it."""
    require(actor, "edit", note)
    current = _locked(note)
    if current.deleted_at is not None:
        raise ValidationError(_("Cette note a été supprimée."))
    base = _parse_version(base_version)
    if base is None:
        raise ValidationError(
            _("La version de départ de la note manque : rouvrez la note et réessayez.")
        )
    if current.updated_at != base:
        raise NoteConflict(current)
    current.title = title
    current.body = body or ""
    current.updated_by = actor
    current.updated_at = timezone.now()
    _clean(current)
    current.save(update_fields=["title", "body", "updated_by", "updated_at"])
    _revise(current, actor)
    _record(current, actor, ActivityVerb.NOTE_UPDATED)
    return current


@transaction.atomic
def restore_revision(actor: Any, revision: NoteRevision) -> Note:
    """``actor`` makes an earlier revision the current text again (a new revision, so the
    history keeps everything)."""
    note = revision.note
    require(actor, "edit", note)
    current = _locked(note)
    if current.title == revision.title and current.body == revision.body:
        raise ValidationError(_("Cette version est déjà le texte actuel de la note."))
    return update_note(
        actor,
        current,
        title=revision.title,
        body=revision.body,
        base_version=current.updated_at,
    )


@transaction.atomic
def delete_note(actor: Any, note: Note) -> Note:
    """Put the note aside: nobody sees it any more (its rows stay for the archives)."""
    require(actor, "delete", note)
    note.deleted_at = timezone.now()
    note.save(update_fields=["deleted_at"])
    return note


def line_diff(old: str, new: str, context: int = 2) -> list[dict[str, Any]]:
    """The lines that changed from ``old`` to ``new``, in groups around each change (with
    ``context`` unchanged lines on each side): ``[{"kind": "added"|"removed"|"same",
    "text": …}, …]``, a ``{"kind": "gap"}`` between two groups."""
    import difflib

    a = (old or "").splitlines()
    b = (new or "").splitlines()
    rows: list[dict[str, Any]] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for index, group in enumerate(matcher.get_grouped_opcodes(context)):
        if index:
            rows.append({"kind": "gap", "text": ""})
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows.extend({"kind": "same", "text": line} for line in a[i1:i2])
                continue
            if tag in ("replace", "delete"):
                rows.extend({"kind": "removed", "text": line} for line in a[i1:i2])
            if tag in ("replace", "insert"):
                rows.extend({"kind": "added", "text": line} for line in b[j1:j2])
    return rows
