"""Use cases of the discussion of a space: start a thread, reply, edit and delete a message,
pin and lock a thread. Each checks the actor's right through the permission engine (see
``permissions.py``), raises ``ValidationError`` (French, by field) on bad input and writes
nothing then.

Mentions: ``@prenom.nom`` of a member of the space (``@prenom.nom.ID`` when two members share
a name), accents and case ignored — the full rules are in ``mentions.py``. Only members are
mentioned; each newly mentioned member gets a notification pointing at the message.

Attachments: ids of files (not folders) the actor may open (``can(actor, "view", node)``,
asked as one ``visible`` query); at most ``MAX_ATTACHMENTS`` per message. Whoever reads the
message later sees a link only to the files they may open themselves (``display.py``).

Deleting a message is soft: the row keeps its place in the thread with « Message supprimé »,
but its words, attachments and mentions are erased (what its author wanted gone is gone).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.core.markdown import plain_excerpt
from entente.core.permissions import require, visible
from entente.core.validators import validate_plain_text
from entente.drive.models import Node, NodeKind
from entente.notifications.models import NotificationKind
from entente.notifications.services import notify
from entente.spaces.activity import record_activity
from entente.spaces.discussion.mentions import resolve
from entente.spaces.models import ActivityVerb, Post, Space, Thread

MAX_ATTACHMENTS = 10
TITLE_MAX = Thread._meta.get_field("title").max_length
BODY_MAX = Post._meta.get_field("body").max_length


def thread_url(thread: Thread) -> str:
    return reverse("spaces:thread", kwargs={"pk": thread.space_id, "thread": thread.pk})


def post_url(post: Post) -> str:
    return f"{thread_url(post.thread)}#message-{post.pk}"


def space_members(space: Space) -> QuerySet:
    """The active members of ``space``: the people a message of it may mention."""
    return get_user_model().objects.filter(space_memberships__space=space, is_active=True)


# --- checks of the input ---------------------------------------------------------------------


def _title(title: Any) -> str:
    title = str(title or "").strip()
    if not title:
        raise ValidationError(_("Donnez un sujet à la discussion."))
    if len(title) > TITLE_MAX:
        raise ValidationError(_("Le sujet compte au plus %(max)d caractères.") % {"max": TITLE_MAX})
    validate_plain_text(title)
    return title


def _body(body: Any) -> str:
    body = str(body or "").strip()
    if not body:
        raise ValidationError(_("Écrivez un message."))
    if len(body) > BODY_MAX:
        raise ValidationError(
            _("Un message compte au plus %(max)d caractères.") % {"max": BODY_MAX}
        )
    return body


def _attachments(actor: Any, ids: Iterable[Any], kept: Iterable[int] = ()) -> list[Node]:
    """The files ``ids`` names; those not already attached (``kept``) must be files the actor
    may open."""
    try:
        wanted = {int(pk) for pk in ids}
    except (TypeError, ValueError):
        raise ValidationError(_("Les fichiers joints sont désignés par leur numéro.")) from None
    if len(wanted) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("Joignez au plus %(max)d fichiers à un message.") % {"max": MAX_ATTACHMENTS}
        )
    new = wanted - set(kept)
    if new and visible(actor, Node).filter(pk__in=new, kind=NodeKind.FILE).count() != len(new):
        raise ValidationError(
            _("Un des fichiers joints est introuvable ou vous n'y avez pas accès.")
        )
    return list(Node.objects.filter(pk__in=wanted))


def _checked(**checks: Any) -> dict[str, Any]:
    """Run every ``name=(check, *args)``; all their errors at once, by field."""
    values: dict[str, Any] = {}
    errors: dict[str, Any] = {}
    for name, (check, *args) in checks.items():
        try:
            values[name] = check(*args)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    return values


# --- writing -----------------------------------------------------------------------------------


def _tell_mentioned(actor: Any, post: Post, already: Iterable[int] = ()) -> None:
    """Store whom ``post`` mentions; notify those it did not mention before."""
    thread = post.thread
    people = resolve(post.body, space_members(thread.space))
    post.mentions.set(people)
    before = set(already)
    who = (actor.get_full_name() or actor.email) if actor else ""
    for person in people:
        if person.pk in before:
            continue
        notify(
            person,
            NotificationKind.MENTION,
            title=_("%(actor)s vous a mentionné·e dans « %(thread)s »")
            % {"actor": who, "thread": thread.title},
            url=post_url(post),
            actor=actor,
            body=plain_excerpt(post.body),
            space=thread.space,
        )


def _new_post(actor: Any, thread: Thread, body: str, files: list[Node]) -> Post:
    post = Post.objects.create(thread=thread, author=actor, body=body)
    post.attachments.set(files)
    _tell_mentioned(actor, post)
    return post


@transaction.atomic
def start_thread(
    actor: Any, space: Space, title: str, body: str, attachments: Iterable[Any] = ()
) -> Thread:
    """A contributor of ``space`` opens a thread with its first message."""
    require(actor, "contribute", space)
    values = _checked(
        title=(_title, title), body=(_body, body), attachments=(_attachments, actor, attachments)
    )
    thread = Thread.objects.create(
        space=space, title=values["title"], author=actor, last_post_at=timezone.now()
    )
    _new_post(actor, thread, values["body"], values["attachments"])
    record_activity(
        space, actor, ActivityVerb.THREAD_CREATED, label=thread.title, url=thread_url(thread)
    )
    return thread


@transaction.atomic
def reply(actor: Any, thread: Thread, body: str, attachments: Iterable[Any] = ()) -> Post:
    """A contributor answers in ``thread`` (not locked, space not archived)."""
    require(actor, "reply", thread)
    values = _checked(body=(_body, body), attachments=(_attachments, actor, attachments))
    post = _new_post(actor, thread, values["body"], values["attachments"])
    thread.last_post_at = post.created_at
    thread.save(update_fields=["last_post_at"])
    record_activity(
        thread.space, actor, ActivityVerb.POST_CREATED, label=thread.title, url=post_url(post)
    )
    return post


@transaction.atomic
def edit_post(actor: Any, post: Post, body: str, attachments: Iterable[Any] | None = None) -> Post:
    """Its author (or a manager) changes a message; ``attachments`` None keeps them. Files
    already attached may stay even if the actor cannot open them; new ones must be theirs to
    open. People newly mentioned are told, the others not again."""
    require(actor, "edit", post)
    kept = list(post.attachments.values_list("pk", flat=True))
    checks: dict[str, Any] = {"body": (_body, body)}
    if attachments is not None:
        checks["attachments"] = (_attachments, actor, attachments, kept)
    values = _checked(**checks)
    files = values.get("attachments")
    changed = values["body"] != post.body or (
        files is not None and {f.pk for f in files} != set(kept)
    )
    if not changed:
        return post
    already = list(post.mentions.values_list("pk", flat=True))
    post.body = values["body"]
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "edited_at"])
    if files is not None:
        post.attachments.set(files)
    _tell_mentioned(actor, post, already)
    return post


@transaction.atomic
def delete_post(actor: Any, post: Post) -> Post:
    """Its author (or a manager) deletes a message: « Message supprimé » stays in its place."""
    require(actor, "delete", post)
    post.deleted_at = timezone.now()
    post.body = ""
    post.save(update_fields=["deleted_at", "body"])
    post.attachments.clear()
    post.mentions.clear()
    return post


@transaction.atomic
def set_pinned(actor: Any, thread: Thread, pinned: bool) -> Thread:
    """A manager pins a thread at the top of the list (or unpins it)."""
    require(actor, "moderate", thread)
    thread.pinned = bool(pinned)
    thread.save(update_fields=["pinned"])
    return thread


@transaction.atomic
def set_locked(actor: Any, thread: Thread, locked: bool) -> Thread:
    """A manager closes a thread to replies (or opens it again)."""
    require(actor, "moderate", thread)
    thread.locked = bool(locked)
    thread.save(update_fields=["locked"])
    return thread


@transaction.atomic
def rename_thread(actor: Any, thread: Thread, title: str) -> Thread:
    """Its author (or a manager) changes the subject of a thread."""
    require(actor, "edit", thread)
    thread.title = _title(title)
    thread.save(update_fields=["title"])
    return thread


@transaction.atomic
def delete_thread(actor: Any, thread: Thread) -> None:
    """A manager deletes a thread and all its messages (its author may, while nobody else has
    answered)."""
    require(actor, "delete", thread)
    thread.delete()
