"""« Mes agendas »: create, rename, delete, share (policy errors in French), unshare, and the
private subscription address."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from entente.calendars import services
from entente.calendars.models import Calendar, CalendarShare
from entente.directory.models import Group

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"
PAGE = "/agenda/agendas/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def text(response) -> str:
    return response.content.decode()


def notices(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_page_lists_my_calendars_with_the_subscription_address(agent):
    mine = services.default_calendar(agent)

    response = signed_in(agent).get(PAGE)

    assert response.status_code == 200
    page = text(response)
    assert "Mon agenda" in page and "agenda principal" in page
    assert f"/agenda/flux/{mine.feed_token}.ics" in page
    assert "à coller dans Thunderbird, Outlook ou votre téléphone. Ne la partagez pas" in page
    assert "Supprimer…" not in page  # the default calendar stays


def test_a_calendar_is_created_renamed_and_deleted(agent):
    client = signed_in(agent)

    created = client.post(
        "/agenda/agendas/nouveau/", {"nouvel-name": "Projet école", "nouvel-colour": "#0f6b4f"}
    )
    assert created.status_code == 302
    calendar = Calendar.objects.get(name="Projet école")
    assert calendar.owner == agent and calendar.colour == "#0f6b4f"

    renamed = client.post(
        f"/agenda/agendas/{calendar.pk}/modifier/", {"name": "Projet collège", "colour": "#7a1f5c"}
    )
    assert renamed.status_code == 302
    calendar.refresh_from_db()
    assert (calendar.name, calendar.colour) == ("Projet collège", "#7a1f5c")

    confirm = client.get(f"/agenda/agendas/{calendar.pk}/supprimer/")
    assert "Supprimer l'agenda « Projet collège » ?" in text(confirm)
    client.post(f"/agenda/agendas/{calendar.pk}/supprimer/")
    assert not Calendar.objects.filter(pk=calendar.pk).exists()


def test_bad_calendar_input_is_shown_by_the_field(agent):
    client = signed_in(agent)

    response = client.post(
        "/agenda/agendas/nouveau/", {"nouvel-name": "", "nouvel-colour": "#ffffff"}
    )

    assert response.status_code == 200
    assert set(response.context["create_form"].errors) == {"name", "colour"}


def test_the_default_calendar_cannot_be_deleted(agent):
    mine = services.default_calendar(agent)
    client = signed_in(agent)

    assert "ne peut pas être supprimé" in text(client.get(f"/agenda/agendas/{mine.pk}/supprimer/"))
    response = client.post(f"/agenda/agendas/{mine.pk}/supprimer/")

    assert Calendar.objects.filter(pk=mine.pk).exists()
    assert "ne peut pas être supprimé" in notices(response)[0]


def test_sharing_with_a_person_found_by_name_then_removing_it(agent, org):
    from entente.accounts.tests.factories import UserFactory

    colleague = UserFactory(organisation=org, first_name="Claire", last_name="Fontaine")
    mine = services.default_calendar(agent)
    client = signed_in(agent)
    prefix = f"partage-{mine.pk}"

    response = client.post(
        f"/agenda/agendas/{mine.pk}/partager/",
        {f"{prefix}-person": "clai font", f"{prefix}-level": "write"},
    )

    assert response.status_code == 302
    share = CalendarShare.objects.get(calendar=mine)
    assert share.user == colleague and share.level == "write"
    assert "partagé avec Claire Fontaine : Lecture et modification" in notices(response)[0]
    page = text(client.get(PAGE))
    assert "Claire Fontaine" in page and "Retirer" in page

    client.post(f"/agenda/agendas/{mine.pk}/partages/{share.pk}/retirer/")
    assert not CalendarShare.objects.exists()


def test_sharing_with_a_group_or_an_organisation(agent, org, other_org):
    group = Group.objects.create(organisation=org, name="Urbanisme")
    mine = services.default_calendar(agent)
    client = signed_in(agent)
    prefix = f"partage-{mine.pk}"

    client.post(
        f"/agenda/agendas/{mine.pk}/partager/",
        {f"{prefix}-group": group.pk, f"{prefix}-level": "read"},
    )
    client.post(
        f"/agenda/agendas/{mine.pk}/partager/",
        {f"{prefix}-organisation": other_org.pk, f"{prefix}-level": "freebusy"},
    )

    levels = {(s.group_id, s.organisation_id): s.level for s in CalendarShare.objects.all()}
    assert levels == {(group.pk, None): "read", (None, other_org.pk): "freebusy"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choisissez une seule personne"),
        ({"person": "personne-inconnue"}, "Personne ne correspond"),
        ({"person": "inconnu@nulle-part.fr"}, "Personne ne correspond"),
        ({"person": "x", "group": "999999"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_share_input_is_explained(agent, data, message):
    mine = services.default_calendar(agent)
    prefix = f"partage-{mine.pk}"
    payload = {f"{prefix}-{k}": v for k, v in data.items()} | {f"{prefix}-level": "read"}

    response = signed_in(agent).post(f"/agenda/agendas/{mine.pk}/partager/", payload)

    assert response.status_code == 200
    assert message in text(response)
    assert not CalendarShare.objects.exists()


def test_the_policy_error_of_share_calendar_is_shown_in_french(agent, org, other_agent):
    org.policy.external_sharing_allowed = False
    org.policy.save()
    mine = services.default_calendar(agent)
    prefix = f"partage-{mine.pk}"

    response = signed_in(agent).post(
        f"/agenda/agendas/{mine.pk}/partager/",
        {f"{prefix}-person": other_agent.email, f"{prefix}-level": "read"},
    )

    assert response.status_code == 200
    assert "n&#x27;autorise pas le partage avec les autres organisations" in text(response)
    assert not CalendarShare.objects.exists()


def test_renewing_the_address_revokes_the_old_one(agent):
    mine = services.default_calendar(agent)
    old = mine.feed_token

    response = signed_in(agent).post(f"/agenda/agendas/{mine.pk}/renouveler/")

    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.feed_token != old
    assert "l'ancienne ne fonctionne plus" in notices(response)[0]


def test_a_shared_calendar_is_listed_but_not_managed(agent, other_agent):
    theirs = services.default_calendar(other_agent)
    services.share_calendar(other_agent, theirs, agent, "read")
    client = signed_in(agent)

    page = text(client.get(PAGE))

    assert "Agendas partagés avec vous" in page and "Bernard Petit" in page
    assert theirs.feed_token not in page
    for url in ("modifier/", "supprimer/", "renouveler/", "partager/"):
        response = client.post(f"/agenda/agendas/{theirs.pk}/{url}")
        assert response.status_code == 404, url


@pytest.mark.parametrize("action", ["modifier/", "supprimer/", "renouveler/", "partager/"])
def test_someone_elses_calendar_is_a_404(agent, other_agent, action):
    theirs = services.default_calendar(other_agent)

    assert signed_in(agent).post(f"/agenda/agendas/{theirs.pk}/{action}").status_code == 404


def test_the_page_costs_a_bounded_number_of_queries(agent, org):
    from entente.accounts.tests.factories import UserFactory

    client = signed_in(agent)
    mine = services.default_calendar(agent)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as few:
        client.get(PAGE)
    for _i in range(4):
        services.share_calendar(agent, mine, UserFactory(organisation=org), "read")
    with CaptureQueriesContext(connection) as more:
        client.get(PAGE)

    assert len(more) == len(few)
