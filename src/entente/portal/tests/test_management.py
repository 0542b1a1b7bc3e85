"""Managing the home page's tiles and announcements: who may, and what is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from entente.accounts.tests.factories import OperatorFactory, OrgAdminFactory, UserFactory
from entente.core.permissions import can, visible
from entente.core.testing import notices, signed_in, text
from entente.organisations.tests.factories import OrganisationFactory
from entente.portal import services
from entente.portal.models import Announcement, AppTile, validate_tile_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_a():
    return OrganisationFactory(name="Commune A")


@pytest.fixture
def org_b():
    return OrganisationFactory(name="Commune B")


@pytest.fixture
def admin_a(org_a):
    return OrgAdminFactory(organisation=org_a)


@pytest.fixture
def operator(org_a):
    return OperatorFactory(organisation=org_a)


def _tile(organisation, title="Parapheur", **fields):
    fields.setdefault("url", "https://parapheur.example.fr")
    return AppTile.objects.create(organisation=organisation, title=title, **fields)


# --- URL validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "//evil.example.fr",
        "ftp://files.example.fr",
        "https://",
        "https://exa mple.fr",
        "vbscript:msgbox",
        "",
    ],
)
def test_unsafe_or_broken_addresses_are_refused(url):
    with pytest.raises(ValidationError):
        validate_tile_url(url)


@pytest.mark.parametrize(
    "url", ["https://paie.example.fr/accueil?x=1", "http://intra.local.fr", "/agenda/"]
)
def test_web_addresses_and_platform_pages_are_accepted(url):
    validate_tile_url(url)


def test_javascript_url_refused_by_the_page(admin_a):
    response = signed_in(admin_a).post(
        reverse("portal:tile_create"),
        {"title": "Piège", "url": "javascript:alert(document.cookie)", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "commençant par https://" in text(response)
    assert not AppTile.objects.exists()


# --- who manages what --------------------------------------------------------------------------


def test_org_admin_creates_a_tile_for_their_organisation_only(admin_a, org_a, org_b):
    client = signed_in(admin_a)
    page = text(client.get(reverse("portal:tile_create")))
    assert "Pour qui" not in page  # no choice: their own organisation

    response = client.post(
        reverse("portal:tile_create"),
        {"title": "Parapheur", "url": "https://parapheur.example.fr", "organisation": org_b.pk},
    )

    assert response.status_code == 302
    tile = AppTile.objects.get()
    assert tile.organisation == org_a
    assert not tile.is_active
    assert notices(response) == ["La tuile est ajoutée."]


def test_org_admin_cannot_touch_another_organisation_tiles(admin_a, org_b):
    theirs = _tile(org_b, "Paie B")
    client = signed_in(admin_a)

    for name in ("portal:tile_edit", "portal:tile_delete"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
        assert client.post(reverse(name, args=[theirs.pk]), {"title": "x"}).status_code == 404
    assert (
        client.post(reverse("portal:tile_move", args=[theirs.pk]), {"sens": "up"}).status_code
        == 404
    )
    assert "Paie B" not in text(client.get(reverse("portal:tiles")))
    theirs.refresh_from_db()
    assert theirs.title == "Paie B"


def test_org_admin_cannot_touch_territory_tiles(admin_a):
    territory = _tile(None, "Marchés publics")
    client = signed_in(admin_a)

    assert client.get(reverse("portal:tile_edit", args=[territory.pk])).status_code == 403
    assert client.post(reverse("portal:tile_delete", args=[territory.pk])).status_code == 403
    assert AppTile.objects.filter(pk=territory.pk).exists()
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied from the service
        services.create_tile(admin_a, organisation=None, title="x", url="/agenda/")


def test_agents_and_guests_may_not_open_the_management_pages(org_a):
    agent = UserFactory(organisation=org_a)
    guest = UserFactory(organisation=None, status="guest")
    for person in (agent, guest):
        client = signed_in(person)
        for name in ("portal:tiles", "portal:tile_create", "portal:announcements"):
            assert client.get(reverse(name)).status_code == 403


def test_operator_manages_territory_and_any_organisation(operator, org_b):
    client = signed_in(operator)
    theirs = _tile(org_b, "Paie B")

    response = client.post(
        reverse("portal:tile_create"),
        {"organisation": "", "title": "Marchés publics", "url": "https://marches.example.fr",
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    assert AppTile.objects.get(title="Marchés publics").organisation is None

    response = client.post(
        reverse("portal:tile_edit", args=[theirs.pk]),
        {"organisation": org_b.pk, "title": "Paie", "url": "https://paie.example.fr"},
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.title == "Paie"

    page = text(client.get(reverse("portal:tiles")))
    assert "Tout le territoire" in page and "Commune B" in page


def test_reorder_with_up_and_down(admin_a, org_a):
    first, second, third = (
        services.create_tile(admin_a, organisation=org_a, title=t, url="/agenda/")
        for t in ("Un", "Deux", "Trois")
    )
    client = signed_in(admin_a)

    response = client.post(reverse("portal:tile_move", args=[third.pk]), {"sens": "up"})
    assert response.status_code == 302
    assert [t.title for t in AppTile.objects.order_by("position")] == ["Un", "Trois", "Deux"]

    client.post(reverse("portal:tile_move", args=[first.pk]), {"sens": "down"})
    assert [t.title for t in AppTile.objects.order_by("position")] == ["Trois", "Un", "Deux"]

    response = client.post(reverse("portal:tile_move", args=[third.pk]), {"sens": "up"})
    assert "déjà" in notices(response)[-1]
    assert client.get(reverse("portal:tile_move", args=[third.pk])).status_code == 405
    assert second.pk


def test_delete_a_tile(admin_a, org_a):
    tile = _tile(org_a)
    response = signed_in(admin_a).post(reverse("portal:tile_delete", args=[tile.pk]))
    assert response.status_code == 302
    assert not AppTile.objects.exists()


def test_visible_tiles_by_organisation(org_a, org_b, admin_a):
    a, b, t = _tile(org_a, "A"), _tile(org_b, "B"), _tile(None, "T")
    agent_b = UserFactory(organisation=org_b)
    assert set(visible(agent_b, AppTile)) == {b, t}
    assert set(visible(admin_a, AppTile)) == {a, t}
    assert not can(admin_a, "manage", t) and can(admin_a, "manage", a)


# --- announcements -----------------------------------------------------------------------------


def test_org_admin_publishes_an_announcement(admin_a, org_a):
    client = signed_in(admin_a)
    assert client.get(reverse("portal:announcement_create")).status_code == 200

    response = client.post(
        reverse("portal:announcement_create"),
        {"title": "Fermeture vendredi", "body": "La mairie **ferme**.", "level": "important"},
    )

    assert response.status_code == 302
    announcement = Announcement.objects.get()
    assert announcement.organisation == org_a
    assert "Fermeture vendredi" in text(client.get(reverse("portal:announcements")))
    assert "Fermeture vendredi" in text(client.get(reverse("portal:home")))


def test_announcement_ending_before_it_starts_is_refused(admin_a):
    response = signed_in(admin_a).post(
        reverse("portal:announcement_create"),
        {"title": "x", "level": "info", "starts_at": "2030-05-10T10:00",
         "ends_at": "2030-05-01T10:00"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "doit venir après son début." in text(response)
    assert not Announcement.objects.exists()


def test_announcements_of_others_and_territory_are_out_of_reach(admin_a, org_b, operator):
    now = timezone.now()
    theirs = Announcement.objects.create(organisation=org_b, title="B", starts_at=now)
    territory = Announcement.objects.create(organisation=None, title="T", starts_at=now)
    client = signed_in(admin_a)

    assert client.get(reverse("portal:announcement_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("portal:announcement_delete", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("portal:announcement_edit", args=[territory.pk])).status_code == 403
    assert (
        client.post(reverse("portal:announcement_delete", args=[territory.pk])).status_code == 403
    )
    assert Announcement.objects.count() == 2

    response = signed_in(operator).post(reverse("portal:announcement_delete", args=[territory.pk]))
    assert response.status_code == 302
    assert not Announcement.objects.filter(pk=territory.pk).exists()


def test_an_admin_still_edits_an_announcement_that_ended(admin_a, org_a):
    now = timezone.now()
    past = Announcement.objects.create(
        organisation=org_a, title="Passée", starts_at=now - dt.timedelta(days=3),
        ends_at=now - dt.timedelta(days=1),
    )  # fmt: skip
    client = signed_in(admin_a)
    assert "Terminée" in text(client.get(reverse("portal:announcements")))
    assert client.get(reverse("portal:announcement_edit", args=[past.pk])).status_code == 200
    agent = UserFactory(organisation=org_a)
    assert not visible(agent, Announcement).filter(pk=past.pk).exists()


def test_admin_index_links_to_the_management_pages(admin_a):
    page = text(signed_in(admin_a).get(reverse("admin_org:index")))
    assert reverse("portal:tiles") in page
    assert reverse("portal:announcements") in page


def test_operator_forms_offer_the_choice_of_audience(operator):
    announcement = Announcement.objects.create(
        organisation=None, title="T", starts_at=timezone.now()
    )
    client = signed_in(operator)
    for url in (
        reverse("portal:tile_create"),
        reverse("portal:announcement_create"),
        reverse("portal:announcement_edit", args=[announcement.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "Pour qui" in text(response) and "Tout le territoire" in text(response)


def test_changes_to_tiles_and_announcements_are_in_the_audit_log(admin_a, org_a):
    from entente.audit.models import AuditEvent, EventKind

    tile = services.create_tile(
        admin_a, organisation=org_a, title="Paie", url="https://paie.example/"
    )
    tile = services.update_tile(admin_a, tile, title="Paie et RH")
    services.delete_tile(admin_a, tile)
    notice = services.create_announcement(admin_a, organisation=org_a, title="Fermeture", body="")
    rows = list(
        AuditEvent.objects.filter(
            kind__in=[EventKind.PORTAL_TILE_CHANGED, EventKind.PORTAL_ANNOUNCEMENT_CHANGED]
        ).order_by("pk")
    )
    assert [(r.kind, r.data["action"], r.data["title"]) for r in rows] == [
        (EventKind.PORTAL_TILE_CHANGED, "created", "Paie"),
        (EventKind.PORTAL_TILE_CHANGED, "updated", "Paie et RH"),
        (EventKind.PORTAL_TILE_CHANGED, "deleted", "Paie et RH"),
        (EventKind.PORTAL_ANNOUNCEMENT_CHANGED, "created", notice.title),
    ]
    assert {r.organisation_id for r in rows} == {org_a.pk}
    assert rows[0].actor_id == admin_a.pk
