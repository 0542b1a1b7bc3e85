"""The directory's pages: search, a person's card, an organisation's services tree."""

from __future__ import annotations

import pytest
from django.urls import reverse

from entente.accounts.tests.factories import UserFactory
from entente.core.testing import signed_in, text
from entente.directory.tests.factories import ServiceFactory
from entente.organisations.models import DirectoryVisibility
from entente.organisations.tests.factories import OrganisationFactory
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db

INDEX = reverse("directory:index")


def person_url(person):
    return reverse("directory:person", args=[person.pk])


@pytest.fixture
def closed_org():
    """An organisation that shows its directory to its own people only."""
    closed = OrganisationFactory(name="Commune discrète", slug="discrete")
    closed.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    closed.policy.save()
    return closed


@pytest.fixture
def bernard(other_agent, other_org):
    other_agent.service = ServiceFactory(organisation=other_org, name="Voirie")
    other_agent.job_title = "Chef de travaux"
    other_agent.phone = "01 23 45 67 89"
    other_agent.save()
    return other_agent


def test_the_paths_other_features_rely_on():
    assert INDEX == "/annuaire/"
    assert reverse("directory:person", args=[7]) == "/annuaire/personnes/7/"
    assert reverse("directory:vcard", args=[7]) == "/annuaire/personnes/7/vcard"


def test_bern_voi_finds_bernard_with_his_card_details(agent, bernard):
    response = signed_in(agent).get(INDEX, {"q": "bern voi"})

    page = text(response)
    assert response.status_code == 200
    assert person_url(bernard) in page
    assert "Chef de travaux" in page and "Voirie" in page and "Métropole du Lac" in page
    assert "mailto:bernard.petit@metropole-lac.fr" in page
    assert "1 personne trouvée" in page


def test_typos_are_tolerated_and_exact_matches_come_first(agent, bernard, org):
    exact = UserFactory(organisation=org, first_name="Bernrad", last_name="Zorro")

    page = text(signed_in(agent).get(INDEX, {"q": "bernrad"}))

    assert person_url(bernard) in page
    assert page.index(person_url(exact)) < page.index(person_url(bernard))
    assert person_url(bernard) in text(signed_in(agent).get(INDEX, {"q": "voierie"}))


def test_elus_are_found_by_their_mandate_and_filtered(agent, org):
    elue = UserFactory(
        organisation=org,
        first_name="Claire",
        last_name="Morel",
        status="elu",
        mandate="Adjointe déléguée à l'éducation",
    )
    UserFactory(organisation=org, first_name="Claire", last_name="Agent")
    client = signed_in(agent)

    assert person_url(elue) in text(client.get(INDEX, {"q": "adjointe"}))
    elus = text(client.get(INDEX, {"q": "claire", "elus": "on"}))
    assert person_url(elue) in elus and "Agent" not in elus


def test_accents_and_case_do_not_matter(agent, org):
    agnes = UserFactory(organisation=org, first_name="Agnès", last_name="Dupré")

    assert person_url(agnes) in text(signed_in(agent).get(INDEX, {"q": "AGNES dupre"}))


def test_filters_by_organisation_and_service_with_its_sub_services(agent, other_org, bernard):
    bureau = ServiceFactory(organisation=other_org, parent=bernard.service, name="Bureau")
    colleague = UserFactory(organisation=other_org, service=bureau)
    elsewhere = UserFactory(organisation=other_org)
    client = signed_in(agent)

    page = text(client.get(INDEX, {"organisation": other_org.pk, "service": bernard.service.pk}))

    assert person_url(bernard) in page and person_url(colleague) in page
    assert person_url(elsewhere) not in page
    assert "Voirie › Bureau" in page


def test_an_unknown_filter_gets_a_message_not_an_error(agent):
    response = signed_in(agent).get(INDEX, {"organisation": "999999", "service": "abc"})

    assert response.status_code == 200
    assert "Cette organisation n&#x27;existe pas" in text(response)


def test_results_are_paginated(agent, org):
    UserFactory.create_batch(25, organisation=org, last_name="Durand")
    client = signed_in(agent)

    first = text(client.get(INDEX, {"q": "durand"}))
    second = text(client.get(INDEX, {"q": "durand", "page": 2}))

    assert "25 personnes trouvées" in first and "Page 1 sur 2" in first
    assert "q=durand&amp;page=2" in first
    assert second.count('class="card directory-person"') == 5


def test_an_empty_query_offers_to_browse_organisations(agent, org, other_org):
    page = text(signed_in(agent).get(INDEX))

    assert reverse("directory:organisation", args=[other_org.slug]) in page
    assert reverse("directory:organisation", args=[org.slug]) in page
    assert "Résultats" not in page


def test_the_fragment_is_only_the_results(agent, bernard):
    page = text(signed_in(agent).get(INDEX, {"q": "bern", "fragment": "1"}))

    assert person_url(bernard) in page
    assert "<html" not in page and "<form" not in page


def test_a_closed_directory_hides_its_people_from_other_organisations(agent, closed_org):
    hidden = UserFactory(organisation=closed_org, first_name="Bernard", last_name="Caché")
    neighbour = UserFactory(organisation=closed_org)
    client = signed_in(agent)

    assert person_url(hidden) not in text(client.get(INDEX, {"q": "bernard"}))
    assert client.get(person_url(hidden)).status_code == 404
    assert client.get(reverse("directory:vcard", args=[hidden.pk])).status_code == 404
    tree = text(client.get(reverse("directory:organisation", args=[closed_org.slug])))
    assert person_url(hidden) not in tree
    # their own colleagues find them
    mine = signed_in(neighbour)
    assert person_url(hidden) in text(mine.get(INDEX, {"q": "bernard"}))
    assert mine.get(person_url(hidden)).status_code == 200


def test_a_territory_directory_is_found_by_everyone(agent, bernard):
    assert signed_in(agent).get(person_url(bernard)).status_code == 200


def test_a_missing_person_is_the_same_404(agent):
    assert signed_in(agent).get(reverse("directory:person", args=[999999])).status_code == 404


def test_a_guest_sees_no_directory(guest, agent, org):
    client = signed_in(guest)

    response = client.get(INDEX, {"q": "agnes"})
    assert response.status_code == 200
    assert person_url(agent) not in text(response)
    assert "réservé aux agents et aux élus" in text(response)
    assert client.get(person_url(agent)).status_code == 404
    assert client.get(reverse("directory:organisation", args=[org.slug])).status_code == 404
    assert client.get(reverse("directory:organisation_vcard", args=[org.slug])).status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client):
    assert client.get(INDEX).status_code == 302


def test_the_card_shows_contact_links_and_actions(agent, bernard):
    page = text(signed_in(agent).get(person_url(bernard)))

    assert 'href="mailto:bernard.petit@metropole-lac.fr"' in page
    assert 'href="tel:+33123456789"' in page
    assert f"{reverse('calendars:find_time')}?personne={bernard.pk}" in page
    assert reverse("directory:vcard", args=[bernard.pk]) in page
    assert "<h1>" in page and page.count("<h1") == 1


def test_the_manager_chain_goes_up_as_far_as_the_viewer_sees(agent, org, closed_org):
    top = UserFactory(organisation=closed_org, first_name="Tout", last_name="Enhaut")
    director = UserFactory(organisation=org, first_name="Dora", last_name="Directrice", manager=top)
    head = UserFactory(organisation=org, first_name="Hugo", last_name="Chef", manager=director)
    agent.manager = head
    agent.save()
    report = UserFactory(organisation=org, first_name="Rémi", last_name="Rattaché", manager=agent)

    page = text(signed_in(agent).get(person_url(agent)))

    assert page.index(person_url(head)) < page.index(person_url(director))
    assert person_url(top) not in page  # another organisation's closed directory
    assert person_url(report) in page


def test_a_cycle_of_managers_does_not_loop(agent, org):
    other = UserFactory(organisation=org, manager=agent)
    agent.manager = other
    agent.save()

    assert signed_in(agent).get(person_url(other)).status_code == 200


def test_spaces_in_common_are_only_the_shared_ones(agent, bernard):
    shared = SpaceFactory(name="Projet partagé")
    mine = SpaceFactory(name="Projet à moi")
    theirs = SpaceFactory(name="Projet à lui")
    add(shared, agent)
    add(shared, bernard)
    add(mine, agent)
    add(theirs, bernard)

    page = text(signed_in(agent).get(person_url(bernard)))

    assert "Projet partagé" in page
    assert "Projet à moi" not in page and "Projet à lui" not in page


def test_the_services_tree_is_nested_with_its_people(agent, other_org, bernard):
    bureau = ServiceFactory(organisation=other_org, parent=bernard.service, name="Bureau études")
    engineer = UserFactory(organisation=other_org, service=bureau, job_title="Ingénieure")

    response = signed_in(agent).get(reverse("directory:organisation", args=[other_org.slug]))

    page = text(response)
    assert response.status_code == 200
    assert page.index("Voirie") < page.index("Bureau études") < page.index(person_url(engineer))
    assert person_url(bernard) in page
    assert (
        signed_in(agent).get(reverse("directory:organisation", args=[other_org.pk])).status_code
        == 200
    )


def test_an_unknown_organisation_is_a_404(agent):
    url = reverse("directory:organisation", args=["nulle-part"])
    assert signed_in(agent).get(url).status_code == 404


def test_the_search_page_costs_a_few_queries(agent, org, django_assert_max_num_queries):
    service = ServiceFactory(organisation=org, name="Urbanisme")
    UserFactory.create_batch(15, organisation=org, service=service, last_name="Durand")
    client = signed_in(agent)
    client.get(INDEX)  # warm the session

    with django_assert_max_num_queries(14):
        client.get(INDEX, {"q": "durand"})
