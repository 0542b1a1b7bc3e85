"""Dates and times said the French way: « mardi 8 décembre 2026, 10 h 00 – 11 h 00 »."""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _

from entente.calendars.recurrence import zone


def clock(value: dt.datetime) -> str:
    """« 10 h 00 » in French, « 10:00 » in English."""
    return _("%(hours)s h %(minutes)s") % {
        "hours": value.hour,
        "minutes": f"{value.minute:02d}",
    }


def day(value: dt.date | dt.datetime) -> str:
    """« mardi 8 décembre 2026 »."""
    return formats.date_format(value, "l j F Y")


def when(
    start: dt.datetime, end: dt.datetime, tzid: str = "Europe/Paris", all_day: bool = False
) -> str:
    """The span of an event in its time zone, in words, as a person would write it."""
    tz = zone(tzid)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if all_day:
        last = (local_end - dt.timedelta(days=1)).date()
        if last <= local_start.date():
            return _("%(day)s, toute la journée") % {"day": day(local_start.date())}
        return _("du %(first)s au %(last)s") % {
            "first": day(local_start.date()),
            "last": day(last),
        }
    if local_start.date() == local_end.date():
        return _("%(day)s, %(start)s – %(end)s") % {
            "day": day(local_start),
            "start": clock(local_start),
            "end": clock(local_end),
        }
    return _("du %(first)s, %(start)s au %(last)s, %(end)s") % {
        "first": day(local_start),
        "start": clock(local_start),
        "last": day(local_end),
        "end": clock(local_end),
    }
