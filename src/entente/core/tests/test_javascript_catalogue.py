"""The browser modules' catalogue: Django's JavaScript catalogue, in the request's language."""

import json
import re

import pytest
from django.conf import settings
from django.urls import reverse

from entente.core.tests.test_translations import parse_po, po_path

pytestmark = pytest.mark.django_db

URL = "/i18n/js/"
FINISHED = "Envoi terminé : %(sent)s."
SENT = "%(count)s fichier envoyé"


def catalogue_of(response) -> dict:
    """The strings the script puts in ``django.catalog``."""
    match = re.search(r"const newcatalog = (\{.*?\n  \});", response.content.decode(), re.S)
    assert match, "the script carries no catalogue"
    return json.loads(match[1])


def test_the_catalogue_has_a_stable_address():
    assert reverse("javascript-catalog") == URL


@pytest.mark.parametrize(
    "ask",
    [{"HTTP_ACCEPT_LANGUAGE": "en"}, {"cookie": "en"}],
    ids=["accept-language", "language-cookie"],
)
def test_english_readers_get_the_english_strings(client, ask):
    if "cookie" in ask:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = ask.pop("cookie")
    response = client.get(URL, **ask)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Content-Language"] == "en"
    catalogue = catalogue_of(response)
    assert catalogue[FINISHED] == "Upload finished: %(sent)s."
    assert catalogue[SENT] == ["%(count)s file uploaded", "%(count)s files uploaded"]
    assert "(n != 1)" in response.content.decode()  # English plural rule


@pytest.mark.parametrize("ask", [{}, {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}])
def test_everyone_else_gets_the_french_source_with_french_plurals(client, ask):
    response = client.get(URL, **ask)
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    catalogue = catalogue_of(response)
    assert catalogue[FINISHED] == FINISHED
    assert catalogue[SENT] == [SENT, "%(count)s fichiers envoyés"]
    assert "(n > 1)" in response.content.decode()  # 0 is singular in French


def test_the_script_holds_the_project_strings_only_and_needs_no_eval(client):
    body = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # the djangojs catalogue, not the admin's JavaScript strings too
    assert set(catalogue_of(client.get(URL))) == {
        e["msgid"] for e in parse_po(po_path("fr", "djangojs"))
    }
    # a classic script that defines functions: nothing the strict CSP ('self' only) would block
    assert "eval(" not in body and "new Function" not in body


def test_the_script_is_revalidated_and_answers_304_while_the_language_stays(client):
    first = client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert "no-cache" in first["Cache-Control"]
    assert first["ETag"]
    again = client.get(URL, HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    other = client.get(URL, HTTP_ACCEPT_LANGUAGE="fr", HTTP_IF_NONE_MATCH=first["ETag"])
    assert other.status_code == 200 and other["ETag"] != first["ETag"]


@pytest.mark.parametrize(
    "url",
    ["/compte/login/", "/p/no-such-link/"],
    ids=["base", "public-links-base"],
)
def test_pages_load_the_catalogue_before_their_modules(client, url):
    body = client.get(url).content.decode()
    tag = f'<script src="{URL}"></script>'
    assert tag in body
    modules = [m.start() for m in re.finditer(r'<script type="module"', body)]
    assert all(body.index(tag) < start for start in modules)
