"""Use cases for people, called directly: rules hold whatever door calls them."""

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from entente.accounts import services
from entente.accounts.models import Status, User
from entente.accounts.tests.factories import UserFactory
from entente.audit.models import AuditEvent, EventKind
from entente.directory.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def person_data(**overrides):
    data = {
        "email": "nadia@valmont.fr",
        "first_name": "Nadia",
        "last_name": "Benali",
        "status": Status.AGENT,
    }
    data.update(overrides)
    return data


def test_create_normalises_the_email_and_leaves_no_usable_password(org, org_admin):
    person = services.do_create_person(
        org_admin, org, person_data(email="  Nadia@VALMONT.fr "), invite=False
    )
    assert person.email == "nadia@valmont.fr"
    assert not person.has_usable_password() and person.invited_at is None
    assert AuditEvent.objects.filter(
        kind=EventKind.PERSON_CREATED, target_id=str(person.pk)
    ).exists()


def test_create_and_invite_sends_the_email_once_committed(
    org, org_admin, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        person = services.do_create_person(org_admin, org, person_data())
    assert person.invited_at is not None
    assert [m.to for m in mailoutbox] == [["nadia@valmont.fr"]]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "AGNES.MARTIN@valmont.fr"}, "email"),
        ({"email": "x@metropole-lac.fr"}, "email"),
        ({"status": Status.GUEST}, "status"),
        ({"first_name": ""}, "first_name"),
        ({"last_name": "x" * 101}, "last_name"),
        ({"phone": "abc"}, "phone"),
    ],
)
def test_create_refuses_bad_data_and_writes_nothing(
    org, org_admin, agent, other_org, overrides, field
):
    before = User.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.do_create_person(org_admin, org, person_data(**overrides))
    assert field in refused.value.message_dict
    assert User.objects.count() == before


def test_create_refuses_a_service_of_another_organisation(org, org_admin, other_org):
    with pytest.raises(ValidationError) as refused:
        services.do_create_person(
            org_admin, org, person_data(service=ServiceFactory(organisation=other_org))
        )
    assert "service" in refused.value.message_dict


def test_an_address_on_an_unregistered_domain_is_allowed(org, org_admin):
    person = services.do_create_person(
        org_admin, org, person_data(email="elu.perso@exemple.org"), invite=False
    )
    assert person.organisation == org


def test_update_records_what_changed(org_admin, agent):
    services.do_update_person(
        org_admin, agent, {"job_title": "Instructrice", "first_name": agent.first_name}
    )
    event = AuditEvent.objects.get(kind=EventKind.PERSON_UPDATED)
    assert event.data == {"fields": ["job_title"]}
    services.do_update_person(org_admin, agent, {"job_title": "Instructrice"})
    assert AuditEvent.objects.filter(kind=EventKind.PERSON_UPDATED).count() == 1  # nothing changed


def test_update_drops_the_mandate_of_someone_who_is_not_an_elu(org_admin, agent):
    services.do_update_person(org_admin, agent, {"status": Status.ELU, "mandate": "Adjointe"})
    agent.refresh_from_db()
    assert agent.mandate == "Adjointe"
    services.do_update_person(org_admin, agent, {"status": Status.AGENT})
    agent.refresh_from_db()
    assert agent.mandate == ""


def test_update_records_granting_and_removing_the_admin_role(org_admin, agent):
    services.do_update_person(org_admin, agent, {"is_org_admin": True})
    services.do_update_person(org_admin, agent, {"is_org_admin": False})
    kinds = list(AuditEvent.objects.filter(target_id=str(agent.pk)).values_list("kind", flat=True))
    assert EventKind.ADMIN_GRANTED in kinds and EventKind.ADMIN_REVOKED in kinds


def test_nobody_removes_their_own_admin_role(org_admin):
    with pytest.raises(ValidationError):
        services.do_update_person(org_admin, org_admin, {"is_org_admin": False})
    with pytest.raises(ValidationError):
        services.do_set_admin(org_admin, org_admin, False)
    org_admin.refresh_from_db()
    assert org_admin.is_org_admin


def test_guests_cannot_become_admins(operator, guest):
    with pytest.raises(ValidationError):
        services.do_set_admin(operator, guest, True)


def test_deactivate_and_reactivate(org_admin, agent):
    services.do_deactivate_person(org_admin, agent)
    agent.refresh_from_db()
    assert not agent.is_active and agent.deactivated_at is not None
    services.do_deactivate_person(org_admin, agent)  # twice is harmless
    services.do_reactivate_person(org_admin, agent)
    agent.refresh_from_db()
    assert agent.is_active and agent.deactivated_at is None
    kinds = list(AuditEvent.objects.filter(target_id=str(agent.pk)).values_list("kind", flat=True))
    assert (
        kinds.count(EventKind.PERSON_DEACTIVATED) == 1
        and kinds.count(EventKind.PERSON_REACTIVATED) == 1
    )


def test_nobody_deactivates_themself(org_admin):
    with pytest.raises(ValidationError):
        services.do_deactivate_person(org_admin, org_admin)


def test_no_invitation_for_a_deactivated_person_or_one_with_a_password(org_admin, agent):
    with pytest.raises(ValidationError, match="déjà choisi un mot de passe"):
        services.do_send_invitation(org_admin, agent)
    agent.set_unusable_password()
    agent.is_active = False
    agent.save()
    with pytest.raises(ValidationError, match="désactivé"):
        services.do_send_invitation(org_admin, agent)


def test_pending_invitations_are_people_invited_without_a_password(org, org_admin):
    invited = services.do_create_person(org_admin, org, person_data())
    never = services.do_create_person(
        org_admin, org, person_data(email="jamais@valmont.fr"), invite=False
    )
    UserFactory(organisation=org)
    pending = set(User.objects.filter(pending_q := services.pending_invitation_q()))
    assert isinstance(pending_q, Q)
    assert invited in pending and never not in pending and org_admin not in pending


def test_accepting_an_invitation_is_recorded(org, org_admin):
    person = services.do_create_person(org_admin, org, person_data())
    services.do_accept_invitation(person, "une phrase de passe bien longue")
    assert AuditEvent.objects.filter(kind=EventKind.INVITATION_ACCEPTED, actor=person).exists()
