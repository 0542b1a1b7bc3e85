"""The shell: navigation, "bientôt" pages, error pages, language switch."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"


@pytest.fixture
def signed_in(client, agent):
    client.force_login(agent, backend=BACKEND)
    return client


def test_home_shows_the_person_their_organisation_and_the_navigation(signed_in):
    body = signed_in.get("/").content.decode()
    assert "Bonjour Agnès" in body
    assert "Commune de Valmont" in body
    assert 'href="#contenu"' in body and 'id="contenu"' in body
    for label in ["Accueil", "Agenda", "Documents", "Espaces", "Annuaire"]:
        assert f">{label}</a>" in body
    assert 'aria-current="page">Accueil' in body
    assert "Administration" not in body  # an agent has no console


def test_admins_and_operators_see_the_administration_link(client, org_admin, operator):
    client.force_login(org_admin, backend=BACKEND)
    assert ">Administration</a>" in client.get("/").content.decode()
    other = Client()
    other.force_login(operator, backend=BACKEND)
    assert ">Administration</a>" in other.get("/").content.decode()


@pytest.mark.parametrize(
    ("url", "title"),
    [("/documents/", "Documents"), ("/espaces/", "Espaces"), ("/annuaire/", "Annuaire")],
)
def test_every_section_is_in_the_navigation(signed_in, url, title):
    body = signed_in.get(url).content.decode()
    assert f'aria-current="page">{title}' in body
    assert "Bientôt" not in body


def test_404_page_is_in_the_platform_style(signed_in, settings):
    settings.DEBUG = False
    response = signed_in.get("/nulle-part/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Cette page n&#x27;existe pas" in body or "Cette page n'existe pas" in body
    assert "entente.css" in body


def test_500_page_renders_without_a_request_context():
    from entente.core.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Un problème est survenu" in response.content.decode()


def test_403_and_400_pages(rf):
    from entente.core.views import bad_request, permission_denied

    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert permission_denied(request).status_code == 403
    assert bad_request(request).status_code == 400


def test_english_is_available(signed_in):
    signed_in.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = signed_in.get("/").content.decode()
    assert '<html lang="en">' in body


def test_pages_load_nothing_from_outside(signed_in):
    body = signed_in.get("/").content.decode()
    assert "http://" not in body.replace("http://testserver", "")
    assert "https://" not in body
