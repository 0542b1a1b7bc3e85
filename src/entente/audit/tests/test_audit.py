"""Audit log: events recorded for sign-in, chains that detect tampering, who sees what."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from entente.accounts.tests.factories import TEST_PASSWORD
from entente.audit.models import AuditEvent, EventKind
from entente.audit.services import record, verify_chain
from entente.core.permissions import visible

pytestmark = pytest.mark.django_db


def test_sign_in_success_failure_and_sign_out_are_recorded(client, agent):
    client.post("/compte/login/", {"login": agent.email, "password": "wrong password"})
    client.post(
        "/compte/login/", {"login": agent.email, "password": TEST_PASSWORD}, REMOTE_ADDR="192.0.2.7"
    )
    client.post("/compte/logout/")
    kinds = list(
        AuditEvent.objects.filter(organisation=agent.organisation).values_list("kind", flat=True)
    )
    assert kinds == [EventKind.LOGIN_FAILED, EventKind.LOGIN, EventKind.LOGOUT]
    login = AuditEvent.objects.get(kind=EventKind.LOGIN)
    assert login.actor == agent and login.ip_address == "192.0.2.7"
    failed = AuditEvent.objects.get(kind=EventKind.LOGIN_FAILED)
    assert failed.actor is None and failed.actor_label == agent.email
    assert "password" not in str(failed.data).lower()


def test_failure_for_an_unknown_address_goes_to_the_platform_chain(client, db):
    client.post("/compte/login/", {"login": "nobody@nowhere.example", "password": "x" * 12})
    event = AuditEvent.objects.get(kind=EventKind.LOGIN_FAILED)
    assert event.organisation is None
    assert event.chain.key == "platform"


def test_chain_verifies_and_detects_a_modified_event(org, org_admin, agent):
    for _ in range(3):
        record(EventKind.PERSON_UPDATED, actor=org_admin, target=agent, field="job_title")
    assert verify_chain(org.pk).ok and verify_chain(org.pk).checked == 3
    middle = AuditEvent.objects.get(sequence=2, organisation=org)
    AuditEvent.objects.filter(pk=middle.pk).update(data={"field": "phone"})
    result = verify_chain(org.pk)
    assert not result.ok and result.broken_at == 2


def test_chain_detects_a_deleted_event(org, org_admin, agent):
    for _ in range(3):
        record(EventKind.PERSON_UPDATED, actor=org_admin, target=agent)
    AuditEvent.objects.filter(organisation=org, sequence=3).delete()
    assert not verify_chain(org.pk).ok
    AuditEvent.objects.filter(organisation=org, sequence=1).delete()
    assert not verify_chain(org.pk).ok


def test_an_event_rolls_back_with_the_change_it_describes(org, org_admin, agent):
    with pytest.raises(RuntimeError), transaction.atomic():
        record(EventKind.PERSON_DEACTIVATED, actor=org_admin, target=agent)
        raise RuntimeError("the change failed")
    assert not AuditEvent.objects.exists()
    record(EventKind.PERSON_DEACTIVATED, actor=org_admin, target=agent)
    assert verify_chain(org.pk).ok


def test_verify_command(org, org_admin, agent, capsys):
    record(EventKind.PERSON_UPDATED, actor=org_admin, target=agent)
    call_command("audit", "verify", "--org", "valmont")
    assert "intact (1 événements vérifiés)" in capsys.readouterr().out
    AuditEvent.objects.update(target_label="someone else")
    with pytest.raises(CommandError, match="ALTÉRÉ"):
        call_command("audit", "verify", "--org", "valmont")
    with pytest.raises(CommandError, match="Aucune organisation"):
        call_command("audit", "verify", "--org", "inconnue")


def test_admins_see_their_organisation_events_only(
    org, other_org, org_admin, other_admin, agent, operator
):
    mine = record(EventKind.PERSON_UPDATED, actor=org_admin, target=agent)
    theirs = record(EventKind.PERSON_UPDATED, actor=other_admin, target=other_admin)
    assert list(visible(org_admin, AuditEvent)) == [mine]
    assert list(visible(other_admin, AuditEvent)) == [theirs]
    assert visible(agent, AuditEvent).count() == 0
    assert set(visible(operator, AuditEvent)) >= {mine, theirs}


def test_automated_actors_are_named_by_their_label(org, agent):
    from entente.provisioning.services import AutomatedActor

    event = record(
        EventKind.PERSON_UPDATED, actor=AutomatedActor(label="SCIM : jeton RH"), target=agent
    )
    assert event.actor is None
    assert event.actor_label == "SCIM : jeton RH"


def test_client_address_behind_trusted_proxies(rf, settings):
    from entente.audit.services import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1")
    assert client_ip(request) == "10.0.0.2"  # no proxy trusted: the header is ignored
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.9"
    spoofed = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(spoofed) == "10.0.0.2"
