"""Documents REST API: the permission grid (owner, a person of another organisation with each
role, a stranger, a guest, anonymous, Basic auth with an app password), shares with the warning
and the policy on external shares, public links and the policy forbidding them, trash,
« Partagé avec moi », drives with quotas, versions, the OpenAPI schema."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from entente.accounts.app_passwords import do_create_app_password
from entente.accounts.tests.factories import UserFactory
from entente.drive import services
from entente.drive.models import Node, PublicLink, Share, ShareRole
from entente.drive.tests.factories import make_file, make_folder, root_of
from entente.spaces import services as spaces
from entente.spaces.models import SpaceRole

pytestmark = pytest.mark.django_db

API = "/api/v1/drive"


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def basic(email: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{email}:{secret}".encode()).decode()


def put(client, folder_id, name, content=b"contenu"):
    return client.put(
        f"{API}/nodes/{folder_id}/files/{name}/",
        data=content,
        content_type="application/octet-stream",
    )


@pytest.fixture
def tree(agent):
    """Agnès's folder « Dossier partagé » holding « note.txt »."""
    folder = make_folder(agent, root_of(agent), "Dossier partagé")
    note = make_file(agent, folder, "note.txt", b"bonjour\n")
    return folder, note


# --- the permission grid -----------------------------------------------------------------------

#: what each kind of person gets: (read, write, delete, share) as HTTP statuses
OWNER = {"read": 200, "write": 201, "rename": 200, "delete": 204, "share": 200}
MANAGER = OWNER
EDITOR = {"read": 200, "write": 201, "rename": 200, "delete": 204, "share": 403}
READER = {"read": 200, "write": 403, "rename": 403, "delete": 403, "share": 403}
NOBODY = {"read": 404, "write": 404, "rename": 404, "delete": 404, "share": 404}


def person(request, who, agent, other_agent, guest, folder):
    """The person ``who`` names, with the share that describes them already made."""
    if who == "owner":
        return agent
    if who.startswith("other_"):
        role = who.removeprefix("other_")
        services.share(agent, folder, other_agent, role, confirm_external=True)
        return other_agent
    if who == "guest_reader":
        services.share(agent, folder, guest, ShareRole.READER, confirm_external=True)
        return guest
    if who == "guest":
        return guest
    return UserFactory(organisation=agent.organisation)  # a colleague it was not shared with


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", OWNER),
        ("other_manager", MANAGER),
        ("other_editor", EDITOR),
        ("other_reader", READER),
        ("guest_reader", READER),
        ("stranger", NOBODY),
        ("guest", NOBODY),
    ],
)
def test_permission_grid(request, who, expected, agent, other_agent, guest, tree):
    folder, note = tree
    user = person(request, who, agent, other_agent, guest, folder)
    client = api(user)

    for url in (
        f"{API}/nodes/{folder.pk}/",
        f"{API}/nodes/{folder.pk}/children/",
        f"{API}/nodes/{note.pk}/",
        f"{API}/nodes/{note.pk}/content/",
        f"{API}/nodes/{note.pk}/versions/",
        f"{API}/nodes/{folder.pk}/shares/",
    ):
        response = client.get(url)
        assert response.status_code == expected["read"], (who, url)
    if expected["read"] == 404:
        assert response.json()["code"] == "not_found"
    else:
        body = client.get(f"{API}/nodes/{note.pk}/").json()
        assert body["abilities"]["edit"] is (expected["write"] == 201)
        assert body["abilities"]["share"] is (expected["share"] == 200)

    response = put(client, folder.pk, "nouveau.txt")
    assert response.status_code == expected["write"], who
    if expected["write"] != 201:
        assert not Node.objects.filter(name="nouveau.txt").exists()

    response = client.get(f"{API}/nodes/{folder.pk}/links/")
    assert response.status_code == expected["share"], who
    response = client.post(
        f"{API}/nodes/{note.pk}/shares/",
        {"organisation": agent.organisation.slug, "role": "reader"},
        format="json",
    )
    assert response.status_code == (201 if expected["share"] == 200 else expected["share"]), who

    response = client.patch(f"{API}/nodes/{note.pk}/", {"name": "renommé.txt"}, format="json")
    assert response.status_code == expected["rename"], who
    response = client.delete(f"{API}/nodes/{note.pk}/")
    assert response.status_code == expected["delete"], who
    note.refresh_from_db()
    assert (note.deleted_at is not None) is (expected["delete"] == 204)


def test_anonymous_gets_json_errors_everywhere(tree):
    folder, note = tree
    client = api()
    for method, url in (
        ("get", f"{API}/drives/"),
        ("get", f"{API}/nodes/{folder.pk}/children/"),
        ("get", f"{API}/nodes/{note.pk}/content/"),
        ("put", f"{API}/nodes/{folder.pk}/files/x.txt/"),
        ("get", f"{API}/trash/"),
        ("get", f"{API}/shared/"),
    ):
        response = getattr(client, method)(url)
        assert response.status_code in (401, 403), url
        assert response.json()["code"] == "not_authenticated"
    assert not Node.objects.filter(name="x.txt").exists()


def test_basic_auth_with_an_app_password(agent, other_agent, tree):
    folder, note = tree
    services.share(agent, folder, other_agent, ShareRole.EDITOR, confirm_external=True)
    _app, secret = do_create_app_password(other_agent, other_agent, "Synchronisation")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(other_agent.email, secret))
    listing = client.get(f"{API}/nodes/{folder.pk}/children/")
    assert listing.status_code == 200
    assert [item["name"] for item in listing.json()["results"]] == ["note.txt"]
    # Basic clients send no CSRF token: none is needed, and the body is streamed in
    sent = put(client, folder.pk, "depuis-le-client.txt", b"synchro")
    assert sent.status_code == 201
    assert sent.json()["created_by"]["id"] == other_agent.pk
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION=basic(other_agent.email, "pas-le-bon"))
    response = wrong.get(f"{API}/nodes/{folder.pk}/children/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic")
    # the account password is never accepted
    from entente.accounts.tests.factories import TEST_PASSWORD

    account = APIClient()
    account.credentials(HTTP_AUTHORIZATION=basic(other_agent.email, TEST_PASSWORD))
    assert account.get(f"{API}/drives/").status_code == 401


def test_a_space_drive_follows_space_roles(agent, other_agent, other_admin):
    space = spaces.create_space(agent, name="Projet voirie")
    spaces.add_member(agent, space, other_agent, SpaceRole.READER)
    drive = services.space_drive(space)
    reader = api(other_agent)
    drives = {d["kind"]: d for d in reader.get(f"{API}/drives/").json()}
    assert drives["space"]["role"] == "reader"
    assert drives["space"]["root"] == drive.root_id
    assert put(reader, drive.root_id, "a.txt").status_code == 403
    assert put(api(agent), drive.root_id, "a.txt").status_code == 201
    assert api(other_admin).get(f"{API}/nodes/{drive.root_id}/children/").status_code == 404


# --- drives ------------------------------------------------------------------------------------


def test_my_drives_with_quota(agent, org):
    org.policy.quota_per_person_mb = 5
    org.policy.save()
    make_file(agent, root_of(agent), "a.txt", b"x" * 1000)
    body = api(agent).get(f"{API}/drives/").json()
    kinds = [d["kind"] for d in body]
    assert kinds == ["personal", "organisation"]
    mine = body[0]
    assert mine["name"] == "Mes documents" and mine["role"] == "manager"
    assert mine["quota"] == {
        "used": 1000,
        "limit": 5 * 1024 * 1024,
        "percent": 0,
        "free": 5 * 1024 * 1024 - 1000,
    }
    assert body[1]["role"] == "reader" and body[1]["quota"] is None
    detail = api(agent).get(f"{API}/drives/{mine['id']}/")
    assert detail.json()["root"] == root_of(agent).pk


def test_a_guest_has_no_drive_of_their_own(guest):
    assert api(guest).get(f"{API}/drives/").json() == []


def test_someone_elses_drive_is_a_404(agent, other_agent):
    drive = services.personal_drive(agent)
    response = api(other_agent).get(f"{API}/drives/{drive.pk}/")
    assert response.status_code == 404


# --- folders and files -------------------------------------------------------------------------


def test_children_sorted_folders_first(agent):
    root = root_of(agent)
    make_file(agent, root, "b.txt", b"12345")
    make_file(agent, root, "a.txt", b"1")
    make_folder(agent, root, "Zèbre")
    make_folder(agent, root, "alpha")
    client = api(agent)

    def names(query=""):
        return [
            n["name"]
            for n in client.get(f"{API}/nodes/{root.pk}/children/{query}").json()["results"]
        ]

    assert names() == ["alpha", "Zèbre", "a.txt", "b.txt"]
    assert names("?sort=name&order=desc") == ["Zèbre", "alpha", "b.txt", "a.txt"]
    assert names("?sort=size&order=desc") == ["alpha", "Zèbre", "b.txt", "a.txt"]
    bad = client.get(f"{API}/nodes/{root.pk}/children/?sort=couleur")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    note = Node.objects.get(name="a.txt")
    refused = client.get(f"{API}/nodes/{note.pk}/children/")
    assert refused.status_code == 400 and refused.json()["code"] == "not_a_folder"


def test_listing_costs_the_same_queries_whatever_the_number_of_items(
    agent, other_agent, django_assert_max_num_queries
):
    folder = make_folder(agent, root_of(agent), "Partagé")
    services.share(agent, folder, other_agent, ShareRole.READER, confirm_external=True)
    for index in range(3):
        note = make_file(agent, folder, f"n{index}.txt")
        services.share(agent, note, other_agent, ShareRole.EDITOR, confirm_external=True)
    client = api(other_agent)
    with django_assert_max_num_queries(30) as small:
        assert client.get(f"{API}/nodes/{folder.pk}/children/").status_code == 200
    for index in range(3, 20):
        note = make_file(agent, folder, f"n{index}.txt")
        services.share(agent, note, other_agent, ShareRole.EDITOR, confirm_external=True)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(f"{API}/nodes/{folder.pk}/children/").json()
    assert body["count"] == 20
    assert all(item["abilities"]["edit"] for item in body["results"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        shared = client.get(f"{API}/shared/").json()
    assert shared["count"] == 21


def test_create_rename_move_copy_delete(agent):
    root = root_of(agent)
    client = api(agent)
    created = client.post(f"{API}/nodes/", {"parent": root.pk, "name": "Budget"}, format="json")
    assert created.status_code == 201
    budget = created.json()["id"]
    taken = client.post(f"{API}/nodes/", {"parent": root.pk, "name": "budget"}, format="json")
    assert taken.status_code == 409 and taken.json()["code"] == "name_taken"
    assert "existe déjà" in taken.json()["detail"]
    archive = client.post(f"{API}/nodes/", {"parent": root.pk, "name": "Archives"}, format="json")
    archive = archive.json()["id"]
    note = put(client, budget, "note.txt").json()["id"]

    renamed = client.patch(f"{API}/nodes/{note}/", {"name": "Note finale.txt"}, format="json")
    assert renamed.json()["name"] == "Note finale.txt"
    moved = client.post(f"{API}/nodes/{note}/move/", {"target": archive}, format="json")
    assert moved.status_code == 200 and moved.json()["parent"] == archive
    into_itself = client.post(f"{API}/nodes/{archive}/move/", {"target": archive}, format="json")
    assert into_itself.json()["code"] == "move_into_itself"
    copied = client.post(f"{API}/nodes/{note}/copy/", {"target": archive}, format="json")
    assert copied.status_code == 201 and copied.json()["name"] == "Note finale (2).txt"
    root_rename = client.patch(f"{API}/nodes/{root.pk}/", {"name": "Racine"}, format="json")
    assert root_rename.status_code == 403
    assert client.delete(f"{API}/nodes/{archive}/").status_code == 204
    assert client.get(f"{API}/nodes/{note}/").status_code == 404  # went with its folder


def test_moving_into_a_folder_i_cannot_see_is_refused(agent, other_agent):
    note = make_file(agent, root_of(agent), "note.txt")
    elsewhere = root_of(other_agent)
    response = api(agent).post(
        f"{API}/nodes/{note.pk}/move/", {"target": elsewhere.pk}, format="json"
    )
    assert response.status_code == 400
    assert "target" in response.json()["errors"]


# --- versions ----------------------------------------------------------------------------------


def test_versions_list_download_and_restore(agent):
    root = root_of(agent)
    client = api(agent)
    first = put(client, root.pk, "plan.txt", b"premier")
    assert first.status_code == 201
    node = first.json()["id"]
    again = put(client, root.pk, "Plan.txt", b"second")
    assert again.status_code == 200 and again.json()["version"] == 2
    third = client.put(
        f"{API}/nodes/{node}/content/", data=b"troisieme", content_type="application/octet-stream"
    )
    assert third.status_code == 200 and third.json()["version"] == 3
    versions = client.get(f"{API}/nodes/{node}/versions/").json()
    assert [(v["number"], v["current"]) for v in versions] == [(3, True), (2, False), (1, False)]
    oldest = versions[-1]["id"]
    download = client.get(f"{API}/versions/{oldest}/content/")
    assert b"".join(download.streaming_content) == b"premier"
    assert "plan%20%28version%201%29.txt" in download["Content-Disposition"]
    restored = client.post(f"{API}/versions/{oldest}/restore/")
    assert restored.status_code == 201 and restored.json()["number"] == 4
    assert "version 1" in restored.json()["comment"]
    content = client.get(f"{API}/nodes/{node}/content/")
    assert b"".join(content.streaming_content) == b"premier"


def test_a_reader_may_download_versions_but_not_restore(agent, other_agent):
    note = make_file(agent, root_of(agent), "note.txt", b"v1")
    make_file(agent, root_of(agent), "note.txt", b"v2")
    services.share(agent, note, other_agent, ShareRole.READER, confirm_external=True)
    client = api(other_agent)
    old = note.versions.get(number=1)
    assert client.get(f"{API}/versions/{old.pk}/content/").status_code == 200
    assert client.post(f"{API}/versions/{old.pk}/restore/").status_code == 403
    stranger = api(UserFactory(organisation=other_agent.organisation))
    assert stranger.get(f"{API}/versions/{old.pk}/content/").status_code == 404


# --- shares ------------------------------------------------------------------------------------


def test_sharing_outside_needs_confirmation(agent, other_agent, tree):
    folder, _note = tree
    client = api(agent)
    url = f"{API}/nodes/{folder.pk}/shares/"
    response = client.post(url, {"user": other_agent.pk, "role": "editor"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "external_share_confirm"
    assert "hors de votre organisation" in response.json()["detail"]
    assert not Share.objects.exists()
    response = client.post(
        url, {"user": other_agent.pk, "role": "editor", "confirm_external": True}, format="json"
    )
    assert response.status_code == 201
    share = response.json()
    assert share["external"] is True and share["grantee_type"] == "user"
    assert share["grantee_name"] == "Bernard Petit"
    again = client.post(
        url, {"user": other_agent.pk, "role": "reader", "confirm_external": True}, format="json"
    )
    assert again.status_code == 200 and again.json()["role"] == "reader"
    listing = client.get(url).json()
    assert [s["id"] for s in listing["shares"]] == [share["id"]]
    lines = [(line["grantee_name"], line["role"], line["why"]) for line in listing["access_list"]]
    assert lines == [
        ("Agnès Martin", "manager", "propriétaire"),
        ("Bernard Petit", "reader", "partagé directement"),
    ]
    inherited = client.get(f"{API}/nodes/{_note.pk}/shares/").json()["access_list"]
    assert inherited[1]["inherited_from"] == folder.pk
    assert "Dossier partagé" in inherited[1]["why"]


def test_sharing_inside_the_organisation_needs_no_confirmation(agent, org, tree):
    folder, _note = tree
    colleague = UserFactory(organisation=org)
    response = api(agent).post(
        f"{API}/nodes/{folder.pk}/shares/", {"user": colleague.pk, "role": "reader"}, format="json"
    )
    assert response.status_code == 201 and response.json()["external"] is False


def test_policy_forbidding_external_shares(agent, org, other_agent, tree):
    folder, _note = tree
    org.policy.external_sharing_allowed = False
    org.policy.save()
    response = api(agent).post(
        f"{API}/nodes/{folder.pk}/shares/",
        {"user": other_agent.pk, "role": "reader", "confirm_external": True},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "external_share_forbidden"
    assert "interdit" in response.json()["detail"]
    assert not Share.objects.exists()


def test_share_input_errors(agent, other_agent, tree):
    folder, _note = tree
    client = api(agent)
    url = f"{API}/nodes/{folder.pk}/shares/"
    both = client.post(url, {"user": other_agent.pk, "group": 1, "role": "reader"}, format="json")
    assert both.status_code == 400 and both.json()["code"] == "invalid"
    missing = client.post(url, {"user": 999999, "role": "reader"}, format="json")
    assert missing.status_code == 400 and "user" in missing.json()["errors"]
    myself = client.post(url, {"user": agent.pk, "role": "reader"}, format="json")
    assert myself.json()["code"] == "self_share"
    bad_role = client.post(url, {"user": other_agent.pk, "role": "owner"}, format="json")
    assert "role" in bad_role.json()["errors"]


def test_change_a_role_and_remove_a_share(agent, other_agent, tree):
    folder, _note = tree
    share = services.share(agent, folder, other_agent, ShareRole.READER, confirm_external=True)
    reader = api(other_agent)
    assert (
        reader.patch(f"{API}/shares/{share.pk}/", {"role": "manager"}, format="json").status_code
        == 403
    )
    client = api(agent)
    changed = client.patch(f"{API}/shares/{share.pk}/", {"role": "editor"}, format="json")
    assert changed.status_code == 200 and changed.json()["role"] == "editor"
    assert reader.get(f"{API}/shares/{share.pk}/").status_code == 200
    stranger = api(UserFactory(organisation=agent.organisation))
    assert stranger.delete(f"{API}/shares/{share.pk}/").status_code == 404
    assert client.delete(f"{API}/shares/{share.pk}/").status_code == 204
    assert not Share.objects.exists()
    assert reader.get(f"{API}/nodes/{folder.pk}/").status_code == 404


def test_a_manager_cannot_give_more_than_their_own_role(agent, other_agent, org, tree):
    folder, _note = tree
    services.share(agent, folder, other_agent, ShareRole.MANAGER, confirm_external=True)
    colleague = UserFactory(organisation=other_agent.organisation)
    response = api(other_agent).post(
        f"{API}/nodes/{folder.pk}/shares/",
        {"user": colleague.pk, "role": "manager", "confirm_external": True},
        format="json",
    )
    assert response.status_code == 201  # manager may give manager


# --- public links ------------------------------------------------------------------------------


def in_days(days: int) -> str:
    return (timezone.now() + dt.timedelta(days=days)).isoformat()


def test_create_list_and_revoke_a_public_link(agent, tree):
    folder, _note = tree
    client = api(agent)
    url = f"{API}/nodes/{folder.pk}/links/"
    created = client.post(
        url,
        {"kind": "read", "expires_at": in_days(7), "password": "secret", "max_downloads": 3},
        format="json",
    )
    assert created.status_code == 201
    link = created.json()
    assert link["url"].startswith("http") and "/p/" in link["url"]
    assert link["has_password"] is True and link["usable"] is True
    assert "password" not in link
    assert [item["id"] for item in client.get(url).json()] == [link["id"]]
    too_long = client.post(url, {"kind": "read", "expires_at": in_days(400)}, format="json")
    assert too_long.status_code == 400 and too_long.json()["code"] == "too_long"
    assert client.delete(f"{API}/links/{link['id']}/").status_code == 204
    assert PublicLink.objects.get(pk=link["id"]).revoked_at is not None
    assert client.get(f"{API}/links/{link['id']}/").json()["usable"] is False


def test_policy_forbidding_public_links(agent, org, tree):
    folder, _note = tree
    org.policy.public_links_allowed = False
    org.policy.save()
    response = api(agent).post(
        f"{API}/nodes/{folder.pk}/links/", {"kind": "read", "expires_at": in_days(2)}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "public_links_forbidden"
    assert not PublicLink.objects.exists()


def test_links_are_for_managers_only(agent, other_agent, tree):
    folder, _note = tree
    link = services.create_link(
        agent, folder, kind="read", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    services.share(agent, folder, other_agent, ShareRole.EDITOR, confirm_external=True)
    editor = api(other_agent)
    assert editor.get(f"{API}/links/{link.pk}/").status_code == 403
    assert editor.delete(f"{API}/links/{link.pk}/").status_code == 403
    stranger = api(UserFactory(organisation=agent.organisation))
    assert stranger.get(f"{API}/links/{link.pk}/").status_code == 404
    assert PublicLink.objects.get(pk=link.pk).revoked_at is None


# --- trash and shared with me ------------------------------------------------------------------


def test_trash_restore_and_purge(agent, other_agent, tree):
    folder, note = tree
    client = api(agent)
    client.delete(f"{API}/nodes/{folder.pk}/")
    trash = client.get(f"{API}/trash/").json()
    assert [item["name"] for item in trash["results"]] == ["Dossier partagé"]
    assert trash["results"][0]["deleted_by"]["id"] == agent.pk
    assert trash["results"][0]["abilities"]["restore"] is True
    assert api(other_agent).get(f"{API}/trash/").json()["count"] == 0
    assert api(other_agent).post(f"{API}/trash/{folder.pk}/restore/").status_code == 404
    restored = client.post(f"{API}/trash/{folder.pk}/restore/")
    assert restored.status_code == 200 and restored.json()["name"] == "Dossier partagé"
    assert client.get(f"{API}/nodes/{note.pk}/").status_code == 200  # its content came back
    client.delete(f"{API}/nodes/{note.pk}/")
    assert client.delete(f"{API}/trash/{note.pk}/").status_code == 204
    assert not Node.objects.filter(pk=note.pk).exists()
    assert client.delete(f"{API}/trash/{folder.pk}/").status_code == 404  # not in the trash


def test_shared_with_me(agent, other_agent, guest, tree):
    folder, note = tree
    services.share(agent, folder, other_agent, ShareRole.EDITOR, confirm_external=True)
    body = api(other_agent).get(f"{API}/shared/").json()
    assert [item["id"] for item in body["results"]] == [folder.pk]
    assert body["results"][0]["abilities"] == {
        "view": True,
        "edit": True,
        "delete": True,
        "share": False,
        "restore": False,
    }
    assert api(guest).get(f"{API}/shared/").json()["count"] == 0


# --- errors and schema -------------------------------------------------------------------------


def test_unknown_ids_and_folders_as_files(agent, tree):
    folder, _note = tree
    client = api(agent)
    assert client.get(f"{API}/nodes/999999/").json()["code"] == "not_found"
    response = client.get(f"{API}/nodes/{folder.pk}/content/")
    assert response.status_code == 400 and response.json()["code"] == "not_a_file"
    assert client.get(f"{API}/nodes/{folder.pk}/versions/").json()["code"] == "not_a_file"
    assert client.get(f"{API}/versions/999999/content/").status_code == 404
    assert (
        client.patch(f"{API}/shares/999999/", {"role": "reader"}, format="json").status_code == 404
    )


def test_the_openapi_schema_documents_the_drive_without_warnings():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    GENERATOR_STATS.reset()
    assert problems == []
    paths = schema["paths"]
    for route in (
        "/api/v1/drive/drives/",
        "/api/v1/drive/nodes/",
        "/api/v1/drive/nodes/{id}/",
        "/api/v1/drive/nodes/{id}/children/",
        "/api/v1/drive/nodes/{id}/files/{name}/",
        "/api/v1/drive/nodes/{id}/content/",
        "/api/v1/drive/nodes/{id}/versions/",
        "/api/v1/drive/nodes/{id}/shares/",
        "/api/v1/drive/nodes/{id}/links/",
        "/api/v1/drive/versions/{id}/restore/",
        "/api/v1/drive/shares/{id}/",
        "/api/v1/drive/links/{id}/",
        "/api/v1/drive/trash/",
        "/api/v1/drive/trash/{id}/restore/",
        "/api/v1/drive/shared/",
    ):
        assert route in paths, route
    upload = paths["/api/v1/drive/nodes/{id}/files/{name}/"]["put"]
    assert "application/octet-stream" in upload["requestBody"]["content"]
    assert {"201", "411", "413"} <= set(upload["responses"])
    assert upload["summary"] == "Envoyer un fichier dans un dossier"
    download = paths["/api/v1/drive/nodes/{id}/content/"]["get"]
    assert "application/octet-stream" in download["responses"]["200"]["content"]


def test_a_space_drive_shows_the_quota_of_its_organisation_to_its_people_only(agent, other_agent):
    space = spaces.create_space(agent, name="Projet voirie")
    spaces.add_member(agent, space, other_agent, SpaceRole.CONTRIBUTOR)
    services.space_drive(space)
    mine = {d["kind"]: d for d in api(agent).get(f"{API}/drives/").json()}
    assert mine["space"]["quota"]["limit"] == agent.organisation.policy.quota_organisation_gb * (
        1024**3
    )
    theirs = {d["kind"]: d for d in api(other_agent).get(f"{API}/drives/").json()}
    assert theirs["space"]["role"] == "editor"
    assert theirs["space"]["quota"] is None
