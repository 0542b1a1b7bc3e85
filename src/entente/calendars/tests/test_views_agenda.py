"""The agenda's pages: day, week, month and list views, quick add, invitations, the event form
and the event page, with bad input and other organisations' data."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from entente.calendars import services
from entente.calendars.models import Attendee, Calendar, Event, PartStat, Privacy
from entente.calendars.tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"
PARIS = ZoneInfo("Europe/Paris")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def today() -> dt.date:
    return timezone.localdate()


def make(owner, start, end, title, calendar=None, **extra) -> Event:
    calendar = calendar or services.default_calendar(owner)
    return services.create_event(
        owner, calendar, services.EventData(title=title, start=start, end=end, **extra)
    )


def text(response) -> str:
    return response.content.decode()


def notices(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- the views ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/agenda/")

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/login/")


def test_the_week_lists_each_day_with_a_heading_and_events_with_their_time(agent):
    day = today()
    make(agent, at(day, 10), at(day, 11, 30), "Réunion voirie")

    response = signed_in(agent).get("/agenda/")

    assert response.status_code == 200
    page = text(response)
    monday = day - dt.timedelta(days=day.weekday())
    assert f'id="jour-{monday.isoformat()}"' in page
    assert page.count('class="ag-day__title"') == 7
    assert "10 h 00 – 11 h 30" in page and "Réunion voirie" in page
    # the grid is for the eye only: its links are out of the tab order
    assert 'class="ag-grid ag-grid--7" aria-hidden="true"' in page
    assert 'tabindex="-1"' in page


@pytest.mark.parametrize(
    "url",
    [
        "/agenda/jour/{day}/",
        "/agenda/semaine/{day}/",
        "/agenda/mois/{month}/",
        "/agenda/liste/?du={day}",
    ],
)
def test_each_view_shows_the_event(agent, url):
    day = today()
    make(agent, at(day, 9), at(day, 10), "Permanence urbanisme")

    response = signed_in(agent).get(url.format(day=day.isoformat(), month=f"{day:%Y-%m}"))

    assert response.status_code == 200
    assert "Permanence urbanisme" in text(response)
    assert "9 h 00 – 10 h 00" in text(response)


def test_the_month_is_a_table_with_caption_and_column_headers(agent):
    response = signed_in(agent).get("/agenda/mois/2030-03/")

    page = text(response)
    assert "<caption>Mars 2030</caption>" in page
    assert page.count('<th scope="col">') == 7
    assert "/agenda/mois/2030-02/" in page and "/agenda/mois/2030-04/" in page


@pytest.mark.parametrize(
    "url",
    [
        "/agenda/jour/2030-02-30/",
        "/agenda/semaine/demain/",
        "/agenda/semaine/9999-12-31/",
        "/agenda/mois/2030-13/",
        "/agenda/liste/?du=n'importe",
    ],
)
def test_a_bad_date_is_a_404_not_a_500(agent, url):
    assert signed_in(agent).get(url).status_code == 404


def test_the_jump_form_goes_to_the_chosen_view(agent):
    client = signed_in(agent)

    assert client.get("/agenda/aller/", {"date": "2030-05-14", "vue": "mois"})["Location"] == (
        "/agenda/mois/2030-05/"
    )
    assert client.get("/agenda/aller/", {"date": "2030-05-14"})["Location"] == (
        "/agenda/semaine/2030-05-14/"
    )
    bad = client.get("/agenda/aller/", {"date": "pas une date", "vue": "jour"})
    assert bad.status_code == 302 and bad["Location"].startswith("/agenda/jour/")


def test_calendars_are_overlaid_each_with_its_colour_and_name(agent, org):
    day = today()
    mine = services.default_calendar(agent)
    project = services.create_calendar(agent, name="Projet école", colour=mine.colour)
    make(agent, at(day, 9), at(day, 10), "Dans le principal")
    make(agent, at(day, 14), at(day, 15), "Dans le projet", calendar=project)

    client = signed_in(agent)
    both = client.get("/agenda/")
    only_project = client.get("/agenda/", {"choix": "1", "cal": [project.pk]})

    assert "Dans le principal" in text(both) and "Dans le projet" in text(both)
    rows = {row["calendar"].pk: row["colour"] for row in both.context["panel_rows"]}
    assert rows[mine.pk] != rows[project.pk]  # same colour set: shown apart anyway
    assert "Dans le principal" not in text(only_project)
    assert "Dans le projet" in text(only_project)
    # navigation keeps the choice
    assert f"choix=1&amp;cal={project.pk}" in text(only_project)


def test_a_calendar_nobody_shared_is_never_shown_even_when_asked(agent, other_agent):
    day = today()
    make(other_agent, at(day, 9), at(day, 10), "Secret métropole")
    theirs = services.default_calendar(other_agent)

    response = signed_in(agent).get("/agenda/", {"choix": "1", "cal": [theirs.pk]})

    assert response.status_code == 200
    assert "Secret métropole" not in text(response)


def test_a_private_event_of_a_shared_calendar_shows_busy_only(agent, other_agent):
    day = today()
    theirs = services.default_calendar(other_agent)
    services.share_calendar(other_agent, theirs, agent, "read")
    make(other_agent, at(day, 9), at(day, 10), "Rendez-vous médical", privacy=Privacy.PRIVATE)
    make(other_agent, at(day, 11), at(day, 12), "Conseil métropolitain")

    response = signed_in(agent).get("/agenda/", {"choix": "1", "cal": [theirs.pk]})

    page = text(response)
    assert "Rendez-vous médical" not in page
    assert (
        '9 h 00 – 10 h 00</span><span class="visually-hidden"> : </span> <span class="ag-list__title">Occupé'
        in page
    )
    assert "Conseil métropolitain" in page
    assert "Mon agenda (Bernard Petit)" in page  # whose calendar, not only its name


def test_the_week_costs_a_bounded_number_of_queries(agent):
    day = today()
    client = signed_in(agent)
    make(agent, at(day, 9), at(day, 10), "Un")
    client.get("/agenda/")
    with CaptureQueriesContext(connection) as few:
        client.get("/agenda/")
    make(agent, at(day, 11), at(day, 12), "Deux", rrule="FREQ=DAILY;COUNT=5")
    with CaptureQueriesContext(connection) as more:
        client.get("/agenda/")

    # one more event (five occurrences) costs its permission check, not one per occurrence
    assert len(more) - len(few) <= 4


# --- invitations and quick add -----------------------------------------------------------------


def test_invitations_are_at_the_top_and_answered_in_one_click(agent, other_agent):
    day = today() + dt.timedelta(days=1)
    event = make(other_agent, at(day, 10), at(day, 11), "Comité de pilotage", users=[agent])
    client = signed_in(agent)

    page = text(client.get("/agenda/"))
    assert "Une invitation attend votre réponse" in page and "Comité de pilotage" in page

    response = client.post(
        f"/agenda/evenements/{event.pk}/repondre/", {"reponse": "ACCEPTED", "next": "/agenda/"}
    )

    assert response.status_code == 302 and response["Location"] == "/agenda/"
    assert Attendee.objects.get(event=event, user=agent).partstat == PartStat.ACCEPTED
    assert "attend votre réponse" not in text(client.get("/agenda/"))


def test_a_bad_answer_or_an_outside_next_is_refused_gently(agent, other_agent):
    day = today() + dt.timedelta(days=1)
    event = make(other_agent, at(day, 10), at(day, 11), "Comité", users=[agent])

    response = signed_in(agent).post(
        f"/agenda/evenements/{event.pk}/repondre/",
        {"reponse": "PEUT-ETRE", "next": "https://ailleurs.example/"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/agenda/evenements/{event.pk}/"
    assert Attendee.objects.get(event=event, user=agent).partstat == PartStat.NEEDS_ACTION


def test_someone_not_invited_cannot_answer(agent, other_agent):
    day = today() + dt.timedelta(days=1)
    event = make(other_agent, at(day, 10), at(day, 11), "Comité")

    assert (
        signed_in(agent)
        .post(f"/agenda/evenements/{event.pk}/repondre/", {"reponse": "ACCEPTED"})
        .status_code
        == 404
    )


def test_quick_add_creates_the_event_in_the_default_calendar(agent):
    day = today()
    response = signed_in(agent).post(
        "/agenda/",
        {"titre": "Appel Bernard", "jour": day.isoformat(), "debut": "14:30", "duree": "30"},
    )

    assert response.status_code == 302
    event = Event.objects.get(title="Appel Bernard")
    assert event.calendar == services.default_calendar(agent)
    assert event.start == at(day, 14, 30) and event.end == at(day, 15)
    assert "« Appel Bernard » est ajouté à votre agenda" in notices(response)[0]


def test_quick_add_with_an_empty_title_shows_the_error_by_the_field(agent):
    response = signed_in(agent).post(
        "/agenda/", {"titre": "", "jour": "2030-01-10", "debut": "25:00", "duree": "7"}
    )

    assert response.status_code == 200
    form = response.context["quick"]
    assert set(form.errors) == {"titre", "debut", "duree"}
    assert not Event.objects.exists()


# --- the event form ----------------------------------------------------------------------------


def form_data(**changes) -> dict:
    day = today() + dt.timedelta(days=2)
    data = {
        "title": "Réunion de chantier",
        "all_day": "",
        "start_date": day.isoformat(),
        "start_time": "10:00",
        "end_date": day.isoformat(),
        "end_time": "11:00",
        "tzid": "Europe/Paris",
        "other_tzid": "",
        "repeat": "",
        "interval": "1",
        "repeat_end": "never",
        "privacy": "public",
        "busy": "1",
        "description": "",
        "location": "",
        "visio_url": "",
        "attachments": "",
        "externals": "",
        "q": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_new_event_form_is_prefilled_from_the_find_a_time_page(agent, other_agent, org):
    room = ResourceFactory(organisation=org, name="Salle du conseil")
    response = signed_in(agent).get(
        "/agenda/nouveau/",
        {
            "start": "2030-03-12T09:00:00Z",
            "end": "2030-03-12T10:30:00Z",
            "personne": [agent.pk, other_agent.pk, 999999],
            "salle": [room.pk],
            "externe": ["claire@exemple.org"],
            "titre": "Point voirie",
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form["start_date"].value() == dt.date(2030, 3, 12)
    assert str(form["start_time"].value()) == "10:00:00"  # 09:00 UTC is 10:00 in Paris
    assert str(form["end_time"].value()) == "11:30:00"
    assert [p.pk for p in response.context["chosen_people"]] == [other_agent.pk]
    assert form["rooms"].value() == [room.pk]
    assert form["externals"].value() == "claire@exemple.org"
    assert form["title"].value() == "Point voirie"
    assert "n'a pas été ajoutée" in notices(response)[0]


def test_an_event_is_created_with_people_rooms_reminders_and_links(
    agent, other_agent, org, mailoutbox
):
    room = ResourceFactory(organisation=org, name="Salle du conseil")
    response = signed_in(agent).post(
        "/agenda/nouveau/",
        form_data(
            calendar=services.default_calendar(agent).pk,
            people=[other_agent.pk],
            rooms=[room.pk],
            externals="claire@exemple.org\n",
            reminders=["10", "1440"],
            attachments="Ordre du jour https://docs.example.org/odj.pdf",
            visio_url="https://visio.example.org/abc",
            location="Mairie",
            description="<b>Apporter</b> les plans",
        ),
    )

    assert response.status_code == 302
    event = Event.objects.get(title="Réunion de chantier")
    assert response["Location"] == f"/agenda/evenements/{event.pk}/"
    assert event.reminders == [10, 1440]
    assert event.attachments == [
        {"title": "Ordre du jour", "url": "https://docs.example.org/odj.pdf"}
    ]
    people = {a.user_id for a in event.attendees.all() if a.user_id}
    assert people == {agent.pk, other_agent.pk}
    assert event.attendees.filter(resource=room).exists()
    assert event.attendees.filter(email="claire@exemple.org").exists()

    page = text(signed_in(agent).get(response["Location"]))
    assert "Rejoindre la visioconférence" in page
    assert "&lt;b&gt;Apporter&lt;/b&gt; les plans" in page  # escaped, never HTML
    assert "Salle du conseil" in page and "Ordre du jour" in page
    assert "Sans réponse" in page and "Organisateur" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "Donnez un titre"),
        ({"end_time": "09:00"}, "end_date", "La fin doit venir après le début."),
        ({"tzid": "Mars/Olympus"}, "tzid", "n'est pas un fuseau horaire connu"),
        ({"other_tzid": "Europe/Nulle-part"}, "other_tzid", "n'est pas un fuseau horaire connu"),
        ({"repeat": "HOURLY"}, "repeat", "Sélectionnez un choix valide"),
        ({"repeat": "WEEKLY", "interval": "0"}, "interval", ""),
        ({"repeat": "WEEKLY", "repeat_end": "count", "count": ""}, "count", "combien de fois"),
        ({"repeat": "WEEKLY", "repeat_end": "date", "until": "31/02"}, "until", ""),
        ({"people": ["999999"]}, "people", "introuvable"),
        ({"people": ["pas-un-nombre"]}, "people", "introuvable"),
        ({"rooms": ["999999"]}, "rooms", "introuvable"),
        ({"externals": "pas une adresse"}, "externals", "n'est pas une adresse e-mail"),
        ({"visio_url": "javascript:alert(1)"}, "visio_url", ""),
        ({"attachments": "juste un titre"}, "attachments", "ajoutez l'adresse"),
        ({"start_date": "1492-10-12"}, "start_date", "entre 1970 et 2100"),
        ({"start_time": ""}, "start_time", "Indiquez l'heure"),
    ],
)
def test_bad_input_is_shown_by_its_field_never_a_500(agent, changes, field, message):
    data = form_data(calendar=services.default_calendar(agent).pk, **changes)

    response = signed_in(agent).post("/agenda/nouveau/", data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not Event.objects.exists()
    assert "Le formulaire contient" in text(response)


def test_another_persons_calendar_cannot_be_chosen(agent, other_agent):
    data = form_data(calendar=services.default_calendar(other_agent).pk)

    response = signed_in(agent).post("/agenda/nouveau/", data)

    assert response.status_code == 200
    assert "calendar" in response.context["form"].errors
    assert not Event.objects.exists()


def test_a_weekly_series_is_built_from_the_repetition_fields(agent):
    data = form_data(
        calendar=services.default_calendar(agent).pk,
        repeat="WEEKLY",
        interval="2",
        repeat_end="count",
        count="6",
    )

    signed_in(agent).post("/agenda/nouveau/", data)

    event = Event.objects.get()
    assert event.rrule == "FREQ=WEEKLY;INTERVAL=2;COUNT=6"
    assert event.occurrences.count() == 6


def test_a_double_booked_room_proposes_the_free_rooms_in_one_click(agent, org_admin, org):
    day = today() + dt.timedelta(days=2)
    taken = ResourceFactory(organisation=org, name="Salle du conseil")
    free = ResourceFactory(organisation=org, name="Salle des fêtes")
    make(org_admin, at(day, 9, 30), at(day, 10, 30), "Déjà là", resources=[taken])
    client = signed_in(agent)
    data = form_data(calendar=services.default_calendar(agent).pk, rooms=[taken.pk])

    response = client.post("/agenda/nouveau/", data)

    assert response.status_code == 200
    assert "« Salle du conseil » n'est pas libre" in " ".join(
        response.context["form"].errors["rooms"]
    )
    assert [r.pk for r in response.context["free_rooms"]] == [free.pk]
    page = text(response)
    assert f'name="salle_libre" value="{free.pk}"' in page
    assert "Réserver plutôt Salle des fêtes" in page

    chosen = client.post(
        "/agenda/nouveau/", {**data, "salle_libre": str(free.pk), "conflits": str(taken.pk)}
    )

    assert chosen.status_code == 302
    event = Event.objects.get(title="Réunion de chantier")
    assert [a.resource_id for a in event.attendees.filter(resource__isnull=False)] == [free.pk]


def test_searching_and_adding_a_person_keeps_what_was_typed(agent, other_agent):
    client = signed_in(agent)
    data = form_data(calendar=services.default_calendar(agent).pk, title="Visite", q="bern")

    # Enter in the search box sends the form with its default button: a search, not a save
    found = client.post("/agenda/nouveau/", {**data, "enregistrer": "1"})

    assert found.status_code == 200
    assert not Event.objects.exists()
    assert [p.pk for p in found.context["search_results"]] == [other_agent.pk]
    assert found.context["form"].errors == {}
    assert 'Ajouter<span class="visually-hidden"> Bernard Petit' in text(found)

    added = client.post("/agenda/nouveau/", {**data, "ajouter_personne": str(other_agent.pk)})

    assert [p.pk for p in added.context["chosen_people"]] == [other_agent.pk]
    assert added.context["form"]["title"].value() == "Visite"
    assert added.context["form"]["q"].value() == ""

    saved = client.post("/agenda/nouveau/", {**data, "q": "", "people": [other_agent.pk]})

    assert saved.status_code == 302
    assert Event.objects.get().attendees.filter(user=other_agent).exists()


def test_an_assistant_sees_whose_calendar_each_one_is(agent, other_agent):
    from entente.calendars.models import CalendarShare, ShareLevel

    elu = services.default_calendar(other_agent)
    CalendarShare.objects.create(calendar=elu, user=agent, level=ShareLevel.WRITE)
    services.default_calendar(agent)

    page = text(signed_in(agent).get("/agenda/nouveau/"))

    assert f"Mon agenda ({other_agent.get_full_name()})" in page
    assert f"Mon agenda ({agent.get_full_name()})" in page


def test_the_save_button_saves_even_with_words_left_in_the_search_box(agent, other_agent):
    data = form_data(calendar=services.default_calendar(agent).pk, title="Visite", q="zzz")

    saved = signed_in(agent).post("/agenda/nouveau/", {**data, "enregistrer": "bouton"})

    assert saved.status_code == 302
    assert Event.objects.get().title == "Visite"


def test_the_visio_checkbox_asks_the_organisations_service(agent, org):
    org.policy.visio_service = "jitsi"
    org.policy.visio_base_url = "https://visio.valmont.fr"
    org.policy.save()
    data = form_data(calendar=services.default_calendar(agent).pk, create_visio="on")

    signed_in(agent).post("/agenda/nouveau/", data)

    assert Event.objects.get().visio_url.startswith("https://visio.valmont.fr/valmont-")


def test_without_a_visio_service_there_is_only_the_address_field(agent):
    page = text(signed_in(agent).get("/agenda/nouveau/"))

    assert "Créer un lien de visioconférence" not in page
    assert 'name="visio_url"' in page


# --- editing, series and deletion --------------------------------------------------------------


def test_editing_a_single_event_changes_it(agent):
    day = today() + dt.timedelta(days=2)
    event = make(agent, at(day, 10), at(day, 11), "Avant")
    client = signed_in(agent)
    assert (
        client.get(f"/agenda/evenements/{event.pk}/modifier/").context["form"]["title"].value()
        == "Avant"
    )

    response = client.post(
        f"/agenda/evenements/{event.pk}/modifier/",
        form_data(title="Après", start_date=day.isoformat(), end_date=day.isoformat()),
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Après"


def series(agent, count: int = 5) -> tuple[Event, list]:
    day = today() + dt.timedelta(days=1)
    event = make(agent, at(day, 10), at(day, 11), "Point hebdo", rrule=f"FREQ=WEEKLY;COUNT={count}")
    return event, list(event.occurrences.order_by("start"))


def occurrence_param(occurrence) -> str:
    return occurrence.recurrence_id.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_editing_one_occurrence_of_a_series_asks_the_scope(agent):
    event, rows = series(agent)
    third = rows[2]
    url = f"/agenda/evenements/{event.pk}/modifier/?occurrence={occurrence_param(third)}"
    client = signed_in(agent)

    shown = client.get(url)
    assert "Cette occurrence et les suivantes" in text(shown)
    local = third.start.astimezone(PARIS)
    assert shown.context["form"]["start_date"].value() == local.date()

    response = client.post(
        url,
        form_data(
            title="Point exceptionnel",
            start_date=local.date().isoformat(),
            end_date=local.date().isoformat(),
            start_time="14:00",
            end_time="15:00",
            repeat="WEEKLY",
            repeat_end="count",
            count="5",
            scope="this",
        ),
    )

    assert response.status_code == 302
    override = Event.objects.get(master=event)
    assert override.title == "Point exceptionnel"
    assert override.start == at(local.date(), 14)
    event.refresh_from_db()
    assert event.title == "Point hebdo" and event.occurrences.count() == 4


def test_editing_all_occurrences_from_one_keeps_the_series_start(agent):
    event, rows = series(agent)
    first_day = rows[0].start.astimezone(PARIS).date()
    third_day = rows[2].start.astimezone(PARIS).date()
    url = f"/agenda/evenements/{event.pk}/modifier/?occurrence={occurrence_param(rows[2])}"

    response = signed_in(agent).post(
        url,
        form_data(
            title="Point hebdo",
            start_date=third_day.isoformat(),
            end_date=third_day.isoformat(),
            start_time="11:00",
            end_time="12:00",
            repeat="WEEKLY",
            repeat_end="count",
            count="5",
            scope="all",
        ),
    )

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.start == at(first_day, 11)
    assert event.occurrences.count() == 5


def test_a_complex_rule_is_shown_and_kept(agent):
    day = today() + dt.timedelta(days=1)
    event = make(agent, at(day, 10), at(day, 11), "Conseil", rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=4")
    client = signed_in(agent)
    url = f"/agenda/evenements/{event.pk}/modifier/"

    shown = client.get(url)
    assert "Répétition personnalisée (FREQ=MONTHLY;BYDAY=1TU;COUNT=4)" in text(shown)
    assert shown.context["form"]["repeat"].value() == "keep"

    start = event.start.astimezone(PARIS)
    client.post(
        url,
        form_data(
            title="Conseil municipal",
            repeat="keep",
            start_date=start.date().isoformat(),
            end_date=start.date().isoformat(),
            start_time=f"{start:%H:%M}",
            end_time=f"{start + dt.timedelta(hours=1):%H:%M}",
        ),
    )

    event.refresh_from_db()
    assert event.title == "Conseil municipal"
    assert event.rrule == "FREQ=MONTHLY;BYDAY=1TU;COUNT=4"


def test_deleting_asks_for_confirmation_then_deletes(agent):
    day = today() + dt.timedelta(days=2)
    event = make(agent, at(day, 10), at(day, 11), "À supprimer")
    client = signed_in(agent)

    confirm = client.get(f"/agenda/evenements/{event.pk}/supprimer/")
    assert confirm.status_code == 200 and "Supprimer « À supprimer » ?" in text(confirm)

    response = client.post(f"/agenda/evenements/{event.pk}/supprimer/")

    assert response.status_code == 302
    assert not Event.objects.filter(pk=event.pk).exists()


def test_deleting_one_occurrence_keeps_the_others(agent):
    event, rows = series(agent)
    url = f"/agenda/evenements/{event.pk}/supprimer/?occurrence={occurrence_param(rows[1])}"

    response = signed_in(agent).post(url, {"scope": "this"})

    assert response.status_code == 302
    assert event.occurrences.count() == 4


# --- the event page ----------------------------------------------------------------------------


def test_another_organisations_private_event_shows_busy_only(agent, other_agent):
    theirs = services.default_calendar(other_agent)
    services.share_calendar(other_agent, theirs, agent, "read")
    day = today() + dt.timedelta(days=1)
    event = make(
        other_agent,
        at(day, 9),
        at(day, 10),
        "Rendez-vous médical",
        privacy=Privacy.PRIVATE,
        location="Hôpital",
    )

    response = signed_in(agent).get(f"/agenda/evenements/{event.pk}/")

    assert response.status_code == 200
    page = text(response)
    assert "Occupé" in page and "9 h 00 – 10 h 00" in page
    assert "Rendez-vous médical" not in page and "Hôpital" not in page
    assert signed_in(agent).get(f"/agenda/evenements/{event.pk}/modifier/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/agenda/evenements/{pk}/",
        "/agenda/evenements/{pk}/modifier/",
        "/agenda/evenements/{pk}/supprimer/",
        "/agenda/evenements/999999/",
    ],
)
def test_someone_without_access_gets_a_404(agent, other_agent, url):
    day = today() + dt.timedelta(days=1)
    event = make(other_agent, at(day, 9), at(day, 10), "Interne métropole")

    response = signed_in(agent).get(url.format(pk=event.pk))

    assert response.status_code == 404
    assert "Interne métropole" not in text(response)


def test_a_reader_sees_the_event_but_may_not_edit_it(agent, other_agent):
    theirs = services.default_calendar(other_agent)
    services.share_calendar(other_agent, theirs, agent, "read")
    day = today() + dt.timedelta(days=1)
    event = make(other_agent, at(day, 9), at(day, 10), "Conseil métropolitain")

    response = signed_in(agent).get(f"/agenda/evenements/{event.pk}/")

    assert "Conseil métropolitain" in text(response)
    assert "Modifier" not in text(response)
    assert signed_in(agent).post(f"/agenda/evenements/{event.pk}/supprimer/").status_code == 404


def test_an_invited_person_answers_from_the_event_page(agent, other_agent):
    day = today() + dt.timedelta(days=1)
    event = make(other_agent, at(day, 9), at(day, 10), "Comité", users=[agent])
    client = signed_in(agent)

    page = text(client.get(f"/agenda/evenements/{event.pk}/"))
    assert "Vous n'avez pas encore répondu." in page
    assert 'name="reponse" value="TENTATIVE"' in page

    client.post(f"/agenda/evenements/{event.pk}/repondre/", {"reponse": "TENTATIVE"})

    assert "Vous avez répondu : Peut-être." in text(client.get(f"/agenda/evenements/{event.pk}/"))


def test_an_unknown_or_malformed_occurrence_is_a_404(agent):
    event, _rows = series(agent)
    client = signed_in(agent)

    assert (
        client.get(f"/agenda/evenements/{event.pk}/?occurrence=2001-01-01T00:00:00Z").status_code
        == 404
    )
    assert client.get(f"/agenda/evenements/{event.pk}/?occurrence=hier").status_code == 404


def test_a_guest_sees_an_empty_agenda_without_creating_anything(guest):
    client = signed_in(guest)

    response = client.get("/agenda/")

    assert response.status_code == 200
    assert "Nouvel évènement" not in text(response) and "Ajout rapide" not in text(response)
    assert client.get("/agenda/nouveau/").status_code == 404
    assert client.post("/agenda/", {"titre": "x"}).status_code == 404
    assert not Calendar.objects.filter(owner=guest).exists()
