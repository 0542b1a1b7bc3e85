"""The agenda's pages: day, week, month and list views (several calendars overlaid), quick add,
invitations to answer, and the page of one event with its answers and deletion.

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
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from entente.calendars import formatting, services
from entente.calendars.forms import (
    EventForm,
    JumpForm,
    QuickAddForm,
    ScopeForm,
    describe_rule,
    is_simple_rule,
    rule_initial,
)
from entente.calendars.models import (
    COLOURS,
    Attendee,
    Calendar,
    CalendarKind,
    Event,
    EventStatus,
    Occurrence,
    PartStat,
    Resource,
)
from entente.calendars.permissions import delegators
from entente.calendars.recurrence import UTC, zone
from entente.core.forms import attach_errors
from entente.core.permissions import can, get_visible_or_404, visible
from entente.directory.search import search_people

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


# --- one event ---------------------------------------------------------------------------------


def instance_of(event: Event, text: str | None) -> tuple[Event, Occurrence | None]:
    """The event (or its override) and the occurrence ``?occurrence=`` names; 404 if gone."""
    recurrence_id = parse_instant(text)
    if recurrence_id is None:
        if text:
            raise Http404(_("Cette occurrence n'existe pas."))
        return event, None
    series = event.series
    occurrence = (
        Occurrence.objects.filter(Q(event=series) | Q(event__master=series))
        .filter(recurrence_id=recurrence_id)
        .select_related("event")
        .first()
    )
    if occurrence is None:
        raise Http404(_("Cette occurrence n'existe pas."))
    return occurrence.event, occurrence


def my_answer(user: Any, event: Event) -> Attendee | None:
    return (
        Attendee.objects.filter(event=event, user=user).first()
        or Attendee.objects.filter(event=event.series, user=user).first()
    )


@login_required
def event_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    event = get_visible_or_404(user, Event, pk=pk)
    shown, occurrence = instance_of(event, request.GET.get("occurrence"))
    if shown.pk != event.pk:
        event = get_visible_or_404(user, Event, pk=shown.pk)
    start, end = (occurrence.start, occurrence.end) if occurrence else (event.start, event.end)
    when = formatting.when(start, end, event.tzid, event.all_day)
    if not can(user, "view_details", event):
        return render(request, "calendars/event_busy.html", {"when": when})
    recurrence_id = occurrence.recurrence_id if occurrence else None
    attendees = [
        {
            "attendee": a,
            "icon": ANSWERS.get(a.partstat, ("", ""))[0],
            "state": ANSWERS.get(a.partstat, ("", ""))[1],
            "is_organiser": a.user_id is not None and a.user_id == event.organiser_id,
        }
        for a in event.attendees.select_related("user", "user__organisation", "resource")
    ]
    people = [row for row in attendees if not row["attendee"].resource_id]
    rooms = [row["attendee"].resource for row in attendees if row["attendee"].resource_id]
    query = "?" + urlencode({"occurrence": iso(recurrence_id)}) if recurrence_id else ""
    organiser = event.organiser_id == user.pk
    answer = my_answer(user, event) if not organiser and can(user, "respond", event) else None
    # the people whose agenda the viewer manages (an assistant) answer through them
    managed = set(delegators(user, "write").values_list("owner_id", flat=True))
    on_behalf = [
        row["attendee"]
        for row in people
        if row["attendee"].user_id in managed and row["attendee"].user_id != event.organiser_id
    ]
    local_day = start.astimezone(local_zone()).date()
    return render(
        request,
        "calendars/event_detail.html",
        {
            "event": event,
            "when": when,
            "rule": describe_rule(event.series.rrule, event.tzid) if event.is_recurring else "",
            "people": people,
            "rooms": rooms,
            "visio": safe_link(event.visio_url),
            "attachments": [a for a in event.attachments or [] if safe_link(str(a.get("url", "")))],
            "answer": answer,
            "on_behalf": on_behalf,
            "answers": [
                (PartStat.ACCEPTED, _("Accepter")),
                (PartStat.TENTATIVE, _("Peut-être")),
                (PartStat.DECLINED, _("Décliner")),
            ],
            "can_edit": can(user, "edit", event) and event.status != EventStatus.CANCELLED,
            "can_delete": can(user, "delete", event) and event.status != EventStatus.CANCELLED,
            "cancelled": event.status == EventStatus.CANCELLED,
            "edit_url": reverse("calendars:edit_event", args=[event.pk]) + query,
            "delete_url": reverse("calendars:delete_event", args=[event.pk]) + query,
            "respond_url": reverse("calendars:respond", args=[event.pk]),
            "week_url": reverse("calendars:week", args=[local_day.isoformat()]),
            "here": request.get_full_path(),
            "organiser": event.organiser.get_full_name()
            if event.organiser
            else event.organiser_name or event.organiser_email,
        },
    )


@login_required
@require_POST
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    event = get_visible_or_404(user, Event, pk=pk)
    fallback = event_url(event.pk)
    answer = request.POST.get("reponse", "")
    person = None
    if request.POST.get("pour", "").isdigit():
        person = visible(user, get_user_model()).filter(pk=request.POST["pour"]).first()
        if person is None:
            raise Http404
    try:
        services.respond(
            user, event, answer, request.POST.get("commentaire", "")[:500], on_behalf_of=person
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if person is not None and person.pk != user.pk:
            messages.success(
                request,
                _("La réponse de %(name)s à « %(title)s » est enregistrée : %(answer)s.")
                % {"name": person, "title": event.title, "answer": PartStat(answer).label},
            )
        else:
            messages.success(
                request,
                _("Votre réponse à « %(title)s » est enregistrée : %(answer)s.")
                % {"title": event.title, "answer": PartStat(answer).label},
            )
    return HttpResponseRedirect(safe_next(request, fallback))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete_event(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    event = get_visible_or_404(user, Event, pk=pk)
    shown, occurrence = instance_of(event, request.GET.get("occurrence"))
    event = get_visible_or_404(user, Event, pk=shown.pk)
    if not can(user, "delete", event) or event.status == EventStatus.CANCELLED:
        raise Http404
    series = bool(event.series.rrule)
    recurrence_id = occurrence.recurrence_id if occurrence else event.recurrence_id
    start, end = (occurrence.start, occurrence.end) if occurrence else (event.start, event.end)
    form = ScopeForm(request.POST or None, initial={"scope": "this" if recurrence_id else "all"})
    if not (series and recurrence_id):
        form.fields["scope"].choices = [("all", _("Tout l'évènement"))]
        form.fields["scope"].initial = "all"
    if request.method == "POST" and (not series or form.is_valid()):
        scope = form.cleaned_data["scope"] if series and recurrence_id else "all"
        day = start.astimezone(local_zone()).date()
        try:
            services.delete_event(user, event, scope, recurrence_id)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(event_url(event.pk, recurrence_id))
        messages.success(request, _("« %(title)s » est supprimé.") % {"title": event.title})
        return redirect(reverse("calendars:week", args=[day.isoformat()]))
    return render(
        request,
        "calendars/event_delete.html",
        {
            "event": event,
            "when": formatting.when(start, end, event.tzid, event.all_day),
            "form": form,
            "series": series and recurrence_id is not None,
            "has_attendees": event.attendees.filter(resource__isnull=True)
            .exclude(user_id=event.organiser_id)
            .exists(),
            "back_url": event_url(event.pk, recurrence_id),
        },
    )


# --- the event form ----------------------------------------------------------------------------

#: where the services' error of a field is shown on the form
ERROR_FIELDS = {
    "title": "title",
    "start": "start_date",
    "end": "end_date",
    "tzid": "tzid",
    "rrule": "repeat",
    "privacy": "privacy",
    "visio_url": "visio_url",
    "reminders": "reminders",
    "attachments": "attachments",
    "externals": "externals",
    "users": "people",
    "resources": "rooms",
    "location": "location",
    "description": "description",
}


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.strip().isdigit()][:MAX_FORM_IDS]


MAX_FORM_IDS = 300


def _writable_calendars(user: Any) -> list[Calendar]:
    found = [
        c
        for c in visible(user, Calendar).exclude(kind=CalendarKind.RESOURCE)
        if can(user, "write", c)
    ]
    if can(user, "create", Calendar):
        mine = services.default_calendar(user)
        if mine.pk not in {c.pk for c in found}:
            found.insert(0, mine)
    found.sort(key=lambda c: (c.owner_id != user.pk, not c.is_default, c.name.lower()))
    return found


def _visio_service(user: Any) -> bool:
    organisation = getattr(user, "organisation", None)
    if organisation is None:
        return False
    policy = getattr(organisation, "policy", None)
    return bool(policy and policy.visio_service and policy.visio_base_url)


def _initial_times(start: dt.datetime, end: dt.datetime, tzid: str, all_day: bool) -> dict:
    tz = zone(tzid)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if all_day:
        local_end = local_end - dt.timedelta(days=1)
    return {
        "start_date": local_start.date(),
        "start_time": local_start.time().replace(second=0, microsecond=0),
        "end_date": max(local_end.date(), local_start.date()),
        "end_time": local_end.time().replace(second=0, microsecond=0),
    }


def _prefill(request: HttpRequest, people_qs: Any, rooms_qs: Any) -> dict[str, Any]:
    """The form of a new event from the address (the find-a-time page links here)."""
    params = request.GET
    tz = zone(services.DEFAULT_TZID)
    start = parse_instant(params.get("start"))
    end = parse_instant(params.get("end"))
    if start is None:
        day = timezone.localdate()
        if params.get("date"):
            try:
                day = dt.date.fromisoformat(params["date"])
            except ValueError:
                pass
        hour = min(timezone.localtime().hour + 1, 23) if day == timezone.localdate() else 9
        start = dt.datetime.combine(day, dt.time(hour), tz)
    if end is None or end <= start:
        end = start + dt.timedelta(hours=1)
    initial: dict[str, Any] = {
        "title": params.get("titre", "")[:255],
        "tzid": services.DEFAULT_TZID,
        "privacy": "public",
        "busy": "1",
        "repeat": "",
        "repeat_end": "never",
        "interval": 1,
        **_initial_times(start, end, services.DEFAULT_TZID, False),
    }
    wanted = _ids(params.getlist("personne"))
    people = list(people_qs.filter(pk__in=wanted).exclude(pk=request.user.pk))
    rooms = list(rooms_qs.filter(pk__in=_ids(params.getlist("salle"))))
    asked = len([w for w in wanted if w != request.user.pk]) + len(params.getlist("salle"))
    if asked > len(people) + len(rooms):
        messages.warning(
            request,
            _(
                "Une personne ou une salle demandée n'a pas été ajoutée : elle n'existe pas, ou "
                "vous n'y avez pas accès."
            ),
        )
    initial["people"] = [p.pk for p in people]
    initial["rooms"] = [r.pk for r in rooms]
    initial["externals"] = "\n".join(params.getlist("externe")[:50])
    return initial


def _event_initial(event: Event, occurrence: Occurrence | None) -> dict[str, Any]:
    start, end = (occurrence.start, occurrence.end) if occurrence else (event.start, event.end)
    attendees = list(event.attendees.select_related("user"))
    reminders = [int(m) for m in event.reminders or [] if str(m).isdigit()]
    attachments = "\n".join(
        f"{a.get('title', '')} {a.get('url', '')}".strip() for a in event.attachments or []
    )
    return {
        "title": event.title,
        "calendar": event.calendar_id,
        "all_day": event.all_day,
        "tzid": event.tzid,
        "location": event.location,
        "description": event.description,
        "privacy": event.privacy,
        "busy": "1" if event.busy else "0",
        "reminders": reminders,
        "visio_url": event.visio_url,
        "attachments": attachments,
        "people": [a.user_id for a in attendees if a.user_id and a.user_id != event.organiser_id],
        "rooms": [a.resource_id for a in attendees if a.resource_id],
        "externals": "\n".join(a.email for a in attendees if a.is_external),
        **_initial_times(start, end, event.tzid, event.all_day),
        **rule_initial(event.series.rrule, event.tzid),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def event_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """/agenda/nouveau/ and /agenda/evenements/<pk>/modifier/ (``?occurrence=`` for one instance
    of a series). Besides « Enregistrer », the form's own buttons search people to invite
    (« Rechercher », or Enter in the search box), add one, or swap a taken room for a free one:
    each sends the whole form back, so nothing typed is lost, without JavaScript."""
    user = request.user
    User = get_user_model()  # noqa: N806
    event = occurrence = None
    if pk is not None:
        event = get_visible_or_404(user, Event, pk=pk)
        shown, occurrence = instance_of(event, request.GET.get("occurrence"))
        event = get_visible_or_404(user, Event, pk=shown.pk)
        if not can(user, "edit", event) or event.status == EventStatus.CANCELLED:
            raise Http404
    calendars = _writable_calendars(user)
    if not calendars:
        raise Http404
    people_qs = visible(user, User).filter(is_active=True).select_related("organisation", "service")
    rooms_qs = (
        visible(user, Resource)
        .filter(is_active=True)
        .select_related("organisation")
        .order_by("name")
    )
    series_rule = event.series.rrule if event else ""
    current_rule = series_rule if series_rule and not is_simple_rule(series_rule) else ""
    recurrence_id = (occurrence.recurrence_id if occurrence else None) or (
        event.recurrence_id if event else None
    )
    with_scope = bool(event and series_rule and recurrence_id)
    options = {
        "calendars": Calendar.objects.filter(pk__in=[c.pk for c in calendars]).select_related(
            "owner"
        ),
        "people": people_qs,
        "rooms": rooms_qs,
        "current_rule": current_rule,
        "visio_service": _visio_service(user),
        "fixed_calendar": event is not None,
    }
    scope_form = ScopeForm(request.POST or None, initial={"scope": "this"})
    search_results = None
    free_rooms: list[Any] = []
    conflicts: list[int] = []

    if request.method != "POST":
        initial = (
            _event_initial(event, occurrence) if event else _prefill(request, people_qs, rooms_qs)
        )
        if not event:
            initial["calendar"] = calendars[0].pk
        form = EventForm(initial=initial, **options)
    else:
        data = request.POST.copy()
        action = "save"
        if data.get("ajouter_personne", "").isdigit():
            data.setlist("people", [*data.getlist("people"), data["ajouter_personne"]])
            data["q"] = ""
            action = "add"
        elif "chercher" in data or (
            # Enter in the search box (the form's default button) searches; a click on
            # « Enregistrer » saves, whatever is left in the box
            data.get("q", "").strip() and data.get("enregistrer") != "bouton"
        ):
            action = "search"
        elif data.get("salle_libre", "").isdigit():
            taken = set(data.get("conflits", "").split(","))
            rooms = [r for r in data.getlist("rooms") if r not in taken]
            data.setlist("rooms", [*rooms, data["salle_libre"]])
        form = EventForm(data=data, **options)
        if action in ("add", "search"):
            form.is_valid()
            form.quiet()
            if action == "search":
                query = data.get("q", "").strip()
                chosen = set(_ids(data.getlist("people")))
                search_results = (
                    [
                        p
                        for p in search_people(user, query, limit=10)
                        if p.pk not in chosen and p.pk != user.pk
                    ]
                    if query
                    else []
                )
        elif form.is_valid() and (not with_scope or scope_form.is_valid()):
            saved = _save(
                request, form, event, occurrence, recurrence_id, scope_form if with_scope else None
            )
            if isinstance(saved, HttpResponse):
                return saved
            free_rooms, conflicts = saved
    chosen_people = _chosen_people(form, people_qs)
    return render(
        request,
        "calendars/event_form.html",
        {
            "form": form,
            "event": event,
            "scope_form": scope_form if with_scope else None,
            "series_note": bool(event and series_rule and not with_scope),
            "rule": describe_rule(series_rule, event.tzid) if current_rule else "",
            "chosen_people": chosen_people,
            "search_results": search_results,
            "free_rooms": free_rooms,
            "conflicts": ",".join(str(c) for c in conflicts),
            "calendar_fixed": event.calendar if event else None,
            "cancel_url": event_url(event.pk, recurrence_id)
            if event
            else reverse("calendars:agenda"),
        },
    )


def _chosen_people(form: Any, people_qs: Any) -> list[Any]:
    if form.is_bound:
        ids = _ids(form.data.getlist("people"))
    else:
        ids = [int(i) for i in form.initial.get("people", [])]
    found = {p.pk: p for p in people_qs.filter(pk__in=ids)}
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def _save(
    request: HttpRequest,
    form: Any,
    event: Event | None,
    occurrence: Occurrence | None,
    recurrence_id: dt.datetime | None,
    scope_form: ScopeForm | None,
) -> HttpResponse | tuple[list[Any], list[int]]:
    """Create or change the event; a response when done, else the rooms to propose."""
    user = request.user
    data = form.cleaned_data
    start, end = form.times()
    visio = data.get("visio_url") or ""
    if data.get("create_visio") and not visio:
        visio = services.visio_link(user.organisation)
    values = {
        "title": data["title"],
        "start": start,
        "end": end,
        "all_day": bool(data.get("all_day")),
        "tzid": data["zone_name"],
        "description": data.get("description") or "",
        "location": data.get("location") or "",
        "rrule": form.rrule(),
        "privacy": data["privacy"],
        "busy": data["busy"],
        "visio_url": visio,
        "reminders": list(data.get("reminders") or []),
        "attachments": data["attachment_list"],
        "users": list(data.get("people") or []),
        "externals": [(email, "") for email in data["external_list"]],
        "resources": list(data.get("rooms") or []),
    }
    scope = scope_form.cleaned_data["scope"] if scope_form is not None else services.Scope.ALL
    try:
        if event is None:
            calendar = data["calendar"]
            saved = services.create_event(user, calendar, services.EventData(**values))
        else:
            event_data = services.EventData.from_event(event)
            for name, value in values.items():
                setattr(event_data, name, value)
            if scope == services.Scope.ALL and occurrence is not None and not event.master_id:
                _move_series_from_instance(event, occurrence, event_data)
            saved = services.update_event(user, event, event_data, scope, recurrence_id)
    except services.RoomUnavailable as error:
        form.add_error("rooms", error.messages[0])
        return list(error.free_rooms), [r.pk for r in error.conflicts]
    except ValidationError as error:
        targets = dict(ERROR_FIELDS)
        if data.get("other_tzid"):
            targets["tzid"] = "other_tzid"
        attach_errors(form, error, targets)
        return [], []
    messages.success(
        request,
        _("« %(title)s » est enregistré.") % {"title": saved.title}
        if event
        else _("« %(title)s » est ajouté à l'agenda.") % {"title": saved.title},
    )
    if saved.master_id:
        return redirect(event_url(saved.pk))
    if saved.rrule:
        return redirect(event_url(saved.pk, saved.start))
    return redirect(event_url(saved.pk))


def _move_series_from_instance(master: Event, occurrence: Occurrence, data: Any) -> None:
    """« All occurrences » edited from one instance of a series: the form shows that instance's
    times, so the series moves by as much as the instance moved (wall-clock time)."""
    tz = zone(data.tzid)

    def wall(value: dt.datetime) -> dt.datetime:
        if timezone.is_naive(value):
            return value
        return value.astimezone(tz).replace(tzinfo=None)

    shift = wall(data.start) - wall(occurrence.start)
    length = wall(data.end) - wall(data.start)
    new_start = (wall(master.start) + shift).replace(tzinfo=tz)
    data.start = new_start
    data.end = (wall(new_start) + length).replace(tzinfo=tz)
