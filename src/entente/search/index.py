"""Filling the search index: one ``SearchEntry`` per person, space, document, event, note and
discussion, written from the object itself (``index_*``), or all at once (``reindex_all``).

What a row says about who may see it is nothing: ``services.search`` asks the permission
engine at query time. So a row only needs refreshing when the words or the filters change.
"""

from __future__ import annotations

import logging
import tempfile
from typing import Any

from django.db import transaction
from django.db.models import Count

from entente.core.markdown import plain_text
from entente.search import extract
from entente.search.models import Kind, SearchEntry

logger = logging.getLogger(__name__)

MAX_BODY_CHARS = extract.MAX_CHARS
MAX_THREAD_POSTS = 200


def _save(kind: str, object_id: int, *, body: str | None = None, **fields: Any) -> None:
    """Create or refresh the row of ``(kind, object_id)``; ``body=None`` keeps the text it has
    (a document renamed keeps the text read from its content)."""
    fields["title"] = (fields.get("title") or "")[:500]
    fields["context"] = (fields.get("context") or "")[:300]
    if body is not None:
        fields["body"] = body[:MAX_BODY_CHARS]
    SearchEntry.objects.update_or_create(kind=kind, object_id=object_id, defaults=fields)


def remove(kind: str, object_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


def _join(*parts: Any) -> str:
    return "\n".join(str(part) for part in parts if part)


# --- one builder per kind -------------------------------------------------------------------


def index_person(user: Any) -> None:
    organisation = user.organisation if user.organisation_id else None
    service = user.service if user.service_id else None
    _save(
        Kind.PERSON,
        user.pk,
        title=user.get_full_name() or user.email,
        body=_join(user.email, user.job_title, user.mandate, service, organisation),
        organisation_id=user.organisation_id,
        space_id=None,
        author_id=None,
        date=None,
        context=" · ".join(str(part) for part in (user.job_title, organisation) if part),
    )


def index_space(space: Any) -> None:
    _save(
        Kind.SPACE,
        space.pk,
        title=space.name,
        body=space.description,
        organisation_id=space.organisation_id,
        space_id=space.pk,
        author_id=space.created_by_id,
        date=space.created_at,
        context=str(space.organisation) if space.organisation_id else "",
    )


def index_node(node: Any, text: str | None = None) -> None:
    """A folder or file (a drive's root is not searched: it is the drive itself). Trashed
    items keep their row: the permission engine hides them, and a restore brings them back."""
    from entente.drive.models import NodeKind

    kind = Kind.FOLDER if node.kind == NodeKind.FOLDER else Kind.FILE
    if node.parent_id is None:
        remove(kind, node.pk)
        return
    drive = node.drive
    parent = node.parent
    _save(
        kind,
        node.pk,
        title=node.name,
        body=text if text is not None else None,
        organisation_id=drive.organisation_id,
        space_id=drive.space_id,
        author_id=node.created_by_id,
        date=node.modified_at,
        context=str(drive) if parent.parent_id is None else parent.name,
    )


def index_event(event: Any) -> None:
    calendar = event.calendar
    _save(
        Kind.EVENT,
        event.pk,
        title=event.title,
        body=_join(event.location, event.description),
        organisation_id=calendar.organisation_id,
        space_id=calendar.space_id,
        author_id=event.organiser_id or event.created_by_id,
        date=event.start,
        context=event.location,
    )


def index_note(note: Any) -> None:
    if note.deleted_at is not None:
        remove(Kind.NOTE, note.pk)
        return
    space = note.space
    _save(
        Kind.NOTE,
        note.pk,
        title=note.title,
        body=plain_text(note.body),
        organisation_id=space.organisation_id,
        space_id=space.pk,
        author_id=note.created_by_id,
        date=note.updated_at,
        context=space.name,
    )


def index_thread(thread: Any) -> None:
    space = thread.space
    bodies = (
        thread.posts.filter(deleted_at__isnull=True)
        .order_by("created_at")
        .values_list("body", flat=True)[:MAX_THREAD_POSTS]
    )
    _save(
        Kind.THREAD,
        thread.pk,
        title=thread.title,
        body="\n".join(plain_text(body) for body in bodies),
        organisation_id=space.organisation_id,
        space_id=space.pk,
        author_id=thread.author_id,
        date=thread.last_post_at,
        context=space.name,
    )


# --- the text of a file's content -------------------------------------------------------------


def node_text(node: Any) -> str:
    """The text of the current content of the file ``node`` ("" for a folder, an empty or
    quarantined file, a format not read, or a file too large)."""
    from entente.drive import blobstore
    from entente.drive.models import NodeKind, ScanStatus

    version = node.current_version
    if node.kind != NodeKind.FILE or version is None or node.scan_status == ScanStatus.INFECTED:
        return ""
    kind = extract.kind_of(node.name, node.mime_type)
    if kind is None:
        return ""
    blob = version.blob
    if kind == "text":
        end = min(blob.size, extract.MAX_TEXT_BYTES) - 1
    elif blob.size > extract.MAX_FILE_BYTES:
        return ""
    else:
        end = blob.size - 1
    if end < 0:
        return ""
    with tempfile.SpooledTemporaryFile(max_size=2 * 1024 * 1024) as buffer:
        try:
            for chunk in blobstore.read(blob, 0, end):
                buffer.write(chunk)
        except OSError:
            logger.warning("contenu introuvable pour le document %s", node.pk)
            return ""
        buffer.seek(0)
        return extract.extract_text(buffer, node.name, node.mime_type)


def refresh_node_text(node_id: int) -> None:
    """Read the text of a file's current content into its row (a background task's work)."""
    from entente.drive.models import Node

    node = (
        Node.objects.filter(pk=node_id)
        .select_related("drive", "parent", "current_version__blob")
        .first()
    )
    if node is None:
        remove(Kind.FILE, node_id)
        return
    try:
        text = node_text(node)
    except Exception:  # storage unreachable…: the name stays searchable, a reindex retries
        logger.warning("texte non lu pour le document %s", node_id, exc_info=True)
        text = ""
    index_node(node, text=text)


# --- everything ---------------------------------------------------------------------------------


def reindex_all(*, with_content: bool = True) -> dict[str, int]:
    """Rebuild the whole index from the objects; ``with_content=False`` keeps the text read
    from files before (quicker: no file is opened). Returns the number of rows per kind."""
    from django.contrib.auth import get_user_model

    from entente.calendars.models import Event
    from entente.drive.models import Node
    from entente.spaces.models import Note, Space, Thread

    kept_text: dict[int, str] = {}
    if not with_content:
        kept_text = dict(
            SearchEntry.objects.filter(kind=Kind.FILE).values_list("object_id", "body")
        )
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        for user in get_user_model().objects.select_related("organisation", "service"):
            index_person(user)
        for space in Space.objects.select_related("organisation"):
            index_space(space)
        nodes = Node.objects.filter(parent__isnull=False).select_related(
            "drive__organisation", "drive__space", "drive__user", "parent", "current_version__blob"
        )
        for node in nodes.iterator(chunk_size=500):
            text = node_text(node) if with_content else kept_text.get(node.pk, "")
            index_node(node, text=text)
        for event in Event.objects.select_related("calendar").iterator(chunk_size=500):
            index_event(event)
        for note in Note.objects.filter(deleted_at__isnull=True).select_related("space"):
            index_note(note)
        for thread in Thread.objects.select_related("space"):
            index_thread(thread)
    counts = dict.fromkeys(Kind.values, 0)
    for row in SearchEntry.objects.values("kind").annotate(rows=Count("pk")):
        counts[row["kind"]] = row["rows"]
    return counts
