"""Pages of the directory: search, a person's card, an organisation's services, vCards.

Everything shown comes through ``visible(viewer, …)``: a person the viewer may not see gives
the same 404 as a missing one, on the card and on its vCard.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from entente.accounts.models import User
from entente.core.permissions import get_visible_or_404, visible
from entente.directory import people as directory
from entente.directory import vcard
from entente.directory.forms import DirectorySearchForm
from entente.directory.models import Service
from entente.directory.search import search_directory
from entente.organisations.models import Organisation

PER_PAGE = 20


def _search(request: HttpRequest) -> dict:
    """Parse the query string, search, and paginate: the context of the results."""
    user = request.user
    form = DirectorySearchForm(
        request.GET or None,
        organisations=visible(user, Organisation).filter(is_active=True).order_by("name"),
        services=visible(user, Service),
    )
    context: dict = {"form": form, "searching": False}
    if not form.is_bound or not form.is_searching:
        return context
    data = form.cleaned_data
    people = directory.directory_people(
        user,
        organisation=data.get("organisation"),
        service=data.get("service"),
        elus_only=data.get("elus", False),
    )
    if data.get("q"):
        ids = search_directory(user, data["q"], people)
        page = Paginator(ids, PER_PAGE).get_page(request.GET.get("page"))
        found = {p.pk: p for p in directory.with_details(User.objects.filter(pk__in=page))}
        page.object_list = [found[pk] for pk in page.object_list if pk in found]
    else:
        rows = directory.with_details(people).order_by("last_name", "first_name", "pk")
        page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
    paths = directory.paths_for(user, page.object_list)
    for person in page.object_list:
        person.service_path = " › ".join(paths.get(person.service_id, []))
    kept = {
        key: value
        for key, value in (
            ("q", data.get("q") or ""),
            ("organisation", getattr(data.get("organisation"), "pk", "")),
            ("service", getattr(data.get("service"), "pk", "")),
            ("elus", "on" if data.get("elus") else ""),
        )
        if value
    }
    context.update(
        searching=True, page=page, page_query=urlencode(kept), total=page.paginator.count
    )
    return context


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Search the people of the territory, or browse its organisations.

    ``?fragment=1`` answers only the results (live results while typing).
    """
    if request.user.is_guest and not request.user.is_operator:
        # Guests (people from outside the territory) never see the directory.
        return render(request, "directory/guest.html")
    context = _search(request)
    if request.GET.get("fragment") == "1":
        return render(request, "directory/_results.html", context)
    if not context["searching"]:
        context["organisations"] = directory.browse_organisations(request.user)
    return render(request, "directory/index.html", context)


def _person(request: HttpRequest, pk: int) -> User:
    person = get_visible_or_404(request.user, User, pk=pk)
    return User.objects.select_related("organisation", "service").get(pk=person.pk)


@login_required
@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's card: how to reach them, where they work, whom they report to."""
    viewer = request.user
    shown = _person(request, pk)
    path = []
    if shown.service is not None:
        path = [*shown.service.ancestors(), shown.service]
    context = {
        "person": shown,
        "service_path": path,
        "chain": directory.manager_chain(viewer, shown),
        "reports": list(directory.reports(viewer, shown)),
        "spaces": list(directory.spaces_in_common(viewer, shown)),
        "is_me": shown.pk == viewer.pk,
        "find_time_url": f"{reverse('calendars:find_time')}?{urlencode({'personne': shown.pk})}",
        "tel": vcard.tel_uri(shown.phone),
    }
    return render(request, "directory/person.html", context)


def _vcard_response(body: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{vcard.filename(name)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def person_vcard(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's card as a vCard 4.0 file, for an address book or a phone."""
    shown = _person(request, pk)
    return _vcard_response(vcard.card(shown), shown.get_full_name() or "contact")


def _organisation(request: HttpRequest, key: str) -> Organisation:
    lookup = {"pk": int(key)} if key.isdigit() else {"slug": key}
    organisation = get_visible_or_404(request.user, Organisation, **lookup)
    if request.user.is_guest:
        raise Http404("Cette page n'existe pas ou vous n'y avez pas accès.")
    return organisation


@login_required
@require_GET
def organisation(request: HttpRequest, key: str) -> HttpResponse:
    """An organisation's services as a tree, with the people of each the viewer may see."""
    shown = _organisation(request, key)
    tree, loose = directory.organisation_tree(request.user, shown)
    context = {
        "organisation": shown,
        "tree": tree,
        "loose": loose,
        "people_count": len(loose) + sum(entry.people_count for entry in _walk(tree)),
    }
    return render(request, "directory/organisation.html", context)


def _walk(entries: list[directory.TreeEntry]) -> Iterator[directory.TreeEntry]:
    for entry in entries:
        yield entry
        yield from _walk(entry.children)


@login_required
@require_GET
def organisation_vcard(request: HttpRequest, key: str) -> HttpResponse:
    """Every person of an organisation the viewer may see, as one multi-card vCard file."""
    shown = _organisation(request, key)
    people = list(directory.organisation_people(request.user, shown))
    paths = directory.service_paths(visible(request.user, Service).filter(organisation=shown))
    return _vcard_response(vcard.cards(people, paths), shown.name)
