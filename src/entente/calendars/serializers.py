"""Serializers of the agenda's REST API: calendars, shares, events, occurrences, resources,
free/busy and proposed slots.

Serializers only read and validate: every write goes through ``entente.calendars.services``
and every access decision through the permission engine.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from entente.accounts.models import User
from entente.calendars import services
from entente.calendars.models import (
    Attendee,
    Calendar,
    CalendarShare,
    Event,
    EventStatus,
    PartStat,
    Privacy,
    Resource,
    ShareLevel,
)
from entente.calendars.permissions import LEVELS, access_level
from entente.core.permissions import can, visible

#: what someone who may not see an event's details reads instead of its title
BUSY_TITLE = "Occupé"
STATUS_HELP = "`CONFIRMED`, `TENTATIVE` ou `CANCELLED`."
#: the longest window of time one request may read
MAX_WINDOW = dt.timedelta(days=366)


def _viewer(serializer: serializers.BaseSerializer) -> Any:
    return serializer.context["request"].user


# --- errors (schema only) ----------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """Every API error: a stable ``code``, a French ``detail`` and, for 400, the fields."""

    code = serializers.CharField()
    detail = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


class NamedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RoomUnavailableSerializer(serializers.Serializer):
    """409: a room is already booked; ``free_rooms`` are bookable and free at that time."""

    code = serializers.CharField(default="room_unavailable")
    detail = serializers.CharField()
    conflicts = NamedRefSerializer(many=True)
    free_rooms = NamedRefSerializer(many=True)


# --- windows of time ---------------------------------------------------------------------------


def check_window(start: dt.datetime, end: dt.datetime, longest: dt.timedelta) -> None:
    """Refuse a window that ends before it starts or is longer than ``longest``."""
    if end <= start:
        raise serializers.ValidationError({"end": [_("La fin doit venir après le début.")]})
    if end - start > longest:
        raise serializers.ValidationError(
            {
                "end": [
                    _("La période demandée fait au plus %(days)s jours : raccourcissez-la.")
                    % {"days": longest.days}
                ]
            }
        )


class WindowSerializer(serializers.Serializer):
    """``start`` and ``end`` (ISO 8601) of the time asked for: 366 days at most."""

    start = serializers.DateTimeField(help_text="Début de la période (ISO 8601).")
    end = serializers.DateTimeField(help_text="Fin de la période (ISO 8601), 366 jours au plus.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        check_window(attrs["start"], attrs["end"], MAX_WINDOW)
        return attrs


class OccurrenceQuerySerializer(WindowSerializer):
    calendar = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        help_text="Agendas à lire (répétable) ; par défaut tous ceux que vous pouvez lire.",
    )

    def validate_calendar(self, value: list[int]) -> list[Calendar]:
        wanted = set(value)
        found = list(visible(_viewer(self), Calendar).filter(pk__in=wanted))
        if len(found) != len(wanted):
            raise serializers.ValidationError(
                _("Un de ces agendas n'existe pas ou vous n'y avez pas accès.")
            )
        return found


# --- calendars ---------------------------------------------------------------------------------


class CalendarSerializer(serializers.ModelSerializer):
    """A calendar as the viewer sees it. ``access`` is their level on it; a calendar they may
    only see the busy times of is listed with ``freebusy_only`` and without description."""

    owner = serializers.PrimaryKeyRelatedField(read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    access = serializers.SerializerMethodField()
    freebusy_only = serializers.SerializerMethodField()
    feed_url = serializers.SerializerMethodField()

    class Meta:
        model = Calendar
        fields = [
            "id",
            "name",
            "description",
            "colour",
            "kind",
            "owner",
            "organisation",
            "service",
            "resource",
            "is_default",
            "tzid",
            "access",
            "freebusy_only",
            "feed_url",
            "created_at",
        ]
        read_only_fields = [
            "kind",
            "owner",
            "organisation",
            "service",
            "resource",
            "is_default",
            "created_at",
        ]

    def level(self, obj: Calendar) -> str | None:
        """The viewer's level, from the list's precomputed levels or asked once per object."""
        levels = self.context.setdefault("levels", {})
        if obj.pk not in levels:
            levels[obj.pk] = access_level(_viewer(self), obj)
        return levels[obj.pk]

    @extend_schema_field(serializers.ChoiceField(choices=LEVELS, allow_null=True))
    def get_access(self, obj: Calendar) -> str | None:
        return self.level(obj)

    def get_freebusy_only(self, obj: Calendar) -> bool:
        return self.level(obj) == "freebusy"

    @extend_schema_field(OpenApiTypes.URI)
    def get_feed_url(self, obj: Calendar) -> str | None:
        """The private subscription address: for those who manage the calendar only."""
        if self.level(obj) != "manage":
            return None
        try:
            path = reverse("calendars:feed", kwargs={"token": obj.feed_token})
        except NoReverseMatch:
            return None
        return self.context["request"].build_absolute_uri(path)

    def to_representation(self, instance: Calendar) -> dict[str, Any]:
        data = super().to_representation(instance)
        if data["freebusy_only"]:
            data["description"] = ""
        return data


class CalendarShareSerializer(serializers.ModelSerializer):
    grantee_type = serializers.SerializerMethodField()
    grantee_id = serializers.SerializerMethodField()
    grantee_name = serializers.SerializerMethodField()

    class Meta:
        model = CalendarShare
        fields = ["id", "level", "grantee_type", "grantee_id", "grantee_name", "created_at"]

    @extend_schema_field(
        serializers.ChoiceField(choices=["user", "group", "organisation", "space"])
    )
    def get_grantee_type(self, obj: CalendarShare) -> str:
        return obj.grantee._meta.model_name

    def get_grantee_id(self, obj: CalendarShare) -> int:
        return obj.grantee.pk

    def get_grantee_name(self, obj: CalendarShare) -> str:
        grantee = obj.grantee
        if isinstance(grantee, User):
            return grantee.get_full_name() or grantee.email
        return str(grantee)


class ShareInputSerializer(serializers.Serializer):
    """Whom to share with (exactly one of ``user``, ``group``, ``organisation``, ``space``)
    and how."""

    user = serializers.IntegerField(required=False, min_value=1, help_text="Id d'une personne.")
    group = serializers.IntegerField(required=False, min_value=1, help_text="Id d'un groupe.")
    organisation = serializers.SlugField(required=False, help_text="Slug d'une organisation.")
    space = serializers.IntegerField(
        required=False, min_value=1, help_text="Id d'un espace dont vous êtes membre."
    )
    level = serializers.ChoiceField(choices=ShareLevel.choices)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from entente.directory.models import Group
        from entente.organisations.models import Organisation
        from entente.spaces.models import Space

        given = [name for name in ("user", "group", "organisation", "space") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError(
                _(
                    "Partagez avec une personne, un groupe, une organisation ou un espace : un "
                    "seul à la fois."
                )
            )
        kind = given[0]
        viewer = _viewer(self)
        if kind == "organisation":
            grantee = visible(viewer, Organisation).filter(slug=attrs[kind]).first()
        elif kind == "space":
            grantee = (
                visible(viewer, Space).filter(pk=attrs[kind], memberships__user=viewer).first()
            )
        else:
            model = User if kind == "user" else Group
            grantee = visible(viewer, model).filter(pk=attrs[kind]).first()
        if grantee is None:
            raise serializers.ValidationError({kind: [_("Introuvable ou inaccessible.")]})
        return {"grantee": grantee, "level": attrs["level"]}


# --- events ------------------------------------------------------------------------------------


class AttendeeSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()
    email = serializers.SerializerMethodField()
    name = serializers.SerializerMethodField()

    class Meta:
        model = Attendee
        fields = [
            "id",
            "kind",
            "user",
            "resource",
            "email",
            "name",
            "role",
            "partstat",
            "comment",
            "responded_at",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=["user", "resource", "external"]))
    def get_kind(self, obj: Attendee) -> str:
        if obj.user_id:
            return "user"
        return "resource" if obj.resource_id else "external"

    def get_email(self, obj: Attendee) -> str:
        return obj.address or ""

    def get_name(self, obj: Attendee) -> str:
        if obj.user_id:
            return obj.user.get_full_name() or obj.user.email
        if obj.resource_id:
            return obj.resource.name
        return obj.name


class DetailsMixin:
    """Decide once per event whether the viewer may read its details (``view_details``)."""

    context: dict[str, Any]

    def details(self, event: Event) -> bool:
        cache = self.context.setdefault("details", {})
        if event.pk not in cache:
            cache[event.pk] = can(self.context["request"].user, "view_details", event)
        return cache[event.pk]


class OccurrenceSerializer(DetailsMixin, serializers.Serializer):
    """One instance of an event in time. Without the right to its details (another
    organisation's private event, a calendar shared for free/busy) it reads « Occupé »."""

    event = serializers.IntegerField(source="event_id", help_text="L'évènement de ce moment.")
    series = serializers.IntegerField(help_text="Le maître de la série (l'évènement lui-même).")
    recurrence_id = serializers.DateTimeField(allow_null=True)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    all_day = serializers.BooleanField()
    busy = serializers.BooleanField()
    calendar = serializers.IntegerField(source="calendar_id")
    details = serializers.BooleanField(help_text="Faux : seuls les horaires sont connus.")
    title = serializers.CharField()
    location = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    # a plain string, not a second enum: the schema names the status enum once (EventInput)
    status = serializers.CharField(allow_null=True, help_text=STATUS_HELP)
    privacy = serializers.ChoiceField(choices=Privacy.choices, allow_null=True)
    visio_url = serializers.CharField(allow_null=True)
    is_recurring = serializers.BooleanField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        event = instance.event
        shown = self.details(event)
        return {
            "event": instance.event_id,
            "series": event.master_id or event.pk,
            "recurrence_id": self._time(instance.recurrence_id),
            "start": self._time(instance.start),
            "end": self._time(instance.end),
            "all_day": instance.all_day,
            "busy": instance.busy,
            "calendar": instance.calendar_id,
            "details": shown,
            "title": event.title if shown else BUSY_TITLE,
            "location": event.location if shown else None,
            "description": event.description if shown else None,
            "status": event.status if shown else None,
            "privacy": event.privacy if shown else None,
            "visio_url": event.visio_url if shown else None,
            "is_recurring": event.is_recurring,
        }

    def _time(self, value: dt.datetime | None) -> str | None:
        return serializers.DateTimeField().to_representation(value) if value else None


class AttachmentSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=255, required=False, allow_blank=True)
    url = serializers.URLField(max_length=500)


class EventSerializer(DetailsMixin, serializers.ModelSerializer):
    """An event with its attendees and their answers; only its times when the viewer may not
    see its details."""

    series = serializers.SerializerMethodField()
    organiser = serializers.SerializerMethodField()
    attendees = serializers.SerializerMethodField()
    details = serializers.SerializerMethodField()
    abilities = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    reminders = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    exdates = serializers.ListField(child=serializers.DateTimeField(), read_only=True)
    status = serializers.CharField(read_only=True, help_text=STATUS_HELP)

    #: what anyone who may see the event may know of it
    PUBLIC = (
        "id",
        "calendar",
        "series",
        "recurrence_id",
        "start",
        "end",
        "all_day",
        "tzid",
        "busy",
        "details",
        "abilities",
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "uid",
            "calendar",
            "series",
            "recurrence_id",
            "title",
            "description",
            "location",
            "start",
            "end",
            "all_day",
            "tzid",
            "rrule",
            "exdates",
            "privacy",
            "busy",
            "status",
            "visio_url",
            "reminders",
            "attachments",
            "organiser",
            "attendees",
            "sequence",
            "details",
            "abilities",
        ]
        read_only_fields = fields

    def get_series(self, obj: Event) -> int:
        return obj.master_id or obj.pk

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "id": {"type": "integer", "nullable": True},
                "email": {"type": "string"},
                "name": {"type": "string"},
            },
        }
    )
    def get_organiser(self, obj: Event) -> dict[str, Any] | None:
        if not obj.organiser_email and not obj.organiser_id:
            return None
        return {"id": obj.organiser_id, "email": obj.organiser_email, "name": obj.organiser_name}

    @extend_schema_field(AttendeeSerializer(many=True))
    def get_attendees(self, obj: Event) -> list[dict[str, Any]]:
        rows = obj.attendees.select_related("user", "resource")
        if obj.master_id and not rows.exists():
            rows = obj.master.attendees.select_related("user", "resource")
        return AttendeeSerializer(rows, many=True, context=self.context).data

    def get_details(self, obj: Event) -> bool:
        return self.details(obj)

    def get_abilities(self, obj: Event) -> dict[str, bool]:
        from entente.core.permissions import abilities

        return abilities(_viewer(self), obj, seen=True)

    def to_representation(self, instance: Event) -> dict[str, Any]:
        if self.details(instance):
            return super().to_representation(instance)
        data = dict.fromkeys(self.Meta.fields)
        for name in self.PUBLIC:  # only what anyone who sees it may know, nothing computed more
            field = self.fields[name]
            value = field.get_attribute(instance)
            data[name] = None if value is None else field.to_representation(value)
        data.update(title=BUSY_TITLE, exdates=[], reminders=[], attachments=[], attendees=[])
        return data


class ExternalSerializer(serializers.Serializer):
    email = serializers.EmailField()
    name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class EventInputSerializer(serializers.Serializer):
    """What a client sends to create or change an event. Attendees are people of the
    territory (``users``: ids), outside addresses (``externals``) and rooms (``resources``)."""

    calendar = serializers.IntegerField(
        required=False, min_value=1, help_text="Par défaut, votre agenda principal."
    )
    title = serializers.CharField(max_length=255)
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    all_day = serializers.BooleanField(required=False)
    tzid = serializers.CharField(max_length=64, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    location = serializers.CharField(required=False, allow_blank=True, max_length=255)
    rrule = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Ex. FREQ=WEEKLY;COUNT=10"
    )
    privacy = serializers.ChoiceField(choices=Privacy.choices, required=False)
    busy = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(choices=EventStatus.choices, required=False)
    visio_url = serializers.URLField(required=False, allow_blank=True, max_length=500)
    reminders = serializers.ListField(
        child=serializers.IntegerField(min_value=0), required=False, max_length=5
    )
    attachments = AttachmentSerializer(many=True, required=False)
    users = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=200
    )
    externals = ExternalSerializer(many=True, required=False)
    resources = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=50
    )

    def validate_calendar(self, value: int) -> Calendar:
        calendar = visible(_viewer(self), Calendar).filter(pk=value).first()
        if calendar is None:
            raise serializers.ValidationError(
                _("Cet agenda n'existe pas ou vous n'y avez pas accès.")
            )
        return calendar

    def validate_users(self, value: list[int]) -> list[User]:
        wanted = set(value)
        people = list(visible(_viewer(self), User).filter(pk__in=wanted))
        if len(people) != len(wanted):
            raise serializers.ValidationError(_("Une des personnes invitées est introuvable."))
        return people

    def validate_resources(self, value: list[int]) -> list[Resource]:
        wanted = set(value)
        found = list(visible(_viewer(self), Resource).filter(pk__in=wanted))
        if len(found) != len(wanted):
            raise serializers.ValidationError(_("Une des ressources est introuvable."))
        return found

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "start" in attrs and "end" in attrs and attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("La fin doit venir après le début.")]})
        return attrs

    def event_data(self, base: services.EventData | None = None) -> services.EventData:
        """The ``EventData`` to give the services: ``base`` with the fields sent applied."""
        values = dict(self.validated_data)
        values.pop("calendar", None)
        if "externals" in values:
            values["externals"] = [(e["email"], e.get("name", "")) for e in values["externals"]]
        if "attachments" in values:
            values["attachments"] = [dict(a) for a in values["attachments"]]
        if base is None:
            return services.EventData(**values)
        for name, value in values.items():
            setattr(base, name, value)
        return base


class SeriesScopeSerializer(serializers.Serializer):
    """Which instances of a series a change or a deletion applies to."""

    scope = serializers.ChoiceField(choices=services.Scope.CHOICES, default=services.Scope.ALL)
    recurrence_id = serializers.DateTimeField(required=False, allow_null=True, default=None)


class RespondSerializer(serializers.Serializer):
    partstat = serializers.ChoiceField(
        choices=[
            (PartStat.ACCEPTED, PartStat.ACCEPTED.label),
            (PartStat.TENTATIVE, PartStat.TENTATIVE.label),
            (PartStat.DECLINED, PartStat.DECLINED.label),
        ]
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


# --- resources ---------------------------------------------------------------------------------


class ResourceSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    calendar = serializers.SerializerMethodField()

    class Meta:
        model = Resource
        fields = [
            "id",
            "organisation",
            "kind",
            "name",
            "location",
            "capacity",
            "equipment",
            "bookable_by_territory",
            "is_active",
            "calendar",
        ]
        # the name is unique per organisation: the service checks it with the organisation
        validators: list[Any] = []

    def get_calendar(self, obj: Resource) -> int | None:
        calendar = getattr(obj, "calendar", None)
        return calendar.pk if calendar is not None else None


class ResourceQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Resource._meta.get_field("kind").choices, required=False)
    free_from = serializers.DateTimeField(required=False)
    free_to = serializers.DateTimeField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("free_from" in attrs) != ("free_to" in attrs):
            raise serializers.ValidationError(
                _("Donnez à la fois « free_from » et « free_to », ou aucun des deux.")
            )
        if "free_from" in attrs:
            check_window(attrs["free_from"], attrs["free_to"], MAX_WINDOW)
        return attrs


# --- free/busy ---------------------------------------------------------------------------------


class FreeBusyAttendeesSerializer(serializers.Serializer):
    users = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )
    resources = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list
    )
    externals = serializers.ListField(child=serializers.EmailField(), required=False, default=list)

    def validate_users(self, value: list[int]) -> list[User]:
        wanted = list(dict.fromkeys(value))
        found = visible(_viewer(self), User).in_bulk(wanted)
        if len(found) != len(wanted):
            raise serializers.ValidationError(_("Une de ces personnes est introuvable."))
        return [found[pk] for pk in wanted]

    def validate_resources(self, value: list[int]) -> list[Resource]:
        wanted = list(dict.fromkeys(value))
        found = visible(_viewer(self), Resource).in_bulk(wanted)
        if len(found) != len(wanted):
            raise serializers.ValidationError(_("Une de ces ressources est introuvable."))
        return [found[pk] for pk in wanted]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from entente.calendars.freebusy import MAX_SUBJECTS

        count = len(attrs["users"]) + len(attrs["resources"]) + len(attrs["externals"])
        if count == 0:
            raise serializers.ValidationError(_("Indiquez au moins un participant."))
        if count > MAX_SUBJECTS:
            raise serializers.ValidationError(
                _("%(max)s participants au plus.") % {"max": MAX_SUBJECTS}
            )
        return attrs


def subjects_of(attendees: dict[str, Any]) -> list[Any]:
    """The free/busy subjects of validated ``attendees``: people, resources, addresses."""
    return [*attendees["users"], *attendees["resources"], *attendees["externals"]]


class FreeBusyRequestSerializer(WindowSerializer):
    attendees = FreeBusyAttendeesSerializer()


class SlotsRequestSerializer(serializers.Serializer):
    attendees = FreeBusyAttendeesSerializer()
    duration_minutes = serializers.IntegerField(min_value=15, max_value=480)
    start = serializers.DateTimeField(help_text="Début de la période de recherche (ISO 8601).")
    end = serializers.DateTimeField(
        help_text="Fin de la période de recherche : 6 semaines au plus."
    )
    limit = serializers.IntegerField(min_value=1, max_value=20, default=8)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from entente.calendars.freebusy import MAX_WINDOW as SLOTS_WINDOW

        check_window(attrs["start"], attrs["end"], SLOTS_WINDOW)
        return attrs


class BandSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    title = serializers.CharField(
        allow_null=True, help_text="Seulement si vous pouvez voir le détail de l'évènement."
    )


class SubjectSerializer(serializers.Serializer):
    """Whom an answer is about: a person, a resource, or an outside e-mail address."""

    # a plain string: the same choice set is the ``kind`` enum of an attendee
    type = serializers.CharField(help_text="`user`, `resource` ou `external`.")
    id = serializers.IntegerField(allow_null=True)
    email = serializers.EmailField(allow_null=True)
    name = serializers.CharField()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        if isinstance(instance, User):
            name = instance.get_full_name() or instance.email
            return {"type": "user", "id": instance.pk, "email": instance.email, "name": name}
        if isinstance(instance, Resource):
            return {"type": "resource", "id": instance.pk, "email": None, "name": instance.name}
        return {"type": "external", "id": None, "email": instance, "name": instance}


class FreeBusyAttendeeSerializer(SubjectSerializer):
    busy = BandSerializer(
        many=True,
        allow_null=True,
        help_text="Null pour une adresse extérieure : ses disponibilités sont inconnues.",
    )

    def to_representation(self, instance: Any) -> dict[str, Any]:
        subject, bands = instance
        data = super().to_representation(subject)
        data["busy"] = None if bands is None else BandSerializer(bands, many=True).data
        return data


class FreeBusyResponseSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    attendees = FreeBusyAttendeeSerializer(many=True)


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    everyone_free = serializers.BooleanField()
    busy = SubjectSerializer(many=True, help_text="Les personnes occupées à ce moment.")
    unknown = serializers.ListField(
        child=serializers.EmailField(), help_text="Adresses extérieures : disponibilité inconnue."
    )


class SlotsResponseSerializer(serializers.Serializer):
    slots = SlotSerializer(many=True)
