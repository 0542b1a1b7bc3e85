"""SCIM Users: round trips with the bodies Okta, Azure AD and Keycloak send, and refusals."""

import pytest

from entente.accounts.models import Status, User
from entente.accounts.tests.factories import UserFactory
from entente.audit.models import AuditEvent, EventKind
from entente.audit.services import verify_chain
from entente.directory.tests.factories import ServiceFactory
from entente.provisioning.models import ScimIdentity
from entente.provisioning.tests.conftest import assert_scim_error, counts, payload

pytestmark = pytest.mark.django_db

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ENTENTE = "urn:entente:params:scim:schemas:extension:entente:2.0:User"


@pytest.fixture
def services_tree(org):
    direction = ServiceFactory(organisation=org, name="Direction générale")
    return {
        "urbanisme": ServiceFactory(organisation=org, name="Urbanisme", parent=direction),
        "voirie": ServiceFactory(organisation=org, name="Voirie", parent=direction),
    }


# --- create ---------------------------------------------------------------------------------------


def test_okta_creates_a_person_without_invitation(
    scim, org, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = scim.post("Users", payload("okta_create_user.json"))
    assert response.status_code == 201, response.content
    assert response["Content-Type"] == "application/scim+json"
    body = response.json()
    person = User.objects.get(email="nadia.benali@valmont.fr")
    assert response["Location"] == f"http://testserver/scim/v2/valmont/Users/{person.pk}"
    assert body["id"] == str(person.pk)
    assert body["userName"] == "nadia.benali@valmont.fr"
    assert body["externalId"] == "00u1abcd2EFGH3ijk4l5"
    assert body["name"]["givenName"] == "Nadia" and body["active"] is True
    assert body["meta"]["resourceType"] == "User"
    assert person.organisation == org and person.first_name == "Nadia"
    assert not person.has_usable_password()  # the password Okta sent is ignored
    assert person.invited_at is None and mailoutbox == []  # SSO people get no e-mail
    assert ScimIdentity.objects.get(user=person).external_id == "00u1abcd2EFGH3ijk4l5"
    event = AuditEvent.objects.get(kind=EventKind.SCIM_CHANGE, target_id=str(person.pk))
    assert event.organisation == org and event.actor is None
    assert event.actor_label.startswith("jeton SCIM « Azure AD »")
    assert event.data["operation"] == "create"
    assert verify_chain(org.pk).ok


def test_a_token_may_send_invitations(scim, token, mailoutbox, django_capture_on_commit_callbacks):
    token.send_invitations = True
    token.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert scim.post("Users", payload("okta_create_user.json")).status_code == 201
    assert [m.to for m in mailoutbox] == [["nadia.benali@valmont.fr"]]


def test_azure_ad_creates_a_person_with_service_phone_and_title(scim, services_tree):
    response = scim.post("Users", payload("azure_create_user.json"))
    assert response.status_code == 201, response.content
    person = User.objects.get(email="jean.dupont@valmont.fr")
    assert person.service == services_tree["urbanisme"]
    assert person.phone == "01 23 45 67 89"  # the primary (work) number, not the mobile
    assert person.job_title == "Instructeur"
    body = response.json()
    assert body[ENTERPRISE] == {"department": "Urbanisme"}
    assert body["phoneNumbers"][0]["value"] == "01 23 45 67 89"


def test_keycloak_login_name_is_kept_and_the_elu_status_set(scim):
    response = scim.post("Users", payload("keycloak_create_user.json"))
    assert response.status_code == 201, response.content
    person = User.objects.get(email="karim.belkacem@valmont.fr")
    assert person.status == Status.ELU and person.mandate == "Adjoint délégué à l'éducation"
    assert response.json()["userName"] == "kbelkacem"
    found = scim.get("Users", filter='userName eq "KBELKACEM"').json()
    assert [r["id"] for r in found["Resources"]] == [str(person.pk)]


def test_a_person_created_inactive_is_deactivated(scim):
    body = payload("okta_create_user.json")
    body["active"] = False
    response = scim.post("Users", body)
    assert response.status_code == 201
    assert response.json()["active"] is False
    assert not User.objects.get(email="nadia.benali@valmont.fr").is_active


# --- refusals: clear error, nothing written ---------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "status", "scim_type", "words"),
    [
        ({"userName": "agnes.martin@valmont.fr", "emails": []}, 409, "uniqueness", "déjà utilisée"),
        ({"emails": [{"value": "AGNES.MARTIN@valmont.fr"}]}, 409, "uniqueness", "déjà utilisée"),
        (
            {"userName": "x@metropole-lac.fr", "emails": [{"value": "x@metropole-lac.fr"}]},
            400,
            "invalidValue",
            "Métropole du Lac",
        ),
        ({"nickname2": "Nad"}, 400, "invalidSyntax", "nickname2"),
        ({"name": {"givenName": "Nadia", "surname": "B"}}, 400, "invalidSyntax", "name.surname"),
        ({"schemas": ["urn:example:User"]}, 400, "invalidSyntax", "schemas"),
        ({"schemas": [USER, "urn:example:ext"]}, 400, "invalidSyntax", "urn:example:ext"),
        ({"urn:example:ext": {"a": 1}}, 400, "invalidSyntax", "urn:example:ext"),
        ({ENTERPRISE: {"department": "Inconnu"}}, 400, "invalidValue", "Inconnu"),
        ({ENTENTE: {"status": "maire"}}, 400, "invalidValue", "agent ou elu"),
        ({"userName": ""}, 400, "invalidValue", "userName"),
        ({"userName": 42}, 400, "invalidValue", "userName"),
        ({"active": "peut-être"}, 400, "invalidValue", "active"),
        ({"name": {}, "displayName": "Cher"}, 400, "invalidValue", "prénom"),
        ({"title": "x" * 151}, 400, "invalidValue", "150"),
        ({"title": "Chef\u202edu service"}, 400, "invalidValue", "contrôle"),
        ({"phoneNumbers": [{"value": "pas un numéro"}]}, 400, "invalidValue", "phoneNumbers"),
        ({"emails": [{"value": "pas-une-adresse"}]}, 400, "invalidValue", "adresse"),
    ],
)
def test_refused_creations_say_why_and_write_nothing(
    scim, agent, other_org, change, status, scim_type, words
):
    body = {**payload("okta_create_user.json"), **change}
    before = counts()
    response = scim.post("Users", body)
    error = assert_scim_error(response, status, scim_type)
    assert words in error["detail"], error["detail"]
    assert counts() == before


def test_duplicate_external_id_and_user_name_are_conflicts(scim):
    assert scim.post("Users", payload("keycloak_create_user.json")).status_code == 201
    again = payload("keycloak_create_user.json")
    again["emails"] = [{"value": "autre@valmont.fr", "primary": True}]
    before = counts()
    assert_scim_error(scim.post("Users", again), 409, "uniqueness")
    again["userName"] = "autre-login"
    assert_scim_error(scim.post("Users", again), 409, "uniqueness")  # same externalId
    assert counts() == before


def test_malformed_json_is_refused(scim):
    before = counts()
    for raw in ['{"schemas": [', "", "[1, 2]", '"texte"', "\xff\xfe"]:
        assert_scim_error(scim.post("Users", raw=raw), 400, "invalidSyntax")
    assert counts() == before


# --- read, filter, paginate ------------------------------------------------------------------------


def test_get_lists_and_filters_by_the_attributes_clients_use(
    scim, org, org_admin, agent, other_agent, services_tree
):
    created = scim.post("Users", payload("azure_create_user.json")).json()
    assert scim.get(f"Users/{created['id']}").json()["userName"] == "jean.dupont@valmont.fr"

    def ids(expression):
        response = scim.get("Users", filter=expression)
        assert response.status_code == 200, response.content
        return {r["id"] for r in response.json()["Resources"]}

    assert ids('userName eq "jean.dupont@valmont.fr"') == {created["id"]}
    assert ids('userName eq "agnes.martin@valmont.fr"') == {str(agent.pk)}
    assert ids('emails.value eq "AGNES.MARTIN@valmont.fr"') == {str(agent.pk)}
    assert ids('emails[type eq "work" and value eq "agnes.martin@valmont.fr"]') == {str(agent.pk)}
    assert ids('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"') == {created["id"]}
    assert ids('externalId eq "0A21F0F2-8D2A-4F8E-BF98-7363C4AED4EF"') == set()  # caseExact
    assert ids('userName eq "jean.dupont@valmont.fr" or userName eq "agnes.martin@valmont.fr"') == {
        created["id"],
        str(agent.pk),
    }
    assert ids('name.familyName sw "Dup" and active eq true') == {created["id"]}
    assert ids('not (userName eq "jean.dupont@valmont.fr")') == {str(agent.pk), str(org_admin.pk)}
    assert ids(f'{ENTERPRISE}:department eq "urbanisme"') == {created["id"]}
    # the other organisation's people never appear
    assert ids('userName eq "bernard.petit@metropole-lac.fr"') == set()
    assert scim.get(f"Users/{other_agent.pk}").status_code == 404


@pytest.mark.parametrize(
    "expression",
    [
        'nickName eq "x"',
        "userName eq",
        'userName zz "x"',
        '(userName eq "x"',
        'userName eq "x" xor',
        'active eq "yes"',
    ],
)
def test_unsupported_or_malformed_filters_are_invalid_filter(scim, expression):
    error = assert_scim_error(scim.get("Users", filter=expression), 400, "invalidFilter")
    assert error["detail"]


def test_pagination_with_start_index_and_count(scim, org, org_admin, django_assert_max_num_queries):
    people = [org_admin] + [UserFactory(organisation=org) for _ in range(6)]
    with django_assert_max_num_queries(12):
        page = scim.get("Users", startIndex=3, count=2).json()
    assert page["totalResults"] == 7
    assert page["startIndex"] == 3 and page["itemsPerPage"] == 2
    assert [r["id"] for r in page["Resources"]] == [str(p.pk) for p in people[2:4]]
    assert scim.get("Users", count=0).json()["Resources"] == []
    assert scim.get("Users", startIndex=0).json()["startIndex"] == 1
    assert len(scim.get("Users", startIndex=7, count=10).json()["Resources"]) == 1
    assert_scim_error(scim.get("Users", count="beaucoup"), 400, "invalidValue")


def test_list_queries_do_not_grow_with_the_page(scim, org, django_assert_num_queries):
    scim.get("ServiceProviderConfig")  # the token's last use is written once a minute at most
    # token, organisation, duplicate service names, count, page, groups of the page
    with django_assert_num_queries(6):
        assert scim.get("Users").json()["totalResults"] == 1
    for _ in range(20):
        UserFactory(organisation=org)
    with django_assert_num_queries(6):
        assert scim.get("Users").json()["totalResults"] == 21


def test_search_with_post(scim, agent):
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": 'userName eq "agnes.martin@valmont.fr"',
        "attributes": ["userName"],
    }
    found = scim.post("Users/.search", body).json()
    assert found["totalResults"] == 1
    assert set(found["Resources"][0]) == {"schemas", "id", "userName"}


def test_attributes_and_excluded_attributes(scim, agent):
    only = scim.get(f"Users/{agent.pk}", attributes="userName,name.givenName").json()
    assert only["name"] == {"givenName": "Agnès"} and "emails" not in only
    without = scim.get(f"Users/{agent.pk}", excludedAttributes="groups,emails").json()
    assert "groups" not in without and "emails" not in without and "userName" in without


# --- patch, put, delete ---------------------------------------------------------------------------


def test_azure_patch_round_trip(scim, org, services_tree):
    created = scim.post("Users", payload("azure_create_user.json")).json()
    response = scim.patch(f"Users/{created['id']}", payload("azure_patch_user.json"))
    assert response.status_code == 200, response.content
    person = User.objects.get(pk=created["id"])
    assert person.job_title == "Responsable de l'urbanisme"
    assert person.last_name == "Dupont-Moreau"
    assert person.phone == "01 98 76 54 32"
    assert person.service == services_tree["voirie"]
    event = AuditEvent.objects.filter(kind=EventKind.SCIM_CHANGE).latest("sequence")
    assert event.data["operation"] == "update"
    assert set(event.data["fields"]) == {"job_title", "last_name", "phone", "service"}


def test_azure_and_okta_deactivate_with_patch(scim, agent):
    response = scim.patch(f"Users/{agent.pk}", payload("azure_disable_user.json"))
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    agent.refresh_from_db()
    assert not agent.is_active and agent.deactivated_at is not None
    assert AuditEvent.objects.filter(
        kind=EventKind.PERSON_DEACTIVATED, target_id=str(agent.pk)
    ).exists()
    # reactivate, then Okta's form (no path)
    assert (
        scim.patch(
            f"Users/{agent.pk}",
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "active", "value": True}],
            },
        ).json()["active"]
        is True
    )
    assert (
        scim.patch(f"Users/{agent.pk}", payload("okta_deactivate.json")).json()["active"] is False
    )


def test_patch_changing_user_name_moves_the_email_when_they_were_the_same(scim, agent):
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "userName", "value": "agnes.durand@valmont.fr"}],
    }
    response = scim.patch(f"Users/{agent.pk}", body)
    assert response.status_code == 200, response.content
    agent.refresh_from_db()
    assert agent.email == "agnes.durand@valmont.fr"


@pytest.mark.parametrize(
    ("operations", "status", "scim_type"),
    [
        ([{"op": "replace", "path": "nickname2", "value": "x"}], 400, "invalidPath"),
        ([{"op": "replace", "path": "name.surname", "value": "x"}], 400, "invalidPath"),
        ([{"op": "replace", "path": "emails[type eq", "value": "x"}], 400, "invalidPath"),
        ([{"op": "move", "path": "title", "value": "x"}], 400, "invalidSyntax"),
        ([{"op": "replace", "path": "title"}], 400, "invalidSyntax"),
        ([{"op": "remove"}], 400, "noTarget"),
        ([{"op": "replace", "path": "id", "value": "9"}], 400, "mutability"),
        ([{"op": "replace", "path": "active", "value": "bof"}], 400, "invalidValue"),
        ([{"op": "remove", "path": "userName"}], 400, "invalidValue"),
        (
            [
                {"op": "replace", "path": "title", "value": "Chef"},
                {
                    "op": "replace",
                    "path": 'emails[type eq "work"].value',
                    "value": "bernard.petit@metropole-lac.fr",
                },
            ],
            409,
            "uniqueness",
        ),
        ([], 400, "invalidSyntax"),
    ],
)
def test_refused_patches_write_nothing(scim, agent, other_agent, operations, status, scim_type):
    before = counts()
    body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": operations}
    assert_scim_error(scim.patch(f"Users/{agent.pk}", body), status, scim_type)
    assert counts() == before
    agent.refresh_from_db()
    assert agent.job_title == "" and agent.email == "agnes.martin@valmont.fr"


def test_patch_without_patch_op_schema_is_refused(scim, agent):
    body = {"Operations": [{"op": "replace", "path": "title", "value": "Chef"}]}
    assert_scim_error(scim.patch(f"Users/{agent.pk}", body), 400, "invalidSyntax")


def test_put_replaces_the_person(scim, agent, services_tree):
    agent.job_title = "Instructrice"
    agent.phone = "01 23 45 67 89"
    agent.save()
    body = {
        "schemas": [USER, ENTERPRISE],
        "userName": "agnes.martin@valmont.fr",
        "externalId": "ext-1",
        "name": {"givenName": "Agnès", "familyName": "Martin-Roux"},
        ENTERPRISE: {"department": "Direction générale › Urbanisme"},
    }
    response = scim.put(f"Users/{agent.pk}", body)
    assert response.status_code == 200, response.content
    agent.refresh_from_db()
    assert agent.last_name == "Martin-Roux"
    assert agent.job_title == "" and agent.phone == ""  # absent from a PUT: cleared
    assert agent.service == services_tree["urbanisme"] and agent.is_active
    assert agent.scim_identity.external_id == "ext-1"


def test_put_with_nothing_new_records_nothing(scim, agent):
    resource = scim.get(f"Users/{agent.pk}").json()
    scim.put(f"Users/{agent.pk}", resource)  # links the identity
    before = AuditEvent.objects.count()
    assert scim.put(f"Users/{agent.pk}", resource).status_code == 200
    assert AuditEvent.objects.count() == before


def test_delete_deactivates_and_keeps_the_person(scim, agent):
    response = scim.delete(f"Users/{agent.pk}")
    assert response.status_code == 204 and response.content == b""
    agent.refresh_from_db()
    assert not agent.is_active
    assert scim.get(f"Users/{agent.pk}").json()["active"] is False
    event = AuditEvent.objects.filter(kind=EventKind.SCIM_CHANGE).latest("sequence")
    assert event.data["operation"] == "deactivate"


def test_unknown_ids_are_404(scim):
    for pk in ["999999", "abc", "1" * 30]:
        assert_scim_error(scim.get(f"Users/{pk}"), 404)
        assert_scim_error(scim.patch(f"Users/{pk}", payload("okta_deactivate.json")), 404)
