"""Reading and writing iCalendar (RFC 5545) files: import, export and subscription feeds.

``parse_calendar`` turns the bytes of a ``.ics`` file into plain ``ParsedEvent`` values (UTC
times, the event's IANA time zone, the rule normalised as Entente stores it) and lists every
item it cannot honour with a reason in French, so that nothing is dropped silently. Problems
with the whole file raise ``IcsError``. ``calendar_to_ics`` writes a calendar back, starting
from each event's stored VEVENT so that properties Entente does not know survive a round trip.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

import icalendar
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from entente.calendars.data import EventFields
from entente.calendars.models import (
    DEFAULT_TZID,
    Calendar,
    Event,
    EventStatus,
    PartStat,
    Privacy,
    Role,
)
from entente.calendars.recurrence import UTC, normalise_rrule
from entente.core.permissions import can

PRODID = "-//Entente//Agenda//FR"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: an event lasts at most this long (as when it is created in Entente)
MAX_EVENT_DAYS = 366
MAX_REMINDERS = 5
MAX_REMINDER_MINUTES = 4 * 7 * 24 * 60
#: properties Entente writes itself on export (the stored source's values are replaced)
KNOWN_PROPERTIES = (
    "UID",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "DURATION",
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "CLASS",
    "TRANSP",
    "STATUS",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
    "SEQUENCE",
    "ORGANIZER",
    "ATTENDEE",
    "URL",
    "X-GOOGLE-CONFERENCE",
    "CONFERENCE",
    "ATTACH",
    "LAST-MODIFIED",
    "CREATED",
    "METHOD",
)
PARTSTATS = set(PartStat.values)
ROLES = set(Role.values)


class IcsError(Exception):
    """The file as a whole cannot be read; ``message`` says why in French."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _Skip(Exception):  # noqa: N818 (internal control flow, not an error)
    """One item cannot be imported; carries its French reason."""


@dataclass
class ParsedAttendee:
    email: str
    name: str = ""
    role: str = Role.REQUIRED
    partstat: str = PartStat.NEEDS_ACTION
    #: INDIVIDUAL, ROOM, RESOURCE…
    cutype: str = "INDIVIDUAL"


@dataclass
class ParsedEvent(EventFields):
    """One VEVENT, times in UTC, in the shape of an ``Event`` row."""

    uid: str = ""
    organiser_email: str = ""
    organiser_name: str = ""
    attendees: list[ParsedAttendee] = field(default_factory=list)
    sequence: int = 0
    #: the original start (UTC) of the instance this one replaces, for an override
    recurrence_id: dt.datetime | None = None
    comment: str = ""
    #: the VEVENT as received
    ical: str = ""
    #: the overridden instances of this series found in the same file
    overrides: list[ParsedEvent] = field(default_factory=list)


@dataclass
class Skipped:
    uid: str
    summary: str
    reason: str


@dataclass
class ParsedCalendar:
    items: list[ParsedEvent] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    method: str = ""


# --- time zones --------------------------------------------------------------------------------


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def iana_name(tzid: str) -> str | None:
    """The IANA zone a client means by ``tzid``: IANA itself, an Outlook (Windows) name, or a
    path ending in an IANA name as Evolution and old Thunderbird write it."""
    name = (tzid or "").strip().strip('"')
    if not name:
        return None
    if name in _zone_names():
        return name
    if name in WINDOWS_TO_OLSON:
        return WINDOWS_TO_OLSON[name]
    parts = [p for p in name.split("/") if p]
    for index in range(1, len(parts)):
        candidate = "/".join(parts[index:])
        if candidate in _zone_names():
            return candidate
    return None


def _moment(prop: Any, default_tzid: str, what: str) -> tuple[dt.datetime | dt.date, str]:
    """(value, zone) of a DTSTART-like property: a date stays a date; a date-time is in UTC."""
    if isinstance(prop, list):
        raise _Skip(_("La propriété %(name)s est en double.") % {"name": what})
    try:
        value = prop.dt
    except (AttributeError, ValueError) as error:
        raise _Skip(_("La date %(name)s est illisible.") % {"name": what}) from error
    if not isinstance(value, dt.datetime):
        if isinstance(value, dt.date):
            return value, default_tzid
        raise _Skip(_("La date %(name)s est illisible.") % {"name": what})
    tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
    if tzid:
        name = iana_name(str(tzid))
        if name:
            local = value.replace(tzinfo=None).replace(tzinfo=ZoneInfo(name))
            return local.astimezone(UTC), name
        if value.tzinfo is not None:
            # an unknown name, but the file describes the zone (VTIMEZONE): the instant is right
            return value.astimezone(UTC), default_tzid
        raise _Skip(
            _("Le fuseau horaire « %(tzid)s » est inconnu et n'est pas décrit dans le fichier.")
            % {"tzid": str(tzid)[:64]}
        )
    if value.tzinfo is None:  # floating time: read in the default zone
        return value.replace(tzinfo=ZoneInfo(default_tzid)).astimezone(UTC), default_tzid
    return value.astimezone(UTC), default_tzid


def _day_start(day: dt.date, tzid: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), ZoneInfo(tzid)).astimezone(UTC)


def _utc_of(value: dt.datetime | dt.date, tzid: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return _day_start(value, tzid)


# --- reading -----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    limit = getattr(settings, "CALENDAR_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)
    if len(data) > limit:
        raise IcsError(
            "too_large",
            _("Le fichier dépasse la taille maximale de %(size)s Mo : découpez-le en plusieurs.")
            % {"size": limit // (1024 * 1024) or 1},
        )
    if not data.strip():
        raise IcsError("empty", _("Le fichier est vide."))
    try:
        # iCalendar is UTF-8 (RFC 5545); guessing another encoding would garble accents
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise IcsError(
            "encoding",
            _(
                "Le fichier n'est pas encodé en UTF-8, comme l'exige le format iCalendar. "
                "Exportez-le de nouveau depuis votre agenda, ou enregistrez-le en UTF-8."
            ),
        ) from None


def _text(component: Any, name: str, limit: int) -> str:
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    return str(value).replace("\r\n", "\n").strip()[:limit]


def _address(value: Any) -> str:
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    text = text.strip().lower()
    try:
        EmailValidator()(text)
    except ValidationError:
        return ""
    return text


def _https(value: str) -> str:
    value = (value or "").strip()
    try:
        URLValidator(schemes=["https"])(value)
    except ValidationError:
        return ""
    return value[:500]


def _reminders(component: Any, start: dt.datetime) -> list[int]:
    minutes: set[int] = set()
    for alarm in component.walk("VALARM"):
        trigger = alarm.get("TRIGGER")
        if trigger is None or isinstance(trigger, list):
            continue
        try:
            value = trigger.dt
        except (AttributeError, ValueError):
            continue
        if isinstance(value, dt.timedelta):
            if str(trigger.params.get("RELATED", "START")).upper() != "START":
                continue
            before = -value
        elif isinstance(value, dt.datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
            before = start - moment
        else:
            continue
        count = int(before.total_seconds() // 60)
        if 0 <= count <= MAX_REMINDER_MINUTES:
            minutes.add(count)
    return sorted(minutes)[:MAX_REMINDERS]


def _attendees(component: Any) -> list[ParsedAttendee]:
    found: list[ParsedAttendee] = []
    seen: set[str] = set()
    values = component.get("ATTENDEE") or []
    if not isinstance(values, list):
        values = [values]
    for value in values:
        email = _address(value)
        if not email or email in seen:
            continue
        seen.add(email)
        params = getattr(value, "params", {})
        role = str(params.get("ROLE", Role.REQUIRED)).upper()
        partstat = str(params.get("PARTSTAT", PartStat.NEEDS_ACTION)).upper()
        found.append(
            ParsedAttendee(
                email=email,
                name=str(params.get("CN", "")).strip()[:255],
                role=role if role in ROLES else Role.REQUIRED,
                partstat=partstat if partstat in PARTSTATS else PartStat.NEEDS_ACTION,
                cutype=str(params.get("CUTYPE", "INDIVIDUAL")).upper(),
            )
        )
    return found


def _exdates(component: Any, tzid: str, all_day: bool) -> list[str]:
    values = component.get("EXDATE")
    if values is None:
        return []
    if not isinstance(values, list):
        values = [values]
    found: list[str] = []
    for group in values:
        for prop in getattr(group, "dts", []):
            moment, _zone = _moment(prop, tzid, "EXDATE")
            if all_day and isinstance(moment, dt.date) and not isinstance(moment, dt.datetime):
                stamp = _day_start(moment, tzid)
            else:
                stamp = _utc_of(moment, tzid)
            text = stamp.astimezone(UTC).isoformat()
            if text not in found:
                found.append(text)
    return found


def parse_event(component: Any, default_tzid: str = DEFAULT_TZID) -> ParsedEvent:
    """One VEVENT as a ``ParsedEvent``; raises ``_Skip`` with the reason it cannot be used."""
    uid = _text(component, "UID", 255)
    if not uid:
        raise _Skip(_("L'évènement n'a pas d'identifiant (UID)."))
    if component.get("DTSTART") is None:
        raise _Skip(_("L'évènement n'a pas de date de début (DTSTART)."))
    if component.get("RDATE") is not None:
        raise _Skip(
            _("Les dates de répétition supplémentaires (RDATE) ne sont pas prises en charge.")
        )
    begin, tzid = _moment(component["DTSTART"], default_tzid, "DTSTART")
    all_day = not isinstance(begin, dt.datetime)
    start = _utc_of(begin, tzid)
    if component.get("DTEND") is not None:
        finish, _zone = _moment(component["DTEND"], tzid, "DTEND")
        if all_day and isinstance(finish, dt.datetime):
            raise _Skip(
                _("Le début est une date et la fin une heure : l'évènement est incohérent.")
            )
        end = _utc_of(finish, tzid)
    elif component.get("DURATION") is not None:
        try:
            length = component["DURATION"].dt
        except (AttributeError, ValueError) as error:
            raise _Skip(_("La durée (DURATION) est illisible.")) from error
        if not isinstance(length, dt.timedelta):
            raise _Skip(_("La durée (DURATION) est illisible."))
        if all_day:
            days = max(length.days, 1)
            end = _day_start(begin + dt.timedelta(days=days), tzid)
        else:
            end = start + length
    else:
        # RFC 5545: a day without end lasts the day, a date-time without end lasts no time
        end = _day_start(begin + dt.timedelta(days=1), tzid) if all_day else start
    if end < start or (all_day and end == start):
        raise _Skip(_("La fin de l'évènement vient avant son début."))
    if end - start > dt.timedelta(days=MAX_EVENT_DAYS):
        raise _Skip(_("L'évènement dure plus d'un an."))
    rrule = ""
    rules = component.get("RRULE")
    if rules is not None:
        if isinstance(rules, list):
            raise _Skip(_("L'évènement a plusieurs règles de répétition : une seule est permise."))
        try:
            text = rules.to_ical().decode()
            rrule = normalise_rrule(text, tzid, all_day)
        except (ValidationError, AttributeError, ValueError) as error:
            reason = error.messages[0] if isinstance(error, ValidationError) else ""
            raise _Skip(reason or _("La règle de répétition est illisible.")) from error
    recurrence_id = None
    if component.get("RECURRENCE-ID") is not None:
        original, _zone = _moment(component["RECURRENCE-ID"], tzid, "RECURRENCE-ID")
        recurrence_id = _utc_of(original, tzid)
    status = _text(component, "STATUS", 20).upper()
    visio = ""
    for name in ("X-GOOGLE-CONFERENCE", "CONFERENCE", "URL"):
        visio = _https(_text(component, name, 600))
        if visio:
            break
    try:
        sequence = int(component.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        sequence = 0
    organiser = component.get("ORGANIZER")
    if isinstance(organiser, list):
        organiser = organiser[0]
    return ParsedEvent(
        uid=uid,
        title=_text(component, "SUMMARY", 255) or _("Sans titre"),
        start=start,
        end=end,
        all_day=all_day,
        tzid=tzid,
        description=_text(component, "DESCRIPTION", 20000),
        location=_text(component, "LOCATION", 255),
        rrule=rrule,
        exdates=_exdates(component, tzid, all_day) if rrule else [],
        privacy=(
            Privacy.PRIVATE
            if _text(component, "CLASS", 20).upper() in ("PRIVATE", "CONFIDENTIAL")
            else Privacy.PUBLIC
        ),
        busy=_text(component, "TRANSP", 20).upper() != "TRANSPARENT",
        status=status if status in EventStatus.values else EventStatus.CONFIRMED,
        visio_url=visio,
        reminders=_reminders(component, start),
        organiser_email=_address(organiser) if organiser is not None else "",
        organiser_name=(
            str(organiser.params.get("CN", "")).strip()[:255]
            if organiser is not None and hasattr(organiser, "params")
            else ""
        ),
        attendees=_attendees(component),
        sequence=max(sequence, 0),
        recurrence_id=recurrence_id,
        comment=_text(component, "COMMENT", 500),
        ical=component.to_ical().decode(),
    )


OTHER_COMPONENTS = {
    "VTODO": _("Les tâches (VTODO) ne sont pas importées dans l'agenda."),
    "VJOURNAL": _("Les notes de journal (VJOURNAL) ne sont pas importées dans l'agenda."),
    "VFREEBUSY": _("Les plages de disponibilité (VFREEBUSY) ne sont pas importées."),
}


def read_components(data: bytes) -> list[Any]:
    """The VCALENDAR objects of ``data``; ``IcsError`` when the file is not iCalendar."""
    text = _decode(data)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if not lines or lines[0].upper() != "BEGIN:VCALENDAR":
        raise IcsError(
            "not_ical",
            _("Ce fichier n'est pas un agenda au format iCalendar (.ics)."),
        )
    if lines[-1].upper() != "END:VCALENDAR":
        raise IcsError(
            "truncated",
            _("Le fichier est incomplet (il s'arrête avant sa fin) : téléchargez-le de nouveau."),
        )
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, KeyError, IndexError) as error:
        raise IcsError(
            "malformed",
            _("Le fichier iCalendar est mal formé et ne peut pas être lu (%(detail)s).")
            % {"detail": str(error)[:120]},
        ) from error
    if not calendars:
        raise IcsError("not_ical", _("Ce fichier n'est pas un agenda au format iCalendar (.ics)."))
    return calendars


def parse_calendar(data: bytes, default_tzid: str = DEFAULT_TZID) -> ParsedCalendar:
    """Read an iCalendar file; ``IcsError`` for a file that cannot be read at all."""
    result = ParsedCalendar()
    found_event = False
    masters: dict[str, ParsedEvent] = {}
    overrides: list[tuple[ParsedEvent, str]] = []
    for calendar in read_components(data):
        result.method = result.method or str(calendar.get("METHOD", "")).upper()
        for component in calendar.subcomponents:
            summary = _text(component, "SUMMARY", 120)
            uid = _text(component, "UID", 255)
            if component.name in OTHER_COMPONENTS:
                result.skipped.append(Skipped(uid, summary, str(OTHER_COMPONENTS[component.name])))
                continue
            if component.name != "VEVENT":
                continue
            found_event = True
            try:
                event = parse_event(component, default_tzid)
            except _Skip as skip:
                result.skipped.append(Skipped(uid, summary, str(skip)))
                continue
            if event.recurrence_id is not None:
                overrides.append((event, summary))
            elif event.uid in masters:
                result.skipped.append(
                    Skipped(uid, summary, _("Un autre évènement du fichier a le même UID."))
                )
            else:
                masters[event.uid] = event
                result.items.append(event)
    for event, summary in overrides:
        master = masters.get(event.uid)
        if master is None or not master.rrule:
            result.skipped.append(
                Skipped(
                    event.uid,
                    summary,
                    _("Occurrence modifiée d'une série absente du fichier."),
                )
            )
        elif any(o.recurrence_id == event.recurrence_id for o in master.overrides):
            result.skipped.append(
                Skipped(event.uid, summary, _("Cette occurrence est modifiée deux fois."))
            )
        else:
            master.overrides.append(event)
    if not found_event:
        raise IcsError("no_events", _("Le fichier ne contient aucun évènement (VEVENT)."))
    return result


# --- writing -----------------------------------------------------------------------------------


def _local(moment: dt.datetime, tzid: str) -> dt.datetime:
    return moment.astimezone(ZoneInfo(iana_name(tzid) or DEFAULT_TZID))


def _set_times(component: Any, event: Event) -> None:
    if event.all_day:
        first = _local(event.start, event.tzid).date()
        last = _local(event.end, event.tzid).date()
        component.add("DTSTART", first)
        component.add("DTEND", max(last, first + dt.timedelta(days=1)))
        return
    component.add("DTSTART", _local(event.start, event.tzid))
    component.add("DTEND", _local(event.end, event.tzid))


def _instant_value(moment: dt.datetime, event: Event) -> dt.datetime | dt.date:
    local = _local(moment, event.tzid)
    return local.date() if event.all_day else local


def _clean(component: Any, names: tuple[str, ...]) -> None:
    for name in names:
        while name in component:
            del component[name]
    component.subcomponents = [c for c in component.subcomponents if c.name != "VALARM"]


def _cal_address(email: str, **params: str) -> icalendar.vCalAddress:
    address = icalendar.vCalAddress(f"mailto:{email}")
    for key, value in params.items():
        if value:
            address.params[key] = value
    return address


def attendee_property(attendee: Any) -> icalendar.vCalAddress | None:
    """The ATTENDEE value of an ``Attendee`` row (a room is named by a URN and CUTYPE)."""
    if attendee.resource_id:
        resource = attendee.resource
        value = icalendar.vCalAddress(f"urn:x-entente:resource:{resource.pk}")
        value.params["CN"] = resource.name
        value.params["CUTYPE"] = "ROOM" if resource.kind == "room" else "RESOURCE"
        value.params["ROLE"] = Role.NON_PARTICIPANT
        value.params["PARTSTAT"] = attendee.partstat
        return value
    email = attendee.address
    if not email:
        return None
    name = attendee.user.get_full_name() if attendee.user_id else attendee.name
    return _cal_address(email, CN=name, ROLE=attendee.role, PARTSTAT=attendee.partstat)


def busy_component(event: Event) -> icalendar.Event:
    """What someone without the details sees: when, and « Occupé »."""
    component = icalendar.Event()
    component.add("UID", event.uid)
    component.add("DTSTAMP", timezone.now().astimezone(UTC))
    _set_times(component, event)
    component.add("SUMMARY", _("Occupé"))
    component.add("CLASS", "PRIVATE")
    component.add("TRANSP", "OPAQUE" if event.busy else "TRANSPARENT")
    _add_recurrence(component, event)
    return component


def _add_recurrence(component: Any, event: Event) -> None:
    if event.rrule:
        component.add("RRULE", icalendar.vRecur.from_ical(event.rrule))
        stamps = []
        for value in event.exdates or []:
            try:
                stamps.append(dt.datetime.fromisoformat(value).astimezone(UTC))
            except (TypeError, ValueError):
                continue
        if stamps:
            component.add("EXDATE", [_instant_value(s, event) for s in sorted(stamps)])
    if event.recurrence_id is not None:
        component.add("RECURRENCE-ID", _instant_value(event.recurrence_id, event))


def event_to_component(event: Event, viewer: Any = None, full: bool = False) -> icalendar.Event:
    """The VEVENT of ``event``. ``viewer`` is who reads it: one who may not see the details
    gets a busy block; ``None`` (a subscription feed) gets the details of public events only.
    ``full`` is for the people invited (iTIP messages): everything, whoever reads."""
    if full:
        allowed = True
    elif viewer is None:
        allowed = event.privacy != Privacy.PRIVATE
    else:
        allowed = can(viewer, "view_details", event)
    if not allowed:
        return busy_component(event)
    component = None
    if event.ical:
        try:
            component = icalendar.Event.from_ical(event.ical)
        except (ValueError, KeyError, IndexError):
            component = None
    if component is None or getattr(component, "name", "") != "VEVENT":
        component = icalendar.Event()
    _clean(component, KNOWN_PROPERTIES)
    component.add("UID", event.uid)
    component.add("DTSTAMP", timezone.now().astimezone(UTC))
    _set_times(component, event)
    component.add("SUMMARY", event.title)
    if event.description:
        component.add("DESCRIPTION", event.description)
    if event.location:
        component.add("LOCATION", event.location)
    component.add("CLASS", "PRIVATE" if event.privacy == Privacy.PRIVATE else "PUBLIC")
    component.add("TRANSP", "OPAQUE" if event.busy else "TRANSPARENT")
    component.add("STATUS", event.status)
    component.add("SEQUENCE", event.sequence)
    _add_recurrence(component, event)
    if event.visio_url:
        component.add("URL", event.visio_url)
    for attachment in event.attachments or []:
        url = attachment.get("url") if isinstance(attachment, dict) else None
        if url:
            component.add("ATTACH", url)
    if event.created_at:
        component.add("CREATED", event.created_at.astimezone(UTC))
    if event.updated_at:
        component.add("LAST-MODIFIED", event.updated_at.astimezone(UTC))
    organiser_email = event.organiser.email if event.organiser_id else event.organiser_email
    if organiser_email:
        name = event.organiser.get_full_name() if event.organiser_id else event.organiser_name
        component.add("ORGANIZER", _cal_address(organiser_email, CN=name))
    for attendee in event.attendees.all():
        value = attendee_property(attendee)
        if value is not None:
            component.add("ATTENDEE", value)
    for minutes in event.reminders or []:
        alarm = icalendar.Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", event.title)
        alarm.add("TRIGGER", dt.timedelta(minutes=-int(minutes)))
        component.add_component(alarm)
    return component


def new_calendar(method: str = "", name: str = "") -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    if method:
        calendar.add("METHOD", method)
    if name:
        calendar.add("X-WR-CALNAME", name)
    return calendar


def finish(calendar: icalendar.Calendar) -> bytes:
    """The bytes of ``calendar`` with a VTIMEZONE for every zone its events use."""
    calendar.add_missing_timezones()
    return calendar.to_ical()


def export_events(calendar: Calendar) -> list[Event]:
    """The events of ``calendar`` to export: series with their overrides, none cancelled."""
    return list(
        Event.objects.filter(calendar=calendar)
        .exclude(status=EventStatus.CANCELLED)
        .select_related("organiser", "master")
        .prefetch_related("attendees__user", "attendees__resource")
        .order_by("master_id", "start", "pk")
    )


def calendar_to_ics(calendar: Calendar, events: list[Event], viewer: Any) -> bytes:
    """The iCalendar file of ``calendar`` with ``events`` as ``viewer`` may see them."""
    result = new_calendar(name=calendar.name)
    result.add("X-WR-TIMEZONE", calendar.tzid)
    for event in events:
        if event.master_id and event.master.status == EventStatus.CANCELLED:
            continue
        result.add_component(event_to_component(event, viewer))
    return finish(result)
