"""The agenda's pages: day, week, month and list views (several calendars overlaid), quick add,
and the invitations to answer (one event's page and the event form: ``views_event``).

Every page works without JavaScript. The week and day views draw a time grid for the eye
(hidden from assistive technologies, its links out of the tab order) and list the same events
under a heading per day, each as a link whose text says its time.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from entente.calendars import formatting, services
from entente.calendars.forms import (
    JumpForm,
    QuickAddForm,
)
from entente.calendars.models import (
    COLOURS,
    Calendar,
    CalendarKind,
    Event,
    Occurrence,
    PartStat,
)
from entente.calendars.recurrence import UTC, zone
from entente.core.forms import attach_errors
from entente.core.permissions import can, visible

#: the hours the grid shows at least (more when an event is earlier or later)
GRID_HOURS = (7, 20)
#: rows of a grid hour (quarters of an hour)
ROWS_PER_HOUR = 4
MAX_LANES = 4
LIST_DAYS = 30
MONTH_SHOWN = 3
ANSWERS = {
    PartStat.ACCEPTED: ("✓", "accepted"),
    PartStat.TENTATIVE: ("?", "tentative"),
    PartStat.DECLINED: ("✗", "declined"),
    PartStat.NEEDS_ACTION: ("…", "pending"),
}


# --- small helpers -----------------------------------------------------------------------------


def local_zone() -> Any:
    return timezone.get_current_timezone()


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), local_zone())


def parse_day(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise Http404(_("Cette date n'existe pas.")) from None
    if not 1970 <= day.year <= 2100:
        raise Http404(_("Cette date est hors de l'agenda."))
    return day


def iso(value: dt.datetime) -> str:
    """An instant for an address: UTC, no « + » that a query string would turn into a space."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text.strip().replace(" ", "+"))
    except ValueError:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def event_url(event_id: int, recurrence_id: dt.datetime | None = None) -> str:
    url = reverse("calendars:event", args=[event_id])
    if recurrence_id is not None:
        url += "?" + urlencode({"occurrence": iso(recurrence_id)})
    return url


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def day_label(day: dt.date) -> str:
    """« lundi 7 décembre »."""
    return formats.date_format(day, "l j F")


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def safe_link(url: str) -> str:
    """Only web addresses become links (an imported event may carry anything)."""
    return url if url.lower().startswith(("https://", "http://")) else ""


# --- calendars shown ---------------------------------------------------------------------------


@dataclass
class Panel:
    """The calendars the person may overlay, which ones are shown, and their colours."""

    calendars: list[Calendar]
    selected: list[Calendar]
    colours: dict[int, int] = field(default_factory=dict)
    chosen: bool = False

    @property
    def selected_ids(self) -> set[int]:
        return {c.pk for c in self.selected}

    def pairs(self) -> list[tuple[str, str]]:
        """The query-string parameters that keep this choice from page to page."""
        if not self.chosen:
            return []
        return [("choix", "1"), *(("cal", str(c.pk)) for c in self.selected)]

    def query(self) -> str:
        pairs = self.pairs()
        return "?" + urlencode(pairs) if pairs else ""

    def label(self, calendar: Calendar, viewer: Any) -> str:
        """Its name, and whose it is when it is not the viewer's (« Mon agenda » is everyone's).

        Read from the panel's calendars, whose owners are already fetched."""
        known = next((c for c in self.calendars if c.pk == calendar.pk), calendar)
        if known.owner_id and known.owner_id != viewer.pk and "owner" in known._state.fields_cache:
            return f"{known.name} ({known.owner.get_full_name()})"
        return known.name

    def rows(self, viewer: Any = None) -> list[dict[str, Any]]:
        """Every calendar as a checkbox row; ``main`` rows (the viewer's own calendars and their
        service's) come first, the others are listed apart, folded until one is shown."""
        return [
            {
                "calendar": c,
                "colour": self.colours.get(c.pk, 0),
                "checked": c.pk in self.selected_ids,
                "owner": c.owner.get_full_name() if c.owner_id and c.owner else "",
                "main": viewer is None or _is_main(c, viewer),
            }
            for c in self.calendars
        ]


def _is_main(calendar: Calendar, viewer: Any) -> bool:
    if calendar.owner_id == viewer.pk:
        return True
    if calendar.kind == CalendarKind.SPACE:
        return True  # the agenda of a space one belongs to
    return calendar.kind == CalendarKind.SERVICE and calendar.service_id == viewer.service_id


def calendar_panel(request: HttpRequest) -> Panel:
    user = request.user
    mine = services.default_calendar(user) if user.organisation_id else None
    readable = (
        visible(user, Calendar)
        .exclude(kind=CalendarKind.RESOURCE)  # rooms have their own page
        .select_related("owner", "service")
    )
    calendars = list(readable)
    if mine is not None and mine.pk not in {c.pk for c in calendars}:
        calendars.append(mine)

    def order(calendar: Calendar) -> tuple:
        own = calendar.owner_id == user.pk
        return (
            not own,
            not calendar.is_default,
            not _is_main(calendar, user),
            calendar.kind != CalendarKind.SERVICE,
            calendar.name.lower(),
        )

    calendars.sort(key=order)
    chosen = request.GET.get("choix") == "1"
    if chosen:
        wanted = set(request.GET.getlist("cal"))
        selected = [c for c in calendars if str(c.pk) in wanted]
    else:
        selected = [c for c in calendars if c.owner_id == user.pk]
    return Panel(calendars, selected, display_colours(calendars), chosen)


def display_colours(calendars: list[Calendar]) -> dict[int, int]:
    """A palette index per calendar: its own colour, unless another shown calendar took it."""
    palette = [code for code, _label in COLOURS]
    used: set[int] = set()
    found: dict[int, int] = {}
    for calendar in calendars:
        index = palette.index(calendar.colour) if calendar.colour in palette else 0
        if index in used and len(used) < len(palette):
            index = next(i for i in range(len(palette)) if i not in used)
        used.add(index)
        found[calendar.pk] = index
    return found


# --- items: occurrences as the templates show them ---------------------------------------------


@dataclass
class Item:
    """One occurrence, or one busy band, ready to be drawn."""

    start: dt.datetime
    end: dt.datetime
    title: str
    all_day: bool = False
    url: str = ""
    details: bool = True
    colour: int = 0
    calendar: str = ""
    invited: bool = False
    location: str = ""
    cancelled: bool = False
    event_tz: str = ""


class Details:
    """``can(viewer, "view_details", event)``, asked once per event."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.known: dict[int, bool] = {}

    def __call__(self, event: Event) -> bool:
        if event.pk not in self.known:
            self.known[event.pk] = can(self.user, "view_details", event)
        return self.known[event.pk]


def occurrence_items(user: Any, occurrences: list[Occurrence], panel: Panel) -> list[Item]:
    details = Details(user)
    items = []
    for occurrence in occurrences:
        event = occurrence.event
        shown = details(event)
        selected = occurrence.calendar_id in panel.selected_ids
        items.append(
            Item(
                start=occurrence.start,
                end=occurrence.end,
                all_day=occurrence.all_day,
                title=event.title if shown else _("Occupé"),
                url=event_url(event.pk, occurrence.recurrence_id) if shown else "",
                details=shown,
                colour=panel.colours.get(occurrence.calendar_id, 0) if selected else 0,
                calendar=panel.label(occurrence.calendar, user) if selected else _("Invitation"),
                invited=not selected,
                location=event.location if shown else "",
                event_tz=event.tzid,
            )
        )
    return items


def clock(value: dt.datetime) -> str:
    return formatting.clock(value)


def day_pieces(items: list[Item], day: dt.date) -> list[dict[str, Any]]:
    """The part of each item that falls on ``day`` (local time), with its time in words."""
    day_start, day_end = midnight(day), midnight(day + dt.timedelta(days=1))
    pieces = []
    for item in items:
        if item.all_day:
            tz = zone(item.event_tz) if item.event_tz else local_zone()
            first = item.start.astimezone(tz).date()
            last = item.end.astimezone(tz).date()
            if not (first <= day < max(last, first + dt.timedelta(days=1))):
                continue
            pieces.append({"item": item, "all_day": True, "time": _("Toute la journée")})
            continue
        if not (item.start < day_end and item.end > day_start):
            continue
        start = max(item.start, day_start).astimezone(local_zone())
        end = min(item.end, day_end).astimezone(local_zone())
        if start == day_start and end == day_end:
            pieces.append({"item": item, "all_day": True, "time": _("Toute la journée")})
            continue
        end_text = clock(end) if end < day_end else _("minuit")
        minutes = start.hour * 60 + start.minute
        length = (end - start).total_seconds() / 60
        pieces.append(
            {
                "item": item,
                "all_day": False,
                "time": _("%(start)s – %(end)s") % {"start": clock(start), "end": end_text},
                "from_minute": minutes,
                "to_minute": minutes + length,
            }
        )
    return pieces


def place(pieces: list[dict[str, Any]], first_hour: int) -> int:
    """Give each timed piece its grid row, length and lane; return the number of lanes."""
    lane_ends: list[float] = []
    for piece in sorted(pieces, key=lambda p: (p["from_minute"], -p["to_minute"])):
        start = max(piece["from_minute"] - first_hour * 60, 0)
        piece["row"] = int(start // 15) + 1
        piece["span"] = max(
            1, math.ceil((piece["to_minute"] - first_hour * 60) / 15) - int(start // 15)
        )
        for index, end in enumerate(lane_ends):
            if end <= piece["from_minute"]:
                lane_ends[index] = piece["to_minute"]
                piece["lane"] = index + 1
                break
        else:
            lane_ends.append(piece["to_minute"])
            piece["lane"] = len(lane_ends)
        piece["lane"] = min(piece["lane"], MAX_LANES)
    return min(max(len(lane_ends), 1), MAX_LANES)


def days_context(items: list[Item], days: list[dt.date], day_url: Any) -> dict[str, Any]:
    """The days of a day or week view: grid placement and the list for everyone."""
    today = timezone.localdate()
    built = []
    first_hour, last_hour = GRID_HOURS
    for day in days:
        pieces = day_pieces(items, day)
        timed = [p for p in pieces if not p["all_day"]]
        for piece in timed:
            first_hour = min(first_hour, int(piece["from_minute"] // 60))
            last_hour = max(last_hour, math.ceil(piece["to_minute"] / 60))
        built.append((day, pieces, timed))
    result = []
    for day, pieces, timed in built:
        lanes = place(timed, first_hour)
        result.append(
            {
                "date": day,
                "label": day_label(day),
                "id": f"jour-{day.isoformat()}",
                "is_today": day == today,
                "url": day_url(day),
                "pieces": pieces,
                "all_day": [p for p in pieces if p["all_day"]],
                "timed": timed,
                "lanes": lanes,
            }
        )
    hours = [
        {"label": _("%(hour)s h") % {"hour": hour}, "row": (hour - first_hour) * ROWS_PER_HOUR + 1}
        for hour in range(first_hour, last_hour)
    ]
    return {"days": result, "hours": hours, "grid_rows": (last_hour - first_hour) * ROWS_PER_HOUR}


# --- the agenda views --------------------------------------------------------------------------


def _nav_url(name: str, arg: str, panel: Panel) -> str:
    return reverse(f"calendars:{name}", args=[arg]) + panel.query()


def invitation_items(user: Any, here: str) -> list[dict[str, Any]]:
    """The invitations awaiting an answer, ready for the ``_invitations.html`` block."""
    rows = []
    for attendee in services.pending_invitations(user)[:10]:
        event = attendee.event
        rows.append(
            {
                "event": event,
                "when": formatting.when(event.start, event.end, event.tzid, event.all_day),
                "url": event_url(event.pk),
                "respond_url": reverse("calendars:respond", args=[event.pk]),
                "organiser": event.organiser_name or event.organiser_email,
                "next": here,
            }
        )
    return rows


def _agenda(
    request: HttpRequest,
    view: str,
    anchor: dt.date,
    start: dt.date,
    end: dt.date,
    extra: dict[str, Any],
) -> HttpResponse:
    """Render one view of the agenda between ``start`` and ``end`` (exclusive, local days);
    a POST is the quick-add form."""
    user = request.user
    panel = calendar_panel(request)
    default = services.default_calendar(user) if can(user, "create", Calendar) else None
    quick = QuickAddForm(initial={"jour": anchor if view == "jour" else timezone.localdate()})
    if request.method == "POST":
        quick = QuickAddForm(request.POST)
        if default is not None and quick.is_valid():
            created = _quick_add(request, default, quick)
            if created is not None:
                return created
        elif default is None:
            raise Http404
    occurrences = services.agenda_occurrences(user, panel.selected, midnight(start), midnight(end))
    items = occurrence_items(user, occurrences, panel)
    rows = panel.rows(user)
    here = request.get_full_path()
    context = {
        "view": view,
        "anchor": anchor,
        "panel": panel,
        "panel_rows": rows,
        "panel_others": [row for row in rows if not row["main"]],
        "panel_others_checked": any(row["checked"] and not row["main"] for row in rows),
        "panel_pairs": panel.pairs(),
        "quick": quick if default is not None else None,
        "default_calendar": default,
        "jump": JumpForm(initial={"date": anchor, "vue": view}),
        "invitations": invitation_items(user, here),
        "here": here,
        "items": items,
        "views": [
            ("jour", _("Jour"), _nav_url("day", anchor.isoformat(), panel)),
            ("semaine", _("Semaine"), _nav_url("week", anchor.isoformat(), panel)),
            ("mois", _("Mois"), _nav_url("month", f"{anchor:%Y-%m}", panel)),
            ("liste", _("Liste"), reverse("calendars:list") + _list_query(anchor, panel)),
        ],
        "new_event_url": reverse("calendars:new_event")
        + "?"
        + urlencode({"date": anchor.isoformat()}),
        **extra,
    }

    def day_url(day: dt.date) -> str:
        return _nav_url("day", day.isoformat(), panel)

    if "days" in extra:
        context.update(days_context(items, extra["days"], day_url))
    if "month_range" in extra:
        context["weeks"] = _month_weeks(items, extra["month_first"], *extra["month_range"], day_url)
    if "list_days" in extra:
        context["list"] = [
            {
                "date": day,
                "label": capitalised(day_label(day)),
                "id": f"jour-{day}",
                "pieces": pieces,
            }
            for day in extra["list_days"]
            if (pieces := day_pieces(items, day))
        ]
    return render(request, "calendars/agenda.html", context)


def _month_weeks(
    items: list[Item], first: dt.date, start: dt.date, end: dt.date, day_url: Any
) -> list[list[dict[str, Any]]]:
    today = timezone.localdate()
    weeks: list[list[dict[str, Any]]] = []
    day = start
    while day < end:
        if day.weekday() == 0:
            weeks.append([])
        pieces = day_pieces(items, day)
        weeks[-1].append(
            {
                "date": day,
                "label": day_label(day),
                "in_month": day.month == first.month,
                "is_today": day == today,
                "url": day_url(day),
                "shown": pieces[:MONTH_SHOWN],
                "more": max(len(pieces) - MONTH_SHOWN, 0),
            }
        )
        day += dt.timedelta(days=1)
    return weeks


def _list_query(day: dt.date, panel: Panel) -> str:
    return "?" + urlencode([("du", day.isoformat()), *panel.pairs()])


def _quick_add(request: HttpRequest, calendar: Calendar, form: QuickAddForm) -> HttpResponse | None:
    data = form.cleaned_data
    tz = zone(calendar.tzid or services.DEFAULT_TZID)
    start = dt.datetime.combine(data["jour"], data["debut"], tz)
    event_data = services.EventData(
        title=data["titre"],
        start=start,
        end=start + dt.timedelta(minutes=data["duree"]),
        tzid=calendar.tzid or services.DEFAULT_TZID,
    )
    try:
        event = services.create_event(request.user, calendar, event_data)
    except ValidationError as error:
        attach_errors(form, error, {"title": "titre", "start": "debut", "end": "duree"})
        return None
    messages.success(
        request,
        _("« %(title)s » est ajouté à votre agenda : %(when)s.")
        % {
            "title": event.title,
            "when": formatting.when(event.start, event.end, event.tzid, event.all_day),
        },
    )
    return redirect(safe_next(request, reverse("calendars:week", args=[data["jour"].isoformat()])))


def _week_days(anchor: dt.date) -> list[dt.date]:
    monday = anchor - dt.timedelta(days=anchor.weekday())
    return [monday + dt.timedelta(days=i) for i in range(7)]


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def agenda(request: HttpRequest) -> HttpResponse:
    """/agenda/: the week of today."""
    return _week(request, timezone.localdate())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def week(request: HttpRequest, day: str) -> HttpResponse:
    return _week(request, parse_day(day))


def _week(request: HttpRequest, anchor: dt.date) -> HttpResponse:
    days = _week_days(anchor)
    panel_query = calendar_panel(request).query()
    step = dt.timedelta(days=7)
    title = _("Semaine du %(first)s au %(last)s") % {
        "first": formats.date_format(days[0], "j F"),
        "last": formats.date_format(days[-1], "j F Y"),
    }
    return _agenda(
        request,
        "semaine",
        anchor,
        days[0],
        days[-1] + dt.timedelta(days=1),
        {
            "title": title,
            "days": days,
            "previous": (
                _("Semaine précédente"),
                reverse("calendars:week", args=[(days[0] - step).isoformat()]) + panel_query,
            ),
            "next": (
                _("Semaine suivante"),
                reverse("calendars:week", args=[(days[0] + step).isoformat()]) + panel_query,
            ),
            "today_url": reverse("calendars:week", args=[timezone.localdate().isoformat()])
            + panel_query,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def day_view(request: HttpRequest, day: str) -> HttpResponse:
    anchor = parse_day(day)
    panel_query = calendar_panel(request).query()
    one = dt.timedelta(days=1)
    return _agenda(
        request,
        "jour",
        anchor,
        anchor,
        anchor + one,
        {
            "title": capitalised(formats.date_format(anchor, "l j F Y")),
            "days": [anchor],
            "previous": (
                _("Jour précédent"),
                reverse("calendars:day", args=[(anchor - one).isoformat()]) + panel_query,
            ),
            "next": (
                _("Jour suivant"),
                reverse("calendars:day", args=[(anchor + one).isoformat()]) + panel_query,
            ),
            "today_url": reverse("calendars:day", args=[timezone.localdate().isoformat()])
            + panel_query,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def month(request: HttpRequest, month: str) -> HttpResponse:
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()  # noqa: DTZ007 (a date)
    except ValueError:
        raise Http404(_("Ce mois n'existe pas.")) from None
    if not 1970 <= first.year <= 2100:
        raise Http404(_("Ce mois est hors de l'agenda."))
    following = (first + dt.timedelta(days=32)).replace(day=1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    grid_start = first - dt.timedelta(days=first.weekday())
    last = following - dt.timedelta(days=1)
    grid_end = last + dt.timedelta(days=7 - last.weekday())
    panel = calendar_panel(request)
    anchor = timezone.localdate() if (timezone.localdate().replace(day=1) == first) else first
    response_extra = {
        "title": capitalised(formats.date_format(first, "F Y")),
        "month_first": first,
        "month_range": (grid_start, grid_end),
        "previous": (_("Mois précédent"), _nav_url("month", f"{previous:%Y-%m}", panel)),
        "next": (_("Mois suivant"), _nav_url("month", f"{following:%Y-%m}", panel)),
        "today_url": _nav_url("month", f"{timezone.localdate():%Y-%m}", panel),
        "weekdays": [formats.date_format(grid_start + dt.timedelta(days=i), "l") for i in range(7)],
    }
    return _agenda(request, "mois", anchor, grid_start, grid_end, response_extra)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def agenda_list(request: HttpRequest) -> HttpResponse:
    first = timezone.localdate()
    if request.GET.get("du"):
        first = parse_day(request.GET["du"])
    panel = calendar_panel(request)
    step = dt.timedelta(days=LIST_DAYS)
    last = first + step - dt.timedelta(days=1)
    return _agenda(
        request,
        "liste",
        first,
        first,
        first + step,
        {
            "title": _("Du %(first)s au %(last)s")
            % {
                "first": formats.date_format(first, "j F"),
                "last": formats.date_format(last, "j F Y"),
            },
            "list_days": [first + dt.timedelta(days=i) for i in range(LIST_DAYS)],
            "previous": (
                _("30 jours précédents"),
                reverse("calendars:list") + _list_query(first - step, panel),
            ),
            "next": (
                _("30 jours suivants"),
                reverse("calendars:list") + _list_query(first + step, panel),
            ),
            "today_url": reverse("calendars:list") + _list_query(timezone.localdate(), panel),
        },
    )


@login_required
def jump(request: HttpRequest) -> HttpResponse:
    """« Aller au … »: the chosen view around the chosen date."""
    form = JumpForm(request.GET)
    day = form.cleaned_data["date"] if form.is_valid() else timezone.localdate()
    view = request.GET.get("vue", "")
    pairs = [(k, v) for k, v in request.GET.lists() if k in ("choix", "cal")]
    query = urlencode([(k, v) for k, values in pairs for v in values])
    suffix = "?" + query if query else ""
    if not form.is_valid():
        messages.error(
            request, _("Cette date n'est pas valable : choisissez un jour entre 1970 et 2100.")
        )
    if view == "jour":
        return redirect(reverse("calendars:day", args=[day.isoformat()]) + suffix)
    if view == "mois":
        return redirect(reverse("calendars:month", args=[f"{day:%Y-%m}"]) + suffix)
    if view == "liste":
        return redirect(
            reverse("calendars:list")
            + "?"
            + urlencode({"du": day.isoformat()})
            + ("&" + query if query else "")
        )
    return redirect(reverse("calendars:week", args=[day.isoformat()]) + suffix)
