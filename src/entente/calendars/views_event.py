"""The page of one event (with its answers, on one's own behalf or for someone whose agenda one
manages), answering, deleting, and the event form (new or changed, one instance or a series).

Every page works without JavaScript: the form's own buttons search people to invite, add one,
or swap a taken room for a free one, sending the whole form back so nothing typed is lost.
"""

from __future__ import annotations

import datetime as dt
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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from entente.calendars import formatting, services
from entente.calendars.forms import (
    EventForm,
    ScopeForm,
    describe_rule,
    is_simple_rule,
    rule_initial,
)
from entente.calendars.models import (
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
from entente.calendars.recurrence import zone
from entente.calendars.views import (
    ANSWERS,
    event_url,
    iso,
    local_zone,
    parse_instant,
    safe_link,
    safe_next,
)
from entente.core.forms import attach_errors
from entente.core.permissions import can, get_visible_or_404, visible
from entente.directory.search import search_people

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
