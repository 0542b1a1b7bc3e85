"""« Trouver un créneau » as a page: attendees through the permission layer, bad input, slots."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from entente.accounts.tests.factories import UserFactory
from entente.calendars.freebusy import french_holidays
from entente.calendars.models import Attendee, CalendarKind, Event, Privacy
from entente.calendars.recurrence import rebuild_occurrences
from entente.calendars.tests.factories import CalendarFactory, ResourceFactory
from entente.directory.tests.factories import ServiceFactory
from entente.organisations.models import DirectoryVisibility
from entente.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


URL = "/agenda/trouver-un-creneau/"
BACKEND = "entente.accounts.backends.AuthenticationBackend"
PARIS = ZoneInfo("Europe/Paris")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def next_working_day() -> dt.date:
    """The first working day after today (the default period starts today)."""
    day = timezone.now().astimezone(PARIS).date() + dt.timedelta(days=1)
    while day.weekday() >= 5 or day in french_holidays(day.year):
        day += dt.timedelta(days=1)
    return day


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def make_event(owner, start, end, title, privacy=Privacy.PUBLIC, users=(), resources=()):
    calendar = CalendarFactory(owner=owner, kind=CalendarKind.PERSONAL)
    event = Event.objects.create(
        calendar=calendar, title=title, start=start, end=end, privacy=privacy, organiser=owner
    )
    for user in users:
        Attendee.objects.create(event=event, user=user, partstat="ACCEPTED")
    for resource in resources:
        Attendee.objects.create(event=event, resource=resource, partstat="ACCEPTED")
    rebuild_occurrences(event)
    return event


def page_text(response) -> str:
    return response.content.decode()


def notices(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def closed_person(db):
    """Someone of a commune that shows its directory to its own people only."""
    closed = OrganisationFactory(name="Commune discrète", slug="discrete")
    closed.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    closed.policy.save()
    return UserFactory(organisation=closed, first_name="Cachée", last_name="Secrète")


def test_anonymous_visitors_are_sent_to_the_sign_in_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/?next=")


def test_coming_from_a_card_adds_the_person_and_the_viewer_and_proposes_slots(agent, other_agent):
    day = next_working_day()
    make_event(other_agent, at(day, 8), at(day, 10), "Chantier rue Haute", Privacy.PRIVATE)

    response = signed_in(agent).get(URL, {"personne": other_agent.pk})

    assert response.status_code == 200
    text = page_text(response)
    assert "Agnès Martin" in text and "Bernard Petit" in text
    assert "Créneaux proposés" in text and "Choisir ce créneau" in text
    # another organisation's events show as busy bands, never by their title
    assert "Chantier rue Haute" not in text
    week = response.context["week"]
    bernard = next(row for row in week["rows"] if row["label"] == "Bernard Petit")
    assert "8 h 00 – 10 h 00 : Occupé" in [i for cell in bernard["cells"] for i in cell["items"]]


def test_the_first_slot_links_to_the_event_form_with_everyone(agent, other_agent, org):
    day = next_working_day()
    room = ResourceFactory(organisation=org, name="Salle des mariages")
    make_event(agent, at(day, 8), at(day, 10), "Instruction des permis")

    response = signed_in(agent).get(
        URL,
        [
            ("personne", agent.pk),
            ("personne", other_agent.pk),
            ("salle", room.pk),
            ("externe", "Paul@Association.example"),
            ("duree", "90"),
            ("suite", "1"),
        ],
    )

    first = response.context["slots"][0]
    assert first["label"].startswith(
        f"{['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi'][day.weekday()]} {day.day} "
    )
    assert first["label"].endswith("10 h 00 – 11 h 30")
    assert first["unknown"] == ["paul@association.example"]
    link = urlsplit(first["choose_url"])
    assert link.path == "/agenda/nouveau/"
    query = parse_qs(link.query)
    start = at(day, 10).astimezone(dt.UTC)
    assert query["start"] == [start.strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert query["end"] == [(start + dt.timedelta(minutes=90)).strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert query["personne"] == [str(agent.pk), str(other_agent.pk)]
    assert query["salle"] == [str(room.pk)] and query["externe"] == ["paul@association.example"]
    text = page_text(response)
    assert "Instruction des permis" in text  # one's own titles are shown
    assert "Disponibilité inconnue" in text


def test_searching_bern_voi_finds_bernard_of_the_voirie(agent, other_agent, other_org):
    other_agent.service = ServiceFactory(organisation=other_org, name="Voirie")
    other_agent.save()
    UserFactory(organisation=other_org, first_name="Bernadette", last_name="Roux")

    response = signed_in(agent).get(URL, {"q": "bern voi"})

    found = response.context["search"]["people"]
    assert [item["obj"] for item in found] == [other_agent]
    assert f'value="personne-{other_agent.pk}"' in page_text(response)


def test_the_search_fragment_alone_is_served_for_live_search(agent, other_agent):
    response = signed_in(agent).get(URL, {"q": "bern", "partiel": "recherche", "suite": "1"})

    text = page_text(response)
    assert "Bernard Petit" in text and "<html" not in text


def test_an_add_button_adds_the_person_and_shows_the_clean_address(agent, other_agent):
    response = signed_in(agent).get(
        URL,
        {"personne": agent.pk, "q": "bern", "ajouter": f"personne-{other_agent.pk}", "suite": "1"},
    )

    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["personne"] == [str(agent.pk), str(other_agent.pk)]
    assert "q" not in query and "ajouter" not in query
    assert notices(response) == ["Bernard Petit fait partie des participants."]


def test_an_outside_address_is_added_from_the_search_box(agent):
    client = signed_in(agent)
    shown = client.get(URL, {"q": "paul@association.example", "suite": "1"})
    assert shown.context["search"]["address"] == "paul@association.example"

    response = client.get(URL, {"ajouter": "externe-paul@association.example", "suite": "1"})

    assert parse_qs(urlsplit(response["Location"]).query)["externe"] == ["paul@association.example"]


def test_a_person_hidden_by_their_directory_policy_cannot_be_added(agent, closed_person):
    client = signed_in(agent)

    searched = client.get(URL, {"q": "cach"})
    added = client.get(URL, {"ajouter": f"personne-{closed_person.pk}", "suite": "1"})
    asked = client.get(URL, {"personne": closed_person.pk})

    assert searched.context["search"]["people"] == []
    assert added.status_code == 302
    assert "personne" not in parse_qs(urlsplit(added["Location"]).query)
    assert "ne partage pas son annuaire" in notices(added)[0]
    assert asked.status_code == 200
    assert "ne partage pas son annuaire" in page_text(asked)
    assert "Secrète" not in page_text(asked)
    assert [row["label"] for row in asked.context["attendees"]] == ["Agnès Martin"]


def test_missing_and_hidden_people_get_the_same_answer(agent, closed_person):
    client = signed_in(agent)

    hidden = client.get(URL, {"personne": closed_person.pk})
    missing = client.get(URL, {"personne": 987654})

    assert hidden.context["problems"] == missing.context["problems"]


def test_a_room_of_another_organisation_not_open_to_booking_is_refused(agent, other_org):
    room = ResourceFactory(organisation=other_org, bookable_by_territory=False)

    response = signed_in(agent).get(URL, {"salle": room.pk})

    assert response.status_code == 200 and room.name not in page_text(response)
    assert response.context["problems"]


def test_a_busy_room_is_never_proposed(agent, org):
    day = next_working_day()
    room = ResourceFactory(organisation=org)
    make_event(agent, at(day, 0), at(day, 23), "Travaux", resources=[room])

    response = signed_in(agent).get(
        URL, [("salle", room.pk), ("du", day.isoformat()), ("au", day.isoformat()), ("suite", "1")]
    )

    assert response.context["slots"] == []
    assert "Aucun créneau ne convient" in page_text(response)


def test_the_viewer_may_remove_themself(agent, other_agent):
    response = signed_in(agent).get(URL, {"personne": other_agent.pk})
    remove_me = response.context["attendees"][0]["remove_url"]

    after = signed_in(agent).get(remove_me)

    assert [row["label"] for row in after.context["attendees"]] == ["Bernard Petit"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"duree": "7"}, "Sélectionnez un choix valide"),
        ({"du": "pas une date"}, "Saisissez une date valide"),
        ({"du": "2030-02-10", "au": "2030-02-01"}, "date de fin après la date de début"),
        ({"du": "2030-02-01", "au": "2030-04-01"}, "au plus 6 semaines"),
        ({"du": "9999-12-31", "au": "9999-12-31"}, "dans les dix ans"),
        ({"du": "0001-01-01", "au": "0001-01-02"}, "dans les dix ans"),
        ({"personne": "abc"}, "ne partage pas son annuaire"),
        ({"salle": "99999999999999999999"}, "ne partage pas son annuaire"),
        ({"externe": "pas-une-adresse"}, "pas une adresse e-mail valide"),
        ({"q": "x" * 200}, "100 caractères"),
        ({"ajouter": "n'importe-quoi"}, None),
    ],
)
def test_bad_input_shows_the_form_again_with_a_french_message(agent, params, message):
    response = signed_in(agent).get(URL, params, follow=True)

    assert response.status_code == 200
    if message:
        assert message in page_text(response).replace("&#x27;", "'")


def test_a_past_period_says_so(agent):
    response = signed_in(agent).get(URL, {"du": "2020-01-06", "au": "2020-01-10"})

    assert response.context["slots"] == []
    assert "Cette période est passée" in page_text(response)


def test_fifty_attendees_at_most(agent, org):
    people = UserFactory.create_batch(51, organisation=org)

    response = signed_in(agent).get(URL, [("personne", p.pk) for p in people] + [("suite", "1")])

    assert len(response.context["attendees"]) == 50
    assert "50 participants au plus" in page_text(response)


def test_the_number_of_queries_does_not_grow_with_the_attendees(agent, org, other_org):
    day = next_working_day()
    people = [UserFactory(organisation=org if n % 2 else other_org) for n in range(20)]
    for n, person in enumerate(people):
        make_event(person, at(day, 9 + n % 8), at(day, 10 + n % 8), f"Réunion {n}")
    client = signed_in(agent)
    client.get(URL)  # the session and the first-visit work are not what is measured

    with CaptureQueriesContext(connection) as few:
        client.get(URL, [("personne", p.pk) for p in people[:2]])
    with CaptureQueriesContext(connection) as many:
        client.get(URL, [("personne", p.pk) for p in people])

    assert len(many) == len(few)
