"""Use cases for organisations, domains, policies and administrators, called directly."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from entente.accounts.models import User
from entente.accounts.tests.factories import UserFactory
from entente.audit.models import AuditEvent, EventKind
from entente.organisations import services
from entente.organisations.models import MailDomain, Organisation, Policy

pytestmark = pytest.mark.django_db


def png(size=(10, 10)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size).save(buffer, "PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), "image/png")


def org_data(**overrides):
    data = {
        "kind": "commune",
        "name": "Commune de Bellerive",
        "slug": "",
        "siren": "",
        "domains": ["bellerive.fr"],
    }
    data.update(overrides)
    return data


# --- domains -------------------------------------------------------------------------------------


def test_parse_domains_splits_normalises_and_deduplicates():
    text = " Valmont.FR,@mairie-valmont.fr\n\nvalmont.fr. ; autre.fr  "
    assert services.parse_domains(text) == ["valmont.fr", "mairie-valmont.fr", "autre.fr"]
    assert services.parse_domains("") == []


def test_parse_domains_lists_every_invalid_domain():
    with pytest.raises(ValidationError) as refused:
        services.parse_domains("bon.fr, mauvais_domaine.fr, -tiret.fr, sansextension")
    messages = " ".join(refused.value.messages)
    assert (
        "mauvais_domaine.fr" in messages and "-tiret.fr" in messages and "sansextension" in messages
    )
    assert "bon.fr" not in messages.replace("mauvais_domaine.fr", "")


def test_parse_domains_has_a_limit():
    with pytest.raises(ValidationError, match="au plus"):
        services.parse_domains(",".join(f"d{i}.fr" for i in range(services.MAX_DOMAINS + 1)))


def test_a_domain_belongs_to_one_organisation(org, other_org):
    with pytest.raises(ValidationError, match="appartient déjà à Métropole du Lac"):
        services.check_domains_available(["metropole-lac.fr"], org)
    services.check_domains_available(["valmont.fr"], org)  # its own: fine


# --- organisations -------------------------------------------------------------------------------


def test_create_an_organisation(operator):
    created = services.do_create_organisation(operator, org_data(siren="217 500 016", logo=png()))
    assert created.slug == "commune-de-bellerive" and created.siren == "217500016"
    assert created.domain_names == ["bellerive.fr"]
    assert Policy.objects.filter(organisation=created).exists()
    assert created.logo.name.endswith(".png")
    assert AuditEvent.objects.filter(
        kind=EventKind.ORGANISATION_CREATED, organisation=created
    ).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "COMMUNE DE VALMONT"}, "name"),
        ({"slug": "valmont"}, "slug"),
        ({"slug": "nouvelle"}, "slug"),
        ({"siren": "123456789"}, "siren"),
        ({"domains": ["valmont.fr"]}, "domains"),
        ({"name": "Bad\u202ename"}, "name"),
    ],
)
def test_create_refuses_and_writes_nothing(operator, org, overrides, field):
    before = (Organisation.objects.count(), MailDomain.objects.count(), Policy.objects.count())
    with pytest.raises(ValidationError) as refused:
        services.do_create_organisation(operator, org_data(**overrides))
    assert field in refused.value.message_dict
    assert (
        Organisation.objects.count(),
        MailDomain.objects.count(),
        Policy.objects.count(),
    ) == before


def test_update_replaces_the_domains_and_keeps_the_slug(operator, org):
    services.do_update_organisation(
        operator,
        org,
        {"name": "Ville de Valmont", "slug": "autre", "domains": ["ville-valmont.fr"]},
    )
    org.refresh_from_db()
    assert org.name == "Ville de Valmont" and org.slug == "valmont"
    assert org.domain_names == ["ville-valmont.fr"]
    event = AuditEvent.objects.get(kind=EventKind.ORGANISATION_UPDATED)
    assert event.data["fields"] == ["domains", "name"]


def test_update_with_nothing_new_records_nothing(operator, org):
    services.do_update_organisation(operator, org, {"name": org.name, "domains": ["valmont.fr"]})
    assert not AuditEvent.objects.filter(kind=EventKind.ORGANISATION_UPDATED).exists()


def test_a_domain_used_by_people_elsewhere_cannot_be_taken(operator, org, other_org):
    UserFactory(organisation=other_org, email="elu@bellerive.fr")
    with pytest.raises(ValidationError, match="elu@bellerive.fr"):
        services.do_update_organisation(operator, org, {"domains": ["valmont.fr", "bellerive.fr"]})
    assert org.domain_names == ["valmont.fr"]


def test_the_logo_can_be_replaced_and_removed(operator, org):
    services.do_update_organisation(operator, org, {"logo": png()})
    org.refresh_from_db()
    assert org.logo
    services.do_update_organisation(operator, org, {"remove_logo": True})
    org.refresh_from_db()
    assert not org.logo


def test_validate_logo():
    assert services.validate_logo(png()) == "png"
    with pytest.raises(ValidationError, match="pixels"):
        services.validate_logo(png((services.MAX_LOGO_SIDE + 1, 1)))
    with pytest.raises(ValidationError, match="PNG, JPEG ou WebP"):
        services.validate_logo(SimpleUploadedFile("x.png", b"GIF89a....", "image/png"))


def test_deactivate_and_reactivate(operator, org):
    services.do_set_organisation_active(operator, org, False)
    org.refresh_from_db()
    assert not org.is_active
    services.do_set_organisation_active(operator, org, True)
    org.refresh_from_db()
    assert org.is_active
    with pytest.raises(ValidationError):
        services.do_set_organisation_active(operator, operator.organisation, False)


# --- policies ------------------------------------------------------------------------------------


def test_update_policy_checks_the_bounds(org_admin, org):
    with pytest.raises(ValidationError) as refused:
        services.do_update_policy(org_admin, org, {"public_link_max_days": 1000})
    assert "public_link_max_days" in refused.value.message_dict
    org.policy.refresh_from_db()
    assert org.policy.public_link_max_days == 30
    services.do_update_policy(
        org_admin, org, {"public_link_max_days": 10, "mfa_required": "everyone"}
    )
    org.policy.refresh_from_db()
    assert org.policy.public_link_max_days == 10 and org.policy.mfa_required == "everyone"


def test_every_policy_field_is_editable():
    assert set(services.POLICY_FIELDS) == {
        "directory_visibility",
        "external_sharing_allowed",
        "guests_allowed",
        "public_links_allowed",
        "public_link_max_days",
        "mfa_required",
        "quota_per_person_mb",
        "quota_organisation_gb",
        "trash_retention_days",
        "version_retention_count",
        "version_retention_days",
        "visio_service",
        "visio_base_url",
    }


def test_a_visio_service_needs_a_secure_address(org_admin, org):
    with pytest.raises(ValidationError) as error:
        services.do_update_policy(org_admin, org, {"visio_service": "jitsi"})
    assert "visio_base_url" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.do_update_policy(
            org_admin, org, {"visio_service": "jitsi", "visio_base_url": "http://visio.fr"}
        )
    services.do_update_policy(
        org_admin, org, {"visio_service": "jitsi", "visio_base_url": "https://visio.fr"}
    )
    org.policy.refresh_from_db()
    assert org.policy.visio_service == "jitsi"


# --- administrators ------------------------------------------------------------------------------


def test_add_admin_creates_and_invites(
    operator, org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person, created = services.do_add_admin(
            operator, org, {"email": "Chef@Valmont.fr", "first_name": "Léa", "last_name": "Chef"}
        )
    assert created and person.is_org_admin and person.organisation == org
    assert person.email == "chef@valmont.fr" and len(mailoutbox) == 1


def test_add_admin_promotes_an_existing_person(operator, agent):
    person, created = services.do_add_admin(
        operator, agent.organisation, {"email": agent.email.upper()}
    )
    assert not created and person.pk == agent.pk and person.is_org_admin


def test_add_admin_refuses_a_deactivated_person_and_someone_elsewhere(operator, org, other_agent):
    departed = UserFactory(organisation=org, is_active=False)
    with pytest.raises(ValidationError, match="désactivé"):
        services.do_add_admin(operator, org, {"email": departed.email})
    with pytest.raises(ValidationError) as refused:
        services.do_add_admin(
            operator, org, {"email": other_agent.email, "first_name": "B", "last_name": "P"}
        )
    assert "email" in refused.value.message_dict
    other_agent.refresh_from_db()
    assert not other_agent.is_org_admin


def test_revoke_admin(operator, org_admin, agent):
    services.do_revoke_admin(operator, org_admin)
    org_admin.refresh_from_db()
    assert not org_admin.is_org_admin and org_admin.is_active
    with pytest.raises(ValidationError, match="n'est pas"):
        services.do_revoke_admin(operator, agent)
    assert User.objects.filter(pk=org_admin.pk, is_active=True).exists()
