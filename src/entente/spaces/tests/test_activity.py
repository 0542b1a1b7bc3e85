"""The activity feed of a space: what the spaces services record, the page (members only,
grouped by day, unread marked in words) and the unread count falling to 0 once it is opened;
the space's page shows the last lines; the read-only API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from entente.accounts.tests.factories import UserFactory
from entente.core.testing import signed_in, text
from entente.spaces import services
from entente.spaces.activity import record_activity, unread_count
from entente.spaces.models import Activity, ActivityVerb, Membership, SpaceRole
from entente.spaces.notes import services as notes

pytestmark = pytest.mark.django_db


@pytest.fixture
def space(agent):
    return services.create_space(agent, name="Schéma cyclable")


def verbs(space) -> list[str]:
    return list(space.activities.order_by("pk").values_list("verb", flat=True))


def test_the_spaces_services_record_the_feed(space, agent, other_agent, org):
    services.add_member(agent, space, other_agent, SpaceRole.CONTRIBUTOR)
    leaver = UserFactory(organisation=org)
    services.add_member(agent, space, leaver, SpaceRole.READER)
    services.remove_member(leaver, Membership.objects.get(space=space, user=leaver))
    removed = UserFactory(organisation=org)
    services.add_member(agent, space, removed, SpaceRole.READER)
    services.remove_member(agent, Membership.objects.get(space=space, user=removed))

    assert verbs(space) == [
        ActivityVerb.SPACE_CREATED,
        ActivityVerb.MEMBER_ADDED,
        ActivityVerb.MEMBER_ADDED,
        ActivityVerb.MEMBER_LEFT,
        ActivityVerb.MEMBER_ADDED,
    ]  # a removal by a manager is not a « left »
    added = space.activities.filter(verb=ActivityVerb.MEMBER_ADDED).order_by("pk").first()
    assert added.actor == agent and added.target_label == "Bernard Petit"


def test_opening_the_feed_marks_it_read(space, agent, other_agent):
    services.add_member(agent, space, other_agent, SpaceRole.CONTRIBUTOR)
    membership = Membership.objects.get(space=space, user=other_agent)
    note = notes.create_note(agent, space, title="Budget 2027", body="")
    assert unread_count(membership) == 3  # created, added, the note
    client = signed_in(other_agent)

    overview = text(client.get(f"/espaces/{space.pk}/"))
    assert "Dernière activité" in overview and "3 nouveautés" in overview
    assert f'<a href="/espaces/{space.pk}/notes/{note.pk}/">Budget 2027</a>' in overview

    response = client.get(f"/espaces/{space.pk}/activite/")

    assert response.status_code == 200
    page = text(response)
    assert "Agnès Martin</strong> a créé une note" in page
    assert page.count(">nouveau</span>") == 3
    assert "3 nouveautés depuis votre dernière visite" in page
    membership.refresh_from_db()
    assert membership.last_seen_at is not None and unread_count(membership) == 0
    again = text(client.get(f"/espaces/{space.pk}/activite/"))
    assert ">nouveau</span>" not in again and "Rien de nouveau" in again
    assert "0 nouveauté" not in text(client.get(f"/espaces/{space.pk}/"))


def test_one_own_actions_are_not_unread(space, agent):
    membership = Membership.objects.get(space=space, user=agent)
    assert unread_count(membership) == 0
    assert ">nouveau</span>" not in text(signed_in(agent).get(f"/espaces/{space.pk}/activite/"))


def test_the_feed_is_for_members_only(space, agent, other_agent, org):
    space.visibility = "open"
    space.save()
    outsider = UserFactory(organisation=org)

    assert signed_in(other_agent).get(f"/espaces/{space.pk}/activite/").status_code == 404
    assert signed_in(outsider).get(f"/espaces/{space.pk}/activite/").status_code == 404
    assert "Dernière activité" not in text(signed_in(outsider).get(f"/espaces/{space.pk}/"))
    api = APIClient()
    api.force_authenticate(other_agent)
    assert api.get(f"/api/v1/spaces/{space.pk}/activity/").status_code == 404


def test_a_link_outside_the_platform_is_not_shown(space, agent):
    record_activity(space, agent, ActivityVerb.DOCUMENT_ADDED, label="x", url="//evil.example/")
    record_activity(space, agent, ActivityVerb.DOCUMENT_ADDED, label="y", url="javascript:x")

    page = text(signed_in(agent).get(f"/espaces/{space.pk}/activite/"))

    assert "evil.example" not in page and "javascript:" not in page


def test_the_feed_is_paginated_and_grouped_by_day(space, agent):
    for n in range(60):
        record_activity(space, agent, ActivityVerb.TASK_DONE, label=f"Tâche {n}")
    client = signed_in(agent)

    first = text(client.get(f"/espaces/{space.pk}/activite/"))
    second = text(client.get(f"/espaces/{space.pk}/activite/?page=2"))

    assert "Tâche 59" in first and "Tâche 5\n" not in first
    assert "Tâche 5\n" in second and "Tâche 59" not in second
    assert first.count('class="activity-day"') == 1


def test_the_api_lists_the_feed(space, agent, other_agent):
    services.add_member(agent, space, other_agent, SpaceRole.READER)
    api = APIClient()
    api.force_authenticate(other_agent)

    body = api.get(f"/api/v1/spaces/{space.pk}/activity/").json()

    rows = body["results"]
    assert [row["verb"] for row in rows] == ["member.added", "space.created"]
    assert rows[0]["actor"]["name"] == "Agnès Martin"
    assert rows[0]["verb_label"] == "a ajouté un membre"
    assert api.post(f"/api/v1/spaces/{space.pk}/activity/", {}).status_code == 405
    assert Activity.objects.count() == 2
