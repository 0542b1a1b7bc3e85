"""Calendars, events, attendees, bookable resources and the expanded occurrences table.

Times are stored in UTC with the event's time zone (``tzid``) beside them; a recurring event
keeps its rule and exceptions, and ``Occurrence`` holds its instances, expanded over a rolling
horizon and indexed by time so that views and free/busy never parse iCalendar per request.
Each event keeps its iCalendar source (``ical``) so that nothing a client sent is lost.
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.grantees import grantee_fk, one_grantee_constraints
from entente.core.validators import validate_plain_text

DEFAULT_TZID = "Europe/Paris"

#: colours offered for calendars: each passes AA contrast as text on white and as a band.
COLOURS = [
    ("#1d4f91", _("Bleu")),
    ("#0f6b4f", _("Vert")),
    ("#8a3b00", _("Brun")),
    ("#7a1f5c", _("Prune")),
    ("#5b4a00", _("Olive")),
    ("#9b1c1c", _("Rouge")),
    ("#3d3d8f", _("Indigo")),
    ("#00606b", _("Pétrole")),
]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_uid() -> str:
    """A globally unique iCalendar UID for an event created here."""
    return f"{uuid.uuid4()}@entente"


class ResourceKind(models.TextChoices):
    ROOM = "room", _("Salle de réunion")
    VEHICLE = "vehicle", _("Véhicule")
    EQUIPMENT = "equipment", _("Matériel")


class Resource(models.Model):
    """Something that is booked for an event: a meeting room, a vehicle, a projector."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="resources"
    )
    kind = models.CharField(
        _("type"), max_length=12, choices=ResourceKind.choices, default=ResourceKind.ROOM
    )
    name = models.CharField(_("nom"), max_length=150, validators=[validate_plain_text])
    location = models.CharField(
        _("adresse ou emplacement"), max_length=255, blank=True, validators=[validate_plain_text]
    )
    capacity = models.PositiveSmallIntegerField(_("nombre de places"), null=True, blank=True)
    equipment = models.CharField(
        _("équipement"),
        max_length=255,
        blank=True,
        validators=[validate_plain_text],
        help_text=_("Par exemple « écran, visioconférence, accessible en fauteuil »."),
    )
    bookable_by_territory = models.BooleanField(
        _("réservable par les autres organisations"), default=False
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        verbose_name = _("ressource")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="resource_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CalendarKind(models.TextChoices):
    PERSONAL = "personal", _("Personnel")
    SERVICE = "service", _("Service")
    RESOURCE = "resource", _("Ressource")
    SPACE = "space", _("Espace")


class Calendar(models.Model):
    """A named set of events owned by a person, a service or a resource.

    ``organisation`` is the owning organisation whose policies cap sharing (the owner's home
    organisation for a personal calendar; empty for a guest's).
    """

    kind = models.CharField(
        _("type"), max_length=10, choices=CalendarKind.choices, default=CalendarKind.PERSONAL
    )
    name = models.CharField(_("nom"), max_length=150, validators=[validate_plain_text])
    description = models.TextField(_("description"), blank=True, max_length=2000)
    colour = models.CharField(_("couleur"), max_length=7, choices=COLOURS, default=COLOURS[0][0])
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendars",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendars",
    )
    service = models.ForeignKey(
        "directory.Service",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendars",
    )
    resource = models.OneToOneField(
        Resource, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar"
    )
    space = models.ForeignKey(
        "spaces.Space",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendars",
    )
    is_default = models.BooleanField(_("agenda principal"), default=False)
    tzid = models.CharField(_("fuseau horaire"), max_length=64, default=DEFAULT_TZID)
    #: secret of the private subscription address; a new one revokes the old address
    feed_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("agenda")
        constraints = [
            models.UniqueConstraint(
                fields=["owner"],
                condition=models.Q(is_default=True),
                name="calendar_one_default_per_person",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="personal", owner__isnull=False)
                    | models.Q(kind="service", service__isnull=False)
                    | models.Q(kind="resource", resource__isnull=False)
                    | models.Q(kind="space", space__isnull=False)
                ),
                name="calendar_kind_has_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ShareLevel(models.TextChoices):
    FREEBUSY = "freebusy", _("Disponibilités seulement")
    READ = "read", _("Lecture")
    WRITE = "write", _("Lecture et modification")


#: the order of share levels, weakest first
SHARE_ORDER = [ShareLevel.FREEBUSY, ShareLevel.READ, ShareLevel.WRITE]


class CalendarShare(models.Model):
    """A calendar shared with a person, a group, a whole organisation or a space's members, at
    one level."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="shares")
    user = grantee_fk(settings.AUTH_USER_MODEL, "calendar_shares")
    group = grantee_fk("directory.Group", "calendar_shares")
    organisation = grantee_fk("organisations.Organisation", "calendar_shares")
    space = grantee_fk("spaces.Space", "calendar_shares")
    level = models.CharField(_("droit"), max_length=10, choices=ShareLevel.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partage d'agenda")
        constraints = one_grantee_constraints(
            "calendar_share", "calendar", ("user", "group", "organisation", "space")
        )

    def __str__(self) -> str:
        return f"{self.calendar} → {self.grantee} ({self.level})"

    @property
    def grantee(self) -> models.Model:
        return self.user or self.group or self.organisation or self.space


class Privacy(models.TextChoices):
    PUBLIC = "public", _("Visible")
    PRIVATE = "private", _("Privé (les autres voient « occupé »)")


class EventStatus(models.TextChoices):
    CONFIRMED = "CONFIRMED", _("Confirmé")
    TENTATIVE = "TENTATIVE", _("Provisoire")
    CANCELLED = "CANCELLED", _("Annulé")


class Event(models.Model):
    """One event, or the master of a recurring series, or one overridden occurrence of it.

    An overridden occurrence ("this one" edited) is an ``Event`` row with ``master`` set and
    ``recurrence_id`` the original start (UTC) of the instance it replaces, as in iCalendar.
    """

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="events")
    uid = models.CharField(max_length=255, default=new_uid)
    master = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="overrides"
    )
    recurrence_id = models.DateTimeField(null=True, blank=True)
    title = models.CharField(_("titre"), max_length=255)
    description = models.TextField(_("description"), blank=True, max_length=20000)
    location = models.CharField(_("lieu"), max_length=255, blank=True)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    all_day = models.BooleanField(_("toute la journée"), default=False)
    tzid = models.CharField(_("fuseau horaire"), max_length=64, default=DEFAULT_TZID)
    rrule = models.CharField(_("répétition"), max_length=500, blank=True)
    #: starts (UTC, ISO 8601) of the instances removed from the series
    exdates = models.JSONField(default=list, blank=True)
    privacy = models.CharField(
        _("confidentialité"), max_length=10, choices=Privacy.choices, default=Privacy.PUBLIC
    )
    busy = models.BooleanField(
        _("afficher comme occupé"),
        default=True,
        help_text=_("Décoché, l'évènement n'occupe pas le temps (iCalendar TRANSP:TRANSPARENT)."),
    )
    status = models.CharField(
        max_length=10, choices=EventStatus.choices, default=EventStatus.CONFIRMED
    )
    visio_url = models.URLField(_("lien de visioconférence"), blank=True, max_length=500)
    #: minutes before the start at which the attendees are reminded
    reminders = models.JSONField(default=list, blank=True)
    #: links to documents: [{"title": …, "url": …}]
    attachments = models.JSONField(default=list, blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organised_events",
    )
    organiser_email = models.EmailField(blank=True)
    organiser_name = models.CharField(max_length=255, blank=True)
    sequence = models.PositiveIntegerField(default=0)
    #: the iCalendar VEVENT as last received or written, so unknown properties survive
    ical = models.TextField(blank=True)
    #: the recurrence of this series is expanded in ``Occurrence`` up to this instant (UTC)
    expanded_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start"]
        verbose_name = _("évènement")
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "uid"],
                condition=models.Q(master__isnull=True),
                name="event_unique_uid_in_calendar",
            ),
            models.UniqueConstraint(
                fields=["master", "recurrence_id"],
                condition=models.Q(master__isnull=False),
                name="event_unique_override",
            ),
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="event_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["calendar", "start"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule) or self.master_id is not None

    @property
    def series(self) -> Event:
        """The master of the series (itself for a single event)."""
        return self.master if self.master_id else self


class Role(models.TextChoices):
    REQUIRED = "REQ-PARTICIPANT", _("Obligatoire")
    OPTIONAL = "OPT-PARTICIPANT", _("Facultatif")
    CHAIR = "CHAIR", _("Organisateur")
    NON_PARTICIPANT = "NON-PARTICIPANT", _("Pour information")


class PartStat(models.TextChoices):
    NEEDS_ACTION = "NEEDS-ACTION", _("Sans réponse")
    ACCEPTED = "ACCEPTED", _("Accepte")
    TENTATIVE = "TENTATIVE", _("Peut-être")
    DECLINED = "DECLINED", _("Décline")


class Attendee(models.Model):
    """Someone (or a resource) invited to an event: a person of the territory, an outside
    e-mail address, or a room. Their answer is ``partstat`` as in iTIP."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.CASCADE, null=True, blank=True, related_name="bookings"
    )
    email = models.EmailField(blank=True)
    name = models.CharField(max_length=255, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REQUIRED)
    partstat = models.CharField(
        _("réponse"), max_length=12, choices=PartStat.choices, default=PartStat.NEEDS_ACTION
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField(_("commentaire"), max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("participant")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=models.Q(user__isnull=False),
                name="attendee_unique_user",
            ),
            models.UniqueConstraint(
                fields=["event", "resource"],
                condition=models.Q(resource__isnull=False),
                name="attendee_unique_resource",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "partstat"]),
            models.Index(fields=["resource"]),
        ]

    def __str__(self) -> str:
        if self.user_id:
            return str(self.user)
        if self.resource_id:
            return str(self.resource)
        return self.name or self.email

    @property
    def address(self) -> str:
        """The e-mail address iTIP messages use for this attendee."""
        if self.user_id:
            return self.user.email
        return self.email

    @property
    def is_external(self) -> bool:
        return not self.user_id and not self.resource_id


class Occurrence(models.Model):
    """One instance of an event in time: the indexed table views and free/busy read.

    A single event has one row; a series one row per instance up to its horizon; an
    overridden instance is the row of its override event; removed instances have none.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="occurrences")
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    #: the original start of this instance in its series (its iCalendar RECURRENCE-ID)
    recurrence_id = models.DateTimeField(null=True, blank=True)
    all_day = models.BooleanField(default=False)
    busy = models.BooleanField(default=True)

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["calendar", "start", "end"]),
            models.Index(fields=["event", "start"]),
            models.Index(fields=["start", "end"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} @ {self.start:%Y-%m-%d %H:%M}"


class ReminderSent(models.Model):
    """A reminder e-mail already sent (or being sent): written before the mail goes out.

    One row per person, instance of a series and reminder delay; the unique constraint is what
    keeps two runs (one late, one concurrent) from reminding twice. ``event`` is the master of
    the series, so that editing one instance does not remind again at the same start.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    occurrence_start = models.DateTimeField()
    minutes = models.PositiveIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rappel envoyé")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "event", "occurrence_start", "minutes"],
                name="reminder_sent_once",
            )
        ]
        indexes = [models.Index(fields=["occurrence_start"])]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.event_id} @ {self.occurrence_start:%Y-%m-%d %H:%M}"
