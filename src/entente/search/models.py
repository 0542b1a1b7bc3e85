"""The search index: one row per searchable thing (person, space, file or folder, event,
note, discussion), kept up to date from the saves of those things.

The row holds only what is matched and filtered on; who may see it is never stored here but
asked of the permission engine at query time, so a change of rights (a member removed from a
space, an item trashed) shows in the results at once. The full-text index itself lives beside
this table and depends on the database: an FTS5 table on SQLite, a GIN expression index on
PostgreSQL (see ``backends`` and the migrations).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    PERSON = "person", _("Personne")
    SPACE = "space", _("Espace")
    FILE = "file", _("Fichier")
    FOLDER = "folder", _("Dossier")
    EVENT = "event", _("Évènement")
    NOTE = "note", _("Note")
    THREAD = "thread", _("Discussion")


#: what the type filter offers, and the kinds of rows each choice covers
TYPES = {
    "person": (Kind.PERSON,),
    "space": (Kind.SPACE,),
    "document": (Kind.FILE, Kind.FOLDER),
    "event": (Kind.EVENT,),
    "note": (Kind.NOTE,),
    "thread": (Kind.THREAD,),
}
TYPE_LABELS = {
    "person": _("Personnes"),
    "space": _("Espaces"),
    "document": _("Documents"),
    "event": _("Évènements"),
    "note": _("Notes"),
    "thread": _("Discussions"),
}


class SearchEntry(models.Model):
    """What the search matches for one object; ``(kind, object_id)`` names the object."""

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=500)
    #: the text searched besides the title (capped: see ``index.MAX_BODY_CHARS``)
    body = models.TextField(blank=True)
    #: plain ids, not foreign keys: the index never holds its sources back, and a row whose
    #: source is gone is removed by the signals (or the next ``search_reindex``)
    organisation_id = models.BigIntegerField(null=True, blank=True)
    space_id = models.BigIntegerField(null=True, blank=True)
    author_id = models.BigIntegerField(null=True, blank=True)
    #: the date the filters use: an event's start, a document's or note's last change…
    date = models.DateTimeField(null=True, blank=True)
    #: a document's folder, a person's organisation…: shown under the title
    context = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("entrée de l'index de recherche")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_entry_unique")
        ]
        indexes = [
            models.Index(fields=["organisation_id"]),
            models.Index(fields=["space_id"]),
            models.Index(fields=["date"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}: {self.title}"
