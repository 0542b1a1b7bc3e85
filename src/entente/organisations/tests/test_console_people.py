"""The people console: list and search, create and invite, edit, deactivate and reactivate."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from entente.accounts.models import Status, User
from entente.accounts.tests.factories import UserFactory
from entente.audit.models import AuditEvent, EventKind
from entente.directory.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"
STRONG = "une phrase de passe bien longue"


@pytest.fixture
def admin_client(org_admin):
    client = Client()
    client.force_login(org_admin, backend=BACKEND)
    return client


def new_person(**overrides):
    data = {
        "email": "nadia.benali@valmont.fr",
        "first_name": "Nadia",
        "last_name": "Benali",
        "status": "agent",
        "job_title": "Chargée d'urbanisme",
        "phone": "01 23 45 67 89",
        "send_invitation": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- list, search, filters ---------------------------------------------------------------------


def test_the_list_searches_names_without_caring_for_accents_or_case(admin_client, org, agent):
    UserFactory(organisation=org, first_name="Bernard", last_name="Lefèvre", job_title="Voirie")
    body = admin_client.get("/admin-org/personnes/", {"q": "AGNES"}).content.decode()
    assert "agnes.martin@valmont.fr" in body
    assert "Lefèvre" not in body
    body = admin_client.get("/admin-org/personnes/", {"q": "lefevre"}).content.decode()
    assert "Lefèvre" in body and "agnes.martin" not in body
    body = admin_client.get("/admin-org/personnes/", {"q": "bern voi"}).content.decode()
    assert "Lefèvre" in body  # every word must match a name, the e-mail, the job or the service


def test_the_list_searches_emails_job_titles_and_services(admin_client, org, agent):
    planning = ServiceFactory(organisation=org, name="Urbanisme")
    UserFactory(organisation=org, last_name="Zola", service=planning)
    UserFactory(organisation=org, last_name="Hugo", job_title="Régisseur")
    assert "Zola" in admin_client.get("/admin-org/personnes/", {"q": "urba"}).content.decode()
    assert "Hugo" in admin_client.get("/admin-org/personnes/", {"q": "regisseur"}).content.decode()
    assert (
        "Martin" in admin_client.get("/admin-org/personnes/", {"q": "agnes.mar"}).content.decode()
    )


def test_regular_expression_characters_in_a_search_are_taken_literally(admin_client, agent):
    for query in ["(", "[a-", "*", "\\", "a+b", "'; DROP TABLE"]:
        response = admin_client.get("/admin-org/personnes/", {"q": query})
        assert response.status_code == 200
        assert "Personne ne correspond" in response.content.decode()


def test_the_list_filters_by_status_and_account_state(admin_client, org, agent):
    elu = UserFactory(organisation=org, last_name="Élue", status=Status.ELU)
    departed = UserFactory(organisation=org, last_name="Partie", is_active=False)
    waiting = UserFactory(organisation=org, last_name="Attente", invited_at=timezone.now())
    waiting.set_unusable_password()
    waiting.save()

    def names(**params):
        body = admin_client.get("/admin-org/personnes/", params).content.decode()
        return {p.last_name for p in (agent, elu, departed, waiting) if f">{p.last_name} " in body}

    assert names(status="elu") == {"Élue"}
    assert names(state="inactive") == {"Partie"}
    assert names(state="pending") == {"Attente"}
    assert names(state="active") == {"Martin", "Élue", "Attente"}
    assert names() == {"Martin", "Élue", "Partie", "Attente"}


def test_the_list_shows_fifty_people_a_page(admin_client, org):
    UserFactory.create_batch(55, organisation=org)
    first = admin_client.get("/admin-org/personnes/").content.decode()
    assert first.count('<th scope="row">') == 50
    assert "Page 1 sur 2" in first and 'rel="next"' in first
    second = admin_client.get("/admin-org/personnes/", {"page": 2}).content.decode()
    assert second.count('<th scope="row">') == 6  # 55 + the admin
    assert admin_client.get("/admin-org/personnes/", {"page": "zzz"}).status_code == 200


def test_pagination_links_keep_the_search(admin_client, org):
    UserFactory.create_batch(51, organisation=org, job_title="Agent technique")
    body = admin_client.get("/admin-org/personnes/", {"q": "technique"}).content.decode()
    assert "?q=technique&amp;page=2" in body


@pytest.mark.parametrize("count", [5, 30])
def test_the_list_costs_the_same_number_of_queries_for_5_or_30_people(
    admin_client, org, count, django_assert_max_num_queries
):
    planning = ServiceFactory(organisation=org)
    UserFactory.create_batch(count, organisation=org, service=planning)
    admin_client.get("/admin-org/personnes/")  # warm the session
    # session, user, organisation, count, unread notifications (the bell), page
    with django_assert_max_num_queries(6):
        response = admin_client.get("/admin-org/personnes/", {"q": "nom", "state": "active"})
    assert response.status_code == 200
    assert response.content.decode().count('<th scope="row">') == count


def test_the_list_has_an_accessible_table(admin_client, agent):
    body = admin_client.get("/admin-org/personnes/").content.decode()
    assert "<caption>" in body and '<th scope="col">' in body
    assert 'role="search"' in body and '<label for="id_q">' in body


# --- create and invite -------------------------------------------------------------------------


def test_creating_a_person_sends_an_invitation_that_works_once(
    admin_client, org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin-org/personnes/nouvelle/", new_person())
    person = User.objects.get(email="nadia.benali@valmont.fr")
    assert response.status_code == 302
    assert response["Location"] == f"/admin-org/personnes/{person.pk}/"
    assert person.organisation == org and person.invited_at is not None
    assert not person.has_usable_password()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["nadia.benali@valmont.fr"]
    link = re.search(r"http://\S+(/compte/invitation/\S+/)", mailoutbox[0].body).group(1)

    page = admin_client.get(response["Location"]).content.decode()
    assert "Une invitation part à nadia.benali@valmont.fr" in page

    newcomer = Client()
    assert "Bienvenue, Nadia" in newcomer.get(link).content.decode()
    accepted = newcomer.post(link, {"new_password1": STRONG, "new_password2": STRONG})
    assert accepted.status_code == 302 and accepted["Location"] == "/"
    assert int(newcomer.session["_auth_user_id"]) == person.pk
    assert newcomer.get("/").status_code == 200

    again = Client().get(link)
    assert again.status_code == 400
    assert "n'est plus valable" in again.content.decode()


def test_creating_without_invitation_sends_nothing(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin-org/personnes/nouvelle/", new_person(send_invitation=None))
    person = User.objects.get(email="nadia.benali@valmont.fr")
    assert person.invited_at is None and mailoutbox == []


def test_the_invitation_box_is_ticked_by_default(admin_client):
    body = admin_client.get("/admin-org/personnes/nouvelle/").content.decode()
    assert re.search(r'<input type="checkbox" name="send_invitation"[^>]*checked', body)


def test_a_new_elu_keeps_their_mandate_and_an_agent_loses_it(admin_client, org):
    admin_client.post(
        "/admin-org/personnes/nouvelle/",
        new_person(status="elu", mandate="Adjointe à l'éducation", send_invitation=None),
    )
    assert User.objects.get(email="nadia.benali@valmont.fr").mandate == "Adjointe à l'éducation"
    admin_client.post(
        "/admin-org/personnes/nouvelle/",
        new_person(email="paul@valmont.fr", mandate="Rien", send_invitation=None),
    )
    assert User.objects.get(email="paul@valmont.fr").mandate == ""


def test_a_person_can_be_attached_to_a_service_and_made_admin(admin_client, org):
    planning = ServiceFactory(organisation=org, name="Urbanisme")
    admin_client.post(
        "/admin-org/personnes/nouvelle/",
        new_person(service=planning.pk, is_org_admin="on", send_invitation=None),
    )
    person = User.objects.get(email="nadia.benali@valmont.fr")
    assert person.service == planning and person.is_org_admin
    kinds = set(AuditEvent.objects.filter(target_id=str(person.pk)).values_list("kind", flat=True))
    assert {EventKind.PERSON_CREATED, EventKind.ADMIN_GRANTED} <= kinds


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "Ce champ est obligatoire"),
        ({"last_name": "x" * 300}, "last_name", "au plus 100 caractères"),
        ({"job_title": "y" * 300}, "job_title", "au plus 150 caractères"),
        ({"email": "pas-une-adresse"}, "email", "adresse e-mail valide"),
        ({"email": "AGNES.Martin@Valmont.FR"}, "email", "utilise déjà cette adresse"),
        ({"email": "quelquun@metropole-lac.fr"}, "email", "appartient à Métropole du Lac"),
        ({"phone": "appelez-moi"}, "phone", "Numéro de téléphone invalide"),
        ({"status": "guest"}, "status", "Sélectionnez un choix valide"),
        ({"first_name": "Na\u202edia"}, "first_name", "caractères invisibles"),
    ],
)
def test_bad_input_is_explained_in_french_and_nothing_is_written(
    admin_client,
    agent,
    other_org,
    overrides,
    field,
    message,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/admin-org/personnes/nouvelle/", new_person(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    body = response.content.decode()
    assert 'role="alert"' in body and 'aria-invalid="true"' in body
    assert User.objects.count() == before and mailoutbox == []


def test_a_service_of_another_organisation_posted_by_hand_is_refused(admin_client, other_org):
    foreign = ServiceFactory(organisation=other_org)
    response = admin_client.post("/admin-org/personnes/nouvelle/", new_person(service=foreign.pk))
    assert response.status_code == 200
    assert "n'existe pas dans votre organisation" in " ".join(
        response.context["form"].errors["service"]
    )
    assert not User.objects.filter(email="nadia.benali@valmont.fr").exists()


# --- edit --------------------------------------------------------------------------------------


def edit_data(person, **overrides):
    data = {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "status": person.status,
        "job_title": person.job_title,
        "phone": person.phone,
        "mandate": person.mandate,
    }
    data.update(overrides)
    return data


def test_the_admin_edits_a_person(admin_client, agent, org):
    planning = ServiceFactory(organisation=org)
    url = f"/admin-org/personnes/{agent.pk}/"
    response = admin_client.post(
        url, edit_data(agent, job_title="Instructrice", service=planning.pk, is_org_admin="on")
    )
    assert response.status_code == 302 and response["Location"] == url
    agent.refresh_from_db()
    assert agent.job_title == "Instructrice" and agent.service == planning and agent.is_org_admin
    assert "sont enregistrées" in admin_client.get(url).content.decode()


def test_editing_with_a_taken_email_is_refused(admin_client, agent, org):
    other = UserFactory(organisation=org, email="autre@valmont.fr")
    response = admin_client.post(
        f"/admin-org/personnes/{agent.pk}/", edit_data(agent, email="AUTRE@valmont.fr")
    )
    assert response.status_code == 200
    assert "utilise déjà cette adresse" in " ".join(response.context["form"].errors["email"])
    agent.refresh_from_db()
    assert agent.email == "agnes.martin@valmont.fr" and other.email == "autre@valmont.fr"


def test_the_admin_cannot_remove_their_own_admin_role(admin_client, org_admin):
    page = admin_client.get(f"/admin-org/personnes/{org_admin.pk}/").content.decode()
    assert 'name="is_org_admin"' not in page  # the box is not even offered
    assert "Désactiver le compte" not in page
    admin_client.post(
        f"/admin-org/personnes/{org_admin.pk}/", edit_data(org_admin, job_title="DSI")
    )
    org_admin.refresh_from_db()
    assert org_admin.is_org_admin and org_admin.job_title == "DSI"


# --- deactivate, reactivate, invite again ------------------------------------------------------


def test_deactivating_asks_first_then_ends_the_persons_sessions(admin_client, agent):
    agent_client = Client()
    agent_client.force_login(agent, backend=BACKEND)
    assert agent_client.get("/").status_code == 200

    confirm = admin_client.get(f"/admin-org/personnes/{agent.pk}/desactiver/")
    assert confirm.status_code == 200 and "déconnectée partout" in confirm.content.decode()
    agent.refresh_from_db()
    assert agent.is_active  # a GET changes nothing

    response = admin_client.post(f"/admin-org/personnes/{agent.pk}/desactiver/")
    assert response.status_code == 302
    agent.refresh_from_db()
    assert not agent.is_active and agent.deactivated_at is not None

    after = agent_client.get("/")
    assert after.status_code == 302 and after["Location"].startswith("/compte/login/")


def test_a_deactivated_person_cannot_sign_in_again(client, admin_client, agent):
    from entente.accounts.tests.factories import TEST_PASSWORD

    admin_client.post(f"/admin-org/personnes/{agent.pk}/desactiver/")
    client.post("/compte/login/", {"login": agent.email, "password": TEST_PASSWORD})
    assert "_auth_user_id" not in client.session


def test_reactivating_restores_access(admin_client, agent):
    admin_client.post(f"/admin-org/personnes/{agent.pk}/desactiver/")
    assert admin_client.get(f"/admin-org/personnes/{agent.pk}/reactiver/").status_code == 405
    response = admin_client.post(f"/admin-org/personnes/{agent.pk}/reactiver/")
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.is_active and agent.deactivated_at is None


def test_the_admin_cannot_deactivate_themself(admin_client, org_admin):
    assert admin_client.post(f"/admin-org/personnes/{org_admin.pk}/desactiver/").status_code == 403
    org_admin.refresh_from_db()
    assert org_admin.is_active


def test_sending_the_invitation_again_replaces_the_link(
    admin_client, org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin-org/personnes/nouvelle/", new_person())
    person = User.objects.get(email="nadia.benali@valmont.fr")
    later = timezone.now() + timedelta(minutes=5)
    with mock.patch("entente.accounts.services.timezone.now", return_value=later):
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(f"/admin-org/personnes/{person.pk}/inviter/")
    assert (
        response.status_code == 302 and response["Location"] == f"/admin-org/personnes/{person.pk}/"
    )
    assert len(mailoutbox) == 2
    first, second = (re.search(r"(/compte/invitation/\S+/)", m.body).group(1) for m in mailoutbox)
    assert Client().get(second).status_code == 200
    assert Client().get(first).status_code == 400


def test_no_invitation_for_someone_who_already_has_a_password(admin_client, agent, mailoutbox):
    response = admin_client.post(f"/admin-org/personnes/{agent.pk}/inviter/", follow=True)
    assert "a déjà choisi un mot de passe" in response.content.decode()
    assert mailoutbox == []


def test_invite_is_post_only(admin_client, agent):
    assert admin_client.get(f"/admin-org/personnes/{agent.pk}/inviter/").status_code == 405
