"""An organisation's administrator names a person's manager in the people console; the
directory's card then shows the chain."""

from __future__ import annotations

import pytest
from django.urls import reverse

from entente.accounts.tests.factories import UserFactory
from entente.core.testing import signed_in, text

pytestmark = pytest.mark.django_db


def edit(admin, person, **changes):
    data = {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "status": person.status,
        "mandate": person.mandate,
        "job_title": person.job_title,
        "phone": person.phone,
        "service": person.service_id or "",
        **changes,
    }
    return signed_in(admin).post(reverse("admin_org:person_detail", args=[person.pk]), data)


def test_an_admin_names_a_manager(org_admin, agent, org):
    boss = UserFactory(organisation=org, first_name="Hugo", last_name="Chef")

    form = text(signed_in(org_admin).get(reverse("admin_org:person_detail", args=[agent.pk])))
    assert 'name="manager"' in form and "Responsable hiérarchique" in form

    response = edit(org_admin, agent, manager=boss.pk)

    assert response.status_code == 302
    agent.refresh_from_db()
    assert agent.manager == boss
    card = text(signed_in(agent).get(reverse("directory:person", args=[agent.pk])))
    assert reverse("directory:person", args=[boss.pk]) in card


def test_a_manager_of_another_organisation_or_a_loop_is_refused(org_admin, agent, org, other_agent):
    report = UserFactory(organisation=org, manager=agent)

    assert edit(org_admin, agent, manager=other_agent.pk).status_code == 200
    response = edit(org_admin, agent, manager=report.pk)
    assert response.status_code == 200
    assert "déjà sous la responsabilité" in text(response)
    agent.refresh_from_db()
    assert agent.manager is None
