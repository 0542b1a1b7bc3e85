"""Rooms: the list, each room's week (busy only for another organisation's), and their
management by organisation admins."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from entente.calendars import services
from entente.calendars.models import Resource
from entente.calendars.tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"
PARIS = ZoneInfo("Europe/Paris")
PAGE = "/agenda/salles/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def text(response) -> str:
    return response.content.decode()


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def book(owner, room, day, title, **extra):
    return services.create_event(
        owner,
        services.default_calendar(owner),
        services.EventData(
            title=title, start=at(day, 9), end=at(day, 10), resources=[room], **extra
        ),
    )


def test_the_list_shows_own_rooms_and_the_territorys_bookable_ones(agent, org, other_org):
    ResourceFactory(organisation=org, name="Salle du conseil", capacity=30, equipment="écran")
    ResourceFactory(organisation=other_org, name="Auditorium", bookable_by_territory=True)
    ResourceFactory(organisation=other_org, name="Bureau privé")

    response = signed_in(agent).get(PAGE)

    page = text(response)
    assert response.status_code == 200
    assert "Salle du conseil" in page and "écran" in page and "30" in page
    assert "Auditorium" in page and "Métropole du Lac" in page
    assert "Bureau privé" not in page
    assert "Ajouter une salle" not in page


def test_an_empty_list_says_what_goes_there(agent):
    assert "Aucune salle n'est encore réservable" in text(signed_in(agent).get(PAGE))


def test_a_room_of_my_organisation_shows_titles_i_may_read(agent, org):
    room = ResourceFactory(organisation=org, name="Salle du conseil")
    day = timezone.localdate() + dt.timedelta(days=1)
    book(agent, room, day, "Commission urbanisme")

    response = signed_in(agent).get(f"/agenda/salles/{room.pk}/", {"date": day.isoformat()})

    assert response.status_code == 200
    assert "9 h 00 – 10 h 00" in text(response)
    assert "Commission urbanisme" in text(response)


def test_another_organisations_room_shows_busy_times_only(agent, other_agent, other_org):
    room = ResourceFactory(organisation=other_org, name="Auditorium", bookable_by_territory=True)
    day = timezone.localdate() + dt.timedelta(days=1)
    book(other_agent, room, day, "Conseil métropolitain")

    response = signed_in(agent).get(f"/agenda/salles/{room.pk}/", {"date": day.isoformat()})

    page = text(response)
    assert response.status_code == 200
    assert "seuls ses moments occupés sont visibles" in page
    assert "9 h 00 – 10 h 00" in page and "Occupé" in page
    assert "Conseil métropolitain" not in page


def test_a_room_i_may_not_see_is_a_404(agent, other_org):
    room = ResourceFactory(organisation=other_org, name="Bureau privé")

    assert signed_in(agent).get(f"/agenda/salles/{room.pk}/").status_code == 404
    assert signed_in(agent).get(f"/agenda/salles/{room.pk}/modifier/").status_code == 404
    assert signed_in(agent).get("/agenda/salles/nouvelle/").status_code == 404


def test_an_admin_creates_edits_and_deactivates_a_room(org_admin, org):
    client = signed_in(org_admin)
    assert "Ajouter une salle ou du matériel" in text(client.get(PAGE))

    created = client.post(
        "/agenda/salles/nouvelle/",
        {
            "kind": "room",
            "name": "Salle des mariages",
            "capacity": "40",
            "equipment": "micro",
            "is_active": "on",
        },
    )

    assert created.status_code == 302
    room = Resource.objects.get(name="Salle des mariages")
    assert room.organisation == org and room.capacity == 40 and room.calendar is not None

    client.post(
        f"/agenda/salles/{room.pk}/modifier/",
        {"kind": "room", "name": "Salle des mariages", "capacity": "40", "is_active": ""},
    )
    room.refresh_from_db()
    assert room.is_active is False
    assert "désactivée" in text(client.get(PAGE))


def test_bad_room_input_is_shown_by_the_field(org_admin, org):
    ResourceFactory(organisation=org, name="Salle du conseil")

    response = signed_in(org_admin).post(
        "/agenda/salles/nouvelle/", {"kind": "fusée", "name": "", "capacity": "-3"}
    )

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"kind", "name", "capacity"}


def test_a_duplicate_room_name_is_explained(org_admin, org):
    ResourceFactory(organisation=org, name="Salle du conseil")

    response = signed_in(org_admin).post(
        "/agenda/salles/nouvelle/", {"kind": "room", "name": "Salle du conseil", "is_active": "on"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Resource.objects.filter(name="Salle du conseil").count() == 1


def test_an_admin_cannot_manage_another_organisations_room(org_admin, other_org):
    room = ResourceFactory(organisation=other_org, name="Auditorium", bookable_by_territory=True)

    assert signed_in(org_admin).get(f"/agenda/salles/{room.pk}/modifier/").status_code == 404
