"""The home page: each widget shows only what the person may open."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from entente.accounts.tests.factories import UserFactory
from entente.calendars.tests.factories import make_event
from entente.core.testing import signed_in, text
from entente.drive import services as drive
from entente.drive.tests.factories import make_file, root_of
from entente.notifications.models import NotificationKind
from entente.notifications.services import notify
from entente.organisations.tests.factories import OrganisationFactory
from entente.portal import dashboard
from entente.portal.models import Announcement, AppTile
from entente.spaces.activity import mark_seen, record_activity, unread_count
from entente.spaces.models import ActivityVerb, Membership, Task, TaskList, TaskStatus
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")


@pytest.fixture
def org_a():
    return OrganisationFactory(name="Commune A")


@pytest.fixture
def org_b():
    return OrganisationFactory(name="Commune B")


@pytest.fixture
def agnes(org_a):
    return UserFactory(organisation=org_a, first_name="Agnès")


@pytest.fixture
def bernard(org_b):
    return UserFactory(organisation=org_b, first_name="Bernard")


def _soon(days: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _task(space, title, assignee, **fields):
    task_list = TaskList.objects.get_or_create(space=space, name="Suivi")[0]
    return Task.objects.create(
        space=space, task_list=task_list, title=title, assignee=assignee, **fields
    )


# --- meetings and invitations ------------------------------------------------------------------


def test_meetings_of_the_next_seven_days_in_words(agnes, bernard):
    make_event(agnes, _soon(2), title="Comité voirie")
    make_event(agnes, _soon(10), title="Réunion trop lointaine")
    make_event(bernard, _soon(1), title="Réunion de Bernard")

    page = text(signed_in(agnes).get(HOME))

    assert "Mes prochaines réunions" in page
    assert "Comité voirie" in page
    assert "de 10 h 00 à 11 h 00" in page
    assert "Réunion trop lointaine" not in page
    assert "Réunion de Bernard" not in page


def test_meetings_empty_state(agnes):
    page = text(signed_in(agnes).get(HOME))
    assert "Aucune réunion dans les sept prochains jours." in page
    assert "Aucune invitation n'attend votre réponse." in page


def test_pending_invitation_can_be_answered_from_home(agnes, bernard):
    event = make_event(bernard, _soon(3), title="Atelier mobilité", users=[agnes])

    page = text(signed_in(agnes).get(HOME))

    assert "Invitations en attente" in page
    assert "Atelier mobilité" in page
    assert reverse("calendars:respond", args=[event.pk]) in page


# --- documents ---------------------------------------------------------------------------------


def test_recent_documents_are_only_those_i_may_open(agnes, bernard, org_a):
    mine = make_file(agnes, root_of(agnes), "budget.ods")
    make_file(bernard, root_of(bernard), "secret-de-bernard.txt")
    space = SpaceFactory(organisation=org_a)
    add(space, agnes)
    add(space, bernard)
    in_space = make_file(bernard, drive.space_drive(space).root, "compte-rendu.odt")
    other_space = SpaceFactory(organisation=bernard.organisation)
    add(other_space, bernard)
    make_file(bernard, drive.space_drive(other_space).root, "hors-de-portee.odt")

    page = text(signed_in(agnes).get(HOME))

    assert "budget.ods" in page
    assert reverse("drive:file", args=[mine.pk]) in page
    assert "compte-rendu.odt" in page
    assert reverse("drive:file", args=[in_space.pk]) in page
    assert "secret-de-bernard.txt" not in page
    assert "hors-de-portee.odt" not in page


def test_recent_documents_at_most_eight(agnes):
    for n in range(10):
        make_file(agnes, root_of(agnes), f"fichier-{n}.txt")
    assert len(dashboard.recent_documents(agnes)) == 8


# --- spaces and tasks --------------------------------------------------------------------------


def test_unread_activity_per_space(agnes, bernard, org_a):
    busy = SpaceFactory(organisation=org_a, name="Projet école")
    quiet = SpaceFactory(organisation=org_a, name="Projet calme")
    membership = add(busy, agnes)
    add(quiet, agnes)
    mark_seen(membership)
    membership.refresh_from_db()
    for n in range(3):
        record_activity(busy, bernard, ActivityVerb.POST_CREATED, label=f"Message {n}")
    record_activity(busy, agnes, ActivityVerb.POST_CREATED, label="Le mien")

    rows = {m.space.name: m.unread for m in dashboard.my_spaces(agnes)}
    page = text(signed_in(agnes).get(HOME))

    assert rows == {"Projet école": 3, "Projet calme": 0}
    assert rows["Projet école"] == unread_count(Membership.objects.get(pk=membership.pk))
    assert "3 nouveautés" in page
    assert "rien de nouveau" in page


def test_unread_count_when_never_opened_matches_the_feed(agnes, bernard, org_a):
    space = SpaceFactory(organisation=org_a)
    membership = add(space, agnes)
    record_activity(space, bernard, ActivityVerb.TASK_CREATED, label="A")
    record_activity(space, None, ActivityVerb.DOCUMENT_ADDED, label="B")

    (row,) = dashboard.my_spaces(agnes)

    assert row.unread == unread_count(membership) == 2


def test_spaces_empty_state(agnes):
    page = text(signed_in(agnes).get(HOME))
    assert "Vous n'êtes membre d'aucun espace pour l'instant." in page


def test_my_open_tasks_overdue_first_and_not_those_of_a_space_i_left(agnes, bernard, org_a):
    space = SpaceFactory(organisation=org_a)
    add(space, agnes)
    left = SpaceFactory(organisation=org_a)
    gone = add(left, agnes)
    today = timezone.localdate()
    _task(space, "Relire la convention", agnes, due_date=today + dt.timedelta(days=5))
    _task(space, "Envoyer le devis", agnes, due_date=today - dt.timedelta(days=2))
    _task(space, "Tâche terminée", agnes, status=TaskStatus.DONE)
    _task(space, "Tâche de Bernard", bernard)
    _task(left, "Tâche d'un espace quitté", agnes)
    gone.delete()

    page = text(signed_in(agnes).get(HOME))
    titles = [t.title for t in dashboard.my_tasks(agnes, today)["tasks"]]

    assert titles == ["Envoyer le devis", "Relire la convention"]
    assert "En retard" in page
    assert "Tâche terminée" not in page
    assert "Tâche de Bernard" not in page
    assert "Tâche d'un espace quitté" not in page


# --- notifications -----------------------------------------------------------------------------


def test_last_five_unread_notifications(agnes, bernard):
    for n in range(7):
        notify(agnes, NotificationKind.SHARE, title=f"Partage numéro {n}", actor=bernard)
    read = notify(agnes, NotificationKind.SHARE, title="Déjà lue", actor=bernard)
    read.read_at = timezone.now()
    read.save(update_fields=["read_at"])
    notify(bernard, NotificationKind.SHARE, title="Pour Bernard", actor=agnes)

    page = text(signed_in(agnes).get(HOME))

    assert [n.title for n in dashboard.unread_notifications(agnes)] == [
        f"Partage numéro {n}" for n in (6, 5, 4, 3, 2)
    ]
    assert "Déjà lue" not in page
    assert "Pour Bernard" not in page
    assert reverse("notifications:centre") in page


# --- tiles and announcements -------------------------------------------------------------------


def test_tiles_of_my_organisation_and_territory_only(agnes, org_a, org_b):
    AppTile.objects.create(organisation=org_a, title="Parapheur A", url="https://a.example.fr")
    AppTile.objects.create(organisation=org_b, title="Paie B", url="https://b.example.fr")
    AppTile.objects.create(organisation=None, title="Marchés publics", url="/agenda/")
    AppTile.objects.create(
        organisation=org_a, title="Tuile masquée", url="https://x.example.fr", is_active=False
    )

    page = text(signed_in(agnes).get(HOME))

    assert "Parapheur A" in page
    assert "(site externe)" in page
    assert "Marchés publics" in page
    assert "Paie B" not in page
    assert "Tuile masquée" not in page
    assert 'target="_blank"' not in page


def test_announcements_shown_only_while_current(agnes, org_a, org_b):
    now = timezone.now()
    Announcement.objects.create(
        organisation=org_a, title="Fermeture de la mairie", level="important",
        body="La mairie ferme **vendredi**.", starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=1),
    )  # fmt: skip
    Announcement.objects.create(
        organisation=None, title="Annonce passée", starts_at=now - dt.timedelta(days=3),
        ends_at=now - dt.timedelta(days=1),
    )  # fmt: skip
    Announcement.objects.create(
        organisation=None, title="Annonce à venir", starts_at=now + dt.timedelta(days=1)
    )
    Announcement.objects.create(organisation=org_b, title="Annonce de B", starts_at=now)
    Announcement.objects.create(organisation=None, title="Nouvel outil", starts_at=now)

    page = text(signed_in(agnes).get(HOME))

    assert "Fermeture de la mairie" in page
    assert "<strong>vendredi</strong>" in page
    assert "Important" in page
    assert "Nouvel outil" in page
    assert "Annonce passée" not in page
    assert "Annonce à venir" not in page
    assert "Annonce de B" not in page


def test_guest_sees_no_tiles_nor_announcements():
    guest = UserFactory(organisation=None, status="guest")
    AppTile.objects.create(organisation=None, title="Marchés publics", url="/agenda/")
    Announcement.objects.create(organisation=None, title="Nouvel outil")

    response = signed_in(guest).get(HOME)

    assert response.status_code == 200
    page = text(response)
    assert "Marchés publics" not in page
    assert "Nouvel outil" not in page
    assert "Mes prochaines réunions" not in page


# --- weight ------------------------------------------------------------------------------------


def test_home_page_query_count_is_bounded(agnes, bernard, org_a, django_assert_max_num_queries):
    for n in range(5):
        space = SpaceFactory(organisation=org_a)
        add(space, agnes)
        record_activity(space, bernard, ActivityVerb.POST_CREATED, label="x")
        _task(space, f"Tâche {n}", agnes, due_date=timezone.localdate())
        make_file(agnes, drive.space_drive(space).root, f"doc-{n}.txt")
        make_event(agnes, _soon(n % 6), title=f"Réunion {n}")
        make_event(bernard, _soon(n % 6, 14), title=f"Invitation {n}", users=[agnes])
        notify(agnes, NotificationKind.SHARE, title=f"Notif {n}", actor=bernard)
        AppTile.objects.create(organisation=org_a, title=f"App {n}", url="https://a.example.fr")
        Announcement.objects.create(organisation=None, title=f"Annonce {n}")
    client = signed_in(agnes)
    client.get(HOME)  # the main calendar and the occurrences exist from now on

    with django_assert_max_num_queries(16):
        response = client.get(HOME)

    assert response.status_code == 200
    assert "Réunion 4" in text(response)
