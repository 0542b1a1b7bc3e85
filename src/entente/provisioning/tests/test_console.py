"""Console pages of provisioning: who may open them, tokens shown once, the CSV import in two steps."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from entente.accounts.models import User
from entente.audit.models import AuditEvent, EventKind
from entente.core.permissions import abilities, can, visible
from entente.provisioning import services
from entente.provisioning.models import ScimIdentity, ScimToken
from entente.provisioning.permissions import ScimClient, may_manage_tokens, may_provision
from entente.provisioning.tests.conftest import counts

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"
PAGES = ["/admin-org/provisionnement/", "/admin-org/provisionnement/import/"]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


# --- who may open what --------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")


@pytest.mark.parametrize("who", ["agent", "guest"])
@pytest.mark.parametrize("url", PAGES)
def test_agents_and_guests_have_no_provisioning_pages(request, who, url):
    assert signed_in(request.getfixturevalue(who)).get(url).status_code in (403, 404)


@pytest.mark.parametrize("url", PAGES)
def test_the_admin_opens_the_pages_with_the_console_navigation(org_admin, url):
    response = signed_in(org_admin).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert ">Provisionnement</a>" in body and 'class="side-nav"' in body
    assert "style=" not in body and "<script>" not in body


def test_an_admin_cannot_revoke_another_organisations_token(other_admin, token):
    client = signed_in(other_admin)
    url = f"/admin-org/provisionnement/jetons/{token.pk}/revoquer/"
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.is_active
    # and their own page does not list it
    assert token.prefix not in client.get("/admin-org/provisionnement/").content.decode()


def test_permission_rules(
    org, other_org, org_admin, other_admin, agent, operator, token, other_token
):
    assert may_manage_tokens(org_admin, org) and not may_manage_tokens(org_admin, other_org)
    assert not may_manage_tokens(agent, org)
    assert may_manage_tokens(operator, org)
    assert set(visible(org_admin, ScimToken)) == {token}
    assert set(visible(operator, ScimToken)) == {token, other_token}
    assert visible(agent, ScimToken).count() == 0
    assert abilities(org_admin, token) == {"view": True, "revoke": True}
    assert abilities(other_admin, token) == {"view": False, "revoke": False}
    client = ScimClient(token)
    assert may_provision(client, org) and not may_provision(client, other_org)
    assert may_provision(org_admin, org) and not may_provision(operator, org)
    assert visible(client, ScimToken).count() == 0
    identity = ScimIdentity.objects.create(organisation=org, user=agent, external_id="x")
    assert set(visible(client, ScimIdentity)) == {identity}
    assert not can(ScimClient(other_token), "view", identity)
    token.revoked_at = token.created_at
    assert not may_provision(client, org)


# --- tokens -------------------------------------------------------------------------------------


def test_a_new_token_is_shown_once(org_admin, org):
    client = signed_in(org_admin)
    response = client.post(
        "/admin-org/provisionnement/", {"name": "Azure AD", "send_invitations": ""}
    )
    assert response.status_code == 302
    token = ScimToken.objects.get(organisation=org)
    shown = client.get("/admin-org/provisionnement/")
    assert shown["Cache-Control"] == "no-store"
    page = shown.content.decode()
    start = page.index('id="new-token-value"')
    secret = page[start:].split('value="', 1)[1].split('"', 1)[0]
    assert secret.startswith(token.prefix) and services.find_token(secret) == token
    assert "http://testserver/scim/v2/valmont/" in page
    again = client.get("/admin-org/provisionnement/").content.decode()
    assert secret not in again and token.prefix in again
    assert AuditEvent.objects.filter(kind=EventKind.SCIM_TOKEN_CREATED).count() == 1


def test_two_active_tokens_cannot_share_a_name(org_admin, token):
    response = signed_in(org_admin).post("/admin-org/provisionnement/", {"name": "azure ad"})
    assert response.status_code == 200
    assert "Un jeton actif porte déjà ce nom" in response.content.decode()
    assert ScimToken.objects.count() == 1


def test_revoking_a_token(org_admin, token):
    client = signed_in(org_admin)
    url = f"/admin-org/provisionnement/jetons/{token.pk}/revoquer/"
    assert "Révoquer le jeton « Azure AD » ?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    token.refresh_from_db()
    assert not token.is_active
    assert AuditEvent.objects.filter(kind=EventKind.SCIM_TOKEN_REVOKED).count() == 1
    assert client.get(url).status_code == 403  # seen, but nothing left to revoke


# --- CSV import in the console ----------------------------------------------------------------------


def upload(client, text: str, **options):
    file = SimpleUploadedFile("agents.csv", text.encode(), content_type="text/csv")
    return client.post("/admin-org/provisionnement/import/", {"file": file, **options})


def test_import_shows_the_report_then_applies_on_confirmation(org_admin, org, agent):
    client = signed_in(org_admin)
    text = "email;prenom;nom;fonction\nnadia@valmont.fr;Nadia;Benali;Instructrice\nagnes.martin@valmont.fr;Agnès;Martin;Cheffe\n"
    before = counts()
    response = upload(client, text)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Confirmer l&#x27;import" in body or "Confirmer l'import" in body
    assert "nadia@valmont.fr" in body and "créée" in body and "fonction" in body
    assert counts() == before  # nothing written before confirmation
    key = body.split('name="confirm" value="', 1)[1].split('"', 1)[0]
    done = client.post("/admin-org/provisionnement/import/", {"confirm": key})
    assert done.status_code == 302 and done["Location"] == "/admin-org/personnes/"
    assert User.objects.filter(email="nadia@valmont.fr", organisation=org).exists()
    event = AuditEvent.objects.get(kind=EventKind.CSV_IMPORT)
    assert event.actor == org_admin and event.data["source"] == "agents.csv"
    # the stored file is gone: confirming twice does nothing more
    again = client.post("/admin-org/provisionnement/import/", {"confirm": key})
    assert again.status_code == 302 and again["Location"] == "/admin-org/provisionnement/import/"


def test_import_with_rejected_lines_offers_no_confirmation(org_admin, other_org):
    client = signed_in(org_admin)
    text = "email;prenom;nom\nx@metropole-lac.fr;X;Y\nnadia@valmont.fr;Nadia;Benali\n"
    before = counts()
    body = upload(client, text).content.decode()
    assert "rejetée" in body and "Métropole du Lac" in body
    assert 'name="confirm"' not in body
    assert counts() == before


def test_import_of_an_unreadable_file_says_why(org_admin):
    body = upload(signed_in(org_admin), "nom;prenom\nA;B\n").content.decode()
    assert "Le fichier est refusé" in body and "Colonnes obligatoires absentes" in body


def test_confirmation_with_a_forged_key_does_nothing(org_admin):
    client = signed_in(org_admin)
    upload(client, "email;prenom;nom\nnadia@valmont.fr;Nadia;Benali\n")
    before = counts()
    response = client.post("/admin-org/provisionnement/import/", {"confirm": "forged"})
    assert response.status_code == 302
    assert counts() == before


def test_too_many_changes_for_the_console_point_to_the_command(org_admin, monkeypatch):
    from entente.provisioning import views

    monkeypatch.setattr(views, "CONSOLE_MAX_CHANGES", 1)
    text = "email;prenom;nom\na@valmont.fr;A;A\nb@valmont.fr;B;B\n"
    body = upload(signed_in(org_admin), text).content.decode()
    assert "trop pour la console" in body and 'name="confirm"' not in body
