"""The notification centre: one's own notifications only, unread in words, filters, opening one
(platform paths only), marking read, preferences, and the count on the header's bell."""

from __future__ import annotations

import pytest
from django.urls import reverse

from entente.core.testing import notices, signed_in, text
from entente.notifications import services
from entente.notifications.models import (
    Delivery,
    EmailFrequency,
    Notification,
    NotificationKind,
)

pytestmark = pytest.mark.django_db

CENTRE = "/notifications/"


def notification(recipient, title="Vous êtes mentionné·e", url="/espaces/", **fields):
    return Notification.objects.create(
        recipient=recipient, kind=NotificationKind.MENTION, title=title, url=url, **fields
    )


def test_the_centre_lists_only_ones_own_newest_first_with_unread_in_words(agent, other_agent):
    notification(agent, "Ancienne")
    notification(agent, "Récente")
    notification(other_agent, "Secret de Bernard")
    client = signed_in(agent)
    page = text(client.get(CENTRE))
    assert reverse("notifications:centre") == CENTRE
    assert page.index("Récente") < page.index("Ancienne")
    assert "Secret de Bernard" not in page
    assert "non lue" in page
    assert "Vous avez 2 notifications non lues." in page


def test_the_bell_of_the_header_counts_the_unread(agent):
    notification(agent)
    notification(agent)
    read = notification(agent)
    services.mark_read(agent, read)
    assert bell(signed_in(agent).get(reverse("portal:home"))) == "Notifications : 2 non lues"
    assert bell(signed_in(agent).get(CENTRE)) == "Notifications : 2 non lues"
    services.mark_all_read(agent)
    assert bell(signed_in(agent).get(reverse("portal:home"))) == "Notifications"


def bell(response) -> str:
    """What a screen reader says of the bell of the header."""
    page = text(response)
    start = page.index('class="notification-bell"')
    hidden = page.index('class="visually-hidden">', start) + len('class="visually-hidden">')
    return " ".join(page[hidden : page.index("</span>", hidden)].split())


def test_filter_unread(agent):
    notification(agent, "Pas encore lue")
    services.mark_read(agent, notification(agent, "Lue hier"))
    page = text(signed_in(agent).get(CENTRE + "?filtre=non-lues"))
    assert "Pas encore lue" in page
    assert "Lue hier" not in page
    assert 'aria-current="page">Non lues (1)' in page


def test_the_centre_is_paginated(agent, django_assert_max_num_queries):
    for number in range(25):
        notification(agent, f"Numéro {number:02d}")
    client = signed_in(agent)
    with django_assert_max_num_queries(12):
        page = text(client.get(CENTRE))
    assert "Numéro 24" in page and "Numéro 04" not in page
    assert "Page 1 sur 2" in page
    assert "Numéro 04" in text(client.get(CENTRE + "?page=2"))


def test_opening_marks_read_and_goes_to_its_page(agent):
    row = notification(agent, url="/agenda/evenements/3/")
    response = signed_in(agent).get(reverse("notifications:open", args=[row.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/agenda/evenements/3/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_opening_by_post_works_too(agent):
    row = notification(agent)
    response = signed_in(agent).post(reverse("notifications:open", args=[row.pk]))
    assert response["Location"] == "/espaces/"


@pytest.mark.parametrize(
    "url", ["https://ailleurs.example/piege", "//ailleurs.example/", "/\\ailleurs.example", ""]
)
def test_opening_refuses_to_leave_the_platform(agent, url):
    row = notification(agent, url=url)  # written behind notify()'s back
    response = signed_in(agent).get(reverse("notifications:open", args=[row.pk]))
    assert response["Location"] == CENTRE
    row.refresh_from_db()
    assert row.read_at is not None


def test_someone_elses_notification_is_a_404(agent, other_agent):
    row = notification(other_agent)
    client = signed_in(agent)
    assert client.get(reverse("notifications:open", args=[row.pk])).status_code == 404
    assert client.post(reverse("notifications:open", args=[row.pk])).status_code == 404
    assert client.post(reverse("notifications:mark_read", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_one_read(agent):
    row = notification(agent, "À lire")
    client = signed_in(agent)
    response = client.post(
        reverse("notifications:mark_read", args=[row.pk]), {"next": CENTRE + "?filtre=non-lues"}
    )
    assert response["Location"] == CENTRE + "?filtre=non-lues"
    assert notices(response) == ["« À lire » est marquée comme lue."]
    row.refresh_from_db()
    assert row.read_at is not None


def test_mark_read_never_sends_elsewhere(agent):
    row = notification(agent)
    response = signed_in(agent).post(
        reverse("notifications:mark_read", args=[row.pk]), {"next": "https://ailleurs.example/"}
    )
    assert response["Location"] == CENTRE


def test_mark_all_read_only_touches_ones_own(agent, other_agent):
    notification(agent)
    notification(agent)
    theirs = notification(other_agent)
    client = signed_in(agent)
    assert client.get(reverse("notifications:mark_all_read")).status_code == 405
    response = client.post(reverse("notifications:mark_all_read"))
    assert notices(response) == ["2 notifications marquées comme lues."]
    assert services.unread_count(agent) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_pages_need_a_signed_in_person(client):
    assert client.get(CENTRE).status_code == 302
    assert client.get(reverse("notifications:preferences")).status_code == 302


def test_preferences_page_has_one_group_per_kind_and_saves(agent):
    client = signed_in(agent)
    page = text(client.get(reverse("notifications:preferences")))
    assert page.count("<fieldset") == len(NotificationKind) + 1
    for kind in NotificationKind:
        assert str(kind.label) in page
    data = {"email_frequency": EmailFrequency.DAILY}
    for kind in NotificationKind:
        data["kind_" + kind.value.replace(".", "_")] = Delivery.ALL
    data["kind_space_mention"] = Delivery.NONE
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == 302
    assert notices(response) == ["Vos préférences de notification sont enregistrées."]
    prefs = services.preferences_for(agent)
    assert prefs.email_frequency == EmailFrequency.DAILY
    assert prefs.delivery(NotificationKind.MENTION) == Delivery.NONE
    assert prefs.delivery(NotificationKind.SHARE) == Delivery.ALL


def test_preferences_page_reports_bad_input(agent):
    response = signed_in(agent).post(
        reverse("notifications:preferences"), {"email_frequency": "hourly"}
    )
    assert response.status_code == 200
    assert "Le formulaire contient" in text(response)
    assert services.preferences_for(agent).pk is None
