"""Recurrence: validate RRULEs and expand events into the ``Occurrence`` table.

A series is expanded in its own time zone, so "every Monday at 10:00" stays at 10:00 in Paris
across the changes to and from summer time; instances are then stored in UTC. Open-ended
series are expanded up to a rolling horizon (``CALENDAR_HORIZON_DAYS``, two years by default)
and further on demand when someone looks beyond it (``ensure_expanded``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.rrule import rrulestr
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.calendars.models import Event, EventStatus, Occurrence

UTC = dt.UTC
#: a series never gets more instances than this, whatever its rule says
MAX_INSTANCES = 3000
FREQUENCIES = {"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
#: sub-daily rules would flood the table (a meeting every minute for two years)
ALLOWED_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
RRULE_PARTS = {
    "FREQ",
    "UNTIL",
    "COUNT",
    "INTERVAL",
    "BYSECOND",
    "BYMINUTE",
    "BYHOUR",
    "BYDAY",
    "BYMONTHDAY",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYMONTH",
    "BYSETPOS",
    "WKST",
}


def horizon() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=getattr(settings, "CALENDAR_HORIZON_DAYS", 730))


def zone(tzid: str) -> ZoneInfo:
    """The ``ZoneInfo`` of an IANA name, or a ``ValidationError`` in plain French."""
    try:
        if isinstance(tzid, str) and tzid in _zone_names():
            return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError):
        pass
    raise ValidationError(
        _("« %(tzid)s » n'est pas un fuseau horaire connu (exemple : Europe/Paris).")
        % {"tzid": str(tzid or "")[:64]},
        code="invalid_timezone",
    )


_ZONES: set[str] = set()


def _zone_names() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


def _parts(rule: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    for item in rule.strip().removeprefix("RRULE:").split(";"):
        if not item:
            continue
        name, sep, value = item.partition("=")
        if not sep or not value:
            raise ValidationError(
                _("La règle de répétition « %(rule)s » est mal formée.") % {"rule": rule[:100]},
                code="invalid_rrule",
            )
        parts[name.strip().upper()] = value.strip().upper()
    return parts


def normalise_rrule(rule: str, tzid: str, all_day: bool) -> str:
    """Check ``rule`` and write its UNTIL in UTC, as RFC 5545 wants with a zoned start.

    Raises ``ValidationError`` with a French message for a rule Entente cannot honour.
    """
    if not rule.strip():
        return ""
    if len(rule) > 500:
        raise ValidationError(_("La règle de répétition est trop longue."), code="invalid_rrule")
    parts = _parts(rule)
    unknown = set(parts) - RRULE_PARTS
    if unknown:
        raise ValidationError(
            _("La règle de répétition contient un élément inconnu : %(part)s.")
            % {"part": ", ".join(sorted(unknown))},
            code="invalid_rrule",
        )
    freq = parts.get("FREQ")
    if freq not in FREQUENCIES:
        raise ValidationError(
            _("La règle de répétition doit dire sa fréquence (FREQ)."), code="invalid_rrule"
        )
    if freq not in ALLOWED_FREQUENCIES:
        raise ValidationError(
            _("Un évènement peut se répéter au plus chaque jour."), code="rrule_too_frequent"
        )
    if "UNTIL" in parts and "COUNT" in parts:
        raise ValidationError(
            _("Une répétition finit à une date ou après un nombre de fois, pas les deux."),
            code="invalid_rrule",
        )
    if "COUNT" in parts and not (parts["COUNT"].isdigit() and int(parts["COUNT"]) >= 1):
        raise ValidationError(
            _("Le nombre de répétitions doit être un entier positif."), code="invalid_rrule"
        )
    # dateutil repeats the first instance forever with INTERVAL=0 and fails late with INTERVAL<0
    if "INTERVAL" in parts and not (parts["INTERVAL"].isdigit() and int(parts["INTERVAL"]) >= 1):
        raise ValidationError(
            _("L'intervalle de répétition doit être un entier positif."), code="invalid_rrule"
        )
    if "UNTIL" in parts:
        parts["UNTIL"] = _until_utc(parts["UNTIL"], tzid, all_day)
    text = ";".join(f"{key}={value}" for key, value in parts.items())
    origin = dt.datetime(2000, 1, 1, tzinfo=UTC)
    try:
        rrulestr(f"RRULE:{text}", dtstart=origin)
        possible = _can_happen(parts, origin)
    except (ValueError, TypeError, OverflowError) as error:
        raise ValidationError(
            _("La règle de répétition « %(rule)s » est mal formée.") % {"rule": rule[:100]},
            code="invalid_rrule",
        ) from error
    if not possible:
        raise ValidationError(
            _("Cette règle de répétition ne tombe sur aucune date."), code="rrule_never"
        )
    return text


#: the BY parts that pick days; a yearly rule with the same parts picks the same days
DAY_PARTS = ("BYMONTH", "BYWEEKNO", "BYYEARDAY", "BYMONTHDAY", "BYDAY")


def _can_happen(parts: dict[str, str], origin: dt.datetime) -> bool:
    """Does the rule ever fall on a date? A rule that never does (30 February) would send
    dateutil stepping day by day up to the year 9999 (seconds of CPU) whenever it is expanded.

    Checked as a yearly rule with the same day filters, which dateutil walks a year at a time.
    """
    filters = {key: parts[key] for key in DAY_PARTS if key in parts}
    if not filters:
        return True
    probe = ";".join(["FREQ=YEARLY", *(f"{key}={value}" for key, value in filters.items())])
    return rrulestr(f"RRULE:{probe}", dtstart=origin).after(origin, inc=True) is not None


def _until_utc(value: str, tzid: str, all_day: bool) -> str:
    """UNTIL as a UTC date-time: a date means the end of that day in the event's zone."""
    match = re.fullmatch(r"(\d{8})(T(\d{6})(Z?))?", value)
    if not match:
        raise ValidationError(
            _("La date de fin de répétition est mal formée."), code="invalid_rrule"
        )
    try:
        day = dt.datetime.strptime(match.group(1), "%Y%m%d")  # noqa: DTZ007 (zone set below)
        if match.group(2) is None:
            local = day.replace(hour=23, minute=59, second=59, tzinfo=zone(tzid))
        else:
            clock = dt.datetime.strptime(match.group(3), "%H%M%S").time()  # noqa: DTZ007
            local = dt.datetime.combine(day.date(), clock)
            local = local.replace(tzinfo=UTC if match.group(4) else zone(tzid))
    except ValueError as error:
        raise ValidationError(
            _("La date de fin de répétition est mal formée."), code="invalid_rrule"
        ) from error
    return local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def base_rule(rule: str) -> dict[str, str]:
    """The parts of a (normalised) rule that say when it repeats, its end (UNTIL, COUNT) aside."""
    return {k: v for k, v in _parts(rule).items() if k not in ("UNTIL", "COUNT")}


def exdate_instants(event: Event) -> set[dt.datetime]:
    """The starts (UTC) of the instances removed from the series ``event``."""
    found = set()
    for value in event.exdates or []:
        try:
            found.add(dt.datetime.fromisoformat(value).astimezone(UTC))
        except (TypeError, ValueError):
            continue
    return found


def instances(event: Event, until: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """(start, end) in UTC of every instance of the series ``event`` starting before ``until``,
    exceptions (EXDATE) removed, overrides not applied (their own rows replace them)."""
    tz = zone(event.tzid)
    local_start = event.start.astimezone(tz)
    local_end = event.end.astimezone(tz)
    if event.all_day:
        days = dt.timedelta(days=max((local_end.date() - local_start.date()).days, 1))
    duration = event.end - event.start
    if not event.rrule:
        if event.start < until:
            yield event.start, event.end
        return
    rule = rrulestr(f"RRULE:{event.rrule}", dtstart=local_start)
    removed = exdate_instants(event)
    for count, local in enumerate(rule):
        if count >= MAX_INSTANCES:
            return
        start = local.astimezone(UTC)
        if start >= until:
            return
        if start in removed:
            continue
        if event.all_day:
            end = (local.replace(tzinfo=None) + days).replace(tzinfo=tz).astimezone(UTC)
        else:
            end = start + duration
        yield start, end


def series_end(event: Event) -> dt.datetime | None:
    """When the last instance of a finite series starts; ``None`` when it never ends."""
    if not event.rrule:
        return event.start
    parts = _parts(event.rrule)
    if "UNTIL" not in parts and "COUNT" not in parts:
        return None
    last = None
    for last, _end in instances(event, dt.datetime.max.replace(tzinfo=UTC)):  # noqa: B007
        pass
    return last or event.start


def rebuild_occurrences(event: Event, until: dt.datetime | None = None) -> None:
    """Write the ``Occurrence`` rows of ``event``'s whole series (master and overrides)."""
    master = event.series
    until = max(until or horizon(), horizon())
    overrides = list(Event.objects.filter(master=master))
    replaced = {o.recurrence_id for o in overrides}
    rows = []
    if master.status != EventStatus.CANCELLED:
        for start, end in instances(master, until):
            if start in replaced:
                continue
            rows.append(
                Occurrence(
                    event=master,
                    calendar_id=master.calendar_id,
                    start=start,
                    end=end,
                    recurrence_id=start if master.rrule else None,
                    all_day=master.all_day,
                    busy=master.busy,
                )
            )
    for override in overrides:
        if override.status == EventStatus.CANCELLED or master.status == EventStatus.CANCELLED:
            continue
        rows.append(
            Occurrence(
                event=override,
                calendar_id=override.calendar_id,
                start=override.start,
                end=override.end,
                recurrence_id=override.recurrence_id,
                all_day=override.all_day,
                busy=override.busy,
            )
        )
    with transaction.atomic():
        Occurrence.objects.filter(Q(event=master) | Q(event__master=master)).delete()
        Occurrence.objects.bulk_create(rows, batch_size=500)
        Event.objects.filter(pk=master.pk).update(expanded_until=until if master.rrule else None)
    master.expanded_until = until if master.rrule else None


def ensure_expanded(until: dt.datetime) -> None:
    """Expand the open-ended series that stop short of ``until`` (someone looks far ahead)."""
    limit = timezone.now() + dt.timedelta(days=365 * 10)
    until = min(until, limit)
    if until <= horizon():
        return
    stale = Event.objects.filter(master__isnull=True, expanded_until__lt=until).exclude(rrule="")
    for event in stale.iterator():
        rebuild_occurrences(event, until)
