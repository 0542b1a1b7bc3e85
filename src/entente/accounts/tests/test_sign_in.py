"""Local sign-in, sign-out, password reset and password rules (through django-allauth)."""

import re

import pytest
from django.core import mail

from entente.accounts.tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/compte/login/"


def test_login_page_is_french_and_offers_password_reset(client):
    response = client.get(LOGIN)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in body
    assert "Connexion" in body and "Mot de passe oublié" in body
    assert "signup" not in body.lower()


def test_sign_in_by_email_in_any_case_lands_on_home(client, agent):
    response = client.post(LOGIN, {"login": "Agnes.MARTIN@valmont.fr", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert "Bonjour Agnès" in home.content.decode()


def test_wrong_password_and_unknown_account_get_the_same_message(client, agent):
    wrong = client.post(LOGIN, {"login": agent.email, "password": "not the password"})
    unknown = client.post(LOGIN, {"login": "nobody@valmont.fr", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 200

    def errors(response):
        return re.findall(r'role="alert"[^>]*>(.*?)</div>', response.content.decode(), re.S)

    assert errors(wrong) == errors(unknown)
    assert errors(wrong), "an error message must be shown"


def test_a_deactivated_person_cannot_sign_in(client, agent):
    agent.is_active = False
    agent.save()
    response = client.post(LOGIN, {"login": agent.email, "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)


def test_deactivation_ends_an_open_session_at_once(client, agent):
    client.force_login(agent, backend="entente.accounts.backends.AuthenticationBackend")
    assert client.get("/").status_code == 200
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_pages_need_a_signed_in_person(client):
    for url in ["/", "/agenda/", "/documents/", "/espaces/", "/annuaire/", "/admin-org/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(LOGIN)


def test_sign_out_is_a_post(client, agent):
    client.force_login(agent, backend="entente.accounts.backends.AuthenticationBackend")
    response = client.post("/compte/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_nobody_can_sign_up_alone(client):
    response = client.post(
        "/compte/signup/", {"email": "intrus@example.org", "password1": "a long enough password 42"}
    )
    assert "Les comptes sont créés par votre organisation" in response.content.decode()
    from entente.accounts.models import User

    assert not User.objects.filter(email="intrus@example.org").exists()


def test_password_reset_does_not_reveal_whether_an_account_exists(client, agent):
    known = client.post("/compte/password/reset/", {"email": agent.email})
    unknown = client.post("/compte/password/reset/", {"email": "nobody@valmont.fr"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [agent.email]


def test_password_reset_link_sets_a_new_password_once(client, agent):
    client.post("/compte/password/reset/", {"email": agent.email})
    link = re.search(r"https?://\S+/compte/password/reset/key/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("/", 3)[3]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    new_password = "une phrase de passe longue et neuve"
    done = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert done.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password(new_password)
    again = client.get(path, follow=True)
    assert "plus valable" in again.content.decode()


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("court", "trop court"),
        ("1qaz2wsx3edc", "trop courant"),  # long enough, but a well-known password
        ("123456789012", "entièrement numérique"),
    ],
)
def test_password_rules(client, agent, password, expected):
    client.force_login(agent, backend="entente.accounts.backends.AuthenticationBackend")
    response = client.post(
        "/compte/password/change/",
        {"oldpassword": TEST_PASSWORD, "password1": password, "password2": password},
    )
    agent.refresh_from_db()
    assert agent.check_password(TEST_PASSWORD)
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_session_and_csrf_cookies_are_http_only_and_named(client, agent, settings):
    client.get(LOGIN)
    assert "entente_csrf" in client.cookies
    client.post(LOGIN, {"login": agent.email, "password": TEST_PASSWORD})
    cookie = client.cookies["entente_session"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_other_users_are_unaffected_by_a_failed_login(client):
    person = UserFactory()
    client.post(LOGIN, {"login": person.email, "password": "wrong"})
    assert client.login(email=person.email, password=TEST_PASSWORD)


def test_account_hub_links_every_security_setting(client, agent):
    client.force_login(agent, backend="entente.accounts.backends.AuthenticationBackend")
    body = client.get("/compte/").content.decode()
    assert "agnes.martin@valmont.fr" in body
    assert 'href="/compte/password/change/"' in body
    assert 'href="/compte/2fa/"' in body
    assert 'href="/compte/sessions/"' in body


def test_password_reset_mail_speaks_plainly(client, agent):
    client.post("/compte/password/reset/", {"email": agent.email})
    message = mail.outbox[0]
    assert message.subject == "Choisir un nouveau mot de passe Entente"
    assert message.body.startswith("Bonjour,")
    assert "testserver" not in message.body.split("http")[0]
    assert "ignorez ce message" in message.body
