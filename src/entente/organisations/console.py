"""Shared pieces of the administration consoles: who may open which section, and page rendering."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from entente.core.permissions import can, require
from entente.organisations.models import Organisation

PAGE_SIZE = 50

#: side navigation: (key, label, url name, action on the person's own organisation or None)
SECTIONS = [
    ("index", _("Vue d'ensemble"), "admin_org:index", None),
    ("people", _("Personnes"), "admin_org:people", "manage_people"),
    ("services", _("Services"), "admin_org:services", "manage_structure"),
    ("groups", _("Groupes"), "admin_org:groups", "manage_structure"),
    ("policies", _("Politiques"), "admin_org:policies", "edit_policies"),
    ("sso", _("Connexion (SSO)"), "admin_org:sso", "edit_policies"),
    ("provisioning", _("Provisionnement"), "admin_org:provisioning", "manage_people"),
]


def sections(user: Any) -> dict[str, bool]:
    """Which sections of the console ``user`` may open."""
    organisation = user.organisation
    allowed = {
        key: organisation is not None and can(user, action, organisation)
        for key, _label, _url, action in SECTIONS
        if action
    }
    allowed["organisations"] = can(user, "administer", Organisation)
    allowed["index"] = any(allowed.values())
    return allowed


def own_organisation(request: HttpRequest, action: str) -> Organisation:
    """The signed-in person's organisation, once ``action`` on it is allowed (else 403/404)."""
    organisation = request.user.organisation
    if organisation is None:
        raise Http404("Cette page n'existe pas ou vous n'y avez pas accès.")
    require(request.user, action, organisation)
    return organisation


def render_console(
    request: HttpRequest, template: str, context: dict[str, Any], section: str, status: int = 200
) -> HttpResponse:
    """Render a console page with its side navigation (the links ``request.user`` may follow)."""
    allowed = sections(request.user)
    nav = [
        {"key": key, "label": label, "url": reverse(url), "current": key == section}
        for key, label, url, _action in SECTIONS
        if allowed[key]
    ]
    if allowed["organisations"]:
        nav.append(
            {
                "key": "organisations",
                "label": _("Organisations"),
                "url": reverse("admin_org:organisations"),
                "current": section == "organisations",
            }
        )
    return render(
        request, template, {**context, "console_nav": nav, "section": section}, status=status
    )


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = PAGE_SIZE) -> Page:
    """The page asked for in ``?page=`` (the last one when too big, the first when garbage)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The current query string minus ``page``, to build the pagination links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` field of a POST when it points inside the platform, else ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
