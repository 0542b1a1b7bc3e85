"""The hooks of other apps: an invitation to a meeting and a document shared with a person
land in the centre (their own e-mail stays the only one)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from entente.accounts.tests.factories import UserFactory
from entente.calendars import services as calendars
from entente.calendars.services import EventData
from entente.calendars.tests.factories import YEAR, paris
from entente.drive import services as drive
from entente.drive.models import ShareRole
from entente.drive.tests.factories import make_file, make_folder, root_of
from entente.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db

TEN = paris(YEAR, 3, 3, 10)


@pytest.fixture
def colleague(agent):
    return UserFactory(organisation=agent.organisation, first_name="Chloé")


def test_an_invitation_notifies_the_invited_person_once(
    agent, colleague, django_capture_on_commit_callbacks
):
    data = EventData(
        title="Commission voirie", start=TEN, end=TEN + dt.timedelta(hours=1), users=[colleague]
    )
    with django_capture_on_commit_callbacks(execute=True):
        event = calendars.create_event(agent, calendars.default_calendar(agent), data)
    row = Notification.objects.get(kind=NotificationKind.EVENT_INVITATION)
    assert row.recipient == colleague
    assert row.actor == agent
    assert row.title == "Agnès Martin vous invite à « Commission voirie »"
    assert row.url == reverse("calendars:event", args=[event.pk])
    assert row.emailed_at is not None
    assert [m.to for m in mail.outbox] == [[colleague.email]]  # the agenda's e-mail only
    # the organiser is not told of their own meeting
    assert not Notification.objects.filter(recipient=agent).exists()

    data.title = "Commission voirie (salle 2)"
    with django_capture_on_commit_callbacks(execute=True):
        calendars.update_event(agent, event, data)
    assert Notification.objects.filter(recipient=colleague).count() == 1


def test_an_event_made_without_notifying_tells_nobody(agent, colleague):
    data = EventData(title="Import", start=TEN, end=TEN + dt.timedelta(hours=1), users=[colleague])
    calendars.create_event(agent, calendars.default_calendar(agent), data, notify=False)
    assert not Notification.objects.exists()


def test_sharing_a_folder_with_a_person_notifies_them(
    agent, other_agent, django_capture_on_commit_callbacks
):
    folder = make_folder(agent, root_of(agent), "Budget 2026")
    with django_capture_on_commit_callbacks(execute=True):
        drive.share(agent, folder, other_agent, ShareRole.EDITOR, confirm_external=True)
    row = Notification.objects.get()
    assert row.kind == NotificationKind.SHARE
    assert row.recipient == other_agent
    assert row.title == "Agnès Martin a partagé le dossier « Budget 2026 » avec vous"
    assert row.url == reverse("drive:folder", args=[folder.pk])
    assert row.emailed_at is not None
    assert len(mail.outbox) == 1  # the drive's own e-mail, not a second one

    # changing the role of the share is not a new share
    drive.share(agent, folder, other_agent, ShareRole.READER, confirm_external=True)
    assert Notification.objects.count() == 1


def test_sharing_a_file_links_to_its_page(agent, colleague):
    node = make_file(agent, root_of(agent), "Plan.pdf", b"%PDF-1.4")
    drive.share(agent, node, colleague, ShareRole.READER)
    row = Notification.objects.get(recipient=colleague)
    assert row.url == reverse("drive:file", args=[node.pk])
    assert "document « Plan.pdf »" in row.title


def test_the_agenda_and_documents_mails_respect_the_preferences(
    agent, colleague, django_capture_on_commit_callbacks
):
    """« Dans le centre seulement » for shares, « Jamais » for e-mails: the apps' own e-mails
    are not sent, the centre still shows both."""
    from entente.notifications.models import Delivery, EmailFrequency
    from entente.notifications.services import set_preferences

    set_preferences(
        colleague,
        email_frequency=EmailFrequency.IMMEDIATE,
        deliveries={NotificationKind.SHARE: Delivery.CENTRE},
    )
    folder = make_folder(agent, root_of(agent), "Budget 2026")
    with django_capture_on_commit_callbacks(execute=True):
        drive.share(agent, folder, colleague, ShareRole.READER)
    assert mail.outbox == []

    set_preferences(colleague, email_frequency=EmailFrequency.NEVER, deliveries={})
    data = EventData(
        title="Commission voirie", start=TEN, end=TEN + dt.timedelta(hours=1), users=[colleague]
    )
    with django_capture_on_commit_callbacks(execute=True):
        calendars.create_event(agent, calendars.default_calendar(agent), data)
    assert mail.outbox == []
    assert set(Notification.objects.values_list("kind", flat=True)) == {
        NotificationKind.SHARE,
        NotificationKind.EVENT_INVITATION,
    }
