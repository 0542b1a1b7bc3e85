"""notify(): who gets a row, who gets an e-mail (at once, in the daily digest, never), and the
opt-outs of each kind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from entente.accounts.tests.factories import UserFactory
from entente.notifications import services
from entente.notifications.models import (
    Delivery,
    EmailFrequency,
    Notification,
    NotificationKind,
)

pytestmark = pytest.mark.django_db

MENTION = NotificationKind.MENTION


@pytest.fixture
def run_commit(django_capture_on_commit_callbacks):
    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def mention(run_commit, recipient, actor, title="Agnès Martin vous a mentionné·e dans « Budget »"):
    return run_commit(
        services.notify,
        recipient,
        MENTION,
        title=title,
        body="Pouvez-vous relire le budget ?",
        url="/espaces/1/",
        actor=actor,
    )


def test_a_mention_in_immediate_mode_is_emailed_with_a_link_to_open_it(
    run_commit, agent, other_agent
):
    notification = mention(run_commit, other_agent, agent)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [other_agent.email]
    assert message.subject == "Agnès Martin vous a mentionné·e dans « Budget »"
    link = f"{settings.SITE_URL}{reverse('notifications:open', args=[notification.pk])}"
    assert "Bonjour Bernard," in message.body
    assert "Pouvez-vous relire le budget ?" in message.body
    assert link in message.body
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert f'href="{link}"' in html
    assert 'lang="fr"' in html
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_the_email_job_is_safe_to_run_twice(run_commit, agent, other_agent):
    notification = mention(run_commit, other_agent, agent)
    assert services.send_email(notification.pk) is False
    assert len(mail.outbox) == 1


def test_no_email_before_the_commit(agent, other_agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.notify(other_agent, MENTION, title="Mention", actor=agent)
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_nobody_is_notified_of_their_own_action_nor_when_inactive(run_commit, agent):
    assert mention(run_commit, agent, agent) is None
    gone = UserFactory(organisation=agent.organisation, is_active=False)
    assert mention(run_commit, gone, agent) is None
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_nothing_for_a_kind_turned_off(run_commit, agent, other_agent):
    services.set_preferences(
        other_agent,
        email_frequency=EmailFrequency.IMMEDIATE,
        deliveries={MENTION: Delivery.NONE},
    )
    assert mention(run_commit, other_agent, agent) is None
    assert not Notification.objects.exists()
    assert mail.outbox == []
    # other kinds still come
    other = run_commit(
        services.notify, other_agent, NotificationKind.TASK_ASSIGNED, title="Tâche", actor=agent
    )
    assert other is not None
    assert len(mail.outbox) == 1


def test_centre_only_kind_has_a_row_but_no_email(run_commit, agent, other_agent):
    services.set_preferences(
        other_agent,
        email_frequency=EmailFrequency.IMMEDIATE,
        deliveries={MENTION: Delivery.CENTRE},
    )
    notification = mention(run_commit, other_agent, agent)
    assert notification is not None
    assert notification.emailed_at is not None  # known never to go out
    assert mail.outbox == []


def test_never_means_no_email(run_commit, agent, other_agent):
    services.set_preferences(other_agent, email_frequency=EmailFrequency.NEVER, deliveries={})
    assert mention(run_commit, other_agent, agent) is not None
    assert mail.outbox == []


def test_a_caller_that_sends_its_own_email_gets_no_second_one(run_commit, agent, other_agent):
    notification = run_commit(
        services.notify,
        other_agent,
        NotificationKind.SHARE,
        title="Partagé",
        actor=agent,
        emailed=True,
    )
    assert notification.emailed_at is not None
    assert mail.outbox == []


@pytest.mark.parametrize(
    "url",
    ["https://ailleurs.example/", "//ailleurs.example/", "/\\ailleurs.example", "javascript:x"],
)
def test_only_paths_of_the_platform_are_kept(agent, other_agent, url):
    notification = services.notify(other_agent, MENTION, title="Lien", url=url, actor=agent)
    assert notification.url == ""


def test_preferences_refuse_unknown_values(agent):
    with pytest.raises(ValidationError) as error:
        services.set_preferences(
            agent, email_frequency="hourly", deliveries={"x.y": Delivery.ALL, MENTION: "loud"}
        )
    assert set(error.value.message_dict) == {"email_frequency", "deliveries"}
    assert services.preferences_for(agent).pk is None  # nothing written


# --- the daily digest --------------------------------------------------------------------------


def test_digest_groups_a_day_in_one_email_and_is_idempotent(run_commit, agent, other_agent):
    services.set_preferences(other_agent, email_frequency=EmailFrequency.DAILY, deliveries={})
    first = mention(run_commit, other_agent, agent, "Première mention")
    second = mention(run_commit, other_agent, agent, "Seconde mention")
    read = mention(run_commit, other_agent, agent, "Déjà lue")
    services.mark_read(other_agent, read)
    old = mention(run_commit, other_agent, agent, "Trop ancienne")
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    assert mail.outbox == []  # nothing at once in digest mode

    call_command("notifications_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [other_agent.email]
    assert message.subject == "Votre résumé du jour : 2 notifications"
    assert "Première mention" in message.body and "Seconde mention" in message.body
    assert "Déjà lue" not in message.body and "Trop ancienne" not in message.body
    assert reverse("notifications:open", args=[first.pk]) in message.body
    assert reverse("notifications:open", args=[second.pk]) in message.alternatives[0][0]
    assert not Notification.objects.filter(pk__in=[first.pk, second.pk], emailed_at=None).exists()

    call_command("notifications_digest", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 1


def test_digest_leaves_out_immediate_people_and_centre_only_kinds(run_commit, agent, other_agent):
    immediate = UserFactory(organisation=agent.organisation)
    mention(run_commit, immediate, agent)
    services.set_preferences(
        other_agent, email_frequency=EmailFrequency.DAILY, deliveries={MENTION: Delivery.CENTRE}
    )
    mention(run_commit, other_agent, agent)
    mail.outbox.clear()
    assert services.send_digests() == 0
    assert mail.outbox == []


def test_digest_skips_inactive_people(run_commit, agent, other_agent):
    services.set_preferences(other_agent, email_frequency=EmailFrequency.DAILY, deliveries={})
    mention(run_commit, other_agent, agent)
    other_agent.is_active = False
    other_agent.save(update_fields=["is_active"])
    assert services.send_digests() == 0
    assert mail.outbox == []


def test_switching_to_digest_after_notify_moves_the_email_to_the_digest(
    agent, other_agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = services.notify(other_agent, MENTION, title="Mention", actor=agent)
    services.set_preferences(other_agent, email_frequency=EmailFrequency.DAILY, deliveries={})
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert services.send_digests() == 1
