"""Collaborative spaces: a project's people, from any organisation, and what they share."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.validators import validate_plain_text


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Privé : visible de ses seuls membres")
    TERRITORY = "territory", _("Visible du territoire : on y entre sur invitation")
    OPEN = "open", _("Ouvert : chacun peut demander à y entrer")


class SpaceRole(models.TextChoices):
    OWNER = "owner", _("Propriétaire")
    MANAGER = "manager", _("Gestionnaire")
    CONTRIBUTOR = "contributor", _("Contributeur")
    READER = "reader", _("Lecteur")


#: roles, weakest first
ROLE_ORDER = [SpaceRole.READER, SpaceRole.CONTRIBUTOR, SpaceRole.MANAGER, SpaceRole.OWNER]


def role_rank(role: str | None) -> int:
    return ROLE_ORDER.index(role) + 1 if role else 0


class Space(models.Model):
    """A project's room: members from several organisations, their documents and agenda."""

    name = models.CharField(_("nom"), max_length=150, validators=[validate_plain_text])
    description = models.TextField(_("description"), blank=True, max_length=2000)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation propriétaire"),
        on_delete=models.PROTECT,
        related_name="spaces",
    )
    visibility = models.CharField(
        _("visibilité"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(_("archivé le"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("espace")
        verbose_name_plural = _("espaces")

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Membership(models.Model):
    """One person's place in a space, with a role."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_memberships"
    )
    role = models.CharField(_("rôle"), max_length=12, choices=SpaceRole.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: when the member last opened the space's activity (what came after is "unread")
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["space", "user__last_name", "user__first_name"]
        verbose_name = _("membre d'un espace")
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="space_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ∈ {self.space} ({self.role})"


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")


class JoinRequest(models.Model):
    """Someone of the territory asks to enter an open space; a manager accepts or refuses."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_join_requests"
    )
    message = models.TextField(_("message"), blank=True, max_length=1000)
    status = models.CharField(
        max_length=10, choices=JoinRequestStatus.choices, default=JoinRequestStatus.PENDING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande d'adhésion")
        constraints = [
            models.UniqueConstraint(
                fields=["space", "user"],
                condition=models.Q(status="pending"),
                name="space_join_request_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.space} ({self.status})"


# ---------------------------------------------------------------- discussion


class Thread(models.Model):
    """A conversation of a space: a subject and its posts (the first post opens it)."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(_("sujet"), max_length=200, validators=[validate_plain_text])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    #: the date of the last post, for "most recently active first"
    last_post_at = models.DateTimeField(db_index=True)
    pinned = models.BooleanField(_("épinglé"), default=False)
    locked = models.BooleanField(_("clos"), default=False)

    class Meta:
        ordering = ["-pinned", "-last_post_at"]
        verbose_name = _("fil de discussion")
        verbose_name_plural = _("fils de discussion")

    def __str__(self) -> str:
        return self.title


class Post(models.Model):
    """One message of a thread, written in Markdown (rendered safely, never as raw HTML)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("message"), max_length=20000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    mentions = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="space_mentions"
    )
    #: files of the drive attached to the message (each still checked on every read)
    attachments = models.ManyToManyField("drive.Node", blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")

    def __str__(self) -> str:
        return f"{self.thread} #{self.pk}"


# ---------------------------------------------------------------- tasks


class TaskStatus(models.TextChoices):
    TODO = "todo", _("À faire")
    DOING = "doing", _("En cours")
    DONE = "done", _("Terminée")


class TaskList(models.Model):
    """A named list of tasks of a space ("Préparation du comité", "Travaux")."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="task_lists")
    name = models.CharField(_("nom"), max_length=150, validators=[validate_plain_text])
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("liste de tâches")

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="tasks")
    task_list = models.ForeignKey(TaskList, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("intitulé"), max_length=200, validators=[validate_plain_text])
    description = models.TextField(_("description"), blank=True, max_length=10000)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attribuée à"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="space_tasks",
    )
    due_date = models.DateField(_("échéance"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("état"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.TODO
    )
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("tâche")
        indexes = [models.Index(fields=["assignee", "status", "due_date"])]

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------- notes


class Note(models.Model):
    """A Markdown page of a space; every save keeps a revision."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="notes")
    title = models.CharField(_("titre"), max_length=200, validators=[validate_plain_text])
    body = models.TextField(_("contenu"), blank=True, max_length=200000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("note")

    def __str__(self) -> str:
        return self.title


class NoteRevision(models.Model):
    note = models.ForeignKey(Note, on_delete=models.CASCADE, related_name="revisions")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("version de note")

    def __str__(self) -> str:
        return f"{self.title} ({self.created_at:%Y-%m-%d %H:%M})"


# ---------------------------------------------------------------- activity


class ActivityVerb(models.TextChoices):
    SPACE_CREATED = "space.created", _("a créé l'espace")
    MEMBER_JOINED = "member.joined", _("a rejoint l'espace")
    MEMBER_ADDED = "member.added", _("a ajouté un membre")
    MEMBER_LEFT = "member.left", _("a quitté l'espace")
    THREAD_CREATED = "thread.created", _("a ouvert une discussion")
    POST_CREATED = "post.created", _("a répondu")
    TASK_CREATED = "task.created", _("a créé une tâche")
    TASK_ASSIGNED = "task.assigned", _("a attribué une tâche")
    TASK_DONE = "task.done", _("a terminé une tâche")
    NOTE_CREATED = "note.created", _("a créé une note")
    NOTE_UPDATED = "note.updated", _("a modifié une note")
    DOCUMENT_ADDED = "document.added", _("a ajouté un document")
    EVENT_CREATED = "event.created", _("a planifié un événement")


class Activity(models.Model):
    """One line of a space's activity feed: who did what, on what (a label and a link)."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    verb = models.CharField(max_length=20, choices=ActivityVerb.choices)
    #: what it is about, as shown ("Compte rendu du comité"), kept if the target goes
    target_label = models.CharField(max_length=300, blank=True)
    #: a path inside the platform ("/espaces/3/discussion/12/"), empty when none
    target_url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("activité")
        indexes = [models.Index(fields=["space", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor} {self.verb} {self.target_label}"
