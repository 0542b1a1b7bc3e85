"""Keeps the search index in step with the objects it covers (connected by ``SearchConfig.
ready``): a save refreshes the object's row, a delete removes it, a new version of a file
queues the reading of its text (``tasks.extract_document``) once the transaction commits.

Only words and filters are written here; rights are never copied into the index (see
``services``), so writes made with ``QuerySet.update`` that change who sees what (trash,
restore, membership) need nothing from the index.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from entente.drive.signals import subtree_moved
from entente.search import index
from entente.search.models import Kind

#: the fields of a person the index reads: other saves (last login…) cost nothing
PERSON_FIELDS = {
    "first_name",
    "last_name",
    "email",
    "job_title",
    "mandate",
    "service",
    "organisation",
}


def _person_saved(sender: Any, instance: Any, raw: bool = False, update_fields=None, **_: Any):
    if raw or (update_fields is not None and not PERSON_FIELDS & set(update_fields)):
        return
    index.index_person(instance)


def _people_of(field: str):
    """A renamed organisation or service: the people rows that name it are written again."""

    def receiver(sender: Any, instance: Any, raw: bool = False, created: bool = False, **_):
        if raw or created:
            return
        people = (
            get_user_model()
            .objects.filter(**{field: instance})
            .select_related("organisation", "service")
        )
        for person in people.iterator(chunk_size=500):
            index.index_person(person)

    return receiver


def _saver(builder):
    def receiver(sender: Any, instance: Any, raw: bool = False, **_: Any) -> None:
        if not raw:
            builder(instance)

    return receiver


def _remover(kind: str):
    def receiver(sender: Any, instance: Any, **_: Any) -> None:
        index.remove(kind, instance.pk)

    return receiver


def _node_removed(sender: Any, instance: Any, **_: Any) -> None:
    index.remove(Kind.FOLDER if instance.kind == "folder" else Kind.FILE, instance.pk)


def _version_saved(sender: Any, instance: Any, created: bool = False, raw: bool = False, **_):
    if raw or not created:
        return
    from entente.search import tasks

    node_id = instance.node_id
    transaction.on_commit(lambda: tasks.extract_document.enqueue(node_id))


def _post_changed(sender: Any, instance: Any, raw: bool = False, **_: Any) -> None:
    if raw:
        return
    from entente.spaces.models import Thread

    thread = Thread.objects.filter(pk=instance.thread_id).select_related("space").first()
    if thread is not None:
        index.index_thread(thread)


#: strong references: the receivers are closures
_RECEIVERS: list[Any] = []


def _subtree_moved(sender: Any, node: Any, **_: Any) -> None:
    """A move rewrote the paths with one UPDATE: file every moved item under its new drive
    (its organisation and space filters), keeping the text already read."""
    from entente.drive.models import Node

    moved = Node.objects.filter(path__startswith=node.path).select_related("drive", "parent")
    for item in moved.iterator():
        index.index_node(item)


def connect() -> None:
    from entente.calendars.models import Event
    from entente.drive.models import Node, Version
    from entente.spaces.models import Note, Post, Space, Thread

    user_model = get_user_model()
    pairs = [
        (user_model, _person_saved, _remover(Kind.PERSON)),
        (Space, _saver(index.index_space), _remover(Kind.SPACE)),
        (Node, _saver(index.index_node), _node_removed),
        (Event, _saver(index.index_event), _remover(Kind.EVENT)),
        (Note, _saver(index.index_note), _remover(Kind.NOTE)),
        (Thread, _saver(index.index_thread), _remover(Kind.THREAD)),
    ]
    for model, saved, deleted in pairs:
        _RECEIVERS.extend([saved, deleted])
        post_save.connect(saved, sender=model, dispatch_uid=f"search-save-{model._meta.label}")
        post_delete.connect(
            deleted, sender=model, dispatch_uid=f"search-delete-{model._meta.label}"
        )
    post_save.connect(_version_saved, sender=Version, dispatch_uid="search-version")
    subtree_moved.connect(_subtree_moved, dispatch_uid="search-subtree-moved")
    from entente.directory.models import Service
    from entente.organisations.models import Organisation

    for model, field in ((Organisation, "organisation"), (Service, "service")):
        receiver = _people_of(field)
        _RECEIVERS.append(receiver)
        post_save.connect(receiver, sender=model, dispatch_uid=f"search-people-of-{field}")
    post_save.connect(_post_changed, sender=Post, dispatch_uid="search-post-save")
    post_delete.connect(_post_changed, sender=Post, dispatch_uid="search-post-delete")
