"""Tasks pages: members see the lists and the board, contributors change them with plain
forms (no JavaScript), readers get a 403 on every change, outsiders the 404 of a missing
page, bad input a form error with nothing written."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from entente.core.testing import notices, signed_in, text
from entente.notifications.models import Notification
from entente.spaces import services as space_services
from entente.spaces.models import SpaceRole, Task, TaskList, TaskStatus
from entente.spaces.tasks import services
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db


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


def url(name, space, *args):
    return reverse(f"spaces:{name}", args=[space.pk, *args])


def writes(space, task_list, task):
    """Every change a page offers: (url, data)."""
    return [
        (url("task_create", space), {"rapide": "1", "title": "Intrus"}),
        (url("task_create", space), {"title": "Intrus", "status": "todo"}),
        (url("task_list_create", space), {"name": "Intruse"}),
        (url("task_list_edit", space, task_list.pk), {"name": "Intruse"}),
        (url("task_list_delete", space, task_list.pk), {}),
        (url("task_detail", space, task.pk), {"title": "Intrus", "status": "todo"}),
        (url("task_status", space, task.pk), {"status": "done"}),
        (url("task_move", space, task.pk), {"task_list": task_list.pk, "position": "1"}),
        (url("task_delete", space, task.pk), {}),
    ]


def reads(space, task_list, task):
    return [
        url("tasks", space),
        url("tasks_board", space),
        url("task_detail", space, task.pk),
    ]


def test_members_see_lists_with_status_assignee_and_lateness_in_words(
    space, task_list, agent, other_agent
):
    add(space, other_agent, SpaceRole.READER)
    services.create_task(
        agent,
        space,
        task_list,
        "Envoyer l'ordre du jour",
        assignee=other_agent,
        due_date=datetime.date(2020, 1, 6),
    )

    page = text(signed_in(other_agent).get(url("tasks", space)))

    assert "Travaux" in page and "Envoyer l&#x27;ordre du jour" in page
    assert "Bernard Petit" in page and "en retard" in page and "À faire" in page
    # a reader sees, but is offered no change
    assert "Ajouter une tâche" not in page and "Déplacer vers" not in page


def test_the_filter_keeps_my_tasks_and_a_status(space, task_list, agent, other_agent):
    add(space, other_agent, SpaceRole.CONTRIBUTOR)
    services.create_task(agent, space, task_list, "La mienne", assignee=agent)
    services.create_task(agent, space, task_list, "La sienne", assignee=other_agent)
    done = services.create_task(agent, space, task_list, "Finie", assignee=agent)
    services.set_status(agent, done, TaskStatus.DONE)
    client = signed_in(agent)

    mine = text(client.get(url("tasks", space), {"mes": "on"}))
    assert "La mienne" in mine and "Finie" in mine and "La sienne" not in mine
    open_mine = text(client.get(url("tasks", space), {"mes": "on", "etat": "ouvertes"}))
    assert "La mienne" in open_mine and "Finie" not in open_mine
    board = text(client.get(url("tasks_board", space), {"etat": "done"}))
    assert "Finie" in board and "La sienne" not in board


def test_the_board_has_three_columns_and_moves_a_card_without_javascript(space, task, agent):
    client = signed_in(agent)
    page = text(client.get(url("tasks_board", space)))
    for label in ("À faire", "En cours", "Terminée", "Déplacer vers…"):
        assert label in page

    response = client.post(
        url("task_status", space, task.pk), {"status": "doing", "retour": "tableau"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{url('tasks_board', space)}#carte-{task.pk}"
    task.refresh_from_db()
    assert task.status == TaskStatus.DOING and task.completed_at is None
    assert any("en cours" in notice for notice in notices(response))


def test_the_board_script_gets_json(space, task, agent):
    response = signed_in(agent).post(
        url("task_status", space, task.pk),
        {"status": "done"},
        headers={"Accept": "application/json"},
    )

    assert response.status_code == 200 and response.json()["status"] == "done"
    task.refresh_from_db()
    assert task.completed_at is not None


def test_a_bad_status_is_refused_and_nothing_changes(space, task, agent):
    client = signed_in(agent)
    response = client.post(url("task_status", space, task.pk), {"status": "perdu"})
    assert response.status_code == 302 and notices(response)
    json_response = client.post(
        url("task_status", space, task.pk),
        {"status": "perdu"},
        headers={"Accept": "application/json"},
    )
    assert json_response.status_code == 400 and json_response.json()["code"] == "invalid"
    task.refresh_from_db()
    assert task.status == TaskStatus.TODO


def test_quick_add_then_full_form_with_assignee_and_date(space, task_list, agent, other_agent):
    add(space, other_agent, SpaceRole.CONTRIBUTOR)
    client = signed_in(agent)

    response = client.post(
        url("task_create", space), {"rapide": "1", "title": "Commander les chaises"}
    )
    assert response.status_code == 302
    assert Task.objects.get(title="Commander les chaises").task_list == task_list

    response = client.post(
        url("task_create", space),
        {
            "title": "Prévenir la presse",
            "task_list": task_list.pk,
            "assignee": other_agent.pk,
            "due_date": "2026-12-01",
            "status": "todo",
        },
    )
    created = Task.objects.get(title="Prévenir la presse")
    assert response.status_code == 302 and response["Location"] == url(
        "task_detail", space, created.pk
    )
    assert created.assignee == other_agent and created.due_date == datetime.date(2026, 12, 1)
    assert Notification.objects.filter(recipient=other_agent).count() == 1
    # the form proposes the members, and a date input
    form_page = text(client.get(url("task_create", space)))
    assert "Bernard Petit" in form_page and 'type="date"' in form_page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("due_date", "32/13/2026", "date valide"),
        ("due_date", "1850-01-01", "entre 2000 et 2100"),
        ("assignee", "999999", "membre de l"),
        ("task_list", "999999", "liste de cet espace"),
        ("title", "", "obligatoire"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_written(
    space, task_list, agent, field, value, message
):
    data = {"title": "Une tâche", "task_list": task_list.pk, "status": "todo", field: value}

    response = signed_in(agent).post(url("task_create", space), data)

    assert response.status_code == 400
    assert message in text(response)
    assert not Task.objects.exists()


def test_assigning_a_non_member_from_the_edit_form_changes_nothing(
    space, task, task_list, agent, other_agent
):
    response = signed_in(agent).post(
        url("task_detail", space, task.pk),
        {
            "title": "Changée",
            "task_list": task_list.pk,
            "status": "todo",
            "assignee": other_agent.pk,
        },
    )

    assert response.status_code == 400
    task.refresh_from_db()
    assert task.title == "Réserver la salle" and task.assignee is None
    assert not Notification.objects.exists()


def test_the_edit_form_changes_the_task(space, task, task_list, agent):
    response = signed_in(agent).post(
        url("task_detail", space, task.pk),
        {"title": "Réserver la grande salle", "task_list": task_list.pk, "status": "done"},
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.title == "Réserver la grande salle" and task.completed_at is not None


def test_moving_to_another_list(space, task, agent):
    other = services.create_list(agent, space, "Communication")

    response = signed_in(agent).post(
        url("task_move", space, task.pk), {"task_list": other.pk, "retour": "tache"}
    )

    assert response.status_code == 302
    task.refresh_from_db()
    assert task.task_list == other


def test_lists_are_created_renamed_and_deleted(space, task_list, task, agent):
    client = signed_in(agent)
    assert client.post(url("task_list_create", space), {"name": "Communication"}).status_code == 302
    other = TaskList.objects.get(name="Communication")
    assert client.post(url("task_list_create", space), {"name": ""}).status_code == 400

    client.post(url("task_list_edit", space, other.pk), {"name": "Presse"})
    other.refresh_from_db()
    assert other.name == "Presse"

    refused = client.post(url("task_list_delete", space, task_list.pk), {})
    assert refused.status_code == 400 and TaskList.objects.filter(pk=task_list.pk).exists()
    client.post(url("task_list_delete", space, task_list.pk), {"move_to": other.pk})
    assert not TaskList.objects.filter(pk=task_list.pk).exists()
    task.refresh_from_db()
    assert task.task_list == other


def test_a_contributor_may_change_and_delete(space, task, task_list, agent, other_agent):
    add(space, other_agent, SpaceRole.CONTRIBUTOR)
    client = signed_in(other_agent)

    assert client.post(url("task_status", space, task.pk), {"status": "done"}).status_code == 302
    assert client.post(url("task_delete", space, task.pk)).status_code == 302
    assert not Task.objects.exists()


def test_a_reader_gets_403_on_every_change_and_nothing_is_written(
    space, task_list, task, agent, other_agent
):
    add(space, other_agent, SpaceRole.READER)
    client = signed_in(other_agent)

    for path in reads(space, task_list, task):
        assert client.get(path).status_code == 200, path
    for path, data in writes(space, task_list, task):
        assert client.post(path, data).status_code == 403, path
    assert client.get(url("task_create", space)).status_code == 403
    assert client.get(url("task_list_edit", space, task_list.pk)).status_code == 403
    task.refresh_from_db()
    assert task.title == "Réserver la salle" and task.status == TaskStatus.TODO
    assert Task.objects.count() == 1 and TaskList.objects.count() == 1


def test_outsiders_get_404_everywhere_even_in_a_visible_space(space, task_list, task, other_agent):
    space.visibility = "territory"
    space.save()
    client = signed_in(other_agent)

    for path in [*reads(space, task_list, task), url("task_create", space)]:
        assert client.get(path).status_code == 404, path
    for path, data in writes(space, task_list, task):
        assert client.post(path, data).status_code == 404, path
    assert Task.objects.count() == 1


def test_a_task_of_another_space_is_not_reachable_through_mine(space, agent, org):
    elsewhere = SpaceFactory(organisation=org)
    add(elsewhere, agent, SpaceRole.OWNER)
    foreign = services.create_task(agent, elsewhere, None, "Ailleurs")

    assert signed_in(agent).get(url("task_detail", space, foreign.pk)).status_code == 404


def test_a_removed_member_loses_access_at_once(space, task, agent, other_agent):
    membership = add(space, other_agent, SpaceRole.CONTRIBUTOR)
    client = signed_in(other_agent)
    assert client.get(url("tasks", space)).status_code == 200

    space_services.remove_member(agent, membership)

    assert client.get(url("tasks", space)).status_code == 404
    assert client.post(url("task_status", space, task.pk), {"status": "done"}).status_code == 404


def test_an_archived_space_is_read_only(space, task, agent):
    space_services.archive_space(agent, space, True)
    client = signed_in(agent)

    page = text(client.get(url("tasks", space)))
    assert "Réserver la salle" in page and "Ajouter une tâche" not in page
    assert client.post(url("task_status", space, task.pk), {"status": "done"}).status_code == 403


def test_the_list_page_query_count_does_not_grow_with_tasks(
    space, task_list, agent, django_assert_max_num_queries
):
    for number in range(15):
        services.create_task(agent, space, task_list, f"Tâche {number}", assignee=agent)
    client = signed_in(agent)
    client.get(url("tasks", space))

    with django_assert_max_num_queries(16):
        assert client.get(url("tasks", space)).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(url("tasks_board", space)).status_code == 200


def test_a_quick_add_without_title_shows_the_error_on_the_list_page(space, task_list, agent):
    response = signed_in(agent).post(url("task_create", space), {"rapide": "1", "title": "  "})

    assert response.status_code == 400
    assert "obligatoire" in text(response) and "Travaux" in text(response)
    assert not Task.objects.exists()
