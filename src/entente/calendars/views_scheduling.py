"""« Trouver un créneau »: pick attendees, a duration and a period, choose a proposed slot.

The page is one GET form and works without JavaScript: the attendees travel as repeated
``personne=<id>``, ``salle=<id>`` and ``externe=<adresse>`` parameters, the search box
(``q``) lists matches whose "Ajouter" buttons submit ``ajouter=personne-<id>`` (the view adds
it and redirects to the clean address), and "Retirer" links drop one attendee. A person's
card links here with ``?personne=<id>``: the viewer is added as an attendee on arrival (not
once the form was submitted: ``suite=1``, so they may remove themself when booking for
someone else). Every person and room goes through ``visible()``; one the viewer may not see
is dropped with the same message whether it exists or not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from entente.accounts.models import User
from entente.calendars.formatting import clock
from entente.calendars.freebusy import (
    MAX_SUBJECTS,
    MAX_WINDOW,
    Band,
    Slot,
    busy_bands,
    propose_slots,
)
from entente.calendars.models import DEFAULT_TZID, Resource
from entente.calendars.recurrence import UTC, zone
from entente.core.permissions import visible
from entente.directory.search import search_people, search_resources

#: the event form (another page) prefills from ?start=&end=&personne=&salle=&externe=
EVENT_FORM_PATH = "/agenda/nouveau/"
DEFAULT_DAYS = 14
#: dates further than this from today are refused (nobody plans a meeting in 2090)
FARTHEST_DAYS = 3660
SEARCH_LIMIT = 10
DURATIONS = [
    (30, gettext_lazy("30 minutes")),
    (60, gettext_lazy("1 heure")),
    (90, gettext_lazy("1 h 30")),
    (120, gettext_lazy("2 heures")),
    (240, gettext_lazy("Une demi-journée (4 heures)")),
]
NOT_FOUND = gettext_lazy(
    "Une personne ou une salle demandée n'a pas été ajoutée : elle n'existe pas, ou son "
    "organisation ne partage pas son annuaire avec la vôtre."
)


class FindTimeForm(forms.Form):
    """The duration, the period and the search box (the attendees are parsed apart)."""

    q = forms.CharField(
        label=gettext_lazy("Rechercher une personne ou une salle"),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "Le début du prénom, du nom, du service ou de l'organisation, ou une adresse "
            "e-mail extérieure ; par exemple « bern voi »."
        ),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    duree = forms.TypedChoiceField(
        label=gettext_lazy("Durée de la réunion"), choices=DURATIONS, coerce=int
    )
    du = forms.DateField(
        label=gettext_lazy("À partir du"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    au = forms.DateField(
        label=gettext_lazy("Jusqu'au (inclus)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        first, last = data.get("du"), data.get("au")
        today = timezone.localdate()
        for name in ("du", "au"):
            value = data.get(name)
            if value and abs((value - today).days) > FARTHEST_DAYS:
                self.add_error(name, _("Choisissez une date dans les dix ans qui viennent."))
                return data
        if first and last:
            if last < first:
                self.add_error("au", _("Choisissez une date de fin après la date de début."))
            elif (last - first).days + 1 > MAX_WINDOW.days:
                self.add_error(
                    "au",
                    _("La période fait au plus 6 semaines : choisissez une date plus proche."),
                )
        return data


@dataclass
class Attendees:
    """The people, rooms and outside addresses on the form, each checked, in their order."""

    people: list[User] = field(default_factory=list)
    rooms: list[Resource] = field(default_factory=list)
    externals: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def subjects(self) -> list[Any]:
        return [*self.people, *self.rooms, *self.externals]

    def pairs(self, without: tuple[str, str] | None = None) -> list[tuple[str, str]]:
        """The query-string parameters that carry these attendees."""
        found = [("personne", str(p.pk)) for p in self.people]
        found += [("salle", str(r.pk)) for r in self.rooms]
        found += [("externe", e) for e in self.externals]
        return [pair for pair in found if pair != without]


def _ids(values: list[str]) -> tuple[list[int], bool]:
    ids: list[int] = []
    malformed = False
    for value in values:
        if value.strip().isdigit() and len(value.strip()) < 12:
            number = int(value)
            if number not in ids:
                ids.append(number)
        else:
            malformed = True
    return ids, malformed


def parse_attendees(viewer: Any, params: QueryDict, add_viewer: bool) -> Attendees:
    """Read ``personne``, ``salle`` and ``externe`` through the permission layer."""
    result = Attendees()
    person_ids, bad_people = _ids(params.getlist("personne"))
    room_ids, bad_rooms = _ids(params.getlist("salle"))
    if add_viewer and viewer.pk not in person_ids:
        person_ids.insert(0, viewer.pk)
    people = {
        p.pk: p
        for p in visible(viewer, User)
        .filter(pk__in=person_ids[:MAX_SUBJECTS], is_active=True)
        .select_related("service", "organisation")
    }
    rooms = {
        r.pk: r
        for r in visible(viewer, Resource)
        .filter(pk__in=room_ids[:MAX_SUBJECTS], is_active=True)
        .select_related("organisation")
    }
    result.people = [people[pk] for pk in person_ids if pk in people]
    result.rooms = [rooms[pk] for pk in room_ids if pk in rooms]
    asked = len(person_ids[:MAX_SUBJECTS]) + len(room_ids[:MAX_SUBJECTS])
    if bad_people or bad_rooms or len(people) + len(rooms) < asked:
        result.problems.append(str(NOT_FOUND))
    for value in params.getlist("externe"):
        address = value.strip().lower()
        if not address or address in result.externals:
            continue
        try:
            validate_email(address)
        except ValidationError:
            result.problems.append(
                _("« %(value)s » n'est pas une adresse e-mail valide : elle n'a pas été ajoutée.")
                % {"value": value[:100]}
            )
            continue
        result.externals.append(address)
    requested = len(person_ids) + len(room_ids) + len(result.externals)
    if requested > MAX_SUBJECTS:
        result.problems.append(
            _(
                "Un créneau se cherche pour %(max)s participants au plus : les suivants sont retirés."
            )
            % {"max": MAX_SUBJECTS}
        )
        keep = MAX_SUBJECTS
        result.people = result.people[:keep]
        keep -= len(result.people)
        result.rooms = result.rooms[:keep]
        keep -= len(result.rooms)
        result.externals = result.externals[:keep]
    return result


def _form_data(params: QueryDict, today: dt.date) -> QueryDict:
    data = params.copy()
    data.setdefault("duree", "60")
    data.setdefault("du", today.isoformat())
    data.setdefault("au", (today + dt.timedelta(days=DEFAULT_DAYS - 1)).isoformat())
    return data


def _state(attendees: Attendees, params: QueryDict, without=None) -> list[tuple[str, str]]:
    """Everything that makes the page what it is, except the search: attendees and period."""
    pairs = attendees.pairs(without)
    for name in ("duree", "du", "au"):
        if params.get(name):
            pairs.append((name, params[name][:20]))
    pairs.append(("suite", "1"))
    return pairs


def _address(request: HttpRequest, pairs: list[tuple[str, str]]) -> str:
    return f"{request.path}?{urlencode(pairs)}"


def _add(request: HttpRequest, attendees: Attendees) -> HttpResponse:
    """Handle an "Ajouter" button: add one attendee, then show the clean address."""
    kind, _sep, value = request.GET.get("ajouter", "").partition("-")
    viewer = request.user
    added: str | None = None
    if len(attendees.subjects) >= MAX_SUBJECTS:
        messages.error(
            request,
            _("Un créneau se cherche pour %(max)s participants au plus.") % {"max": MAX_SUBJECTS},
        )
        return redirect(_address(request, _state(attendees, request.GET)))
    if kind in ("personne", "salle"):
        model = User if kind == "personne" else Resource
        ids, _bad = _ids([value])
        found = visible(viewer, model).filter(pk__in=ids, is_active=True).first()
        if found is not None:
            target = attendees.people if kind == "personne" else attendees.rooms
            if found not in target:
                target.append(found)
            added = label(found)
    elif kind == "externe":
        address = value.strip().lower()
        try:
            validate_email(address)
        except ValidationError:
            address = ""
        if address:
            if address not in attendees.externals:
                attendees.externals.append(address)
            added = address
    if added is None:
        messages.error(request, str(NOT_FOUND))
    else:
        messages.success(request, _("%(name)s fait partie des participants.") % {"name": added})
    return redirect(_address(request, _state(attendees, request.GET)))


def slot_label(start: dt.datetime, end: dt.datetime, tzid: str = DEFAULT_TZID) -> str:
    """« mardi 8 décembre, 10 h 00 – 11 h 00 »."""
    tz = zone(tzid)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    return _("%(day)s, %(start)s – %(end)s") % {
        "day": formats.date_format(local_start, "l j F"),
        "start": clock(local_start),
        "end": clock(local_end),
    }


def _iso(value: dt.datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def label(subject: Any) -> str:
    if isinstance(subject, User):
        return subject.get_full_name() or subject.email
    if isinstance(subject, Resource):
        return subject.name
    return str(subject)


def details(subject: Any) -> str:
    """What tells two namesakes apart: service and organisation, or a room's organisation."""
    if isinstance(subject, User):
        parts = [subject.job_title, subject.service.name if subject.service else ""]
        parts.append(subject.organisation.name if subject.organisation else _("Invité·e"))
        return ", ".join(p for p in parts if p)
    if isinstance(subject, Resource):
        parts = [str(subject.get_kind_display()), subject.organisation.name, subject.location]
        return ", ".join(p for p in parts if p)
    return _("Personne extérieure au territoire")


def _slot_rows(slots: list[Slot], attendees: Attendees) -> list[dict[str, Any]]:
    rows = []
    for slot in slots:
        choose = [("start", _iso(slot.start)), ("end", _iso(slot.end)), *attendees.pairs()]
        rows.append(
            {
                "label": slot_label(slot.start, slot.end),
                "busy": [label(s) for s in slot.busy],
                "unknown": [label(s) for s in slot.unknown],
                "choose_url": f"{EVENT_FORM_PATH}?{urlencode(choose)}",
            }
        )
    return rows


def _day_items(bands: list[Band], day_start: dt.datetime, day_end: dt.datetime, tz) -> list[str]:
    items = []
    for band in bands:
        if band.end <= day_start or band.start >= day_end:
            continue
        start, end = max(band.start, day_start), min(band.end, day_end)
        what = band.title or _("Occupé")
        if start == day_start and end == day_end:
            items.append(_("toute la journée : %(what)s") % {"what": what})
        else:
            span = f"{clock(start.astimezone(tz))} – {clock(end.astimezone(tz))}"
            if end == day_end:
                span = _("%(start)s – minuit") % {"start": clock(start.astimezone(tz))}
            items.append(f"{span} : {what}")
    return items


def week_table(viewer: Any, attendees: Attendees, around: dt.datetime) -> dict[str, Any]:
    """Each attendee's busy bands, Monday to Friday of the week of ``around``, as text."""
    tz = zone(DEFAULT_TZID)
    monday = around.astimezone(tz).date() - dt.timedelta(days=around.astimezone(tz).weekday())
    days = [monday + dt.timedelta(days=n) for n in range(5)]
    bounds = [
        (
            dt.datetime.combine(d, dt.time(0), tzinfo=tz),
            dt.datetime.combine(d + dt.timedelta(days=1), dt.time(0), tzinfo=tz),
        )
        for d in days
    ]
    bands = busy_bands(viewer, attendees.subjects, bounds[0][0], bounds[-1][1])
    rows = []
    for subject, subject_bands in bands.items():
        cells = []
        for day_start, day_end in bounds:
            if subject_bands is None:
                cells.append({"unknown": True, "items": []})
            else:
                cells.append(
                    {"unknown": False, "items": _day_items(subject_bands, day_start, day_end, tz)}
                )
        rows.append({"label": label(subject), "details": details(subject), "cells": cells})
    return {
        "title": _("Semaine du %(day)s") % {"day": formats.date_format(monday, "l j F Y")},
        "days": [formats.date_format(d, "l j F") for d in days],
        "rows": rows,
    }


def _search(viewer: Any, query: str, attendees: Attendees) -> dict[str, Any]:
    people = [p for p in search_people(viewer, query, SEARCH_LIMIT) if p not in attendees.people]
    rooms = [r for r in search_resources(viewer, query, 5) if r not in attendees.rooms]
    address = query.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        address = ""
    if address in attendees.externals:
        address = ""
    return {
        "query": query,
        "people": [{"obj": p, "label": label(p), "details": details(p)} for p in people],
        "rooms": [{"obj": r, "label": label(r), "details": details(r)} for r in rooms],
        "address": address,
    }


@login_required
def find_time(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    tz = zone(DEFAULT_TZID)
    now = timezone.now()
    attendees = parse_attendees(viewer, request.GET, add_viewer=not request.GET.get("suite"))
    if "ajouter" in request.GET:
        return _add(request, attendees)
    form = FindTimeForm(_form_data(request.GET, now.astimezone(tz).date()))
    valid = form.is_valid()
    query = form.cleaned_data.get("q", "") if valid else ""
    if not valid and "q" not in form.errors:
        query = (request.GET.get("q") or "")[:100]
    search = _search(viewer, query, attendees) if query.strip() else None
    context: dict[str, Any] = {
        "form": form,
        "attendees": [
            {
                "label": label(s),
                "details": details(s),
                "remove_url": _address(request, _state(attendees, request.GET, pair)),
            }
            for s, pair in zip(attendees.subjects, attendees.pairs(), strict=True)
        ],
        "state": attendees.pairs(),
        "problems": attendees.problems,
        "search": search,
        "slots": None,
        "week": None,
    }
    if request.GET.get("partiel") == "recherche":
        return render(request, "calendars/find_time_search.html", context)
    if valid and attendees.subjects:
        first = dt.datetime.combine(form.cleaned_data["du"], dt.time(0), tzinfo=tz)
        last = dt.datetime.combine(
            form.cleaned_data["au"] + dt.timedelta(days=1), dt.time(0), tzinfo=tz
        )
        duration = dt.timedelta(minutes=form.cleaned_data["duree"])
        try:
            slots = propose_slots(viewer, attendees.subjects, duration, first, last, now=now)
        except ValidationError as error:
            context["problems"] = [*attendees.problems, *error.messages]
        except PermissionDenied:
            context["problems"] = [*attendees.problems, str(NOT_FOUND)]
        else:
            context["slots"] = _slot_rows(slots, attendees)
            context["past"] = last <= now
            if slots:
                context["week"] = week_table(viewer, attendees, slots[0].start)
                context["first_slot"] = context["slots"][0]["label"]
    context["has_people"] = bool(attendees.subjects)
    context["problem_count"] = len(context["problems"])
    context["count_label"] = ngettext(
        "%(count)s participant", "%(count)s participants", len(attendees.subjects)
    ) % {"count": len(attendees.subjects)}
    return render(request, "calendars/find_time.html", context)
