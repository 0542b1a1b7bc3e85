"""The global search: only what the searcher may open, words folded and matched by prefix,
filters, and queries that look like the engine's syntax. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from entente.accounts.tests.factories import UserFactory
from entente.calendars.models import Privacy
from entente.calendars.tests.factories import make_event, paris
from entente.drive import services as drive
from entente.drive.tests.factories import make_file, make_folder, root_of
from entente.organisations.models import DirectoryVisibility
from entente.search import services
from entente.search.models import Kind, SearchEntry
from entente.search.services import Filters
from entente.search.tests import documents
from entente.spaces import services as spaces
from entente.spaces.models import Membership, Note, SpaceRole, Visibility
from entente.spaces.tests.factories import SpaceFactory, add


def found(user, query: str, **filters) -> list[tuple[str, str]]:
    return [
        (entry.kind, entry.title)
        for entry in services.search(user, query, Filters(**filters) if filters else None)
    ]


def titles(user, query: str, **filters) -> list[str]:
    return [title for _kind, title in found(user, query, **filters)]


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Upload a file and run what its commit queues (the text is read by a task)."""

    def run(actor, parent, name, content):
        with django_capture_on_commit_callbacks(execute=True):
            return make_file(actor, parent, name, content)

    return run


@pytest.fixture
def project(org, agent, org_admin):
    """A private space of ``org`` with ``agent`` as a contributor, and its drive's root."""
    space = SpaceFactory(organisation=org, name="Projet voirie", visibility=Visibility.PRIVATE)
    add(space, org_admin, SpaceRole.OWNER)
    add(space, agent, SpaceRole.CONTRIBUTOR)
    return space


def test_a_document_of_a_private_space_is_found_by_its_members_only(
    project, agent, org, other_agent, upload
):
    root = drive.space_drive(project).root
    upload(agent, root, "Budget primitif.txt", "Le budget de la réunion".encode())
    colleague = UserFactory(organisation=org)  # same organisation, not a member

    assert titles(agent, "budget") == ["Budget primitif.txt"]
    assert titles(colleague, "budget") == []
    assert titles(other_agent, "budget") == []


def test_removing_a_member_hides_the_spaces_documents_at_once(project, agent, org_admin, upload):
    root = drive.space_drive(project).root
    upload(agent, root, "Devis.txt", b"chaussee")
    assert titles(agent, "chaussee") == ["Devis.txt"]

    spaces.remove_member(org_admin, Membership.objects.get(space=project, user=agent))

    assert titles(agent, "chaussee") == []
    assert titles(org_admin, "chaussee") == ["Devis.txt"]


def test_the_text_inside_files_is_found(agent, upload):
    root = root_of(agent)
    upload(agent, root, "a.pdf", documents.pdf("Plan local d urbanisme"))
    upload(agent, root, "b.odt", documents.odt("Cantine scolaire"))
    upload(agent, root, "c.docx", documents.docx("Eclairage public"))
    upload(agent, root, "d.txt", "Déneigement hivernal".encode())

    assert titles(agent, "urbanisme") == ["a.pdf"]
    assert titles(agent, "cantine") == ["b.odt"]
    assert titles(agent, "eclairage") == ["c.docx"]
    assert titles(agent, "deneigement") == ["d.txt"]


def test_a_new_version_replaces_the_text(agent, upload):
    root = root_of(agent)
    node = upload(agent, root, "compte-rendu.txt", b"ancien contenu")
    upload(agent, root, "compte-rendu.txt", b"nouveau contenu")  # same name: a new version

    assert node.versions.count() == 2
    assert titles(agent, "nouveau") == ["compte-rendu.txt"]
    assert titles(agent, "ancien") == []


def test_a_broken_file_is_indexed_by_its_name(agent, upload):
    upload(agent, root_of(agent), "casse.docx", b"PK\x03\x04 rien")
    upload(agent, root_of(agent), "bombe.docx", documents.zip_bomb(megabytes=8))

    assert titles(agent, "casse") == ["casse.docx"]
    assert titles(agent, "bombe") == ["bombe.docx"]


def test_trashed_items_leave_the_results_and_come_back_when_restored(agent):
    folder = make_folder(agent, root_of(agent), "Archives budget")
    assert titles(agent, "archives") == ["Archives budget"]

    drive.trash(agent, folder)
    assert titles(agent, "archives") == []

    drive.restore(agent, folder)
    assert titles(agent, "archives") == ["Archives budget"]


def test_renaming_and_purging_update_the_index(agent):
    folder = make_folder(agent, root_of(agent), "Brouillon")
    drive.rename(agent, folder, "Rapport final")
    assert titles(agent, "brouillon") == []
    assert titles(agent, "rapport") == ["Rapport final"]

    drive.trash(agent, folder)
    drive.purge(agent, folder)
    assert not SearchEntry.objects.filter(kind=Kind.FOLDER, object_id=folder.pk).exists()


def test_people_of_an_organisation_with_a_private_directory_stay_in_it(
    org, other_org, agent, other_agent
):
    other_org.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    other_org.policy.save()
    UserFactory(organisation=other_org, first_name="Séverine", last_name="Lac")
    UserFactory(organisation=org, first_name="Severin", last_name="Valmont", job_title="Urbaniste")

    # Valmont shows its directory to the territory; the Métropole keeps its own
    assert sorted(titles(other_agent, "severin")) == ["Severin Valmont", "Séverine Lac"]
    assert titles(agent, "severin") == ["Severin Valmont"]
    assert titles(agent, "urbaniste") == ["Severin Valmont"]


def test_a_private_events_words_are_only_for_those_who_may_read_its_details(
    agent, other_agent, org
):
    from entente.calendars import services as calendars

    make_event(agent, title="Rendez-vous médical", privacy=Privacy.PRIVATE)
    make_event(agent, title="Rendez-vous chantier")
    calendar = calendars.default_calendar(agent)
    reader = UserFactory(organisation=org)
    writer = UserFactory(organisation=org)
    calendars.share_calendar(agent, calendar, reader, "read")
    calendars.share_calendar(agent, calendar, writer, "write")
    calendars.share_calendar(agent, calendar, other_agent, "freebusy")

    assert sorted(titles(agent, "rendez")) == ["Rendez-vous chantier", "Rendez-vous médical"]
    assert sorted(titles(writer, "rendez")) == ["Rendez-vous chantier", "Rendez-vous médical"]
    assert titles(reader, "rendez") == ["Rendez-vous chantier"]
    assert titles(reader, "medical") == []
    assert titles(other_agent, "rendez") == []


def test_notes_of_a_space_are_for_its_members_and_deleted_ones_disappear(project, agent, org):
    note = Note.objects.create(
        space=project,
        title="Ordre du jour",
        body="Points sur la signalétique",
        created_by=agent,
        updated_at=timezone.now(),
    )
    assert found(agent, "signaletique") == [(Kind.NOTE, "Ordre du jour")]
    assert titles(UserFactory(organisation=org), "signaletique") == []

    note.deleted_at = timezone.now()
    note.save()
    assert titles(agent, "signaletique") == []


def test_spaces_are_found_as_the_permission_engine_shows_them(org, agent, other_agent):
    SpaceFactory(organisation=org, name="Jardins partagés", visibility=Visibility.TERRITORY)
    secret = SpaceFactory(organisation=org, name="Jardins secrets", visibility=Visibility.PRIVATE)
    add(secret, agent)

    assert sorted(titles(agent, "jardins")) == ["Jardins partagés", "Jardins secrets"]
    assert titles(other_agent, "jardins") == ["Jardins partagés"]


def test_accents_case_and_prefixes_do_not_matter(agent):
    make_folder(agent, root_of(agent), "Réunion du BUDGET")

    for query in ("reunion", "RÉUNION", "Réu", "budg", "réunion budget", "bud réu"):
        assert titles(agent, query) == ["Réunion du BUDGET"], query
    assert titles(agent, "budget absent") == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '"budget',
        "budget*",
        "*",
        "NEAR(budget reunion)",
        "budget NOT reunion",
        "budget OR",
        "title:budget",
        "'; DROP TABLE search_searchentry; --",
        "budget & | ! :* <->",
        "(((",
        "\\",
        "%_",
        "a" * 500,
    ],
)
def test_queries_looking_like_syntax_do_not_fail(agent, query):
    make_folder(agent, root_of(agent), "Budget réunion")

    results = list(services.search(agent, query))

    assert all(entry.title == "Budget réunion" for entry in results)


def test_the_title_weighs_more_than_the_text(agent, upload):
    root = root_of(agent)
    upload(agent, root, "notes.txt", b"un mot sur la piscine et autre chose")
    make_folder(agent, root, "Piscine")

    assert titles(agent, "piscine") == ["Piscine", "notes.txt"]


def test_filters(org, other_org, agent, upload):
    space = SpaceFactory(organisation=org, name="Piscine municipale")
    add(space, agent)
    other_space = SpaceFactory(organisation=other_org, name="Piscine du lac")
    add(other_space, agent)
    upload(agent, drive.space_drive(space).root, "piscine-plan.txt", b"bassin")
    make_folder(agent, root_of(agent), "Piscine perso")
    author = UserFactory(organisation=org)
    add(space, author)
    upload(author, drive.space_drive(space).root, "piscine-horaires.txt", b"horaires")
    make_event(agent, paris(2030, 6, 1, 10), title="Piscine : inauguration")

    assert sorted(titles(agent, "piscine", type="space")) == [
        "Piscine du lac",
        "Piscine municipale",
    ]
    assert sorted(titles(agent, "piscine", type="document")) == [
        "Piscine perso",
        "piscine-horaires.txt",
        "piscine-plan.txt",
    ]
    assert titles(agent, "piscine", organisation_id=other_org.pk) == ["Piscine du lac"]
    assert sorted(titles(agent, "piscine", space_id=space.pk)) == [
        "Piscine municipale",
        "piscine-horaires.txt",
        "piscine-plan.txt",
    ]
    assert titles(agent, "piscine", author_id=author.pk) == ["piscine-horaires.txt"]
    june = {"date_from": dt.date(2030, 6, 1), "date_to": dt.date(2030, 6, 1)}
    assert titles(agent, "piscine", **june) == ["Piscine : inauguration"]
    assert titles(agent, "piscine", date_from=dt.date(2030, 6, 2)) == []


def test_highlight_escapes_the_text_and_marks_the_words():
    html = services.highlight("<b>Réunion</b> & reunions", ["reunion"])
    assert html == "&lt;b&gt;<mark>Réunion</mark>&lt;/b&gt; &amp; <mark>reunions</mark>"
    excerpt = services.snippet("début " + "mot " * 100 + "le budget <script> fin", ["budg"])
    assert excerpt.startswith("… ") and "<mark>budget</mark> &lt;script&gt;" in excerpt


def test_reindex_rebuilds_everything(agent, upload, project):
    upload(agent, root_of(agent), "memo.txt", b"lampadaires")
    SearchEntry.objects.all().delete()
    assert titles(agent, "lampadaires") == []

    call_command("search_reindex", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert titles(agent, "lampadaires") == ["memo.txt"]
    assert titles(agent, "voirie") == ["Projet voirie"]
    assert titles(agent, "agnes") != []
    call_command("search_reindex", "--no-content", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert titles(agent, "lampadaires") == ["memo.txt"]  # the text read before is kept


def test_discussions_are_found_by_their_messages_for_the_members(project, agent, org):
    from entente.spaces.models import Post, Thread

    thread = Thread.objects.create(
        space=project, title="Travaux rue Haute", author=agent, last_post_at=timezone.now()
    )
    post = Post.objects.create(thread=thread, author=agent, body="Fermeture du carrefour")

    assert found(agent, "carrefour") == [(Kind.THREAD, "Travaux rue Haute")]
    assert titles(UserFactory(organisation=org), "carrefour") == []
    post.delete()
    assert titles(agent, "carrefour") == []


def test_each_result_links_to_its_page(project, agent):
    from entente.spaces.models import Thread

    note = Note.objects.create(
        space=project, title="Zinc", created_by=agent, updated_at=timezone.now()
    )
    thread = Thread.objects.create(
        space=project, title="Zinc", author=agent, last_post_at=timezone.now()
    )
    event = make_event(agent, title="Zinc")
    folder = make_folder(agent, root_of(agent), "Zinc")
    entries = {entry.kind: entry for entry in SearchEntry.objects.all()}

    assert services.url_of(entries[Kind.NOTE]) == f"/espaces/{project.pk}/notes/{note.pk}/"
    assert services.url_of(entries[Kind.THREAD]) == (
        f"/espaces/{project.pk}/discussion/{thread.pk}/"
    )
    assert services.url_of(entries[Kind.EVENT]) == f"/agenda/evenements/{event.pk}/"
    assert services.url_of(entries[Kind.FOLDER]) == f"/documents/dossier/{folder.pk}/"
    assert services.url_of(entries[Kind.SPACE]) == f"/espaces/{project.pk}/"
    assert services.url_of(entries[Kind.PERSON]).startswith("/annuaire/personnes/")


def test_a_folder_moved_into_a_space_is_filed_under_that_space(agent, org):
    space = SpaceFactory(organisation=org, name="Voirie")
    add(space, agent, SpaceRole.CONTRIBUTOR)
    folder = make_folder(agent, root_of(agent), "Chaussées")
    make_file(agent, folder, "chaussées-2027.txt", "enrobés".encode())
    assert titles(agent, "chaussées", space_id=space.pk) == []

    drive.move(agent, folder, drive.space_drive(space).root)

    assert sorted(titles(agent, "chaussées", space_id=space.pk)) == [
        "Chaussées",
        "chaussées-2027.txt",
    ]


def test_excerpts_of_notes_show_words_not_markdown(agent, org):
    space = SpaceFactory(organisation=org)
    add(space, agent, SpaceRole.CONTRIBUTOR)
    Note.objects.create(
        space=space,
        title="Charte",
        body="Deux **variantes** pour [le tracé](https://exemple.fr/)",
        created_by=agent,
        updated_at=timezone.now(),
    )
    entry = services.search(agent, "variantes")[0]
    assert "**" not in entry.body and "](" not in entry.body
    assert "Deux variantes pour le tracé" in entry.body


def test_renaming_a_service_or_an_organisation_refreshes_its_people(agent, org):
    from entente.directory.tests.factories import ServiceFactory

    service = ServiceFactory(organisation=org, name="Voirie")
    agent.service = service
    agent.save()
    assert agent.get_full_name() in titles(agent, "voirie")

    service.name = "Mobilités"
    service.save()
    org.name = "Commune de Valmont-sur-Orbelle"
    org.save()

    assert agent.get_full_name() in titles(agent, "mobilités")
    assert agent.get_full_name() in titles(agent, "orbelle", type="person")
    assert agent.get_full_name() not in titles(agent, "voirie")
