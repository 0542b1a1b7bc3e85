"""Discussion of a space, by its rules and services: who reads, writes, moderates; mentions
(members only, notified once); attachments (files the author may open, linked only for readers
who may open them); safe rendering; bad input writes nothing; an archived space is read-only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from entente.accounts.tests.factories import UserFactory
from entente.core.permissions import can, visible
from entente.core.tests.test_markdown import assert_harmless, tags_of
from entente.drive import services as drive
from entente.drive.tests.factories import make_file, make_folder, root_of
from entente.notifications.models import Notification, NotificationKind
from entente.spaces.discussion import services
from entente.spaces.discussion.display import posts_of
from entente.spaces.discussion.mentions import render_with_mentions, resolve
from entente.spaces.models import Activity, ActivityVerb, Post, SpaceRole, Thread
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org, other_org, agent, other_agent):
    return {
        "owner": agent,  # Agnès Martin
        "manager": other_agent,  # Bernard Petit
        "contributor": UserFactory(organisation=other_org, first_name="Chloé", last_name="Roux"),
        "reader": UserFactory(organisation=org, first_name="Denis", last_name="Léger"),
        "outsider": UserFactory(organisation=org, first_name="Émile", last_name="Faure"),
    }


@pytest.fixture
def space(org, people):
    space = SpaceFactory(name="Projet école", organisation=org)
    for role in ("owner", "manager", "contributor", "reader"):
        add(space, people[role], getattr(SpaceRole, role.upper()))
    return space


@pytest.fixture
def thread(space, people):
    return services.start_thread(people["contributor"], space, "Budget", "Premier message")


# --- rules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "view", "start", "reply", "moderate"),
    [
        ("owner", True, True, True, True),
        ("manager", True, True, True, True),
        ("contributor", True, True, True, False),
        ("reader", True, False, False, False),
        ("outsider", False, False, False, False),
    ],
)
def test_rules_by_role(people, space, thread, who, view, start, reply, moderate):
    user = people[who]
    assert can(user, "view", thread) is view
    assert (thread in visible(user, Thread)) is view
    assert can(user, "contribute", space) is start
    assert can(user, "reply", thread) is reply
    assert can(user, "moderate", thread) is moderate


@pytest.mark.parametrize(
    ("who", "edit"),
    [
        ("owner", True),
        ("manager", True),
        ("contributor", True),
        ("reader", False),
        ("outsider", False),
    ],
)
def test_a_post_is_changed_by_its_author_or_a_manager(people, thread, who, edit):
    post = thread.posts.get()  # written by the contributor
    assert can(people[who], "edit", post) is edit
    assert can(people[who], "delete", post) is edit


def test_a_removed_member_loses_the_discussion_at_once(people, space, thread):
    contributor = people["contributor"]
    space.memberships.filter(user=contributor).delete()
    fresh = Thread.objects.get(pk=thread.pk)
    assert not can(contributor, "view", fresh)
    assert not visible(contributor, Thread).exists()
    assert not visible(contributor, Post).exists()
    assert not can(contributor, "edit", Post.objects.get(thread=fresh))


def test_a_reader_may_not_start_nor_reply(people, space, thread):
    with pytest.raises(PermissionDenied):
        services.start_thread(people["reader"], space, "Question", "Bonjour")
    with pytest.raises(PermissionDenied):
        services.reply(people["reader"], thread, "Bonjour")
    assert Thread.objects.count() == 1 and Post.objects.count() == 1


def test_someone_outside_the_space_gets_not_found(people, space, thread):
    with pytest.raises(Http404):
        services.reply(people["outsider"], thread, "Bonjour")
    with pytest.raises(Http404):
        services.start_thread(people["outsider"], space, "Question", "Bonjour")


def test_a_locked_thread_takes_no_reply_until_reopened(people, thread):
    services.set_locked(people["manager"], thread, True)
    with pytest.raises(PermissionDenied):
        services.reply(people["contributor"], thread, "Encore un mot")
    with pytest.raises(PermissionDenied):
        services.set_locked(people["contributor"], thread, False)
    services.set_locked(people["manager"], thread, False)
    services.reply(people["contributor"], thread, "Encore un mot")


def test_an_archived_space_is_read_only(people, space, thread):
    space.archived_at = timezone.now()
    space.save()
    thread = Thread.objects.get(pk=thread.pk)
    post = thread.posts.get()
    for who in ("owner", "contributor"):
        assert can(people[who], "view", thread)
        assert not can(people[who], "reply", thread)
        assert not can(people[who], "moderate", thread)
        assert not can(people[who], "edit", post)
    with pytest.raises(PermissionDenied):
        services.start_thread(people["owner"], space, "Après coup", "Bonjour")
    with pytest.raises(PermissionDenied):
        services.delete_post(people["owner"], post)
    with pytest.raises(PermissionDenied):
        services.set_pinned(people["owner"], thread, True)


# --- writing --------------------------------------------------------------------------------


def test_a_thread_and_its_replies_are_recorded_in_order(people, space, thread):
    first = thread.posts.get()
    answer = services.reply(people["owner"], thread, "Réponse")
    thread.refresh_from_db()
    assert thread.last_post_at == answer.created_at
    assert list(thread.posts.all()) == [first, answer]
    feed = list(
        Activity.objects.filter(space=space).order_by("pk").values_list("verb", "target_url")
    )
    assert feed == [
        (ActivityVerb.THREAD_CREATED, f"/espaces/{space.pk}/discussion/{thread.pk}/"),
        (
            ActivityVerb.POST_CREATED,
            f"/espaces/{space.pk}/discussion/{thread.pk}/#message-{answer.pk}",
        ),
    ]


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("", "Bonjour", "title"),
        ("   ", "Bonjour", "title"),
        ("x" * 201, "Bonjour", "title"),
        ("Sujet", "", "body"),
        ("Sujet", "  \n ", "body"),
        ("Sujet", "x" * 20001, "body"),
        ("Sujet\u202e", "Bonjour", "title"),
    ],
)
def test_bad_input_writes_nothing(people, space, title, body, field):
    with pytest.raises(ValidationError) as error:
        services.start_thread(people["owner"], space, title, body)
    assert field in error.value.message_dict
    assert not Thread.objects.exists() and not Post.objects.exists()
    assert not Activity.objects.exists()


def test_pinned_threads_come_first_then_the_most_recently_active(people, space, thread):
    later = services.start_thread(people["owner"], space, "Plus récent", "Bonjour")
    assert list(visible(people["reader"], Thread).filter(space=space)) == [later, thread]
    services.set_pinned(people["manager"], thread, True)
    assert list(visible(people["reader"], Thread).filter(space=space)) == [thread, later]


def test_a_deleted_post_keeps_its_place_without_its_words(people, space, thread):
    post = thread.posts.get()
    services.delete_post(people["manager"], post)
    post.refresh_from_db()
    assert post.deleted_at is not None and post.body == ""
    shown = posts_of(people["reader"], thread)
    assert shown[0].is_deleted and shown[0].html == ""
    assert not can(people["contributor"], "edit", post)


def test_an_author_edits_their_post_and_it_says_so(people, thread):
    post = thread.posts.get()
    services.edit_post(people["contributor"], post, "Premier message, corrigé")
    post.refresh_from_db()
    assert post.body == "Premier message, corrigé" and post.edited_at is not None
    with pytest.raises(PermissionDenied):
        services.edit_post(people["reader"], post, "Pirate")


# --- mentions --------------------------------------------------------------------------------


def mention_rows():
    return sorted(
        Notification.objects.filter(kind=NotificationKind.MENTION).values_list(
            "recipient__last_name", flat=True
        )
    )


def test_mentions_tell_members_only(people, space, thread):
    post = services.reply(
        people["contributor"],
        thread,
        "Merci @agnes.martin et @Denis.Léger ! @emile.faure n'est pas membre, "
        "ni @inconnu.personne ; agnes.martin@valmont.fr n'est pas une mention.",
    )
    assert mention_rows() == ["Léger", "Martin"]
    assert set(post.mentions.all()) == {people["owner"], people["reader"]}
    row = Notification.objects.get(recipient=people["owner"])
    assert row.url == f"/espaces/{space.pk}/discussion/{thread.pk}/#message-{post.pk}"
    assert row.actor == people["contributor"] and row.space == space
    assert "Budget" in row.title and "Merci" in row.body


def test_mentions_in_code_are_not_mentions_and_nobody_is_told_twice(people, thread):
    post = services.reply(people["contributor"], thread, "`@agnes.martin` et @bernard.petit")
    assert mention_rows() == ["Petit"]
    services.edit_post(people["contributor"], post, "@bernard.petit et @agnes.martin")
    assert mention_rows() == ["Martin", "Petit"]


def test_one_does_not_notify_oneself(people, thread):
    services.reply(people["owner"], thread, "Note pour moi : @agnes.martin")
    assert mention_rows() == []


def test_members_sharing_a_name_are_told_apart_by_number(org, people, space, thread):
    twin = UserFactory(organisation=org, first_name="Agnès", last_name="Martin")
    add(space, twin)
    members = list(services.space_members(space))
    assert resolve("@agnes.martin", members) == []  # ambiguous: nobody
    assert resolve(f"@agnes.martin.{twin.pk}", members) == [twin]


def test_a_name_with_markup_is_escaped_in_a_mention(org, space):
    evil = UserFactory(
        organisation=org, first_name='<img src=x onerror="alert(1)">', last_name="<script>x"
    )
    add(space, evil)
    html = str(render_with_mentions(f"@img-src-x-onerror-alert-1.script-x.{evil.pk} salut", [evil]))
    assert_harmless(html)
    assert [tag for tag, _ in tags_of(html)] == ["p", "a"]
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script> @agnes.martin",
        '@agnes.martin <img src=x onerror="alert(1)">',
        "[@agnes.martin](javascript:alert(1))",
        '[x](https://a.fr "@agnes.martin") @agnes.martin',
        "**@agnes.martin** <b onmouseover=alert(1)>",
    ],
)
def test_bodies_with_mentions_stay_harmless(people, body):
    html = str(render_with_mentions(body, [people["owner"]]))
    assert_harmless(html)


def test_a_mention_links_to_the_directory(people):
    html = str(render_with_mentions("Bonjour @Agnès.Martin.", [people["owner"]]))
    assert (
        f'<a class="mention" href="/annuaire/personnes/{people["owner"].pk}/">@Agnès Martin</a>.'
        in html
    )


# --- attachments ------------------------------------------------------------------------------


def test_attachments_are_files_the_author_may_open(people, space, thread):
    contributor = people["contributor"]
    plan = make_file(contributor, drive.space_drive(space).root, "plan.pdf")
    folder = make_folder(contributor, drive.space_drive(space).root, "Dossier")
    foreign = make_file(people["outsider"], root_of(people["outsider"]), "secret.txt")
    for bad in ([foreign.pk], [folder.pk], [999_999], ["abc"]):
        with pytest.raises(ValidationError) as error:
            services.reply(contributor, thread, "Voici", bad)
        assert "attachments" in error.value.message_dict
    assert Post.objects.count() == 1
    post = services.reply(contributor, thread, "Voici", [plan.pk])
    assert list(post.attachments.all()) == [plan]


def test_a_file_the_reader_may_not_open_is_listed_without_link(people, space, thread):
    owner = people["owner"]
    mine = make_file(owner, root_of(owner), "brouillon.txt")
    shared = make_file(owner, drive.space_drive(space).root, "commun.txt")
    services.reply(owner, thread, "Deux fichiers", [mine.pk, shared.pk])
    by_name = lambda user: {  # noqa: E731
        f["node"].name: f["url"] for f in posts_of(user, thread)[-1].files
    }
    assert by_name(owner) == {
        "brouillon.txt": f"/documents/fichier/{mine.pk}/",
        "commun.txt": f"/documents/fichier/{shared.pk}/",
    }
    assert by_name(people["reader"]) == {
        "brouillon.txt": "",
        "commun.txt": f"/documents/fichier/{shared.pk}/",
    }
    drive.trash(owner, shared)
    assert by_name(people["reader"])["commun.txt"] == ""
