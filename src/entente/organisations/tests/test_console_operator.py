"""The operators' console: organisations of the territory, their administrators; and policies."""

import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from entente.accounts.models import User
from entente.accounts.tests.factories import OrgAdminFactory, UserFactory
from entente.audit.models import AuditEvent, EventKind
from entente.organisations.forms import PolicyForm
from entente.organisations.models import DirectoryVisibility, MailDomain, Organisation, Policy

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"


@pytest.fixture
def operator_client(operator):
    client = Client()
    client.force_login(operator, backend=BACKEND)
    return client


@pytest.fixture
def admin_client(org_admin):
    client = Client()
    client.force_login(org_admin, backend=BACKEND)
    return client


def image_file(
    kind: str = "PNG", size: tuple[int, int] = (40, 20), name: str = "logo.png"
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{kind.lower()}")


def new_org(**overrides):
    data = {
        "kind": "commune",
        "name": "Commune de Bellerive",
        "slug": "",
        "siren": "217 500 016",
        "domains": "Bellerive.fr, @mairie-bellerive.fr\nbellerive.fr",
    }
    data.update(overrides)
    return data


# --- organisations -------------------------------------------------------------------------------


def test_the_list_shows_active_and_inactive_organisations(
    operator_client, org, other_org, org_admin, agent
):
    other_org.is_active = False
    other_org.save()
    response = operator_client.get("/admin-org/organisations/")
    body = response.content.decode()
    assert "Commune de Valmont" in body and "Métropole du Lac" in body
    assert "Désactivée" in body and "valmont.fr" in body
    valmont = next(o for o in response.context["organisations"] if o.pk == org.pk)
    assert valmont.people_count == 2 and valmont.admin_count == 1


def test_the_list_costs_a_fixed_number_of_queries(operator_client, django_assert_max_num_queries):
    from entente.organisations.tests.factories import OrganisationFactory

    OrganisationFactory.create_batch(12)
    with django_assert_max_num_queries(6):
        assert operator_client.get("/admin-org/organisations/").status_code == 200


def test_creating_an_organisation_with_domains_logo_and_default_policies(operator_client, operator):
    response = operator_client.post(
        "/admin-org/organisations/nouvelle/", {**new_org(), "logo": image_file()}
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin-org/organisations/commune-de-bellerive/admins/"
    created = Organisation.objects.get(slug="commune-de-bellerive")
    assert created.siren == "217500016" and created.is_active
    assert sorted(created.domain_names) == ["bellerive.fr", "mairie-bellerive.fr"]
    assert created.logo.name.startswith(
        "logos/commune-de-bellerive-"
    ) and created.logo.name.endswith(".png")
    assert (
        Policy.objects.get(organisation=created).directory_visibility
        == DirectoryVisibility.TERRITORY
    )
    event = AuditEvent.objects.get(kind=EventKind.ORGANISATION_CREATED)
    assert event.actor == operator and event.organisation == created
    page = html.unescape(operator_client.get(response["Location"]).content.decode())
    assert "fait maintenant partie du territoire" in page and "pas encore d'administrateur" in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Ce champ est obligatoire"),
        ({"name": "n" * 300}, "name", "au plus 150 caractères"),
        ({"name": "commune de valmont"}, "name", "porte déjà ce nom"),
        ({"slug": "valmont"}, "slug", "déjà pris"),
        ({"slug": "Pas un slug!"}, "slug", "lettres"),
        ({"slug": "nouvelle"}, "slug", "réservé"),
        ({"siren": "123456789"}, "siren", "clé de contrôle incorrecte"),
        ({"siren": "12345"}, "siren", "exactement 9 chiffres"),
        (
            {"domains": "bellerive.fr, pas un domaine!"},
            "domains",
            "n'est pas un nom de domaine valide",
        ),
        ({"domains": "-mauvais.fr"}, "domains", "n'est pas un nom de domaine valide"),
        ({"domains": "valmont.fr"}, "domains", "appartient déjà à Commune de Valmont"),
        ({"kind": "empire"}, "kind", "Sélectionnez un choix valide"),
    ],
)
def test_bad_organisation_input_is_refused_in_french(
    operator_client, org, overrides, field, message
):
    before = (Organisation.objects.count(), MailDomain.objects.count())
    response = operator_client.post("/admin-org/organisations/nouvelle/", new_org(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert (Organisation.objects.count(), MailDomain.objects.count()) == before


def test_a_siren_already_used_is_refused(operator_client, org):
    org.siren = "217500016"
    org.save()
    response = operator_client.post("/admin-org/organisations/nouvelle/", new_org())
    assert "déjà celui d'une autre organisation" in " ".join(
        response.context["form"].errors["siren"]
    )


def test_a_domain_used_by_people_of_another_organisation_is_refused(operator_client, org):
    UserFactory(organisation=org, email="maire@bellerive.fr")
    response = operator_client.post("/admin-org/organisations/nouvelle/", new_org())
    assert response.status_code == 200
    assert "maire@bellerive.fr" in " ".join(response.context["form"].errors["domains"])
    assert not Organisation.objects.filter(name="Commune de Bellerive").exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile(
                "logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml"
            ),
            "PNG, JPEG ou WebP",
        ),
        (SimpleUploadedFile("logo.png", b"not an image at all", "image/png"), "PNG, JPEG ou WebP"),
        (image_file("GIF", name="logo.gif"), "PNG, JPEG ou WebP"),
        (
            SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (1024 * 1024 + 1), "image/png"),
            "plus de 1 Mo",
        ),
        (image_file(size=(5000, 10)), "pixels de côté"),
    ],
)
def test_a_bad_logo_is_refused(operator_client, upload, message):
    response = operator_client.post(
        "/admin-org/organisations/nouvelle/", {**new_org(), "logo": upload}
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["logo"])
    assert not Organisation.objects.filter(name="Commune de Bellerive").exists()


def test_jpeg_and_webp_logos_are_accepted(operator_client):
    response = operator_client.post(
        "/admin-org/organisations/nouvelle/",
        {**new_org(), "logo": image_file("WEBP", name="l.webp")},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(name="Commune de Bellerive").logo.name.endswith(".webp")


def test_editing_an_organisation_keeps_its_slug(operator_client, org):
    url = "/admin-org/organisations/valmont/"
    form = operator_client.get(url).content.decode()
    assert re.search(r'name="slug"[^>]*disabled', form)
    response = operator_client.post(
        url,
        {
            "kind": "city",
            "name": "Ville de Valmont",
            "slug": "pirate",
            "siren": "",
            "domains": "valmont.fr\nville-valmont.fr",
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    org.refresh_from_db()
    assert org.name == "Ville de Valmont" and org.kind == "city" and org.slug == "valmont"
    assert sorted(org.domain_names) == ["valmont.fr", "ville-valmont.fr"]


def test_editing_refuses_a_domain_of_another_organisation(operator_client, org, other_org):
    response = operator_client.post(
        "/admin-org/organisations/valmont/",
        {"kind": "commune", "name": org.name, "domains": "valmont.fr, metropole-lac.fr"},
    )
    assert response.status_code == 200
    assert "appartient déjà à Métropole du Lac" in " ".join(
        response.context["form"].errors["domains"]
    )
    assert org.domain_names == ["valmont.fr"]


def test_deactivating_and_reactivating_an_organisation(operator_client, org, org_admin):
    confirm = operator_client.get("/admin-org/organisations/valmont/desactiver/")
    assert confirm.status_code == 200 and "Rien n'est supprimé" in confirm.content.decode()
    response = operator_client.post("/admin-org/organisations/valmont/desactiver/")
    assert response.status_code == 302
    org.refresh_from_db()
    assert not org.is_active
    admin = Client()
    admin.force_login(org_admin, backend=BACKEND)
    assert admin.get("/admin-org/personnes/").status_code in (403, 404)

    assert operator_client.get("/admin-org/organisations/valmont/activer/").status_code == 405
    operator_client.post("/admin-org/organisations/valmont/activer/")
    org.refresh_from_db()
    assert org.is_active


def test_an_operator_cannot_deactivate_their_own_organisation(operator_client, operator):
    response = operator_client.post("/admin-org/organisations/syndicat/desactiver/", follow=True)
    assert "votre propre organisation" in response.content.decode()
    operator.organisation.refresh_from_db()
    assert operator.organisation.is_active


# --- administrators ------------------------------------------------------------------------------


def test_naming_an_admin_creates_and_invites_them(
    operator_client, org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            "/admin-org/organisations/valmont/admins/",
            {"email": "Nouvel.Admin@valmont.fr", "first_name": "Marc", "last_name": "Neuf"},
        )
    assert response.status_code == 302
    person = User.objects.get(email="nouvel.admin@valmont.fr")
    assert person.organisation == org and person.is_org_admin and person.invited_at
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["nouvel.admin@valmont.fr"]
    body = operator_client.get(response["Location"]).content.decode()
    assert "Une invitation part à nouvel.admin@valmont.fr" in body
    assert "Invitation en attente" in body


def test_naming_an_existing_person_gives_them_the_role(operator_client, agent, mailoutbox):
    response = operator_client.post(
        "/admin-org/organisations/valmont/admins/", {"email": "AGNES.MARTIN@valmont.fr"}
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.is_org_admin
    assert AuditEvent.objects.filter(kind=EventKind.ADMIN_GRANTED, target_id=str(agent.pk)).exists()
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"email": "bernard.petit@metropole-lac.fr", "first_name": "B", "last_name": "P"},
            "email",
            "utilise déjà cette adresse",
        ),
        (
            {"email": "x@metropole-lac.fr", "first_name": "X", "last_name": "Y"},
            "email",
            "appartient à Métropole du Lac",
        ),
        (
            {"email": "neuf@valmont.fr", "first_name": "", "last_name": "Y"},
            "first_name",
            "ne peut pas être vide",
        ),
        ({"email": "", "first_name": "X", "last_name": "Y"}, "email", "Ce champ est obligatoire"),
        (
            {"email": "neuf@valmont.fr", "first_name": "x" * 300, "last_name": "Y"},
            "first_name",
            "au plus 100",
        ),
    ],
)
def test_bad_admin_input_is_refused_in_french(
    operator_client, org, other_agent, data, field, message
):
    before = User.objects.count()
    response = operator_client.post("/admin-org/organisations/valmont/admins/", data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert User.objects.count() == before


def test_removing_the_admin_role(operator_client, org, org_admin):
    second = OrgAdminFactory(organisation=org)
    response = operator_client.post(
        f"/admin-org/organisations/valmont/admins/{second.pk}/retirer/", follow=True
    )
    assert "n'est plus administrateur" in html.unescape(response.content.decode())
    second.refresh_from_db()
    assert not second.is_org_admin and second.is_active
    response = operator_client.post(
        f"/admin-org/organisations/valmont/admins/{org_admin.pk}/retirer/", follow=True
    )
    assert "n'a plus aucun administrateur actif" in html.unescape(response.content.decode())


def test_removing_the_admin_role_is_post_only(operator_client, org_admin):
    assert (
        operator_client.get(
            f"/admin-org/organisations/valmont/admins/{org_admin.pk}/retirer/"
        ).status_code
        == 405
    )
    org_admin.refresh_from_db()
    assert org_admin.is_org_admin


def test_nobody_removes_their_own_admin_role(admin_client, org_admin):
    page = admin_client.get("/admin-org/organisations/valmont/admins/").content.decode()
    assert f"/admins/{org_admin.pk}/retirer/" not in page
    response = admin_client.post(
        f"/admin-org/organisations/valmont/admins/{org_admin.pk}/retirer/", follow=True
    )
    assert "votre propre rôle" in response.content.decode()
    org_admin.refresh_from_db()
    assert org_admin.is_org_admin


def test_an_admin_of_another_organisation_cannot_touch_these_admins(other_admin, org_admin):
    client = Client()
    client.force_login(other_admin, backend=BACKEND)
    assert (
        client.post(f"/admin-org/organisations/valmont/admins/{org_admin.pk}/retirer/").status_code
        == 403
    )
    assert (
        client.post(
            "/admin-org/organisations/valmont/admins/", {"email": "x@valmont.fr"}
        ).status_code
        == 403
    )
    org_admin.refresh_from_db()
    assert org_admin.is_org_admin and not User.objects.filter(email="x@valmont.fr").exists()


def test_an_operator_resends_an_admins_invitation(
    operator_client, org, mailoutbox, django_capture_on_commit_callbacks
):
    pending = OrgAdminFactory(organisation=org)
    pending.set_unusable_password()
    pending.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            f"/admin-org/personnes/{pending.pk}/inviter/",
            {"next": "/admin-org/organisations/valmont/admins/"},
        )
    assert response["Location"] == "/admin-org/organisations/valmont/admins/"
    assert len(mailoutbox) == 1


def test_the_next_field_never_leads_outside(operator_client, org):
    pending = OrgAdminFactory(organisation=org)
    pending.set_unusable_password()
    pending.save()
    response = operator_client.post(
        f"/admin-org/personnes/{pending.pk}/inviter/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/admin-org/personnes/{pending.pk}/"


# --- policies ------------------------------------------------------------------------------------


def policy_data(**overrides):
    data = {
        "directory_visibility": "organisation",
        "external_sharing_allowed": "on",
        "guests_allowed": "",
        "public_links_allowed": "on",
        "public_link_max_days": "7",
        "mfa_required": "everyone",
        "quota_per_person_mb": "5120",
        "quota_organisation_gb": "200",
        "trash_retention_days": "60",
        "version_retention_count": "10",
        "version_retention_days": "365",
    }
    data.update(overrides)
    return data


def test_the_policy_form_covers_every_field_of_the_model():
    from entente.organisations.services import POLICY_FIELDS

    assert set(PolicyForm.base_fields) == set(POLICY_FIELDS)


def test_the_policies_page_shows_every_setting_with_its_help(admin_client):
    body = admin_client.get("/admin-org/politiques/").content.decode()
    for name in PolicyForm.base_fields:
        assert f'name="{name}"' in body, name
        assert f'id="id_{name}_helptext"' in body, name


def test_an_admin_changes_their_organisations_policies(admin_client, org):
    response = admin_client.post("/admin-org/politiques/", policy_data())
    assert response.status_code == 302
    org.policy.refresh_from_db()
    assert org.policy.directory_visibility == "organisation" and not org.policy.guests_allowed
    assert org.policy.mfa_required == "everyone" and org.policy.public_link_max_days == 7
    event = AuditEvent.objects.get(kind=EventKind.POLICY_UPDATED)
    assert event.organisation == org and event.data["changes"]["mfa_required"] == "everyone"
    assert (
        "Les politiques de Commune de Valmont sont enregistrées"
        in admin_client.get("/admin-org/politiques/").content.decode()
    )


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"public_link_max_days": "400"}, "public_link_max_days", "inférieure ou égale à 365"),
        ({"public_link_max_days": "0"}, "public_link_max_days", "supérieure ou égale à 1"),
        ({"quota_per_person_mb": "beaucoup"}, "quota_per_person_mb", "Saisissez un nombre entier"),
        ({"mfa_required": "nobody"}, "mfa_required", "Sélectionnez un choix valide"),
    ],
)
def test_bad_policy_values_are_refused_in_french(admin_client, org, overrides, field, message):
    response = admin_client.post("/admin-org/politiques/", policy_data(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    org.policy.refresh_from_db()
    assert org.policy.directory_visibility == DirectoryVisibility.TERRITORY


def test_an_operator_edits_any_organisations_policies(operator_client, other_org):
    response = operator_client.post(
        "/admin-org/organisations/metropole-lac/politiques/", policy_data()
    )
    assert response.status_code == 302
    other_org.policy.refresh_from_db()
    assert other_org.policy.directory_visibility == "organisation"


def test_an_admin_cannot_edit_another_organisations_policies(admin_client, other_org):
    assert (
        admin_client.post(
            "/admin-org/organisations/metropole-lac/politiques/", policy_data()
        ).status_code
        == 403
    )
    other_org.policy.refresh_from_db()
    assert other_org.policy.directory_visibility == DirectoryVisibility.TERRITORY
