"""Issue 6, "done when", in a real browser with every page audited by axe-core: an agent of the
metropolis creates a space for a project, adds people of three communes and invites a guest;
they post (with a mention), assign tasks, share a document and plan a meeting there; each
member's home page shows it; search finds the space's document for members and not for
others; the directory finds a colleague by a mistyped name and offers to find a time."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.utils import timezone

from entente.accounts.models import Status
from entente.accounts.tests.factories import UserFactory
from entente.calendars.models import Event
from entente.drive.models import Node
from entente.notifications.models import Notification, NotificationKind
from entente.organisations.tests.factories import OrganisationFactory
from entente.spaces.models import Membership, Space, SpaceRole, Task, Thread

pytestmark = pytest.mark.e2e

SPACE = "Voie verte de l'Orbelle"
DOCUMENT = "Étude de faisabilité passerelle.txt"


def path_of(page) -> str:
    return urlsplit(page.url).path


def submit(page, audit, name: str, *, exact: bool = True) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=exact).click()
    audit()


@pytest.fixture
def territory(db):
    metropolis = OrganisationFactory(name="Métropole de l'Orbelle", slug="metropole")
    communes = [
        OrganisationFactory(name="Commune de Bellerive", slug="bellerive"),
        OrganisationFactory(name="Commune de Lauzières", slug="lauzieres"),
        OrganisationFactory(name="Commune de Fontclaire", slug="fontclaire"),
    ]
    outsider_org = OrganisationFactory(name="Commune des Aiguillons", slug="aiguillons")
    people = {
        "bernard": UserFactory(
            organisation=metropolis,
            first_name="Bernard",
            last_name="Roux",
            job_title="Chef de projet mobilités",
        ),
        "agnes": UserFactory(organisation=communes[0], first_name="Agnès", last_name="Lefèvre"),
        "marc": UserFactory(organisation=communes[1], first_name="Marc", last_name="Delmas"),
        "fanny": UserFactory(
            organisation=communes[2],
            first_name="Fanny",
            last_name="Rey",
            status=Status.ELU,
            mandate="Adjointe aux mobilités",
        ),
        "olivier": UserFactory(organisation=outsider_org, first_name="Olivier", last_name="Blanc"),
    }
    return people


def test_a_space_lives_from_creation_to_meeting_and_search_respects_membership(
    page, sign_in_as, audit, visit, territory, tmp_path
):
    bernard, agnes, marc, fanny = (territory[k] for k in ("bernard", "agnes", "marc", "fanny"))
    olivier = territory["olivier"]

    # --- Bernard, of the metropolis, opens the space -------------------------------------
    sign_in_as(bernard, next_url="/espaces/")
    page.get_by_label("Nom de l'espace").fill(SPACE)
    page.get_by_label("Description").fill("Relier les trois communes par les berges.")
    submit(page, audit, "Créer l'espace")
    space = Space.objects.get(name=SPACE)
    assert path_of(page) == f"/espaces/{space.pk}/membres/"

    # people of three communes, found by name (one with a typo-free prefix each)
    for words, name, role in (
        ("agnès lef", "Agnès Lefèvre", "contributor"),
        ("marc del", "Marc Delmas", "contributor"),
        ("fanny", "Fanny Rey", "reader"),
    ):
        page.get_by_label("Nom, service ou organisation").fill(words)
        submit(page, audit, "Rechercher")
        page.get_by_label("Rôle donné").select_option(role)
        submit(page, audit, f"Ajouter {name}")
    members = page.get_by_role("table").first.inner_text()
    for commune in ("Commune de Bellerive", "Commune de Lauzières", "Commune de Fontclaire"):
        assert commune in members

    # and a guest from a design office
    mail.outbox.clear()
    page.get_by_label("Prénom").fill("Sophie")
    page.get_by_label("Nom de famille").fill("Garnier")
    page.get_by_label("Adresse e-mail").fill("sophie.garnier@bureau-etudes.example")
    in_a_month = timezone.localdate() + dt.timedelta(days=30)
    page.get_by_label("Accès jusqu'au").fill(in_a_month.isoformat())
    submit(page, audit, "Envoyer l'invitation")
    guest = Membership.objects.get(space=space, user__email="sophie.garnier@bureau-etudes.example")
    assert guest.user.status == Status.GUEST
    assert any("sophie.garnier@bureau-etudes.example" in m.to for m in mail.outbox)
    assert Notification.objects.filter(
        recipient=agnes, kind=NotificationKind.SPACE_INVITATION, space=space
    ).exists()

    # --- a discussion with a mention ------------------------------------------------------
    visit(f"/espaces/{space.pk}/discussion/")
    with page.expect_navigation():
        page.get_by_role("link", name="Nouvelle discussion").click()
    audit()
    page.get_by_label("Sujet").fill("Tracé par les berges")
    page.get_by_label(re.compile(r"^Message \(obligatoire\)")).fill(
        "Bonjour à tous,\n\n@agnes.lefevre, pouvez-vous envoyer les **comptages** ?"
    )
    submit(page, audit, "Publier")
    thread = Thread.objects.get(space=space)
    assert page.get_by_role("heading", name="Tracé par les berges").count() == 1
    assert page.locator("main strong", has_text="comptages").count() == 1
    assert page.get_by_role("link", name="@Agnès Lefèvre").count() >= 1
    mention = Notification.objects.get(recipient=agnes, kind=NotificationKind.MENTION)
    assert mention.url.startswith(f"/espaces/{space.pk}/discussion/{thread.pk}/")

    # --- a task assigned to Marc ---------------------------------------------------------
    visit(f"/espaces/{space.pk}/taches/nouvelle/")
    page.get_by_label("Intitulé").fill("Relire l'étude de la passerelle")
    page.get_by_label("Attribuée à").select_option(label="Marc Delmas")
    page.get_by_label("Échéance").fill((timezone.localdate() + dt.timedelta(days=3)).isoformat())
    submit(page, audit, "Ajouter la tâche")
    task = Task.objects.get(space=space)
    assert task.assignee == marc
    visit(f"/espaces/{space.pk}/taches/tableau/")
    assert page.get_by_role("link", name="Relire l'étude de la passerelle").is_visible()

    # --- a document in the space's documents --------------------------------------------
    study = tmp_path / DOCUMENT
    study.write_text("La passerelle piétonne et cyclable franchira l'Orbelle en 45 mètres.\n")
    visit(f"/documents/espace/{space.pk}/")
    page.get_by_label("Envoyer des fichiers").set_input_files(str(study))
    page.get_by_role("button", name="Envoyer", exact=True).click()
    page.get_by_text("Envoi terminé : 1 fichier envoyé.").wait_for(state="attached")
    audit()
    document = Node.objects.get(name=DOCUMENT)
    assert document.drive.space == space

    # --- a meeting planned in the space's agenda, with its members ------------------------
    visit(f"/espaces/{space.pk}/")
    with page.expect_navigation():
        page.locator(".space-tabs").get_by_role("link", name="Agenda").click()
    audit()
    assert path_of(page) == "/agenda/"
    visit("/agenda/trouver-un-creneau/")
    search = page.get_by_label("Rechercher une personne ou une salle")
    for query, name in (("agnès lef", "Agnès Lefèvre"), ("marc del", "Marc Delmas")):
        search.fill(query)
        search.press("Enter")
        page.wait_for_url(lambda url: "q=" in url)
        audit()
        page.get_by_role("button", name=f"Ajouter {name}").click()
        page.wait_for_url(lambda url: "q=" not in url)
        audit()
    page.get_by_role("link", name="Choisir ce créneau").first.click()
    page.wait_for_url(lambda url: urlsplit(url).path == "/agenda/nouveau/")
    audit()
    page.get_by_label("Titre").fill("Comité de la voie verte")
    page.get_by_label(re.compile(r"^Agenda")).select_option(label=SPACE)
    page.get_by_role("button", name="Enregistrer", exact=True).last.click()
    page.wait_for_url(lambda url: re.search(r"/agenda/evenements/\d+/$", urlsplit(url).path))
    audit()
    meeting = Event.objects.get(title="Comité de la voie verte")
    assert meeting.calendar.space == space

    # the space's feed tells all of it
    visit(f"/espaces/{space.pk}/activite/")
    feed = page.locator("main").inner_text()
    for what in ("Tracé par les berges", "Relire l'étude de la passerelle", DOCUMENT):
        assert what in feed, what
    assert "Comité de la voie verte" in feed

    # --- Agnès: her home shows the space, the meeting, the mention ------------------------
    sign_in_as(agnes, next_url="/")
    home = page.locator("main")
    assert home.get_by_role("link", name=SPACE).count() >= 1
    assert "Comité de la voie verte" in home.inner_text()
    assert page.locator(".notification-bell__count").inner_text() != ""
    with page.expect_navigation():
        page.locator(".notification-bell").click()
    audit()
    assert "Tracé par les berges" in page.locator("main").inner_text()
    # she answers in the thread
    visit(f"/espaces/{space.pk}/discussion/{thread.pk}/")
    page.get_by_label(re.compile(r"^Message \(obligatoire\)")).fill("Je les joins demain.")
    submit(page, audit, "Publier la réponse")
    assert thread.posts.count() == 2

    # she finds the space's document by a word of its text
    visit("/recherche/?q=passerelle")
    assert page.get_by_role("link", name=DOCUMENT).count() == 1

    # --- Marc: his home shows his task; Fanny (a reader) sees the space but cannot post ---
    sign_in_as(marc, next_url="/")
    home = page.locator("main").inner_text()
    assert "Relire l'étude de la passerelle" in home and SPACE in home
    sign_in_as(fanny, next_url="/")
    assert SPACE in page.locator("main").inner_text()
    visit(f"/espaces/{space.pk}/discussion/")
    assert page.get_by_role("link", name="Nouvelle discussion").count() == 0
    visit(f"/espaces/{space.pk}/discussion/nouvelle/", status=403)

    # --- Olivier, of a fourth commune, finds nothing of it --------------------------------
    sign_in_as(olivier, next_url="/recherche/?q=passerelle")
    assert page.get_by_role("link", name=DOCUMENT).count() == 0
    assert DOCUMENT not in page.locator("main").inner_text()
    visit(f"/espaces/{space.pk}/", status=404)

    # ... but the directory finds Bernard even mistyped, with a shortcut to find a time
    visit("/annuaire/?q=bernrad")
    with page.expect_navigation():
        page.get_by_role("link", name="Bernard Roux").first.click()
    audit()
    assert page.get_by_role("heading", level=1).inner_text() == "Bernard Roux"
    assert page.get_by_role("link", name=re.compile("Trouver un créneau")).count() == 1


def test_every_new_page_is_accessible(page, sign_in_as, visit, territory, org_admin):
    """The pages the journey above does not cross, each audited by axe-core on arrival."""
    from entente.directory.tests.factories import ServiceFactory
    from entente.notifications.services import notify
    from entente.portal import services as portal
    from entente.spaces import services as spaces
    from entente.spaces.discussion import services as discussion
    from entente.spaces.models import Visibility
    from entente.spaces.notes import services as notes
    from entente.spaces.tasks import services as tasks

    bernard, agnes, marc = territory["bernard"], territory["agnes"], territory["marc"]
    service = ServiceFactory(organisation=bernard.organisation, name="Direction des mobilités")
    agnes.manager = marc
    agnes.save(update_fields=["manager"])
    bernard.service = service
    bernard.save(update_fields=["service"])
    space = spaces.create_space(bernard, name="Plan vélo", visibility=Visibility.OPEN)
    spaces.add_member(bernard, space, agnes, SpaceRole.CONTRIBUTOR)
    spaces.request_to_join(marc, space, message="Lauzières voudrait suivre.")
    thread = discussion.start_thread(bernard, space, "Calendrier", "Premier jet du **calendrier**.")
    post = thread.posts.get()
    task = tasks.create_task(bernard, space, None, "Compter les vélos", assignee=agnes)
    note = notes.create_note(bernard, space, title="Charte", body="## Principes\n\n- Sécurité")
    notes.update_note(
        agnes,
        note,
        title="Charte",
        body=note.body + "\n- Confort",
        base_version=notes.version_token(note),
    )
    revision = note.revisions.last()
    tile = portal.create_tile(
        org_admin,
        organisation=org_admin.organisation,
        title="Finances",
        url="https://finances.example/",
    )
    announcement = portal.create_announcement(
        org_admin,
        organisation=org_admin.organisation,
        title="Fermeture le 24",
        body="Les services ferment à midi.",
    )
    notify(bernard, NotificationKind.MENTION, title="Test", url=f"/espaces/{space.pk}/")

    sign_in_as(bernard, next_url=f"/espaces/{space.pk}/")
    for path in (
        f"/espaces/{space.pk}/membres/",
        f"/espaces/{space.pk}/discussion/",
        f"/espaces/{space.pk}/discussion/messages/{post.pk}/modifier/",
        f"/espaces/{space.pk}/discussion/messages/{post.pk}/supprimer/",
        f"/espaces/{space.pk}/discussion/{thread.pk}/renommer/",
        f"/espaces/{space.pk}/discussion/{thread.pk}/supprimer/",
        f"/espaces/{space.pk}/taches/",
        f"/espaces/{space.pk}/taches/{task.pk}/",
        f"/espaces/{space.pk}/taches/listes/{task.task_list_id}/",
        f"/espaces/{space.pk}/notes/",
        f"/espaces/{space.pk}/notes/nouvelle/",
        f"/espaces/{space.pk}/notes/{note.pk}/",
        f"/espaces/{space.pk}/notes/{note.pk}/modifier/",
        f"/espaces/{space.pk}/notes/{note.pk}/historique/",
        f"/espaces/{space.pk}/notes/{note.pk}/historique/{revision.pk}/",
        f"/espaces/{space.pk}/notes/{note.pk}/supprimer/",
        "/notifications/",
        "/notifications/preferences/",
        "/annuaire/",
        f"/annuaire/personnes/{agnes.pk}/",
        f"/annuaire/organisations/{bernard.organisation.slug}/",
        "/recherche/?q=calendrier&type=thread",
    ):
        visit(path)
    sign_in_as(org_admin, next_url="/portail/tuiles/")
    for path in (
        "/portail/tuiles/nouvelle/",
        f"/portail/tuiles/{tile.pk}/modifier/",
        f"/portail/tuiles/{tile.pk}/supprimer/",
        "/portail/annonces/",
        f"/portail/annonces/{announcement.pk}/modifier/",
    ):
        visit(path)
    # the person asking to join sees that the request waits
    sign_in_as(marc, next_url=f"/espaces/{space.pk}/")
    assert page.get_by_role("button", name=re.compile("Annuler")).count() == 1
