"""Notes of a space: who reads and who writes (two organisations, each role), a revision kept
on every save, a save over a newer version refused with nothing written, history and diff,
restore, soft delete, Markdown made safe."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from entente.accounts.tests.factories import UserFactory
from entente.core.testing import notices, signed_in, text
from entente.spaces.models import Activity, ActivityVerb, Membership, Note, NoteRevision, SpaceRole
from entente.spaces.notes import services
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(org, agent, other_agent):
    space = SpaceFactory(name="Projet école", organisation=org)
    add(space, agent, SpaceRole.OWNER)
    add(space, other_agent, SpaceRole.CONTRIBUTOR)  # of the other organisation
    return space


@pytest.fixture
def reader(org, space):
    person = UserFactory(organisation=org, first_name="Rémi", last_name="Lecteur")
    add(space, person, SpaceRole.READER)
    return person


@pytest.fixture
def note(space, agent):
    return services.create_note(agent, space, title="Compte rendu", body="Ligne 1\nLigne 2")


def notes_url(space, suffix: str = "") -> str:
    return f"/espaces/{space.pk}/notes/{suffix}"


def note_url(note, suffix: str = "") -> str:
    return f"/espaces/{note.space_id}/notes/{note.pk}/{suffix}"


def edit(client, note, title: str, body: str, version: str | None = None):
    return client.post(
        note_url(note, "modifier/"),
        {"title": title, "body": body, "version": version or services.version_token(note)},
    )


# ---------------------------------------------------------------- who may do what


def test_a_contributor_of_another_organisation_writes_a_note(space, other_agent):
    client = signed_in(other_agent)
    assert client.get(notes_url(space, "nouvelle/")).status_code == 200

    response = client.post(notes_url(space, "nouvelle/"), {"title": "Budget", "body": "# Total"})

    note = Note.objects.get(space=space)
    assert response.status_code == 302 and response["Location"] == note_url(note)
    assert note.created_by == other_agent and note.title == "Budget"
    assert note.revisions.count() == 1
    assert "La note « Budget » est créée." in notices(response)
    page = text(client.get(notes_url(space)))
    assert "Budget" in page


def test_a_reader_reads_but_neither_writes_nor_changes(space, note, reader):
    client = signed_in(reader)

    assert client.get(notes_url(space)).status_code == 200
    page = text(client.get(note_url(note)))
    assert "Compte rendu" in page and "Ligne 1" in page
    assert note_url(note, "modifier/") not in page
    assert client.get(note_url(note, "historique/")).status_code == 200
    assert client.get(notes_url(space, "nouvelle/")).status_code == 403
    assert client.post(notes_url(space, "nouvelle/"), {"title": "X"}).status_code == 403
    assert edit(client, note, "Pirate", "x").status_code == 403
    assert client.post(note_url(note, "supprimer/")).status_code == 403
    revision = note.revisions.get()
    first = text(client.get(note_url(note, f"historique/{revision.pk}/")))
    assert "Première version de la note" in first and "Rétablir" not in first
    assert client.post(note_url(note, f"historique/{revision.pk}/restaurer/")).status_code == 403
    note.refresh_from_db()
    assert note.title == "Compte rendu" and note.deleted_at is None
    assert Note.objects.count() == 1


def test_a_non_member_gets_404_everywhere(space, note, org):
    outsider = UserFactory(organisation=org)
    client = signed_in(outsider)
    revision = note.revisions.get()

    for path in [
        notes_url(space),
        notes_url(space, "nouvelle/"),
        note_url(note),
        note_url(note, "modifier/"),
        note_url(note, "historique/"),
        note_url(note, f"historique/{revision.pk}/"),
        note_url(note, "supprimer/"),
    ]:
        assert client.get(path).status_code == 404, path
    assert edit(client, note, "Pirate", "x").status_code == 404
    assert client.post(note_url(note, f"historique/{revision.pk}/restaurer/")).status_code == 404
    assert Note.objects.get().title == "Compte rendu"


def test_a_note_of_another_space_is_not_reached_through_mine(space, note, org, agent):
    other = SpaceFactory(organisation=org)
    add(other, agent, SpaceRole.OWNER)

    assert signed_in(agent).get(f"/espaces/{other.pk}/notes/{note.pk}/").status_code == 404


def test_a_removed_member_loses_access_at_once(space, note, other_agent):
    client = signed_in(other_agent)
    assert client.get(note_url(note)).status_code == 200

    Membership.objects.filter(space=space, user=other_agent).delete()

    assert client.get(note_url(note)).status_code == 404
    assert edit(client, note, "Après", "x").status_code == 404
    assert Note.objects.get().title == "Compte rendu"


def test_an_archived_space_keeps_its_notes_readable_but_frozen(space, note, agent):
    space.archived_at = timezone.now()
    space.save()
    client = signed_in(agent)

    assert client.get(note_url(note)).status_code == 200
    assert edit(client, note, "Après", "x").status_code == 403


# ---------------------------------------------------------------- revisions and conflicts


def test_every_save_keeps_a_revision(space, note, agent, other_agent):
    response = edit(signed_in(other_agent), note, "Compte rendu v2", "Ligne 1\nLigne 3")
    assert response.status_code == 302
    note.refresh_from_db()
    edit(signed_in(agent), note, "Compte rendu v3", "Ligne 1\nLigne 3\nLigne 4")

    note.refresh_from_db()
    assert note.title == "Compte rendu v3" and note.updated_by == agent
    revisions = list(note.revisions.order_by("pk"))
    assert [r.title for r in revisions] == ["Compte rendu", "Compte rendu v2", "Compte rendu v3"]
    assert [r.author for r in revisions] == [agent, other_agent, agent]
    assert revisions[-1].body == note.body


def test_a_save_over_a_newer_version_is_refused_and_nothing_is_written(
    space, note, agent, other_agent
):
    opened = services.version_token(note)  # both open the note
    assert edit(signed_in(other_agent), note, "Leur titre", "Leur texte", opened).status_code == 302

    response = edit(signed_in(agent), note, "Mon titre", "Mon texte", opened)

    assert response.status_code == 200
    page = text(response)
    assert "Bernard Petit a modifié cette note" in page
    assert "votre version n&#x27;est pas enregistrée" in page
    assert "Mon texte" in page  # the person's text stays in the form
    assert "Leur texte" in page  # and the saved one is shown
    note.refresh_from_db()
    assert note.title == "Leur titre" and note.body == "Leur texte"
    assert note.revisions.count() == 2
    assert not NoteRevision.objects.filter(title="Mon titre").exists()


def test_the_service_refuses_a_stale_or_missing_version(note, agent):
    stale = note.updated_at - dt.timedelta(seconds=1)

    with pytest.raises(services.NoteConflict) as error:
        services.update_note(agent, note, title="X", body="", base_version=stale)
    assert error.value.code == "conflict"
    with pytest.raises(services.ValidationError):
        services.update_note(agent, note, title="X", body="", base_version="n'importe quoi")
    note.refresh_from_db()
    assert note.title == "Compte rendu" and note.revisions.count() == 1


def test_an_empty_title_is_refused_with_a_message(space, note, agent):
    response = edit(signed_in(agent), note, "   ", "x")

    assert response.status_code == 200
    assert "Donnez un titre à la note." in text(response)
    assert note.revisions.count() == 1


def test_history_shows_authors_and_the_diff_in_words(space, note, agent, other_agent):
    edit(signed_in(other_agent), note, "Compte rendu", "Ligne 1\nLigne deux")
    client = signed_in(agent)

    history = text(client.get(note_url(note, "historique/")))
    assert "Bernard Petit" in history and "Agnès Martin" in history
    assert "1 ligne ajoutée" in history and "1 ligne retirée" in history
    latest = note.revisions.order_by("-pk").first()
    page = text(client.get(note_url(note, f"historique/{latest.pk}/")))
    assert "ajouté</span> <code>Ligne deux</code>" in page
    assert "retiré</span> <code>Ligne 2</code>" in page


def test_line_diff():
    rows = services.line_diff("a\nb\nc", "a\nB\nc\nd")

    assert [(r["kind"], r["text"]) for r in rows] == [
        ("same", "a"),
        ("removed", "b"),
        ("added", "B"),
        ("same", "c"),
        ("added", "d"),
    ]


def test_a_revision_is_restored_as_a_new_revision(space, note, agent):
    first = note.revisions.get()
    edit(signed_in(agent), note, "Autre titre", "Autre texte")
    client = signed_in(agent)

    response = client.post(note_url(note, f"historique/{first.pk}/restaurer/"))

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.title == "Compte rendu" and note.body == "Ligne 1\nLigne 2"
    assert note.revisions.count() == 3
    assert "est de nouveau le texte de la note" in notices(response)[0]


def test_a_deleted_note_disappears(space, note, agent, other_agent):
    client = signed_in(other_agent)
    assert client.get(note_url(note, "supprimer/")).status_code == 200

    response = client.post(note_url(note, "supprimer/"))

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.deleted_at is not None
    assert signed_in(agent).get(note_url(note)).status_code == 404
    assert "Compte rendu" not in text(signed_in(agent).get(notes_url(space)))


# ---------------------------------------------------------------- safety, activity


def test_markdown_in_a_note_cannot_run_script(space, agent):
    body = (
        "# Titre\n\n<script>alert(1)</script>\n\n[clic](javascript:alert(2))\n\n"
        '<img src=x onerror="alert(3)">\n\n**gras**'
    )
    note = services.create_note(agent, space, title="<b>Piège</b>", body=body)

    page = text(signed_in(agent).get(note_url(note)))

    assert "<script>alert(1)" not in page
    assert 'href="javascript:' not in page
    assert "<img src" not in page and "&lt;img src=x onerror" in page  # shown as text
    assert "<strong>gras</strong>" in page
    assert "<h3>Titre</h3>" in page  # under the page's h2
    assert "<b>Piège</b>" not in page


def test_note_activity_is_recorded_without_flooding(space, note, agent, other_agent):
    assert Activity.objects.filter(verb=ActivityVerb.NOTE_CREATED, actor=agent).count() == 1
    for n in range(3):
        note.refresh_from_db()
        edit(signed_in(other_agent), note, "Compte rendu", f"version {n}")

    updates = Activity.objects.filter(verb=ActivityVerb.NOTE_UPDATED)
    assert updates.count() == 1  # one line for the three saves
    line = updates.get()
    assert line.actor == other_agent and line.target_url == note_url(note)
    # ten minutes later, a new line
    Activity.objects.filter(pk=line.pk).update(created_at=timezone.now() - dt.timedelta(minutes=11))
    note.refresh_from_db()
    edit(signed_in(other_agent), note, "Compte rendu", "encore")
    assert updates.count() == 2
