"""SCIM Groups: create, members added and removed the way Azure AD and Okta do it, delete."""

import pytest

from entente.accounts.tests.factories import UserFactory
from entente.audit.models import AuditEvent, EventKind
from entente.directory.models import Group
from entente.directory.tests.factories import GroupFactory
from entente.provisioning.models import ScimGroupIdentity
from entente.provisioning.tests.conftest import assert_scim_error, counts, payload

pytestmark = pytest.mark.django_db

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def test_group_round_trip(scim, org, agent):
    created = scim.post("Groups", payload("azure_create_group.json"))
    assert created.status_code == 201, created.content
    body = created.json()
    group = Group.objects.get(pk=body["id"])
    assert group.organisation == org and group.name == "Conseil municipal"
    assert body["externalId"] == "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"
    assert body["members"] == []
    assert created["Location"].endswith(f"/scim/v2/valmont/Groups/{group.pk}")

    added = scim.patch(
        f"Groups/{group.pk}", payload("azure_group_add_member.json", user_id=agent.pk)
    )
    assert added.status_code == 204, added.content
    assert list(group.members.all()) == [agent]
    shown = scim.get(f"Groups/{group.pk}").json()
    assert shown["members"] == [
        {
            "value": str(agent.pk),
            "display": "Agnès Martin",
            "type": "User",
            "$ref": f"http://testserver/scim/v2/valmont/Users/{agent.pk}",
        }
    ]
    assert scim.get(f"Users/{agent.pk}").json()["groups"][0]["display"] == "Conseil municipal"

    removed = scim.patch(
        f"Groups/{group.pk}", payload("azure_group_remove_member.json", user_id=agent.pk)
    )
    assert removed.status_code == 204
    assert group.members.count() == 0

    renamed = scim.patch(f"Groups/{group.pk}", payload("okta_group_rename.json", group_id=group.pk))
    assert renamed.status_code == 204, renamed.content
    group.refresh_from_db()
    assert group.name == "Commission urbanisme"

    kinds = list(
        AuditEvent.objects.filter(kind=EventKind.SCIM_CHANGE, target_id=str(group.pk)).values_list(
            "data__operation", flat=True
        )
    )
    assert kinds == ["create", "update", "update", "update"]

    deleted = scim.delete(f"Groups/{group.pk}")
    assert deleted.status_code == 204
    assert not Group.objects.filter(pk=group.pk).exists()
    assert not ScimGroupIdentity.objects.exists()
    assert agent.__class__.objects.filter(pk=agent.pk, is_active=True).exists()
    assert_scim_error(scim.get(f"Groups/{group.pk}"), 404)


def test_okta_removes_a_member_with_a_filtered_path(scim, org, agent):
    group = GroupFactory(organisation=org, name="Équipe")
    colleague = UserFactory(organisation=org)
    group.members.set([agent, colleague])
    response = scim.patch(
        f"Groups/{group.pk}", payload("okta_group_remove_member.json", user_id=agent.pk)
    )
    assert response.status_code == 204, response.content
    assert list(group.members.all()) == [colleague]


def test_put_replaces_name_and_members(scim, org, agent):
    group = GroupFactory(organisation=org, name="Ancien nom")
    colleague = UserFactory(organisation=org)
    group.members.set([agent])
    body = {
        "schemas": [GROUP],
        "displayName": "Nouveau nom",
        "members": [{"value": str(colleague.pk)}],
    }
    response = scim.put(f"Groups/{group.pk}", body)
    assert response.status_code == 200, response.content
    assert response.json()["members"][0]["value"] == str(colleague.pk)
    group.refresh_from_db()
    assert group.name == "Nouveau nom" and list(group.members.all()) == [colleague]


def test_groups_filter_and_exclude_members(scim, org, agent):
    conseil = GroupFactory(organisation=org, name="Conseil")
    GroupFactory(organisation=org, name="Bureau")
    conseil.members.set([agent])
    found = scim.get(
        "Groups", filter='displayName eq "conseil"', excludedAttributes="members"
    ).json()
    assert [r["id"] for r in found["Resources"]] == [str(conseil.pk)]
    assert "members" not in found["Resources"][0]
    by_member = scim.get("Groups", filter=f'members[value eq "{agent.pk}"]').json()
    assert [r["displayName"] for r in by_member["Resources"]] == ["Conseil"]
    both = scim.get(
        "Groups", filter=f'id eq "{conseil.pk}" and members.value eq "{agent.pk}"'
    ).json()
    assert both["totalResults"] == 1
    assert_scim_error(scim.get("Groups", filter='description eq "x"'), 400, "invalidFilter")


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ([{"value": "999999"}], "Membre inconnu"),
        ([{"value": "abc"}], "Membre inconnu"),
        ([{"value": "OTHER"}], "Membre inconnu"),
        ([{"value": "1", "type": "Group"}], "imbriqués"),
        ([{"value": "1", "weight": 3}], "members.weight"),
    ],
)
def test_refused_members_write_nothing(scim, org, other_agent, members, words):
    members = [
        {**m, "value": str(other_agent.pk)} if m.get("value") == "OTHER" else m for m in members
    ]
    before = counts()
    body = {"schemas": [GROUP], "displayName": "Commission", "members": members}
    response = scim.post("Groups", body)
    assert response.status_code == 400, response.content
    assert words in response.json()["detail"]
    assert counts() == before


def test_duplicate_group_name_is_a_conflict(scim, org):
    GroupFactory(organisation=org, name="Conseil municipal")
    before = counts()
    assert_scim_error(scim.post("Groups", payload("azure_create_group.json")), 409, "uniqueness")
    assert counts() == before


def test_an_inactive_person_cannot_join_a_group(scim, org):
    group = GroupFactory(organisation=org)
    departed = UserFactory(organisation=org, is_active=False)
    body = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": str(departed.pk)}]}],
    }
    error = assert_scim_error(scim.patch(f"Groups/{group.pk}", body), 400, "invalidValue")
    assert "désactivé" in error["detail"]
    assert group.members.count() == 0


def test_groups_of_another_organisation_are_invisible(scim, other_org):
    foreign = GroupFactory(organisation=other_org, name="Voirie")
    assert_scim_error(scim.get(f"Groups/{foreign.pk}"), 404)
    assert_scim_error(scim.delete(f"Groups/{foreign.pk}"), 404)
    assert scim.get("Groups").json()["totalResults"] == 0
    assert Group.objects.filter(pk=foreign.pk).exists()
