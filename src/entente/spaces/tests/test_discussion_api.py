"""REST API of the discussion of a space: members read, contributors write, readers get a 403
and non-members a 404; bad input is a 400 in French and writes nothing; attachments and
mentions behave as on the pages; an archived space is read-only."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from entente.accounts.tests.factories import UserFactory
from entente.drive import services as drive
from entente.drive.tests.factories import make_file, root_of
from entente.notifications.models import Notification
from entente.spaces.discussion import services
from entente.spaces.models import Post, SpaceRole, Thread
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def people(org, other_org, agent, other_agent):
    return {
        "owner": agent,
        "contributor": other_agent,
        "reader": UserFactory(organisation=org),
        "outsider": UserFactory(organisation=other_org),
    }


@pytest.fixture
def space(org, people):
    space = SpaceFactory(name="Projet école", organisation=org)
    add(space, people["owner"], SpaceRole.OWNER)
    add(space, people["contributor"], SpaceRole.CONTRIBUTOR)
    add(space, people["reader"], SpaceRole.READER)
    return space


@pytest.fixture
def thread(space, people):
    return services.start_thread(people["owner"], space, "Budget", "Premier message")


def threads_url(space, thread=None):
    return f"/api/v1/spaces/{space.pk}/threads/" + (f"{thread.pk}/" if thread else "")


def posts_url(space, thread, post=None):
    return f"{threads_url(space, thread)}posts/" + (f"{post.pk}/" if post else "")


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [("owner", 200, 201), ("contributor", 200, 201), ("reader", 200, 403), ("outsider", 404, 404)],
)
def test_role_matrix(people, space, thread, who, read, write):
    client = api(people[who])
    assert client.get(threads_url(space)).status_code == read
    assert client.get(threads_url(space, thread)).status_code == read
    assert client.get(posts_url(space, thread)).status_code == read
    created = client.post(posts_url(space, thread), {"body": "Bonjour"}, format="json")
    assert created.status_code == write
    started = client.post(threads_url(space), {"title": "T", "body": "B"}, format="json")
    assert started.status_code == write


def test_a_thread_with_its_posts(people, space, thread):
    services.reply(people["contributor"], thread, "Réponse à @agnes.martin")
    body = api(people["reader"]).get(threads_url(space, thread)).json()
    assert body["title"] == "Budget" and body["reply_count"] == 1
    assert body["abilities"] == {
        "view": True,
        "reply": False,
        "moderate": False,
        "edit": False,
        "delete": False,
    }
    assert [p["body"] for p in body["posts"]] == ["Premier message", "Réponse à @agnes.martin"]
    assert 'class="mention"' in body["posts"][1]["html"]
    assert body["posts"][1]["mentions"] == [people["owner"].pk]
    listed = api(people["reader"]).get(threads_url(space)).json()["results"]
    assert listed[0]["last_author"]["name"] == "Bernard Petit"


def test_start_a_thread_with_an_attachment_and_a_mention(people, space):
    common = make_file(people["owner"], drive.space_drive(space).root, "plan.pdf")
    response = api(people["contributor"]).post(
        threads_url(space),
        {"title": "Plans", "body": "Voici @agnes.martin", "attachments": [common.pk]},
        format="json",
    )
    assert response.status_code == 201
    post = response.json()["posts"][0]
    assert post["attachments"] == [
        {"id": common.pk, "name": "plan.pdf", "url": f"/documents/fichier/{common.pk}/"}
    ]
    assert Notification.objects.filter(recipient=people["owner"]).count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "body": "B"}, "title"),
        ({"title": "x" * 201, "body": "B"}, "title"),
        ({"title": "T", "body": ""}, "body"),
        ({"title": "T", "body": "   "}, "body"),
        ({"title": "T", "body": "B", "attachments": [999999]}, "attachments"),
        ({"title": "T", "body": "B", "attachments": ["abc"]}, "attachments"),
    ],
)
def test_bad_input_is_a_400_and_nothing_is_written(people, space, data, field):
    response = api(people["owner"]).post(threads_url(space), data, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and field in response.json()["errors"]
    assert not Thread.objects.exists()


def test_a_file_of_someone_else_is_refused(people, space, thread):
    secret = make_file(people["outsider"], root_of(people["outsider"]), "secret.txt")
    response = api(people["owner"]).post(
        posts_url(space, thread), {"body": "Voici", "attachments": [secret.pk]}, format="json"
    )
    assert response.status_code == 400 and "attachments" in response.json()["errors"]
    assert Post.objects.count() == 1


def test_edit_and_delete_a_post(people, space, thread):
    post = thread.posts.get()
    assert (
        api(people["reader"]).patch(posts_url(space, thread, post), {"body": "x"}).status_code
        == 403
    )
    response = api(people["owner"]).patch(
        posts_url(space, thread, post), {"body": "Corrigé"}, format="json"
    )
    assert response.status_code == 200 and response.json()["edited_at"]
    assert api(people["owner"]).delete(posts_url(space, thread, post)).status_code == 204
    shown = api(people["reader"]).get(posts_url(space, thread, post)).json()
    assert shown["deleted"] and shown["body"] == "" and shown["html"] == ""


def test_moderation(people, space, thread):
    assert (
        api(people["contributor"])
        .patch(threads_url(space, thread), {"pinned": True}, format="json")
        .status_code
        == 403
    )
    body = (
        api(people["owner"])
        .patch(threads_url(space, thread), {"pinned": True, "locked": True}, format="json")
        .json()
    )
    assert body["pinned"] and body["locked"]
    response = api(people["contributor"]).post(posts_url(space, thread), {"body": "x"})
    assert response.status_code == 403


def test_removed_member_and_archived_space(people, space, thread):
    space.memberships.filter(user=people["contributor"]).delete()
    assert api(people["contributor"]).get(threads_url(space, thread)).status_code == 404
    space.archived_at = timezone.now()
    space.save()
    client = api(people["owner"])
    assert client.get(threads_url(space, thread)).status_code == 200
    assert client.post(posts_url(space, thread), {"body": "x"}).status_code == 403
    assert client.post(threads_url(space), {"title": "T", "body": "B"}).status_code == 403
    assert Post.objects.count() == 1
