"""Pages of the discussion of a space: members read, contributors write, readers get a 403 for
a change and non-members a 404; the page shows no markup a message or a name carries, links
only the files the reader may open; bad input is a form error; an archived space is read-only."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from entente.accounts.tests.factories import UserFactory
from entente.core.testing import notices, signed_in, text
from entente.core.tests.test_markdown import assert_harmless
from entente.drive import services as drive
from entente.drive.tests.factories import make_file, root_of
from entente.spaces.discussion import services
from entente.spaces.models import Post, SpaceRole, Thread
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org, other_org, agent, other_agent):
    return {
        "owner": agent,
        "contributor": other_agent,
        "reader": UserFactory(organisation=org, first_name="Denis", last_name="Léger"),
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
    return services.start_thread(people["owner"], space, "Budget 2026", "Premier **message**")


def url(name, *args):
    return reverse(f"spaces:{name}", args=args)


def pages(space, thread):
    post = thread.posts.get()
    return {
        "list": url("threads", space.pk),
        "thread": url("thread", space.pk, thread.pk),
        "new": url("thread_create", space.pk),
        "edit": url("post_edit", space.pk, post.pk),
        "delete": url("post_delete", space.pk, post.pk),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", {"list": 200, "thread": 200, "new": 200, "edit": 200, "delete": 200}),
        ("contributor", {"list": 200, "thread": 200, "new": 200, "edit": 403, "delete": 403}),
        ("reader", {"list": 200, "thread": 200, "new": 403, "edit": 403, "delete": 403}),
        ("outsider", {"list": 404, "thread": 404, "new": 404, "edit": 404, "delete": 404}),
    ],
)
def test_who_opens_which_page(people, space, thread, who, expected):
    client = signed_in(people[who])
    got = {name: client.get(path).status_code for name, path in pages(space, thread).items()}
    assert got == expected


def test_anonymous_visitors_are_sent_to_sign_in(space, thread):
    from django.test import Client

    assert Client().get(url("threads", space.pk)).status_code == 302


def test_a_reader_reads_but_may_not_post(people, space, thread):
    client = signed_in(people["reader"])
    page = text(client.get(url("thread", space.pk, thread.pk)))
    assert "Premier <strong>message</strong>" in page
    assert "pas d'y répondre" in page and 'name="body"' not in page
    assert client.post(url("thread_reply", space.pk, thread.pk), {"body": "Hop"}).status_code == 403
    assert (
        client.post(url("thread_create", space.pk), {"title": "T", "body": "B"}).status_code == 403
    )
    assert client.post(url("thread_pin", space.pk, thread.pk), {"pinned": "1"}).status_code == 403
    assert Post.objects.count() == 1 and Thread.objects.count() == 1


def test_a_non_member_gets_404_for_every_change(people, space, thread):
    client = signed_in(people["outsider"])
    for path, data in [
        (url("thread_reply", space.pk, thread.pk), {"body": "Hop"}),
        (url("thread_create", space.pk), {"title": "T", "body": "B"}),
        (url("thread_lock", space.pk, thread.pk), {"locked": "1"}),
    ]:
        assert client.post(path, data).status_code == 404
    assert Post.objects.count() == 1


def test_a_removed_member_loses_access_at_once(people, space, thread):
    client = signed_in(people["contributor"])
    assert client.get(url("thread", space.pk, thread.pk)).status_code == 200
    space.memberships.filter(user=people["contributor"]).delete()
    assert client.get(url("thread", space.pk, thread.pk)).status_code == 404
    assert client.get(url("threads", space.pk)).status_code == 404


def test_a_contributor_starts_a_thread_and_replies(people, space):
    client = signed_in(people["contributor"])
    response = client.post(
        url("thread_create", space.pk), {"title": "Sortie scolaire", "body": "Qui vient ?"}
    )
    thread = Thread.objects.get(title="Sortie scolaire")
    assert response.status_code == 302 and response["Location"] == url(
        "thread", space.pk, thread.pk
    )
    response = client.post(
        url("thread_reply", space.pk, thread.pk), {"body": "Moi, @agnes.martin ?"}
    )
    post = thread.posts.last()
    assert response["Location"] == f"{url('thread', space.pk, thread.pk)}#message-{post.pk}"
    assert notices(response)[-1] == "Votre réponse est publiée."
    assert list(post.mentions.all()) == [people["owner"]]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "body": "Bonjour"}, "title"),
        ({"title": "x" * 201, "body": "Bonjour"}, "title"),
        ({"title": "Sujet", "body": "   "}, "body"),
        ({"title": "Sujet", "body": "Bonjour", "attachments": ["999999"]}, "attachments"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_written(people, space, data, field):
    response = signed_in(people["owner"]).post(url("thread_create", space.pk), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'role="alert"' in text(response)
    assert not Thread.objects.exists()


def test_a_file_of_someone_else_cannot_be_attached(people, space, thread):
    outsider_file = make_file(people["outsider"], root_of(people["outsider"]), "secret.txt")
    response = signed_in(people["owner"]).post(
        url("thread_reply", space.pk, thread.pk),
        {"body": "Voici", "attachments": [str(outsider_file.pk)]},
    )
    assert response.status_code == 200 and "attachments" in response.context["form"].errors
    assert Post.objects.count() == 1


def test_the_page_shows_no_markup_from_a_message_or_a_name(org, people, space, thread):
    evil = UserFactory(organisation=org, first_name="<script>alert(1)</script>", last_name="X")
    add(space, evil)
    attack = (
        "<script>alert(2)</script> <img src=x onerror=alert(3)> [clic](javascript:alert(4)) "
        f"@script-alert-1-script.x.{evil.pk}"
    )
    services.reply(evil, thread, attack)
    page = text(signed_in(people["reader"]).get(url("thread", space.pk, thread.pk)))
    bodies = re.findall(r'<div class="post__body">(.*?)</div>', page, flags=re.S)
    assert len(bodies) == 2
    for body in bodies:
        assert_harmless(body)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in bodies[1]  # the name, as text
    assert "<script>alert" not in page and "<img" not in page


def test_a_file_the_reader_may_not_open_is_not_linked(people, space, thread):
    owner = people["owner"]
    private = make_file(owner, root_of(owner), "brouillon-perso.txt")
    common = make_file(owner, drive.space_drive(space).root, "compte-rendu.txt")
    services.reply(owner, thread, "Fichiers", [private.pk, common.pk])
    page = text(signed_in(people["reader"]).get(url("thread", space.pk, thread.pk)))
    assert "brouillon-perso.txt" in page
    assert f"/documents/fichier/{private.pk}/" not in page
    assert f'href="/documents/fichier/{common.pk}/"' in page
    own = text(signed_in(owner).get(url("thread", space.pk, thread.pk)))
    assert f'href="/documents/fichier/{private.pk}/"' in own


def test_the_space_files_are_proposed_in_the_form(people, space, thread):
    make_file(people["owner"], drive.space_drive(space).root, "ordre-du-jour.odt")
    page = text(signed_in(people["contributor"]).get(url("thread", space.pk, thread.pk)))
    assert "ordre-du-jour.odt" in page and 'name="attachments"' in page
    assert "@agnes.martin" in page  # the members one may mention


def test_edit_and_delete_own_post(people, space, thread):
    client = signed_in(people["owner"])
    post = thread.posts.get()
    response = client.post(url("post_edit", space.pk, post.pk), {"body": "Texte corrigé"})
    assert response.status_code == 302
    page = text(client.get(url("thread", space.pk, thread.pk)))
    assert "Texte corrigé" in page and "modifié le" in page
    client.post(url("post_delete", space.pk, post.pk))
    page = text(client.get(url("thread", space.pk, thread.pk)))
    assert "Message supprimé" in page and "Texte corrigé" not in page


def test_a_manager_pins_and_locks(people, space, thread):
    client = signed_in(people["owner"])
    client.post(url("thread_pin", space.pk, thread.pk), {"pinned": "1"})
    client.post(url("thread_lock", space.pk, thread.pk), {"locked": "1"})
    thread.refresh_from_db()
    assert thread.pinned and thread.locked
    response = signed_in(people["contributor"]).post(
        url("thread_reply", space.pk, thread.pk), {"body": "Trop tard"}
    )
    assert response.status_code == 403


def test_an_archived_space_is_read_only(people, space, thread):
    space.archived_at = timezone.now()
    space.save()
    client = signed_in(people["owner"])
    page = text(client.get(url("thread", space.pk, thread.pk)))
    assert "Premier" in page and 'name="body"' not in page and "archivé" in page
    assert "Nouvelle discussion" not in text(client.get(url("threads", space.pk)))
    post = thread.posts.get()
    assert client.post(url("thread_reply", space.pk, thread.pk), {"body": "x"}).status_code == 403
    assert client.post(url("post_edit", space.pk, post.pk), {"body": "x"}).status_code == 403
    assert client.post(url("post_delete", space.pk, post.pk)).status_code == 403
    assert client.post(url("thread_pin", space.pk, thread.pk), {"pinned": "1"}).status_code == 403


def test_the_list_is_paged_and_its_queries_do_not_grow(people, space, thread):
    client = signed_in(people["reader"])
    client.get(url("threads", space.pk))
    with CaptureQueriesContext(connection) as few:
        client.get(url("threads", space.pk))
    for n in range(5):
        services.start_thread(people["contributor"], space, f"Sujet {n}", "Bonjour")
    with CaptureQueriesContext(connection) as more:
        page = text(client.get(url("threads", space.pk)))
    assert len(more) == len(few)
    assert "6 discussions" in page and "Sujet 4" in page
