"""Pages and files of the iCalendar side of the agenda: export, subscription feed, import, and
the answer page outside attendees reach from their invitation e-mail.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from entente.calendars import ics, importing, itip
from entente.calendars.formatting import when
from entente.calendars.models import Calendar, CalendarKind, PartStat
from entente.core.permissions import get_for_action

#: ?choix= of the links in the invitation e-mail → the answer it proposes
CHOICES = {
    "accepter": PartStat.ACCEPTED,
    "peut-etre": PartStat.TENTATIVE,
    "decliner": PartStat.DECLINED,
}
SESSION_KEY = "calendar_imports"
IMPORT_DIR = "calendar-imports"


def _ics_response(
    data: bytes, filename: str = "", cache: str = "private, no-store"
) -> HttpResponse:
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = cache
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- answer page (no sign-in) ------------------------------------------------------------------


class AnswerForm(forms.Form):
    reponse = forms.ChoiceField(
        choices=[(value, value) for value in itip.ANSWERS], widget=forms.HiddenInput
    )
    commentaire = forms.CharField(
        label=gettext_lazy("Un mot pour l'organisateur (facultatif)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """An outside attendee answers an invitation: GET shows it, only POST records."""
    try:
        attendee = itip.read_answer_token(token)
    except itip.LinkError as error:
        return render(
            request, "calendars/answer_invalid.html", {"message": error.message}, status=400
        )
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from entente.calendars import services

        try:
            services.record_reply(
                attendee,
                form.cleaned_data["reponse"],
                form.cleaned_data["commentaire"],
                via="link",
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            attendee.refresh_from_db()
            return render(
                request,
                "calendars/answer_done.html",
                _answer_context(attendee) | {"answer": attendee.get_partstat_display()},
            )
    status = 400 if request.method == "POST" else 200
    chosen = CHOICES.get(request.GET.get("choix", ""), "")
    context = _answer_context(attendee) | {"form": form, "chosen": chosen}
    response = render(request, "calendars/answer.html", context, status=status)
    # the token is in the address: never sent to another site ("no-referrer" would make
    # browsers send "Origin: null" with the answer form, which CSRF checks refuse)
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _answer_context(attendee: Any) -> dict[str, Any]:
    event = attendee.event
    master = event.series
    return {
        "attendee": attendee,
        "event": event,
        "when": when(event.start, event.end, event.tzid, event.all_day),
        "recurring": bool(master.rrule) and not event.master_id,
        "organiser": (master.organiser.get_full_name() if master.organiser_id else "")
        or master.organiser_name
        or master.organiser_email,
        "answers": [
            (PartStat.ACCEPTED, _("Accepter")),
            (PartStat.TENTATIVE, _("Peut-être")),
            (PartStat.DECLINED, _("Décliner")),
        ],
    }


# --- export and subscription -------------------------------------------------------------------


@login_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """Download a calendar the person may read, as an .ics file."""
    calendar = get_for_action(request.user, Calendar, "view", pk=pk)
    data = ics.calendar_to_ics(calendar, ics.export_events(calendar), request.user)
    name = slugify(calendar.name) or "agenda"
    return _ics_response(data, f"{name}.ics")


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private subscription address of a calendar: no sign-in, the secret is the token;
    private events show as busy only."""
    calendar = (
        Calendar.objects.filter(feed_token=token).select_related("owner", "organisation").first()
        if token
        else None
    )
    if calendar is None or not secrets.compare_digest(calendar.feed_token, token):
        raise Http404(_("Cette adresse d'abonnement n'existe pas ou a été renouvelée."))
    if calendar.kind == CalendarKind.PERSONAL and not (calendar.owner and calendar.owner.is_active):
        raise Http404(_("Cette adresse d'abonnement n'existe pas ou a été renouvelée."))
    if calendar.organisation is not None and not calendar.organisation.is_active:
        raise Http404(_("Cette adresse d'abonnement n'existe pas ou a été renouvelée."))
    data = ics.calendar_to_ics(calendar, ics.export_events(calendar), None)
    return _ics_response(data, cache="private, max-age=300")


# --- import ------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label=gettext_lazy("Fichier iCalendar (.ics)"),
        help_text=gettext_lazy(
            "Exporté depuis Thunderbird, Outlook, Google Agenda ou un autre agenda. Rien n'est "
            "enregistré avant que vous ayez vu l'aperçu et confirmé."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".ics,text/calendar"}),
    )


def _limit() -> int:
    return getattr(settings, "CALENDAR_IMPORT_MAX_BYTES", ics.DEFAULT_MAX_BYTES)


#: a preview nobody confirmed within this time is abandoned: its file is removed
STASH_LIFETIME = dt.timedelta(days=1)


def sweep_abandoned_previews(limit: int = 200) -> int:
    """Remove the files of previews older than ``STASH_LIFETIME``; return how many."""
    try:
        _dirs, files = default_storage.listdir(IMPORT_DIR)
    except (FileNotFoundError, NotImplementedError):
        return 0
    removed = 0
    cutoff = timezone.now() - STASH_LIFETIME
    for name in files[:limit]:
        path = f"{IMPORT_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                removed += 1
        except (FileNotFoundError, NotImplementedError):
            continue
    return removed


def _stash(request: HttpRequest, calendar: Calendar, data: bytes) -> str:
    """Keep the uploaded file between the preview and the confirmation (and, on the way,
    remove those of previews abandoned long ago)."""
    sweep_abandoned_previews()
    token = secrets.token_urlsafe(16)
    name = default_storage.save(f"{IMPORT_DIR}/{request.user.pk}-{token}.ics", ContentFile(data))
    stash = request.session.get(SESSION_KEY, {})
    for old in list(stash)[:-4]:  # keep a few pending previews per person, not more
        _drop(request, old, stash)
    stash[token] = {"calendar": calendar.pk, "path": name}
    request.session[SESSION_KEY] = stash
    return token


def _drop(request: HttpRequest, token: str, stash: dict[str, Any]) -> None:
    entry = stash.pop(token, None)
    if entry:
        default_storage.delete(entry["path"])
    request.session[SESSION_KEY] = stash


def _render_import(
    request: HttpRequest, calendar: Calendar, status: int = 200, **context: Any
) -> HttpResponse:
    context.setdefault("form", ImportForm())
    context["calendar"] = calendar
    context["max_mb"] = max(_limit() // (1024 * 1024), 1)
    template = (
        "calendars/ics_import_preview.html" if "preview" in context else "calendars/ics_import.html"
    )
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a file → see what it would do → confirm. A bad file changes nothing."""
    calendar = get_for_action(request.user, Calendar, "write", pk=pk)
    if request.method == "GET":
        return _render_import(request, calendar)
    if "jeton" in request.POST:
        return _confirm(request, calendar)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_import(request, calendar, status=400, form=form)
    upload = form.cleaned_data["fichier"]
    if upload.size > _limit():
        form.add_error(
            "fichier",
            _("Le fichier dépasse la taille maximale de %(size)s Mo : découpez-le en plusieurs.")
            % {"size": max(_limit() // (1024 * 1024), 1)},
        )
        return _render_import(request, calendar, status=400, form=form)
    data = upload.read()
    try:
        result = importing.preview(calendar, data)
    except ics.IcsError as error:
        form.add_error("fichier", error.message)
        return _render_import(request, calendar, status=400, form=form)
    token = _stash(request, calendar, data)
    return _render_import(request, calendar, preview=result, token=token)


def _confirm(request: HttpRequest, calendar: Calendar) -> HttpResponse:
    token = request.POST.get("jeton", "")
    stash = request.session.get(SESSION_KEY, {})
    entry = stash.get(token)
    if (
        not entry
        or entry.get("calendar") != calendar.pk
        or not default_storage.exists(entry["path"])
    ):
        return _render_import(
            request,
            calendar,
            status=400,
            problem=_("Cet aperçu a expiré : déposez le fichier de nouveau."),
        )
    with default_storage.open(entry["path"], "rb") as handle:
        data = handle.read()
    accept = request.POST.get("accepter_ignores") == "1"
    try:
        report = importing.import_calendar(request.user, calendar, data, accept_skips=accept)
    except ics.IcsError as error:
        _drop(request, token, stash)
        return _render_import(request, calendar, status=400, problem=error.message)
    except importing.SkipsNotAccepted as error:
        return _render_import(
            request,
            calendar,
            status=400,
            preview=importing.preview(calendar, data),
            token=token,
            problem=error.messages[0],
        )
    _drop(request, token, stash)
    messages.success(
        request,
        _("Import terminé dans « %(name)s » : %(summary)s")
        % {"name": calendar.name, "summary": report.summary()},
    )
    return redirect(request.path)
