"""ProConnect's specifics against a ProConnect-like provider: signed JWT userinfo, acr, logout
with id_token_hint (RP-initiated logout, also for any provider publishing end_session)."""

from __future__ import annotations

from urllib.parse import urlsplit

import jwt
import pytest
from django.test import Client

from entente.accounts.models import User
from entente.accounts.tests.factories import TEST_PASSWORD
from entente.identity import services
from entente.identity.models import ProviderKind
from entente.identity.oidc import OidcError
from entente.identity.providers import check_acr
from entente.identity.tests.conftest import (
    REFRESH,
    configure,
    query_of,
    signed_in_user_id,
    sso_sign_in,
    start_sign_in,
    text_of,
)

pytestmark = pytest.mark.django_db

EMAIL = "claire.fontaine@valmont.fr"


@pytest.fixture
def proconnect_org(org, proconnect):
    proconnect.users["pc-1"] = {
        "email": EMAIL,
        "given_name": "Claire",
        "usual_name": "Fontaine",
        "uid": "42",
        "siret": "21750001600019",
    }
    return configure(
        org,
        proconnect.issuer,
        kind=ProviderKind.PROCONNECT,
        name="ProConnect",
        scopes="openid email given_name usual_name uid siret",
        acr_values="eidas1",
        claim_service="",
        claim_job_title="",
    )


def test_proconnect_sign_in_with_signed_userinfo_and_acr(client, org, proconnect, proconnect_org):
    authorization_url = start_sign_in(client, EMAIL)
    params = query_of(authorization_url)
    assert params["acr_values"] == "eidas1"
    assert params["login_hint"] == EMAIL
    assert set(params["scope"].split()) == {
        "openid",
        "email",
        "given_name",
        "usual_name",
        "uid",
        "siret",
    }

    response = sso_sign_in(client, proconnect, EMAIL, "pc-1")

    assert response.status_code == 302, text_of(response)
    claire = User.objects.get(email=EMAIL)
    assert (claire.first_name, claire.last_name, claire.organisation) == ("Claire", "Fontaine", org)
    assert signed_in_user_id(client) == claire.pk
    received = proconnect.authorization_requests[-1]
    assert (received["acr_values"], received["login_hint"]) == ("eidas1", EMAIL)
    assert len(received["nonce"]) >= 32 and len(received["state"]) >= 32, "ProConnect's minimum"


@pytest.mark.parametrize("returned", ["eidas0", None])
def test_a_weaker_or_missing_acr_is_refused(client, proconnect, proconnect_org, returned):
    proconnect.acr = returned
    response = sso_sign_in(client, proconnect, EMAIL, "pc-1")
    assert response.status_code == 401
    assert "niveau d'authentification" in text_of(response)
    assert signed_in_user_id(client) is None
    assert not User.objects.filter(email=EMAIL).exists()


def test_check_acr_accepts_any_requested_level():
    check_acr("", None)
    check_acr("eidas1 eidas2", "eidas2")
    with pytest.raises(OidcError):
        check_acr("eidas2", "eidas1")


def test_proconnect_userinfo_must_be_signed(client, proconnect, proconnect_org):
    proconnect.userinfo_as_jwt = False
    response = sso_sign_in(client, proconnect, EMAIL, "pc-1")
    assert response.status_code == 401
    assert "sans les signer" in text_of(response)
    assert not User.objects.filter(email=EMAIL).exists()


def test_a_userinfo_answer_signed_with_an_unknown_key_is_refused(
    client, proconnect, proconnect_org
):
    proconnect.sign_userinfo_with_unknown_key = True
    response = sso_sign_in(client, proconnect, EMAIL, "pc-1")
    assert response.status_code == 401
    assert "n'est pas valide" in text_of(response)
    assert signed_in_user_id(client) is None


def test_a_generic_provider_may_answer_userinfo_in_json_or_as_a_jwt(client, org, proconnect):
    proconnect.users["pc-2"] = {"email": EMAIL, "given_name": "Claire", "family_name": "F"}
    configure(
        org, proconnect.issuer, kind=ProviderKind.LEMONLDAP, claim_service="", claim_job_title=""
    )
    proconnect.userinfo_as_jwt = False
    assert sso_sign_in(Client(), proconnect, EMAIL, "pc-2").status_code == 302
    proconnect.userinfo_as_jwt = True
    assert sso_sign_in(Client(), proconnect, EMAIL, "pc-2").status_code == 302


def test_a_replayed_callback_is_refused(client, proconnect, proconnect_org):
    authorization_url = start_sign_in(client, EMAIL)
    location = proconnect.authorize(authorization_url, "pc-1")
    from entente.identity.tests.conftest import finish_sign_in

    assert finish_sign_in(client, location).status_code == 302
    client.logout()
    again = finish_sign_in(client, location)
    assert again.status_code == 401, "the state was used once; the code too"
    assert signed_in_user_id(client) is None


# --- sign-out at the provider ------------------------------------------------------------------


def test_sign_out_ends_the_session_at_the_provider_with_id_token_hint(
    client, proconnect, proconnect_org
):
    sso_sign_in(client, proconnect, EMAIL, "pc-1")

    response = client.post("/compte/logout/")

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/sso/fin-de-session/?t=")
    assert signed_in_user_id(client) is None, "signed out of the platform first"
    relay = client.get(response["Location"])
    match = REFRESH.search(text_of(relay))
    assert relay.status_code == 200 and match
    end_session = match.group(1)
    assert end_session.startswith(proconnect.issuer + "/api/v2/session/end?")
    params = query_of(end_session)
    assert params["post_logout_redirect_uri"] == "http://testserver/compte/sso/deconnexion/"
    assert params["state"]
    hint = jwt.decode(params["id_token_hint"], options={"verify_signature": False})
    assert hint["sub"] == "pc-1" and hint["iss"] == proconnect.issuer

    import requests

    back = requests.get(end_session, allow_redirects=False, timeout=5)
    assert proconnect.end_session_requests[-1]["id_token_hint"] == params["id_token_hint"]
    assert back.headers["Location"].startswith("http://testserver/compte/sso/deconnexion/?state=")
    assert len(params["state"]) >= 32
    assert client.session[services.LOGOUT_STATE_KEY] == params["state"]
    returned = urlsplit(back.headers["Location"])
    final = client.get(f"{returned.path}?{returned.query}")
    assert final.status_code == 302 and final["Location"] == "/compte/login/"
    assert services.LOGOUT_STATE_KEY not in client.session, "the state is used once"


def test_a_generic_provider_with_end_session_gets_the_same_sign_out(client, org, provider_a):
    configure(org, provider_a.issuer)
    provider_a.set_user("a-900", {"email": "alice@valmont.fr", "email_verified": True})
    sso_sign_in(client, provider_a, "alice@valmont.fr", "a-900")
    response = client.post("/compte/logout/")
    relay = client.get(response["Location"])
    end_session = REFRESH.search(text_of(relay)).group(1)
    assert end_session.startswith(provider_a.issuer + "/oauth2/end_session?")
    assert "id_token_hint" in query_of(end_session)


def test_a_local_session_signs_out_as_before(client, agent, proconnect_org):
    client.post("/compte/login/", {"login": agent.email, "password": TEST_PASSWORD})
    response = client.post("/compte/logout/")
    assert response["Location"] == "/compte/login/"


def test_the_relay_refuses_a_forged_or_stale_token(client):
    response = client.get("/compte/sso/fin-de-session/?t=forged")
    assert response.status_code == 302 and response["Location"] == "/compte/login/"
