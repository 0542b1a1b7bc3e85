"""Renaming and deleting a thread: its author (while nobody else has written, for deleting)
or a manager; never a reader or someone outside; through the pages and the API alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from entente.accounts.tests.factories import UserFactory
from entente.core.permissions import can
from entente.core.testing import notices, signed_in
from entente.spaces.discussion import services
from entente.spaces.models import Post, SpaceRole, Thread
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org, other_org, agent, other_agent):
    return {
        "manager": agent,
        "author": other_agent,
        "contributor": UserFactory(organisation=org),
        "reader": UserFactory(organisation=org),
        "outsider": UserFactory(organisation=other_org),
    }


@pytest.fixture
def space(org, people):
    space = SpaceFactory(name="Projet école", organisation=org)
    add(space, people["manager"], SpaceRole.MANAGER)
    add(space, people["author"], SpaceRole.CONTRIBUTOR)
    add(space, people["contributor"], SpaceRole.CONTRIBUTOR)
    add(space, people["reader"], SpaceRole.READER)
    return space


@pytest.fixture
def thread(space, people):
    return services.start_thread(people["author"], space, "Budget", "Premier jet")


def test_who_may_rename_and_delete(space, people, thread):
    rights = {who: (can(p, "edit", thread), can(p, "delete", thread)) for who, p in people.items()}
    assert rights == {
        "manager": (True, True),
        "author": (True, True),
        "contributor": (False, False),
        "reader": (False, False),
        "outsider": (False, False),
    }
    services.reply(people["contributor"], thread, "Une réponse")
    assert can(people["author"], "edit", thread) and not can(people["author"], "delete", thread)
    assert can(people["manager"], "delete", thread)


def test_the_author_renames_through_the_page(space, people, thread):
    page = reverse("spaces:thread_rename", args=[space.pk, thread.pk])
    client = signed_in(people["author"])
    assert client.get(page).status_code == 200
    bad = client.post(page, {"title": ""})
    assert bad.status_code == 200 and "Donnez un sujet" in bad.content.decode()
    response = client.post(page, {"title": "Budget 2027"})
    assert response.status_code == 302
    assert notices(response) == ["Le sujet de la discussion est changé."]
    assert Thread.objects.get(pk=thread.pk).title == "Budget 2027"
    assert signed_in(people["reader"]).post(page, {"title": "X"}).status_code == 403
    assert signed_in(people["outsider"]).get(page).status_code == 404
    assert Thread.objects.get(pk=thread.pk).title == "Budget 2027"


def test_a_manager_deletes_a_thread_and_its_messages(space, people, thread):
    services.reply(people["contributor"], thread, "Une réponse")
    page = reverse("spaces:thread_delete", args=[space.pk, thread.pk])
    assert signed_in(people["author"]).post(page).status_code == 403
    assert signed_in(people["outsider"]).post(page).status_code == 404
    client = signed_in(people["manager"])
    assert client.get(page).status_code == 200
    response = client.post(page)
    assert response["Location"] == reverse("spaces:threads", args=[space.pk])
    assert not Thread.objects.filter(pk=thread.pk).exists()
    assert not Post.objects.filter(thread_id=thread.pk).exists()


def test_the_api_renames_and_deletes(space, people, thread):
    url = f"/api/v1/spaces/{space.pk}/threads/{thread.pk}/"
    reader = signed_in(people["reader"])
    assert reader.patch(url, {"title": "X"}, content_type="application/json").status_code == 403
    assert reader.delete(url).status_code == 403
    author = signed_in(people["author"])
    # renaming and pinning at once: the pin is refused, so nothing is written
    both = author.patch(url, {"title": "Budget 2027", "pinned": True}, "application/json")
    assert both.status_code == 403
    assert Thread.objects.get(pk=thread.pk).title == "Budget"
    renamed = author.patch(url, {"title": "Budget 2027"}, content_type="application/json")
    assert renamed.status_code == 200 and renamed.json()["title"] == "Budget 2027"
    empty = author.patch(url, {"title": " "}, content_type="application/json")
    assert empty.status_code == 400
    assert author.delete(url).status_code == 204
    assert not Thread.objects.filter(pk=thread.pk).exists()
