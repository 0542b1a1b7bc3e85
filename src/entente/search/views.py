"""The search results page at ``/recherche/?q=…``: the form with its filters and one page of
results, only what the searcher may open (``services.search``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from entente.search import services
from entente.search.forms import SearchForm

PAGE_SIZE = 20


#: the query parameters that narrow a search (besides the words and the page)
FILTERS = ("type", "organisation", "space", "from", "to", "author")


@require_GET
@login_required
def results(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.user, request.GET or None)
    query = (request.GET.get("q") or "").strip()[: services.MAX_QUERY_CHARS]
    page = hits = None
    searched = False
    if form.is_bound and form.is_valid() and services.terms_of(form.cleaned_data["q"]):
        searched = True
        entries = services.search(request.user, form.cleaned_data["q"], form.filters())
        page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
        hits = services.hits(page.object_list, form.cleaned_data["q"])
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "search/results.html",
        {
            "form": form,
            "search_query": query,
            "searched": searched,
            "page": page,
            "hits": hits,
            "page_params": params.urlencode(),
            "filtered": any(request.GET.get(name) for name in FILTERS),
            "author_person": getattr(form, "author_person", None),
            "author_value": (request.GET.get("author") or "").strip(),
        },
    )
