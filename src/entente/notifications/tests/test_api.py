"""The API of notifications: one's own list (all or unread), marking read, preferences."""

from __future__ import annotations

import pytest

from entente.core.testing import signed_in
from entente.notifications import services
from entente.notifications.models import Delivery, EmailFrequency, Notification, NotificationKind

pytestmark = pytest.mark.django_db

BASE = "/api/v1/notifications/"


def notification(recipient, title="Mention", **fields):
    return Notification.objects.create(
        recipient=recipient, kind=NotificationKind.MENTION, title=title, url="/espaces/", **fields
    )


def test_list_only_ones_own_and_filter_unread(agent, other_agent):
    mine = notification(agent, "À moi")
    read = notification(agent, "Lue")
    services.mark_read(agent, read)
    notification(other_agent, "À Bernard")
    client = signed_in(agent)
    body = client.get(BASE).json()
    assert [row["title"] for row in body["results"]] == ["Lue", "À moi"]
    assert body["results"][1]["is_read"] is False
    assert body["results"][1]["kind"] == "space.mention"
    unread = client.get(BASE + "?unread=1").json()
    assert [row["id"] for row in unread["results"]] == [mine.pk]


def test_mark_one_read_and_someone_elses_is_a_404(agent, other_agent):
    mine = notification(agent)
    theirs = notification(other_agent)
    client = signed_in(agent)
    response = client.post(f"{BASE}{mine.pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    for url in (f"{BASE}{theirs.pk}/", f"{BASE}{theirs.pk}/read/"):
        response = client.post(url) if url.endswith("read/") else client.get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(agent, other_agent):
    notification(agent)
    notification(agent)
    theirs = notification(other_agent)
    response = signed_in(agent).post(BASE + "read-all/")
    assert response.json() == {"marked": 2, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_get_and_put(agent):
    client = signed_in(agent)
    body = client.get(BASE + "preferences/").json()
    assert body["email_frequency"] == "immediate"
    assert body["deliveries"]["space.mention"] == "all"
    response = client.put(
        BASE + "preferences/",
        {"email_frequency": "daily", "deliveries": {"space.mention": "centre"}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["deliveries"]["space.mention"] == "centre"
    prefs = services.preferences_for(agent)
    assert prefs.email_frequency == EmailFrequency.DAILY
    assert prefs.delivery(NotificationKind.MENTION) == Delivery.CENTRE


@pytest.mark.parametrize(
    "payload",
    [
        {"email_frequency": "hourly"},
        {"email_frequency": "daily", "deliveries": {"x.y": "all"}},
        {"email_frequency": "daily", "deliveries": {"space.mention": "loud"}},
        {"deliveries": {}},
        [],
    ],
)
def test_bad_preferences_are_a_clear_400_and_write_nothing(agent, payload):
    response = signed_in(agent).put(BASE + "preferences/", payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert services.preferences_for(agent).pk is None


def test_anonymous_gets_nothing(client):
    assert client.get(BASE).status_code in (401, 403)
