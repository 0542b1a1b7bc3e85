"""People who sign in only through their organisation's provider can still enrol a second factor."""

import time

import pytest

from entente.accounts.tests.factories import OrgAdminFactory

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"
ACTIVATE = "/compte/2fa/totp/activate/"


def sso_session(client, person, seconds_ago=5):
    client.force_login(person, backend=BACKEND)
    session = client.session
    session["account_authentication_methods_user"] = str(person.pk)
    session["account_authentication_methods"] = [
        {"method": "socialaccount", "at": time.time() - seconds_ago, "provider": "openid_connect"}
    ]
    session.save()


def test_a_fresh_sso_sign_in_confirms_access_for_enrolment(client, org):
    admin = OrgAdminFactory(organisation=org, second_factor=False)
    admin.set_unusable_password()
    admin.save()
    sso_session(client, admin)
    response = client.get(ACTIVATE)
    assert response.status_code == 200
    assert b"otpauth://" in response.content


def test_an_old_sso_sign_in_does_not(client, org):
    admin = OrgAdminFactory(organisation=org, second_factor=False)
    admin.set_unusable_password()
    admin.save()
    sso_session(client, admin, seconds_ago=3600)
    assert client.get(ACTIVATE).status_code != 200


def test_people_with_a_password_still_confirm_it(client, org):
    admin = OrgAdminFactory(organisation=org, second_factor=False)
    sso_session(client, admin, seconds_ago=3600)
    response = client.get(ACTIVATE)
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
