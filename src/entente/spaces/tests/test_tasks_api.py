"""Tasks REST API: lists and tasks of a space for its members, changes for contributors
(403 for readers, 404 for outsiders), filters, JSON errors with a code, nothing written on
bad input, a schema without warnings."""

from __future__ import annotations

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from entente.notifications.models import Notification
from entente.spaces import services as space_services
from entente.spaces.models import SpaceRole, Task, TaskList, TaskStatus
from entente.spaces.tasks import services
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def space(org, agent):
    space = SpaceFactory(name="Projet école", organisation=org)
    add(space, agent, SpaceRole.OWNER)
    return space


@pytest.fixture
def task_list(space, agent):
    return services.create_list(agent, space, "Travaux")


@pytest.fixture
def task(space, task_list, agent):
    return services.create_task(agent, space, task_list, "Réserver la salle")


def lists_url(space, row=None) -> str:
    return f"/api/v1/spaces/{space.pk}/task-lists/" + (f"{row.pk}/" if row else "")


def tasks_url(space, row=None) -> str:
    return f"/api/v1/spaces/{space.pk}/tasks/" + (f"{row.pk}/" if row else "")


def test_a_contributor_creates_a_task_assigned_to_a_member(space, task_list, agent, other_agent):
    add(space, other_agent, SpaceRole.READER)

    response = api(agent).post(
        tasks_url(space),
        {
            "title": "Réserver la salle",
            "task_list": task_list.pk,
            "assignee": other_agent.pk,
            "due_date": "2026-12-01",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["assignee"] == {"id": other_agent.pk, "name": "Bernard Petit"}
    assert body["status"] == "todo" and body["task_list"] == task_list.pk
    assert body["abilities"] == {"view": True, "edit": True, "delete": True}
    assert Notification.objects.filter(recipient=other_agent).count() == 1


def test_lists_are_created_listed_renamed_and_deleted(space, task_list, task, agent):
    client = api(agent)
    created = client.post(lists_url(space), {"name": "Communication"}, format="json")
    assert created.status_code == 201
    other = TaskList.objects.get(pk=created.json()["id"])

    rows = client.get(lists_url(space)).json()["results"]
    assert [(row["name"], row["task_count"]) for row in rows] == [
        ("Travaux", 1),
        ("Communication", 0),
    ]
    assert (
        client.patch(lists_url(space, other), {"name": "Presse"}, format="json").json()["name"]
        == "Presse"
    )

    refused = client.delete(lists_url(space, task_list))
    assert refused.status_code == 400 and "move_to" in refused.json()["errors"]
    assert client.delete(f"{lists_url(space, task_list)}?move_to={other.pk}").status_code == 204
    task.refresh_from_db()
    assert task.task_list == other


def test_filters_by_assignee_me_and_status(space, task_list, agent, other_agent):
    add(space, other_agent, SpaceRole.CONTRIBUTOR)
    services.create_task(agent, space, task_list, "La mienne", assignee=agent)
    services.create_task(agent, space, task_list, "La sienne", assignee=other_agent)
    done = services.create_task(agent, space, task_list, "Finie", assignee=agent)
    services.set_status(agent, done, TaskStatus.DONE)
    client = api(agent)

    def titles(**params):
        return [row["title"] for row in client.get(tasks_url(space), params).json()["results"]]

    assert titles(assignee="me") == ["La mienne", "Finie"]
    assert titles(assignee="me", status="open") == ["La mienne"]
    assert titles(status="done") == ["Finie"]
    bad = client.get(tasks_url(space), {"status": "perdu"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


def test_patch_changes_status_and_dates_completion(space, task, agent):
    response = api(agent).patch(tasks_url(space, task), {"status": "done"}, format="json")

    assert response.status_code == 200 and response.json()["completed_at"]
    response = api(agent).patch(tasks_url(space, task), {"status": "todo"}, format="json")
    assert response.json()["completed_at"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "X", "due_date": "2026-13-45"}, "due_date"),
        ({"title": "X", "due_date": "demain"}, "due_date"),
        ({"title": "X", "assignee": 999999}, "assignee"),
        ({"title": "X", "assignee": "abc"}, "assignee"),
        ({"title": "X", "task_list": 999999}, "task_list"),
        ({"title": "X", "status": "perdu"}, "status"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_input_is_a_400_with_the_field_and_nothing_written(
    space, task_list, agent, body, field
):
    response = api(agent).post(tasks_url(space), body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and field in response.json()["errors"]
    assert not Task.objects.exists()


def test_assigning_a_non_member_or_a_foreign_list_changes_nothing(
    space, task, agent, other_agent, org
):
    elsewhere = SpaceFactory(organisation=org)
    add(elsewhere, agent, SpaceRole.OWNER)
    foreign = services.create_list(agent, elsewhere, "Ailleurs")
    client = api(agent)

    response = client.patch(
        tasks_url(space, task), {"title": "Changée", "assignee": other_agent.pk}, format="json"
    )
    assert response.status_code == 400
    response = client.patch(
        tasks_url(space, task), {"title": "Changée", "task_list": foreign.pk}, format="json"
    )
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.title == "Réserver la salle" and task.assignee is None
    assert not Notification.objects.exists()


def test_a_reader_gets_403_on_every_change(space, task_list, task, other_agent):
    add(space, other_agent, SpaceRole.READER)
    client = api(other_agent)

    assert client.get(tasks_url(space)).status_code == 200
    assert client.get(tasks_url(space, task)).json()["abilities"]["edit"] is False
    responses = [
        client.post(tasks_url(space), {"title": "Intrus"}, format="json"),
        client.patch(tasks_url(space, task), {"status": "done"}, format="json"),
        client.delete(tasks_url(space, task)),
        client.post(lists_url(space), {"name": "Intruse"}, format="json"),
        client.patch(lists_url(space, task_list), {"name": "Intruse"}, format="json"),
        client.delete(lists_url(space, task_list)),
    ]
    assert [r.status_code for r in responses] == [403] * 6
    assert responses[0].json()["code"] == "permission_denied"
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO and Task.objects.count() == 1


def test_outsiders_get_404_everywhere(space, task_list, task, other_agent):
    space.visibility = "territory"
    space.save()
    client = api(other_agent)

    responses = [
        client.get(tasks_url(space)),
        client.get(tasks_url(space, task)),
        client.get(lists_url(space)),
        client.get(lists_url(space, task_list)),
        client.post(tasks_url(space), {"title": "Intrus"}, format="json"),
        client.patch(tasks_url(space, task), {"status": "done"}, format="json"),
        client.delete(tasks_url(space, task)),
        client.post(lists_url(space), {"name": "Intruse"}, format="json"),
        client.delete(lists_url(space, task_list)),
    ]
    assert [r.status_code for r in responses] == [404] * 9
    assert responses[0].json()["code"] == "not_found"
    assert Task.objects.count() == 1


def test_a_removed_member_loses_access_at_once(space, task, agent, other_agent):
    membership = add(space, other_agent, SpaceRole.CONTRIBUTOR)
    client = api(other_agent)
    assert client.get(tasks_url(space, task)).status_code == 200

    space_services.remove_member(agent, membership)

    assert client.get(tasks_url(space, task)).status_code == 404
    assert (
        client.patch(tasks_url(space, task), {"status": "done"}, format="json").status_code == 404
    )


def test_an_archived_space_refuses_changes(space, task, agent):
    space_services.archive_space(agent, space, True)

    response = api(agent).patch(tasks_url(space, task), {"status": "done"}, format="json")

    assert response.status_code == 403


def test_the_schema_of_tasks_has_no_warnings():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    GENERATOR_STATS.reset()

    assert "/api/v1/spaces/{space_pk}/tasks/" in schema["paths"]
    assert "/api/v1/spaces/{space_pk}/task-lists/{id}/" in schema["paths"]
    assert "SpaceTaskStatusEnum" in schema["components"]["schemas"]
    # other features' warnings are theirs to fix: only those of this module count here
    mine = [p for p in problems if "Task" in str(p) or "task" in str(p)]
    assert mine == []


def test_my_open_tasks_across_my_spaces(db):
    import datetime as dt

    from entente.accounts.tests.factories import UserFactory
    from entente.core.testing import signed_in
    from entente.spaces import services as spaces
    from entente.spaces.models import SpaceRole
    from entente.spaces.tasks import services as tasks

    owner = UserFactory()
    me = UserFactory()
    first = spaces.create_space(owner, name="Voirie")
    second = spaces.create_space(owner, name="Écoles")
    left = spaces.create_space(owner, name="Ancien projet")
    for space in (first, second, left):
        spaces.add_member(owner, space, me, SpaceRole.CONTRIBUTOR)
    today = dt.date(2030, 3, 1)
    tasks.create_task(owner, first, None, "Plus tard", assignee=me, due_date=today.replace(day=20))
    tasks.create_task(owner, second, None, "Bientôt", assignee=me, due_date=today)
    tasks.create_task(owner, first, None, "Sans date", assignee=me)
    tasks.create_task(owner, first, None, "Finie", assignee=me, status="done")
    tasks.create_task(owner, first, None, "Pas pour moi", assignee=owner)
    tasks.create_task(owner, left, None, "Plus mon espace", assignee=me)
    spaces.remove_member(owner, left.memberships.get(user=me))

    client = signed_in(me)
    body = client.get("/api/v1/my-tasks/").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [(r["title"], r["space"]["name"]) for r in rows] == [
        ("Bientôt", "Écoles"),
        ("Plus tard", "Voirie"),
        ("Sans date", "Voirie"),
    ]
    body = client.get("/api/v1/my-tasks/", {"until": "2030-03-05"}).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert [r["title"] for r in rows] == ["Bientôt"]
    bad = client.get("/api/v1/my-tasks/", {"until": "demain"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
