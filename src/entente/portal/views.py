"""The home page and the sections whose features are still to come ("bientôt")."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

COMING = {
    "agenda": (
        _("Agenda"),
        _(
            "Planifier une réunion avec des personnes d'autres communes, voir leurs disponibilités, réserver une salle."
        ),
    ),
    "documents": (
        _("Documents"),
        _("Ranger et partager vos fichiers, dans votre organisation et avec les autres."),
    ),
    "spaces": (
        _("Espaces"),
        _("Ouvrir un espace de projet avec des membres de plusieurs organisations."),
    ),
    "directory": (
        _("Annuaire"),
        _("Trouver n'importe quel collègue du territoire par son nom, son service ou son mandat."),
    ),
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"sections": COMING})


@login_required
def coming_soon(request: HttpRequest, section: str) -> HttpResponse:
    title, description = COMING[section]
    return render(
        request,
        "portal/coming_soon.html",
        {"title": title, "description": description, "section": section},
    )
