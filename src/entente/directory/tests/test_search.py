"""Searching people and resources by a few typed letters, within what the viewer may see."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entente.accounts.models import User
from entente.accounts.tests.factories import UserFactory
from entente.calendars.tests.factories import ResourceFactory
from entente.directory.search import (
    MAX_SCAN,
    prefix_distance,
    search_directory,
    search_people,
    search_resources,
    tokens,
    typo_budget,
)
from entente.directory.tests.factories import ServiceFactory
from entente.organisations.models import DirectoryVisibility
from entente.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bernard(other_agent, other_org):
    other_agent.service = ServiceFactory(organisation=other_org, name="Voirie et réseaux")
    other_agent.job_title = "Chef de travaux"
    other_agent.save()
    return other_agent


def test_tokens_are_folded_words():
    assert tokens("  Bern, VOI-rie  ") == ["bern", "voi", "rie"]
    assert tokens("Hélène") == ["helene"]
    assert tokens("") == []


def test_bern_voi_finds_bernard_of_the_voirie_of_the_metropole(agent, bernard, other_org):
    bernadette = UserFactory(organisation=other_org, first_name="Bernadette", last_name="Roux")
    UserFactory(organisation=agent.organisation, first_name="Jean", last_name="Bernier")

    assert search_people(agent, "bern voi") == [bernard]
    assert search_people(agent, "BERN métro") == [bernard, bernadette]
    assert search_people(agent, "bern voi METRO") == [bernard]
    assert search_people(agent, "petit chef") == [bernard]


def test_accents_and_case_do_not_matter_either_way(agent, org):
    helene = UserFactory(organisation=org, first_name="Hélène", last_name="Bérard")

    assert search_people(agent, "helene") == [helene]
    assert search_people(agent, "HÉLÈNE BER") == [helene]
    assert search_people(agent, "bérard") == [helene]


def test_tokens_match_the_start_of_words_only(agent, bernard):
    assert search_people(agent, "ernard") == []
    assert search_people(agent, "bernard.pe") == [bernard]  # the e-mail address
    assert search_people(agent, "travaux") == [bernard]


def test_people_whose_name_matches_come_before_the_others(agent, org):
    service = ServiceFactory(organisation=org, name="Martinière")
    colleague = UserFactory(organisation=org, first_name="Zoé", last_name="Abel", service=service)

    assert search_people(agent, "martin") == [agent, colleague]


def test_a_directory_closed_to_the_territory_is_not_searched(agent):
    closed = OrganisationFactory(name="Commune discrète", slug="discrete")
    closed.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    closed.policy.save()
    insider = UserFactory(organisation=closed, first_name="Bernard", last_name="Caché")
    neighbour = UserFactory(organisation=closed, first_name="Bernard", last_name="Voisin")

    assert search_people(agent, "bernard") == []
    assert search_people(neighbour, "bernard caché") == [insider]


def test_deactivated_people_are_left_out_unless_asked(org_admin, org):
    gone = UserFactory(organisation=org, first_name="Parti", last_name="Ailleurs", is_active=False)

    assert search_people(org_admin, "parti") == []
    assert search_people(org_admin, "parti", include_inactive=True) == [gone]


def test_a_guest_finds_nobody_but_themself(guest, agent):
    assert search_people(guest, "agnes") == []
    assert search_people(guest, "luc") == [guest]


def test_empty_queries_and_limits(agent, org):
    UserFactory.create_batch(5, organisation=org, last_name="Durand")

    assert search_people(agent, "   ") == []
    assert len(search_people(agent, "durand", limit=3)) == 3


def test_search_costs_two_queries_and_stays_fast_for_five_thousand_people(agent, org, other_org):
    services = [ServiceFactory(organisation=other_org, name=f"Service {n}") for n in range(20)]
    User.objects.bulk_create(
        User(
            email=f"agent{n}@metropole-lac.fr",
            first_name=["Bernard", "Claire", "Karim", "Sophie", "Luc"][n % 5],
            last_name=f"Nom{n}",
            organisation=other_org if n % 2 else org,
            service=services[n % 20],
            job_title="Technicien" if n % 3 else "Assistante",
        )
        for n in range(5000)
    )

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        found = search_people(agent, "bern serv 1")
        elapsed = time.perf_counter() - started

    assert len(queries) == 2
    assert len(found) == 20 and all(p.first_name == "Bernard" for p in found)
    assert elapsed < 2.0, f"searching 5,000 people took {elapsed:.2f} s"


def test_resources_by_name_place_equipment_or_organisation(agent, org, other_org):
    council = ResourceFactory(organisation=org, name="Salle du conseil", equipment="Écran")
    shared = ResourceFactory(
        organisation=other_org,
        name="Salle Rhône",
        location="Hôtel de la Métropole",
        bookable_by_territory=True,
    )
    ResourceFactory(organisation=other_org, name="Salle privée", bookable_by_territory=False)

    assert search_resources(agent, "salle") == [council, shared]
    assert search_resources(agent, "ecran") == [council]
    assert search_resources(agent, "hotel metro") == [shared]
    assert search_resources(agent, "privée") == []


# --- the directory's typo-tolerant search -----------------------------------------------------


def test_typo_budget_grows_with_the_length_of_the_word():
    assert [typo_budget(w) for w in ("bob", "jean", "bernard", "adjointe")] == [0, 1, 1, 2]


@pytest.mark.parametrize(
    ("token", "word", "limit", "distance"),
    [
        ("bern", "bernard", 1, 0),
        ("bernrad", "bernard", 1, 1),  # two neighbours swapped
        ("voierie", "voirie", 1, 1),  # one letter too many
        ("voirie", "voierie", 1, 1),  # one letter missing
        ("bernaed", "bernard", 1, 1),  # one wrong letter
        ("adjiontte", "adjointe", 2, 2),
        ("xyzw", "bernard", 1, 2),
        ("petit", "pe", 1, 2),
    ],
)
def test_prefix_distance(token, word, limit, distance):
    assert prefix_distance(token, word, limit) == distance


def test_bernrad_finds_bernard_and_voierie_finds_the_voirie(agent, bernard):
    assert search_directory(agent, "bernrad") == [bernard.pk]
    assert search_directory(agent, "voierie") == [bernard.pk]
    assert search_directory(agent, "bernrad voierie") == [bernard.pk]


def test_short_tokens_need_an_exact_start(agent, bernard):
    assert search_directory(agent, "bre") == []
    assert search_directory(agent, "brenard") == [bernard.pk]


def test_exact_matches_come_before_typo_matches(agent, bernard, org):
    bernie = UserFactory(organisation=org, first_name="Bernadette", last_name="Zeller")
    typo = UserFactory(organisation=org, first_name="Aline", last_name="Bermard")

    # « Bernad(ette) » is one letter away from « bernard » too: after the exact match
    assert search_directory(agent, "bernard") == [bernard.pk, typo.pk, bernie.pk]
    assert search_directory(agent, "berna") == [bernard.pk, bernie.pk, typo.pk]


def test_elus_are_found_by_their_mandate(agent, org):
    elue = UserFactory(organisation=org, status="elu", mandate="Adjointe déléguée à l'éducation")

    assert search_directory(agent, "adjointe") == [elue.pk]
    assert search_directory(agent, "adjionte educ") == [elue.pk]
    assert search_people(agent, "adjointe") == [elue]


def test_accents_in_the_directory(agent, org):
    assert search_directory(agent, "agnes") == [agent.pk]
    assert search_directory(agent, "AGNÈS marin") == [agent.pk]


def test_a_closed_directory_is_not_searched_even_with_typos(agent):
    closed = OrganisationFactory(name="Commune discrète", slug="discrete")
    closed.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    closed.policy.save()
    UserFactory(organisation=closed, first_name="Bernard", last_name="Caché")

    assert search_directory(agent, "bernrad") == []


def test_directory_search_costs_one_query_and_stays_fast(agent, org, other_org):
    User.objects.bulk_create(
        User(
            email=f"agent{n}@metropole-lac.fr",
            first_name=["Bernard", "Claire", "Karim", "Sophie", "Luc"][n % 5],
            last_name=f"Nom{n}",
            organisation=other_org if n % 2 else org,
            job_title="Technicien" if n % 3 else "Assistante",
        )
        for n in range(5000)
    )

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        found = search_directory(agent, "bernrad tech")
        elapsed = time.perf_counter() - started

    assert len(queries) == 1
    assert 0 < len(found) <= MAX_SCAN
    assert elapsed < 3.0, f"searching 5,000 people with typos took {elapsed:.2f} s"
