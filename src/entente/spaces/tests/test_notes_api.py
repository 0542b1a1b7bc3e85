"""Notes API: members read, contributors write, others get 404; a change over a newer
version is a 409 ``conflict`` with nothing written; revisions are listed."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from entente.accounts.tests.factories import UserFactory
from entente.spaces.models import Membership, Note, SpaceRole
from entente.spaces.notes import services
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def space(org, agent, other_agent):
    space = SpaceFactory(organisation=org)
    add(space, agent, SpaceRole.OWNER)
    add(space, other_agent, SpaceRole.READER)
    return space


@pytest.fixture
def note(space, agent):
    return services.create_note(agent, space, title="Ordre du jour", body="1. Budget")


def url(space, note=None, suffix="") -> str:
    return f"/api/v1/spaces/{space.pk}/notes/" + (f"{note.pk}/" if note else "") + suffix


def test_a_contributor_writes_and_changes_a_note(space, agent):
    created = api(agent).post(url(space), {"title": "CR", "body": "texte"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["abilities"]["edit"] is True
    note = Note.objects.get(pk=body["id"])

    changed = api(agent).put(
        url(space, note),
        {"title": "CR v2", "body": "texte 2", "updated_at": body["updated_at"]},
        format="json",
    )

    assert changed.status_code == 200, changed.json()
    assert changed.json()["title"] == "CR v2"
    revisions = api(agent).get(url(space, note, "revisions/")).json()["results"]
    assert [r["title"] for r in revisions] == ["CR v2", "CR"]


def test_a_reader_of_another_organisation_reads_but_may_not_write(space, note, other_agent):
    client = api(other_agent)

    listed = client.get(url(space)).json()["results"]
    assert [row["title"] for row in listed] == ["Ordre du jour"]
    assert listed[0]["abilities"] == {"view": True, "edit": False, "delete": False}
    assert client.post(url(space), {"title": "X"}, format="json").status_code == 403
    response = client.put(
        url(space, note),
        {"title": "X", "body": "", "updated_at": note.updated_at.isoformat()},
        format="json",
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert client.delete(url(space, note)).status_code == 403
    assert Note.objects.get().title == "Ordre du jour" and Note.objects.count() == 1


def test_a_non_member_and_a_removed_member_get_404(space, note, org, other_agent):
    outsider = UserFactory(organisation=org)
    for client in (api(outsider),):
        assert client.get(url(space)).status_code == 404
        assert client.get(url(space, note)).status_code == 404
        assert client.get(url(space, note, "revisions/")).status_code == 404
        assert client.post(url(space), {"title": "X"}, format="json").status_code == 404

    Membership.objects.filter(user=other_agent).delete()
    assert api(other_agent).get(url(space, note)).status_code == 404


def test_a_stale_change_is_a_409_and_nothing_is_written(space, note, agent):
    opened = note.updated_at.isoformat()
    services.update_note(agent, note, title="Entre-temps", body="b", base_version=opened)

    response = api(agent).put(
        url(space, note), {"title": "Moi", "body": "c", "updated_at": opened}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "a modifié cette note" in response.json()["detail"]
    note.refresh_from_db()
    assert note.title == "Entre-temps" and note.revisions.count() == 2


def test_bad_input_is_a_400_in_french(space, note, agent):
    missing = api(agent).put(url(space, note), {"title": "X"}, format="json")
    assert missing.status_code == 400 and "updated_at" in missing.json()["errors"]
    empty = api(agent).post(url(space), {"title": ""}, format="json")
    assert empty.status_code == 400 and empty.json()["code"] == "invalid"
    assert Note.objects.count() == 1
