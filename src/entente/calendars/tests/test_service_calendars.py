"""Service calendars in « Mes agendas »: administrators create them for a service of their own
organisation; the service's people write in them, the organisation reads them."""

from __future__ import annotations

import pytest
from django.test import Client

from entente.accounts.tests.factories import UserFactory
from entente.calendars import services
from entente.calendars.models import Calendar, CalendarKind
from entente.calendars.tests.factories import YEAR, make_event, paris
from entente.core.permissions import can, visible
from entente.directory.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"
PAGE = "/agenda/agendas/"
CREATE = "/agenda/agendas/services/nouveau/"
GREEN = "#0f6b4f"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user, backend=BACKEND)
    return client


@pytest.fixture
def roads(org):
    """« Direction technique › Voirie » of the commune."""
    direction = ServiceFactory(organisation=org, name="Direction technique")
    return ServiceFactory(organisation=org, parent=direction, name="Voirie")


def service_calendars():
    return Calendar.objects.filter(kind=CalendarKind.SERVICE)


def test_an_administrator_creates_a_service_calendar_named_after_the_service(org_admin, roads):
    client = signed_in(org_admin)

    page = client.get(PAGE).content.decode()
    assert "Agendas des services" in page
    assert "Direction technique › Voirie" in page  # the choice shows the service's path

    response = client.post(
        CREATE, {"service-service": roads.pk, "service-name": "  ", "service-colour": GREEN}
    )

    calendar = service_calendars().get()
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}#agenda-{calendar.pk}"
    assert (calendar.name, calendar.service, calendar.organisation, calendar.colour) == (
        "Voirie",
        roads,
        roads.organisation,
        GREEN,
    )
    page = client.get(PAGE).content.decode()
    assert f'href="/agenda/agendas/{calendar.pk}/modifier/"' in page
    assert f'href="/agenda/agendas/{calendar.pk}/supprimer/"' in page
    assert f'action="/agenda/agendas/{calendar.pk}/partager/"' in page


def test_the_name_can_be_chosen(org_admin, roads):
    signed_in(org_admin).post(
        CREATE, {"service-service": roads.pk, "service-name": "Chantiers", "service-colour": ""}
    )

    calendar = service_calendars().get()
    assert calendar.name == "Chantiers"
    assert calendar.colour == GREEN  # the default colour of service calendars


def test_an_agent_sees_no_section_and_cannot_create(agent, roads):
    client = signed_in(agent)

    assert "Agendas des services" not in client.get(PAGE).content.decode()
    response = client.post(CREATE, {"service-service": roads.pk, "service-colour": GREEN})

    assert response.status_code == 404
    assert not service_calendars().exists()


def test_another_organisations_administrator_cannot_pick_our_service(other_admin, roads):
    response = signed_in(other_admin).post(
        CREATE, {"service-service": roads.pk, "service-name": "Intrus", "service-colour": GREEN}
    )

    assert response.status_code == 200
    assert "Ce service n&#x27;existe pas dans votre organisation" in response.content.decode()
    assert "Voirie" not in response.content.decode()
    assert not service_calendars().exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"service-colour": GREEN}, "Choisissez le service à qui sera cet agenda."),
        ({"service-colour": "#ffffff"}, "Sélectionnez un choix valide"),
        ({"service-name": "x" * 151}, "Assurez-vous que cette valeur comporte au plus 150"),
        ({"service-name": "Voirie\u202e"}, "Ce texte contient des caractères invisibles"),
    ],
)
def test_bad_input_is_refused_in_french(org_admin, roads, data, message):
    if "service-colour" not in data or data["service-colour"] != GREEN:
        data = {"service-service": roads.pk, **data}

    response = signed_in(org_admin).post(CREATE, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not service_calendars().exists()


def test_the_services_people_write_the_organisation_reads_others_see_nothing(
    org, org_admin, roads, other_agent
):
    calendar = services.create_service_calendar(org_admin, roads, name="Voirie")
    road_worker = UserFactory(organisation=org, service=roads)
    colleague = UserFactory(organisation=org)

    event = make_event(road_worker, paris(YEAR, 4, 2, 8), calendar=calendar, title="Chantier")

    assert event.calendar == calendar
    assert can(road_worker, "write", calendar)
    assert can(colleague, "view", calendar) and not can(colleague, "write", calendar)
    assert not can(other_agent, "view", calendar)
    assert calendar not in visible(other_agent, Calendar)
    assert can(org_admin, "manage", calendar)


def test_a_service_calendar_can_be_overlaid_in_the_agenda(org, org_admin, roads):
    calendar = services.create_service_calendar(org_admin, roads, name="Voirie du lac")
    road_worker = UserFactory(organisation=org, service=roads)

    page = signed_in(road_worker).get("/agenda/").content.decode()

    assert f'id="cal-{calendar.pk}"' in page and "Voirie du lac" in page


def test_the_administrator_renames_and_deletes_it(org_admin, roads):
    calendar = services.create_service_calendar(org_admin, roads, name="Voirie")
    client = signed_in(org_admin)

    assert "Agenda du service Direction technique › Voirie" in (
        client.get(f"/agenda/agendas/{calendar.pk}/modifier/").content.decode()
    )
    client.post(f"/agenda/agendas/{calendar.pk}/modifier/", {"name": "Routes", "colour": GREEN})
    calendar.refresh_from_db()
    assert calendar.name == "Routes"
    client.post(f"/agenda/agendas/{calendar.pk}/supprimer/")
    assert not service_calendars().exists()


def test_the_agenda_panel_puts_ones_own_service_first_and_folds_the_others(org, org_admin):
    mine, theirs = ServiceFactory(organisation=org), ServiceFactory(organisation=org)
    person = UserFactory(organisation=org, service=mine)
    own = services.create_service_calendar(org_admin, mine, name="Agenda du service A")
    other = services.create_service_calendar(org_admin, theirs, name="Agenda du service B")

    page = signed_in(person).get("/agenda/").content.decode()

    folded = page[page.index('<details class="ag-side__others"') :]
    folded = folded[: folded.index("</details>")]
    assert f'value="{other.pk}"' in folded and f'value="{own.pk}"' not in folded
    assert f'value="{own.pk}"' in page
    assert '<details class="ag-side__others" open' not in page, "folded until one is shown"
    shown = signed_in(person).get(f"/agenda/?choix=1&cal={other.pk}").content.decode()
    assert '<details class="ag-side__others" open' in shown
