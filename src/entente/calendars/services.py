"""Agenda use cases: the only place that changes calendars, events, answers and resources.

Every door (web pages, REST API, iCalendar import, e-mail replies) calls these functions,
which check permissions with the permission engine and keep the occurrences table in step.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import OperationalError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from entente.audit.models import EventKind
from entente.audit.services import record
from entente.calendars.data import EventFields
from entente.calendars.models import (
    COLOURS,
    DEFAULT_TZID,
    Attendee,
    Calendar,
    CalendarKind,
    CalendarShare,
    Event,
    EventStatus,
    Occurrence,
    PartStat,
    Privacy,
    Resource,
    Role,
    ShareLevel,
    new_token,
)
from entente.calendars.permissions import calendars_at_least
from entente.calendars.recurrence import (
    UTC,
    base_rule,
    exdate_instants,
    instances,
    normalise_rrule,
    rebuild_occurrences,
    zone,
)
from entente.calendars.rooms import (  # noqa: F401  (RoomUnavailable, free_rooms, resource_busy, save_resource: part of this module's API)
    RoomUnavailable,
    booked_resources,
    check_rooms,
    free_rooms,
    lock_resources,
    resource_busy,
    save_resource,
)
from entente.core.permissions import can, is_active_user, require, visible

MAX_ATTENDEES = 200
MAX_REMINDERS = 5
MAX_EVENT_DAYS = 366
#: reminders at most four weeks before
MAX_REMINDER_MINUTES = 4 * 7 * 24 * 60


class Scope:
    """Which instances of a series a change applies to (as in every calendar client)."""

    THIS = "this"
    FOLLOWING = "following"
    ALL = "all"
    CHOICES = (THIS, FOLLOWING, ALL)


@dataclass
class EventData(EventFields):
    """What a person sets on an event, whatever the door it came through."""

    attachments: list[dict[str, str]] = field(default_factory=list)
    users: list[Any] = field(default_factory=list)
    externals: list[tuple[str, str]] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)

    @classmethod
    def from_event(cls, event: Event) -> EventData:
        """The data of an existing event (to change a few fields of it)."""
        people = list(event.attendees.select_related("user", "resource"))
        return cls(
            title=event.title,
            start=event.start,
            end=event.end,
            all_day=event.all_day,
            tzid=event.tzid,
            description=event.description,
            location=event.location,
            rrule=event.rrule,
            exdates=list(event.exdates or []),
            privacy=event.privacy,
            busy=event.busy,
            status=event.status,
            visio_url=event.visio_url,
            reminders=list(event.reminders or []),
            attachments=list(event.attachments or []),
            users=[a.user for a in people if a.user_id and a.user_id != event.organiser_id],
            externals=[(a.email, a.name) for a in people if a.is_external],
            resources=[a.resource for a in people if a.resource_id],
        )


# --- calendars ---------------------------------------------------------------------------------


def default_calendar(user: Any) -> Calendar:
    """The person's main calendar, created the first time it is needed."""
    calendar = Calendar.objects.filter(owner=user, is_default=True).first()
    if calendar is not None:
        return calendar
    with transaction.atomic():
        calendar, _created = Calendar.objects.get_or_create(
            owner=user,
            is_default=True,
            defaults={
                "kind": CalendarKind.PERSONAL,
                "name": _("Mon agenda"),
                "organisation_id": user.organisation_id,
            },
        )
    return calendar


def create_calendar(actor: Any, *, name: str, colour: str = "", description: str = "") -> Calendar:
    require(actor, "create", Calendar)
    calendar = Calendar(
        kind=CalendarKind.PERSONAL,
        owner=actor,
        organisation_id=actor.organisation_id,
        name=name.strip(),
        description=description.strip(),
        colour=colour or _next_colour(actor),
    )
    calendar.full_clean()
    calendar.save()
    return calendar


def create_service_calendar(actor: Any, service: Any, *, name: str, colour: str = "") -> Calendar:
    """A shared calendar of a service of the actor's organisation (its administrators)."""
    if not can(actor, "manage_structure", service.organisation):
        require(actor, "manage_structure", service.organisation)
    calendar = Calendar(
        kind=CalendarKind.SERVICE,
        service=service,
        organisation_id=service.organisation_id,
        name=name.strip(),
        colour=colour or COLOURS[1][0],
    )
    calendar.full_clean()
    calendar.save()
    return calendar


def space_calendar(space: Any) -> Calendar:
    """The agenda of a space, made the first time it is needed: its members see it with
    their role (managers manage it, contributors add events, readers read)."""
    calendar = Calendar.objects.filter(kind=CalendarKind.SPACE, space=space).order_by("pk").first()
    if calendar is None:
        with transaction.atomic():
            calendar = Calendar.objects.create(
                kind=CalendarKind.SPACE,
                space=space,
                organisation_id=space.organisation_id,
                name=space.name,
                colour=COLOURS[2][0],
            )
    return calendar


def _next_colour(user: Any) -> str:
    used = set(Calendar.objects.filter(owner=user).values_list("colour", flat=True))
    return next((c for c, _label in COLOURS if c not in used), COLOURS[0][0])


def update_calendar(actor: Any, calendar: Calendar, **changes: Any) -> Calendar:
    require(actor, "manage", calendar)
    for name in ("name", "colour", "description", "tzid"):
        if name in changes:
            value = changes[name]
            setattr(calendar, name, value.strip() if isinstance(value, str) else value)
    if "tzid" in changes:
        zone(calendar.tzid)
    calendar.full_clean()
    calendar.save()
    return calendar


def delete_calendar(actor: Any, calendar: Calendar) -> None:
    require(actor, "manage", calendar)
    if calendar.is_default or calendar.kind == CalendarKind.RESOURCE:
        raise ValidationError(
            _("L'agenda principal d'une personne ou d'une ressource ne peut pas être supprimé."),
            code="calendar_protected",
        )
    with transaction.atomic():
        # the events are gone when the messages leave: each carries what it says of its event
        for event in calendar.events.filter(master__isnull=True).exclude(
            status=EventStatus.CANCELLED
        ):
            _send_cancellations(event, _people_to_tell(event))
        calendar.delete()


def renew_feed_token(actor: Any, calendar: Calendar) -> Calendar:
    """A new private subscription address; the old one stops working at once."""
    require(actor, "manage", calendar)
    calendar.feed_token = new_token()
    calendar.save(update_fields=["feed_token"])
    return calendar


def share_calendar(actor: Any, calendar: Calendar, grantee: Any, level: str) -> CalendarShare:
    """Share ``calendar`` with a person, a group or an organisation at ``level``.

    The calendar's organisation policy may forbid sharing outside the organisation.
    """
    require(actor, "manage", calendar)
    if level not in ShareLevel.values:
        raise ValidationError(_("Ce niveau de partage n'existe pas."), code="invalid_level")
    kind = grantee._meta.model_name
    if kind not in ("user", "group", "organisation", "space"):
        raise ValidationError(
            _("On partage avec une personne, un groupe, une organisation ou un espace.")
        )
    if kind == "space":
        _check_space_grantee(actor, calendar, grantee)
    if kind == "user" and grantee.pk == calendar.owner_id:
        raise ValidationError(_("Cet agenda est déjà le vôtre."), code="share_self")
    grantee_org = (
        grantee.pk
        if kind == "organisation"
        else _space_outside(calendar, grantee)
        if kind == "space"
        else grantee.organisation_id
    )
    if kind == "user" and grantee_org is None:
        raise ValidationError(
            _("Un agenda ne se partage pas avec une personne extérieure au territoire."),
            code="share_guest",
        )
    owner_org = calendar.organisation
    if owner_org is not None and grantee_org != owner_org.pk:
        if not owner_org.policy.external_sharing_allowed:
            raise ValidationError(
                _("%(org)s n'autorise pas le partage avec les autres organisations du territoire.")
                % {"org": owner_org.name},
                code="external_sharing_forbidden",
            )
    if kind == "user" and not visible(actor, get_user_model()).filter(pk=grantee.pk).exists():
        raise ValidationError(_("Cette personne est introuvable."), code="unknown_person")
    with transaction.atomic():
        share, _created = CalendarShare.objects.update_or_create(
            calendar=calendar,
            **{kind: grantee},
            defaults={"level": level, "created_by": actor},
        )
        record(
            EventKind.CALENDAR_SHARED,
            actor=actor,
            target=calendar,
            organisation=owner_org,
            grantee=str(grantee),
            level=level,
        )
    return share


def _check_space_grantee(actor: Any, calendar: Calendar, space: Any) -> None:
    if not can(actor, "view_content", space):
        raise ValidationError(
            _("On partage seulement avec un espace dont on est membre."), code="unknown_space"
        )
    if calendar.kind == CalendarKind.SPACE and calendar.space_id == space.pk:
        raise ValidationError(_("Les membres de cet espace voient déjà son agenda."))


def _space_outside(calendar: Calendar, space: Any) -> int | None:
    """The organisation a share to ``space`` reaches beyond the calendar's own: the
    calendar's organisation when every member belongs to it, else another one."""
    owner_org = calendar.organisation_id
    outside = (
        space.memberships.exclude(user__organisation_id=owner_org)
        .values_list("user__organisation_id", flat=True)
        .first()
    )
    if outside is None and not space.memberships.filter(user__organisation__isnull=True).exists():
        return owner_org
    return outside if outside is not None else -1


def unshare_calendar(actor: Any, share: CalendarShare) -> None:
    require(actor, "manage", share.calendar)
    with transaction.atomic():
        record(
            EventKind.CALENDAR_UNSHARED,
            actor=actor,
            target=share.calendar,
            organisation=share.calendar.organisation,
            grantee=str(share.grantee),
        )
        share.delete()


# --- events ------------------------------------------------------------------------------------


def visio_link(organisation: Any) -> str:
    """A new meeting address on the organisation's visio service, or "" when it has none."""
    if organisation is None:
        return ""
    policy = organisation.policy
    base = (policy.visio_base_url or "").rstrip("/")
    if not policy.visio_service or not base:
        return ""
    room = f"{slugify(organisation.slug)[:20]}-{secrets.token_urlsafe(9)}".replace("_", "-")
    if policy.visio_service == "jitsi":
        return f"{base}/{room}"
    return f"{base}/rooms/{room}/join"


def _clean(actor: Any, data: EventData) -> EventData:
    """Validate ``data`` and bring it to the stored form; French messages per field."""
    errors: dict[str, list[ValidationError]] = {}

    def fail(field_name: str, message: str, code: str = "invalid") -> None:
        errors.setdefault(field_name, []).append(ValidationError(message, code=code))

    data.title = (data.title or "").strip()
    if not data.title:
        fail("title", _("Donnez un titre à l'évènement."), "required")
    elif len(data.title) > 255:
        fail("title", _("Le titre fait au plus 255 caractères."), "max_length")
    if len(data.location or "") > 255:
        fail("location", _("Le lieu fait au plus 255 caractères."), "max_length")
    if len(data.description or "") > 20000:
        fail("description", _("La description fait au plus 20 000 caractères."), "max_length")
    try:
        tz = zone(data.tzid)
    except ValidationError as error:
        fail("tzid", error.messages[0], "invalid_timezone")
        tz = zone(DEFAULT_TZID)
    if data.start is None or data.end is None:
        fail("start", _("Indiquez le début et la fin."), "required")
    else:
        if timezone.is_naive(data.start):
            data.start = data.start.replace(tzinfo=tz)
        if timezone.is_naive(data.end):
            data.end = data.end.replace(tzinfo=tz)
        if data.all_day:
            first = data.start.astimezone(tz).date()
            last = data.end.astimezone(tz).date()
            if last <= first:
                last = first + dt.timedelta(days=1)
            data.start = dt.datetime.combine(first, dt.time(), tz)
            data.end = dt.datetime.combine(last, dt.time(), tz)
        data.start = data.start.astimezone(UTC)
        data.end = data.end.astimezone(UTC)
        if data.end <= data.start:
            fail("end", _("La fin doit venir après le début."), "end_before_start")
        elif data.end - data.start > dt.timedelta(days=MAX_EVENT_DAYS):
            fail("end", _("Un évènement dure au plus un an."), "too_long")
    try:
        data.rrule = normalise_rrule(data.rrule or "", data.tzid, data.all_day)
    except ValidationError as error:
        fail("rrule", error.messages[0], error.code or "invalid_rrule")
    if data.privacy not in Privacy.values:
        fail("privacy", _("Choisissez « visible » ou « privé »."))
    if data.status not in EventStatus.values:
        fail("status", _("Statut inconnu."))
    if data.visio_url:
        try:
            URLValidator(schemes=["https"])(data.visio_url)
        except ValidationError:
            fail(
                "visio_url",
                _("Le lien de visioconférence doit commencer par https://."),
                "invalid_url",
            )
    try:
        data.reminders = sorted({int(m) for m in data.reminders or []})
    except (TypeError, ValueError):
        fail("reminders", _("Un rappel se donne en minutes."))
        data.reminders = []
    if len(data.reminders) > MAX_REMINDERS or any(
        not 0 <= m <= MAX_REMINDER_MINUTES for m in data.reminders
    ):
        fail("reminders", _("Jusqu'à 5 rappels, au plus quatre semaines avant."))
    attachments = []
    for item in data.attachments or []:
        url = str(item.get("url", "")).strip() if isinstance(item, dict) else ""
        try:
            URLValidator(schemes=["https", "http"])(url)
        except ValidationError:
            fail("attachments", _("Un document joint doit être un lien valide."))
            continue
        title = str(item.get("title", "")).strip()[:255] or url
        attachments.append({"title": title, "url": url})
    data.attachments = attachments
    externals, seen = [], set()
    for email, name in data.externals or []:
        address = (email or "").strip().lower()
        try:
            EmailValidator()(address)
        except ValidationError:
            fail(
                "externals",
                _("« %(email)s » n'est pas une adresse e-mail.") % {"email": email},
                "invalid_email",
            )
            continue
        if address not in seen:
            seen.add(address)
            externals.append((address, (name or "").strip()[:255]))
    data.externals = externals
    data.users = list({u.pk: u for u in data.users or [] if u is not None}.values())
    data.resources = list({r.pk: r for r in data.resources or [] if r is not None}.values())
    # get_user_model(), not type(actor): views pass request.user, a lazy proxy
    people = visible(actor, get_user_model()).filter(pk__in=[u.pk for u in data.users])
    if data.users and people.count() != len(data.users):
        fail("users", _("Une des personnes invitées est introuvable."), "unknown_person")
    for resource in data.resources:
        if not can(actor, "book", resource):
            fail(
                "resources",
                _("Vous ne pouvez pas réserver « %(name)s ».") % {"name": resource},
                "not_bookable",
            )
    if len(data.users) + len(data.externals) + len(data.resources) > MAX_ATTENDEES:
        fail("users", _("Un évènement réunit au plus 200 participants."), "too_many")
    if errors:
        raise ValidationError(errors)
    return data


def _apply(event: Event, data: EventData) -> None:
    """Copy what the person set (removed instances are the series' business: not copied)."""
    data.copy_to(event, exclude=["exdates"])
    event.attachments = data.attachments


def _set_attendees(event: Event, data: EventData, organiser: Any, timing_changed: bool) -> dict:
    """Make the attendees of ``event`` those of ``data``; return who was added and removed."""
    current = list(event.attendees.all())
    wanted_users = {u.pk for u in data.users}
    if organiser is not None and (data.users or data.externals or data.resources):
        wanted_users.add(organiser.pk)
    wanted_resources = {r.pk for r in data.resources}
    wanted_emails = dict(data.externals)
    removed, kept = [], []
    for attendee in current:
        if attendee.user_id:
            keep = attendee.user_id in wanted_users
        elif attendee.resource_id:
            keep = attendee.resource_id in wanted_resources
        else:
            keep = attendee.email in wanted_emails
        (kept if keep else removed).append(attendee)
    for attendee in removed:
        attendee.delete()
    have_users = {a.user_id for a in kept if a.user_id}
    have_resources = {a.resource_id for a in kept if a.resource_id}
    have_emails = {a.email for a in kept if a.is_external}
    added = []
    for user_id in wanted_users - have_users:
        is_organiser = organiser is not None and user_id == organiser.pk
        added.append(
            Attendee.objects.create(
                event=event,
                user_id=user_id,
                role=Role.CHAIR if is_organiser else Role.REQUIRED,
                partstat=PartStat.ACCEPTED if is_organiser else PartStat.NEEDS_ACTION,
                responded_at=timezone.now() if is_organiser else None,
            )
        )
    for resource in data.resources:
        if resource.pk not in have_resources:
            added.append(
                Attendee.objects.create(
                    event=event,
                    resource=resource,
                    role=Role.NON_PARTICIPANT,
                    partstat=PartStat.ACCEPTED,
                    responded_at=timezone.now(),
                )
            )
    for email, name in data.externals:
        if email not in have_emails:
            added.append(Attendee.objects.create(event=event, email=email, name=name))
    if timing_changed:
        reset = [
            a
            for a in kept
            if not a.resource_id and not (organiser is not None and a.user_id == organiser.pk)
        ]
        Attendee.objects.filter(pk__in=[a.pk for a in reset]).update(
            partstat=PartStat.NEEDS_ACTION, responded_at=None
        )
    return {"added": added, "removed": removed, "kept": kept}


_T = TypeVar("_T")
#: how long a booking waits for another writer of a SQLite database before giving up
SQLITE_LOCK_WAIT = 10.0


def _copy_data(value: Any) -> Any:
    """A copy of an ``EventData`` argument (the use cases normalise theirs in place)."""
    if not isinstance(value, EventData):
        return value
    return dataclasses.replace(
        value,
        exdates=list(value.exdates or []),
        reminders=list(value.reminders or []),
        attachments=[dict(a) if isinstance(a, dict) else a for a in value.attachments or []],
        users=list(value.users or []),
        externals=list(value.externals or []),
        resources=list(value.resources or []),
    )


def _reloaded(value: Any) -> Any:
    """An event argument as the database has it (a failed attempt may have changed it)."""
    if isinstance(value, Event) and value.pk:
        return Event.objects.get(pk=value.pk)
    return _copy_data(value)


def _serialised(function: Callable[..., _T], *args: Any) -> _T:
    """Run the use case ``function`` in a transaction of its own; on SQLite, start it again
    while another writer holds the database.

    Bookings are serialised by the database: PostgreSQL by the row locks of
    ``_lock_resources``; SQLite by its single writer (``transaction_mode=IMMEDIATE`` takes the
    write lock at BEGIN and ``busy_timeout`` waits for it). A shared-cache SQLite database (the
    in-memory one of the tests) answers "table is locked" at once instead of waiting, and a
    file one does after ``busy_timeout`` under load: the failed attempt wrote nothing, so it is
    run again, on fresh copies of its arguments, up to ``SQLITE_LOCK_WAIT`` seconds. Inside an
    outer transaction nothing is retried (the error goes to the outer one).
    """
    connection = transaction.get_connection()
    retry = connection.vendor == "sqlite" and not connection.in_atomic_block
    pristine = [_copy_data(a) for a in args] if retry else []
    deadline = time.monotonic() + SQLITE_LOCK_WAIT
    attempt = 0
    while True:
        try:
            with transaction.atomic():
                return function(*args)
        except OperationalError as error:
            if not retry or "locked" not in str(error) or time.monotonic() > deadline:
                raise
        attempt += 1
        time.sleep(min(0.005 * attempt, 0.1))
        args = tuple(_reloaded(a) for a in pristine)


def create_event(actor: Any, calendar: Calendar, data: EventData, notify: bool = True) -> Event:
    """Add an event to ``calendar``; invite its attendees; book its rooms (never twice)."""
    return _serialised(_create_event, actor, calendar, data, notify)


def _create_event(actor: Any, calendar: Calendar, data: EventData, notify: bool) -> Event:
    require(actor, "write", calendar)
    data = _clean(actor, data)
    booked = booked_resources(calendar, data.resources)
    lock_resources(booked)
    owner = calendar.owner if calendar.kind == CalendarKind.PERSONAL else actor
    event = Event(calendar=calendar, organiser=owner, created_by=actor)
    event.organiser_email = owner.email
    event.organiser_name = owner.get_full_name()
    _apply(event, data)
    event.exdates = list(data.exdates or [])
    check_rooms(actor, event, booked, None)
    event.full_clean(exclude=["ical", "uid"])
    event.save()
    changes = _set_attendees(event, data, owner, timing_changed=False)
    rebuild_occurrences(event)
    if notify:
        _notify(event, "REQUEST", [a.pk for a in changes["added"]])
    if calendar.kind == CalendarKind.SPACE and calendar.space_id:
        _tell_space(event, actor)
    return event


def _tell_space(event: Event, actor: Any) -> None:
    """A meeting planned in a space's agenda is a line of the space's activity feed."""
    from entente.spaces.activity import record_activity
    from entente.spaces.models import ActivityVerb

    record_activity(
        event.calendar.space,
        actor,
        ActivityVerb.EVENT_CREATED,
        label=event.title,
        url=reverse("calendars:event", args=[event.pk]),
    )


def update_event(
    actor: Any,
    event: Event,
    data: EventData,
    scope: str = Scope.ALL,
    recurrence_id: dt.datetime | None = None,
    notify: bool = True,
) -> Event:
    """Change an event; for a series, this instance, this and the following ones, or all.

    ``recurrence_id`` is the original start (UTC) of the instance the person acted on (for
    ``this`` and ``following``; an override knows its own). With ``all`` from an overridden
    instance, ``data`` holds that instance's new times and the whole series moves by as much
    (wall-clock time). Returns the event that now holds the change (an override or a new
    series when split).
    """
    return _serialised(_update_event, actor, event, data, scope, recurrence_id, notify)


def _update_event(
    actor: Any,
    event: Event,
    data: EventData,
    scope: str,
    recurrence_id: dt.datetime | None,
    notify: bool,
) -> Event:
    require(actor, "edit", event)
    if scope not in Scope.CHOICES:
        raise ValidationError(_("Choisissez quelles occurrences modifier."), code="invalid_scope")
    data = _clean(actor, data)
    master = event.series
    lock_resources(booked_resources(master.calendar, data.resources))
    if master.rrule and scope != Scope.ALL:
        if recurrence_id is None:
            recurrence_id = event.recurrence_id
        if recurrence_id is None:
            raise ValidationError(_("Indiquez quelle occurrence modifier."), code="no_occurrence")
        if scope == Scope.THIS:
            return _update_instance(actor, master, recurrence_id, data, notify)
        if recurrence_id > master.start:
            return _split_series(actor, master, recurrence_id, data, notify)
    if event.master_id and scope == Scope.THIS:
        return _update_instance(actor, master, event.recurrence_id, data, notify)
    return _update_series(actor, master, event, data, notify)


def _wall(instant: dt.datetime, tz: Any) -> dt.datetime:
    """The wall-clock time of ``instant`` in ``tz``, without zone."""
    return instant.astimezone(tz).replace(tzinfo=None)


def _at(wall: dt.datetime, tz: Any) -> dt.datetime:
    """The UTC instant of the wall-clock time ``wall`` in ``tz``."""
    return wall.replace(tzinfo=tz).astimezone(UTC)


def _update_series(actor: Any, master: Event, event: Event, data: EventData, notify: bool) -> Event:
    """Change a single event, or every instance of a series."""
    if master.rrule and event.master_id:
        # edited "all" from one instance: move the series as much as that instance moved,
        # in wall-clock time (10:00 → 11:00 is 11:00 in winter and in summer)
        tz = zone(data.tzid)
        shift = _wall(data.start, tz) - _wall(event.start, tz)
        length = _wall(data.end, tz) - _wall(data.start, tz)
        data.start = _at(_wall(master.start, tz) + shift, tz)
        data.end = _at(_wall(data.start, tz) + length, tz)
    before = (master.start, master.end, master.rrule, master.all_day, master.tzid)
    timing_changed = before[:4] != (data.start, data.end, data.rrule, data.all_day)
    _apply(master, data)
    if master.rrule or before[2]:
        _carry_exceptions(master, *before)
    master.sequence += 1
    check_rooms(actor, master, booked_resources(master.calendar, data.resources), master)
    master.full_clean(exclude=["ical", "uid"])
    master.save()
    organiser = master.organiser
    changes = _set_attendees(master, data, organiser, timing_changed)
    rebuild_occurrences(master)
    if notify:
        _send_cancellations(master, changes["removed"])
        _notify(master, "REQUEST", [a.pk for a in changes["added"] + changes["kept"]])
    return master


def _carry_exceptions(
    master: Event,
    old_start: dt.datetime,
    old_end: dt.datetime,
    old_rrule: str,
    old_all_day: bool,
    old_tzid: str,
) -> None:
    """After the whole series changed, keep its exceptions where they still belong.

    When the rule stays the same (its end aside) a removed instance stays removed and a changed
    one stays changed, moved with the series; an override that had not moved on its own moves
    with its instance. An exception whose instance is no longer in the series, or every
    exception when the rule itself changed, is dropped. Call before saving ``master``.
    """
    overrides = list(Event.objects.filter(master=master).order_by("recurrence_id"))
    same_rule = (
        bool(old_rrule)
        and bool(master.rrule)
        and old_all_day == master.all_day
        and base_rule(old_rrule) == base_rule(master.rrule)
    )
    unchanged = (old_start, old_end, old_tzid) == (master.start, master.end, master.tzid)
    if same_rule and unchanged and old_rrule == master.rrule:
        return
    if not same_rule:
        master.exdates = []
        Event.objects.filter(pk__in=[o.pk for o in overrides]).delete()
        return
    old_tz, new_tz = zone(old_tzid), zone(master.tzid)
    shift = _wall(master.start, new_tz) - _wall(old_start, old_tz)

    def moved(instant: dt.datetime) -> dt.datetime:
        return _at(_wall(instant, old_tz) + shift, new_tz)

    removed = [moved(x) for x in exdate_instants(master)]
    candidates = removed + [moved(o.recurrence_id) for o in overrides]
    if not candidates:
        return
    plain = copy.copy(master)
    plain.exdates = []
    still = {s for s, _e in instances(plain, max(candidates) + dt.timedelta(seconds=1))}
    master.exdates = [x.isoformat() for x in removed if x in still]
    gone = [o.pk for o in overrides if moved(o.recurrence_id) not in still]
    Event.objects.filter(pk__in=gone).delete()
    kept = [o for o in overrides if o.pk not in gone]
    # moved one by one in the direction of the move, so that no two share a RECURRENCE-ID
    if shift > dt.timedelta(0):
        kept.reverse()
    old_length = old_end - old_start
    for override in kept:
        rid = override.recurrence_id
        if (override.start, override.end) == (rid, rid + old_length):
            override.start = moved(rid)
            override.end = override.start + (master.end - master.start)
        override.recurrence_id = moved(rid)
        override.save(update_fields=["recurrence_id", "start", "end", "updated_at"])


def _update_instance(
    actor: Any, master: Event, recurrence_id: dt.datetime, data: EventData, notify: bool
) -> Event:
    """Change one instance: its override, made the first time from the series."""
    override = Event.objects.filter(master=master, recurrence_id=recurrence_id).first()
    removed = recurrence_id in exdate_instants(master)
    new = override is None
    if new:
        instance = next(
            (
                (start, end)
                for start, end in instances(master, recurrence_id + dt.timedelta(seconds=1))
                if start == recurrence_id
            ),
            None,
        )
        if instance is None:
            raise ValidationError(_("Cette occurrence n'existe pas."), code="no_occurrence")
        override = Event(
            calendar=master.calendar,
            uid=master.uid,
            master=master,
            recurrence_id=recurrence_id,
            organiser=master.organiser,
            organiser_email=master.organiser_email,
            organiser_name=master.organiser_name,
            created_by=actor,
        )
        timing_changed = instance != (data.start, data.end)
    elif removed or override.status == EventStatus.CANCELLED:
        raise ValidationError(_("Cette occurrence a été supprimée."), code="no_occurrence")
    else:
        timing_changed = (override.start, override.end) != (data.start, data.end)
    data.rrule = ""
    _apply(override, data)
    override.sequence = master.sequence + 1
    check_rooms(actor, override, booked_resources(master.calendar, data.resources), master)
    override.full_clean(exclude=["ical", "uid"])
    override.save()
    if new:
        # the instance starts with the answers given to the series
        Attendee.objects.bulk_create(
            Attendee(
                event=override,
                user_id=a.user_id,
                resource_id=a.resource_id,
                email=a.email,
                name=a.name,
                role=a.role,
                partstat=a.partstat,
                responded_at=a.responded_at,
                comment=a.comment,
            )
            for a in master.attendees.all()
        )
    changes = _set_attendees(override, data, master.organiser, timing_changed)
    rebuild_occurrences(master)
    if notify:
        _send_cancellations(override, changes["removed"])
        _notify(override, "REQUEST", [a.pk for a in changes["added"] + changes["kept"]])
    return override


def _end_series_before(master: Event, recurrence_id: dt.datetime) -> None:
    """Make ``master`` stop just before the instance starting at ``recurrence_id``."""
    parts = [p for p in master.rrule.split(";") if not p.startswith(("UNTIL=", "COUNT="))]
    until = (recurrence_id - dt.timedelta(seconds=1)).astimezone(UTC)
    master.rrule = ";".join([*parts, f"UNTIL={until.strftime('%Y%m%dT%H%M%SZ')}"])
    master.exdates = [x.isoformat() for x in exdate_instants(master) if x < recurrence_id]
    Event.objects.filter(master=master, recurrence_id__gte=recurrence_id).delete()
    master.sequence += 1
    master.save()
    rebuild_occurrences(master)


def _split_series(
    actor: Any, master: Event, recurrence_id: dt.datetime, data: EventData, notify: bool
) -> Event:
    """ "This one and the following": the old series ends before, a new one starts here.

    The new series keeps the rule (a COUNT becomes the number of instances left, counted as
    RFC 5545 does, removed ones included) unless the person gave another, and the removed
    instances from here on, moved as far as this instance moved.
    """
    plain = copy.copy(master)
    plain.exdates = []
    if data.rrule in ("", master.rrule):
        parts = dict(p.split("=", 1) for p in master.rrule.split(";") if "=" in p)
        if "COUNT" in parts:
            done = sum(1 for _s in instances(plain, recurrence_id))
            remaining = int(parts["COUNT"]) - done
            if remaining < 1:
                raise ValidationError(_("Cette occurrence n'existe pas."), code="no_occurrence")
            parts["COUNT"] = str(remaining)
        data.rrule = ";".join(f"{k}={v}" for k, v in parts.items())
    tz = zone(master.tzid)
    shift = _wall(data.start, tz) - _wall(recurrence_id, tz)
    later = [_at(_wall(x, tz) + shift, tz) for x in exdate_instants(master) if x > recurrence_id]
    data.exdates = sorted({*(data.exdates or []), *(x.isoformat() for x in later)})
    attendees_before = [a.pk for a in master.attendees.all()]
    _end_series_before(master, recurrence_id)
    new = create_event(actor, master.calendar, data, notify=False)
    if notify:
        _notify(new, "REQUEST", [a.pk for a in new.attendees.all()])
        _notify(master, "REQUEST", attendees_before)
    return new


def _people_to_tell(master: Event) -> list[Attendee]:
    """The attendees of a series (master and overrides) who hear of its cancellation: not the
    organiser, not the rooms; each person or address once."""
    seen, found = set(), []
    rows = Attendee.objects.filter(Q(event=master) | Q(event__master=master)).select_related("user")
    for attendee in rows.order_by("event__master_id", "pk"):
        if attendee.resource_id or (attendee.user_id and attendee.user_id == master.organiser_id):
            continue
        key = ("user", attendee.user_id) if attendee.user_id else ("email", attendee.email)
        if key not in seen:
            seen.add(key)
            found.append(attendee)
    return found


@transaction.atomic
def delete_event(
    actor: Any, event: Event, scope: str = Scope.ALL, recurrence_id: dt.datetime | None = None
) -> None:
    """Delete an event, or one instance / the following instances of a series; the attendees
    are told it is cancelled.

    An event nobody else was invited to is deleted; otherwise it stays as a cancelled
    tombstone (no occurrence, so no busy time and no room taken) that tells attendees and
    their clients it was cancelled.
    """
    require(actor, "delete", event)
    master = event.series
    if recurrence_id is None:
        recurrence_id = event.recurrence_id
    if master.rrule and scope == Scope.THIS and recurrence_id is not None:
        override = Event.objects.filter(master=master, recurrence_id=recurrence_id).first()
        attendees = list((override or master).attendees.select_related("user"))
        stamp = recurrence_id.astimezone(UTC).isoformat()
        if recurrence_id not in exdate_instants(master):
            master.exdates = [*master.exdates, stamp]
        master.sequence += 1
        master.save()
        if override is not None:
            override.status = EventStatus.CANCELLED
            override.sequence = master.sequence
            override.save(update_fields=["status", "sequence", "updated_at"])
        rebuild_occurrences(master)
        _send_cancellations(master, attendees, recurrence_id=recurrence_id)
        return
    if master.rrule and scope == Scope.FOLLOWING and recurrence_id and recurrence_id > master.start:
        _end_series_before(master, recurrence_id)
        _notify(master, "REQUEST", [a.pk for a in master.attendees.all()])
        return
    people = _people_to_tell(master)
    if not people:
        master.delete()  # nobody to tell: nothing to keep
        return
    master.status = EventStatus.CANCELLED
    master.sequence += 1
    master.save(update_fields=["status", "sequence", "updated_at"])
    Event.objects.filter(master=master).update(status=EventStatus.CANCELLED)
    rebuild_occurrences(master)
    _send_cancellations(master, people)


def _snapshot(event: Event) -> dict[str, Any]:
    """What a cancellation says of an event, should the event be gone when it is sent."""
    return {
        "uid": event.uid,
        "title": event.title,
        "location": event.location,
        "start": event.start.isoformat(),
        "end": event.end.isoformat(),
        "all_day": event.all_day,
        "tzid": event.tzid,
        "sequence": event.sequence,
        "organiser_email": event.organiser_email,
        "organiser_name": event.organiser_name,
    }


def _send_cancellations(
    event: Event, attendees: list[Attendee], recurrence_id: dt.datetime | None = None
) -> None:
    """Tell the attendees (not the organiser, not the rooms) the event will not take place."""
    recipients = [
        {"user_id": a.user_id, "email": a.user.email if a.user_id else a.email, "name": a.name}
        for a in attendees
        if not a.resource_id and a.user_id != event.organiser_id
    ]
    if not recipients:
        return
    from entente.calendars import notifications

    stamp = recurrence_id.isoformat() if recurrence_id else None
    snapshot = _snapshot(event)
    transaction.on_commit(
        lambda: notifications.send_cancellations.enqueue(event.pk, recipients, stamp, snapshot)
    )


def _notify(event: Event, method: str, attendee_ids: list[int]) -> None:
    """Queue the invitations (``REQUEST``: new or changed event), after the commit."""
    ids = list(
        Attendee.objects.filter(pk__in=attendee_ids, resource__isnull=True)
        .exclude(user_id=event.organiser_id, user__isnull=False)
        .values_list("pk", flat=True)
    )
    if not ids:
        return
    from entente.calendars import notifications
    from entente.notifications.hooks import invited_to_event

    invited_to_event(event, ids)
    transaction.on_commit(lambda: notifications.send_invitations.enqueue(event.pk, ids))


# --- answers -----------------------------------------------------------------------------------


def record_reply(attendee: Attendee, partstat: str, comment: str = "", via: str = "app") -> None:
    """Store an attendee's answer (iTIP REPLY semantics) and tell the organiser."""
    if partstat not in (PartStat.ACCEPTED, PartStat.TENTATIVE, PartStat.DECLINED):
        raise ValidationError(
            _("Répondez « accepter », « peut-être » ou « décliner »."), code="invalid_answer"
        )
    if len(comment or "") > 500:
        raise ValidationError(_("Le commentaire fait au plus 500 caractères."), code="too_long")
    changed = attendee.partstat != partstat or attendee.comment != (comment or "")
    attendee.partstat = partstat
    attendee.comment = (comment or "").strip()
    attendee.responded_at = timezone.now()
    attendee.save(update_fields=["partstat", "comment", "responded_at"])
    event = attendee.event
    if event.master_id is None:
        # answering the series answers its instances changed on their own too (RFC 5546)
        same = Q(user_id=attendee.user_id) if attendee.user_id else Q(email=attendee.email)
        Attendee.objects.filter(same, event__master=event, resource__isnull=True).update(
            partstat=attendee.partstat, responded_at=attendee.responded_at
        )
    if changed and event.organiser_id and event.organiser_id != attendee.user_id:
        from entente.calendars import notifications

        transaction.on_commit(lambda: notifications.send_reply_notice.enqueue(attendee.pk, via))


def respond(
    actor: Any, event: Event, partstat: str, comment: str = "", on_behalf_of: Any = None
) -> Attendee:
    """``actor`` answers an invitation for themself, or for ``on_behalf_of`` whose main
    calendar they may write (an assistant answering for an élu: iTIP's SENT-BY)."""
    require(actor, "respond", event)
    person = on_behalf_of or actor
    if person.pk != actor.pk and not can(actor, "write", default_calendar(person)):
        raise ValidationError(
            _("Vous ne gérez pas l'agenda de %(name)s.") % {"name": person},
            code="not_delegate",
        )
    attendee = (
        Attendee.objects.filter(event=event, user=person).first()
        or Attendee.objects.filter(event=event.series, user=person).first()
    )
    if attendee is None:
        if person.pk != actor.pk:
            raise ValidationError(
                _("%(name)s n'est pas invité·e à cet évènement.") % {"name": person},
                code="not_invited",
            )
        raise ValidationError(_("Vous n'êtes pas invité·e à cet évènement."), code="not_invited")
    with transaction.atomic():
        record_reply(attendee, partstat, comment, via="app")
    return attendee


def pending_invitations(user: Any) -> QuerySet:
    """Invitations ``user`` has not answered, for events not over yet, soonest first.

    One row per series (its next instance decides the order); an instance changed on its own
    whose new time awaits an answer is listed too, unless the whole series still does.
    """
    now = timezone.now()
    upcoming = Occurrence.objects.filter(event_id=OuterRef("event_id"), end__gt=now).order_by(
        "start"
    )
    series_pending = Attendee.objects.filter(
        event_id=OuterRef("event__master_id"), user_id=user.pk, partstat=PartStat.NEEDS_ACTION
    )
    return (
        Attendee.objects.filter(user_id=user.pk, partstat=PartStat.NEEDS_ACTION)
        .exclude(event__organiser_id=user.pk)
        .exclude(event__status=EventStatus.CANCELLED)
        .filter(Q(event__master__isnull=True) | ~Exists(series_pending))
        .annotate(next_start=Subquery(upcoming.values("start")[:1]))
        .filter(next_start__isnull=False)
        .select_related("event", "event__organiser", "event__calendar")
        .order_by("next_start", "pk")
    )


# --- reading -----------------------------------------------------------------------------------


def agenda_occurrences(
    viewer: Any, calendars: list[Calendar], start: dt.datetime, end: dt.datetime
) -> list[Occurrence]:
    """Occurrences between ``start`` and ``end`` of ``calendars`` (which the viewer may read)
    and of the events the viewer is invited to and did not decline, soonest first.

    One query whatever the number of calendars (plus one when looking past the horizon).
    """
    from entente.calendars.recurrence import ensure_expanded

    ensure_expanded(end)
    if not is_active_user(viewer):
        return []
    readable = calendars_at_least(viewer, "read").filter(pk__in=[c.pk for c in calendars])
    # someone's invitations go with their main calendar: shown when it is
    people = [
        viewer.pk,
        *readable.filter(kind=CalendarKind.PERSONAL, is_default=True).values_list(
            "owner_id", flat=True
        ),
    ]
    invited = (
        Attendee.objects.filter(user_id__in=people)
        .exclude(partstat=PartStat.DECLINED)
        .values("event_id")
    )
    rows = (
        Occurrence.objects.filter(start__lt=end, end__gt=start)
        .filter(Q(calendar_id__in=readable.values("pk")) | Q(event_id__in=invited))
        .select_related("event", "event__calendar", "event__master", "calendar")
        .order_by("start", "end", "pk")
    )
    return list(rows)
