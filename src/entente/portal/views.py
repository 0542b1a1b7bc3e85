"""The home page and the sections whose features are still to come ("bientôt")."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.calendars import formatting
from entente.calendars import services as agenda
from entente.calendars.views import invitation_items
from entente.core.permissions import can

#: the sections of the platform: (title, what it is for, URL name, still to come)
SECTIONS = [
    (
        _("Agenda"),
        _(
            "Planifier une réunion avec des personnes d'autres communes, voir leurs "
            "disponibilités, réserver une salle."
        ),
        "calendars:agenda",
        False,
    ),
    (
        _("Documents"),
        _("Ranger et partager vos fichiers, dans votre organisation et avec les autres."),
        "drive:home",
        False,
    ),
    (
        _("Espaces"),
        _("Ouvrir un espace de projet avec des membres de plusieurs organisations."),
        "spaces:index",
        False,
    ),
    (
        _("Annuaire"),
        _("Trouver n'importe quel collègue du territoire par son nom, son service ou son mandat."),
        "directory:index",
        False,
    ),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What the person needs first: today's meetings and the invitations awaiting an answer."""
    user = request.user
    today = timezone.localdate()
    start = dt.datetime.combine(today, dt.time(), timezone.get_current_timezone())
    own = [agenda.default_calendar(user)] if user.organisation_id else []
    meetings = agenda.agenda_occurrences(user, own, start, start + dt.timedelta(days=1))
    return render(
        request,
        "portal/home.html",
        {
            "sections": SECTIONS,
            "today": today,
            "meetings": [
                {
                    "occurrence": o,
                    "details": can(user, "view_details", o.event),
                    "when": formatting.when(o.start, o.end, o.event.tzid, o.all_day),
                }
                for o in meetings
            ],
            "invitations": invitation_items(user, reverse("portal:home")),
        },
    )
