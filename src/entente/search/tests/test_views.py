"""The search page ``/recherche/`` and the API ``/api/v1/search/``."""

from __future__ import annotations

import pytest
from django.urls import reverse

from entente.accounts.tests.factories import UserFactory
from entente.core.testing import signed_in, text
from entente.drive.tests.factories import make_folder, root_of
from entente.spaces.models import SpaceRole, Visibility
from entente.spaces.tests.factories import SpaceFactory, add

URL = "/recherche/"
API = "/api/v1/search/"


@pytest.fixture
def tree(agent):
    root = root_of(agent)
    make_folder(agent, root, "Réunion & budget")
    for number in range(25):
        make_folder(agent, root, f"Budget annexe {number:02d}")


def test_the_url_names_stay():
    assert reverse("search:results") == URL
    assert reverse("search-list") == API


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(URL, {"q": "budget"})
    assert response.status_code == 302 and "/compte/" in response["Location"]
    assert client.get(API, {"q": "budget"}).status_code in (401, 403)


def test_the_page_lists_one_page_of_results_with_the_count_announced(agent, tree):
    response = signed_in(agent).get(URL, {"q": "budg"})
    page = text(response)

    assert response.status_code == 200
    assert 'role="status"' in page and "26 résultats" in page
    assert page.count('class="search-hit ') == 20
    assert 'value="budg"' in page  # the header's box and the page's box are filled back
    assert "page=2" in page


def test_titles_and_excerpts_are_escaped_and_the_words_marked(agent, org):
    space = SpaceFactory(
        organisation=org, name="Réunion <b>budget</b>", description="<script>x</script> réunions"
    )
    add(space, agent)

    page = text(signed_in(agent).get(URL, {"q": "reunion"}))

    assert "<mark>Réunion</mark> &lt;b&gt;budget&lt;/b&gt;" in page
    assert "&lt;script&gt;x&lt;/script&gt; <mark>réunions</mark>" in page
    assert "<b>budget</b>" not in page and "<script>x" not in page


def test_the_second_page(agent, tree):
    page = text(signed_in(agent).get(URL, {"q": "budget", "page": "2"}))
    assert page.count('class="search-hit ') == 6


def test_without_words_the_page_shows_the_form_only(agent, tree):
    for params in ({}, {"q": ""}, {"q": '"*('}):
        response = signed_in(agent).get(URL, params)
        assert response.status_code == 200
        assert 'class="search-hit ' not in text(response)
    assert 'for="search-q"' in text(response)


def test_bad_filters_get_a_french_message_not_an_error(agent, other_org):
    hidden = SpaceFactory(organisation=other_org, visibility=Visibility.PRIVATE)
    response = signed_in(agent).get(
        URL, {"q": "x", "type": "rien", "space": hidden.pk, "from": "hier", "author": "42x"}
    )
    page = text(response)

    assert response.status_code == 200
    assert "Choisissez un type" in page
    assert "Indiquez une date au format AAAA-MM-JJ." in page
    assert page.count("ne vous est pas accessible") == 2  # the space and the author


def test_the_page_filters_by_type_and_author(agent, tree, org):
    space = SpaceFactory(organisation=org, name="Budget participatif")
    add(space, agent, SpaceRole.OWNER)

    spaces_only = text(signed_in(agent).get(URL, {"q": "budget", "type": "space"}))
    assert "1 résultat" in spaces_only and "Budget participatif" in spaces_only
    mine = text(signed_in(agent).get(URL, {"q": "budget", "author": "me", "type": "document"}))
    assert "26 résultats" in mine


def test_the_api_returns_only_what_the_caller_may_open(agent, tree, org):
    colleague = UserFactory(organisation=org)

    response = signed_in(agent).get(API, {"q": "budget", "page_size": 5})
    body = response.json()

    assert response.status_code == 200
    assert body["count"] == 26 and len(body["results"]) == 5
    first = body["results"][0]
    assert set(first) >= {"kind", "id", "title", "title_html", "snippet_html", "url", "date"}
    assert first["url"].startswith("/documents/dossier/")
    assert signed_in(colleague).get(API, {"q": "budget"}).json()["count"] == 0


def test_the_api_checks_its_parameters(agent):
    client = signed_in(agent)

    missing = client.get(API)
    assert missing.status_code == 400 and missing.json()["code"] == "invalid"
    assert "q" in missing.json()["detail"]
    bad = client.get(API, {"q": "budget", "to": "2026-13-40"})
    assert bad.status_code == 400 and "AAAA-MM-JJ" in bad.json()["detail"]
    reversed_dates = client.get(API, {"q": "budget", "from": "2026-05-02", "to": "2026-05-01"})
    assert reversed_dates.status_code == 400
    syntax = client.get(API, {"q": 'NEAR("budget" *'})
    assert syntax.status_code == 200


def test_the_page_costs_a_few_queries_whatever_the_number_of_results(
    agent, tree, django_assert_max_num_queries
):
    client = signed_in(agent)
    client.get(URL, {"q": "budget"})
    with django_assert_max_num_queries(10):
        assert client.get(URL, {"q": "budget"}).status_code == 200
