"""Telling people about events: invitations, changes, cancellations and answers.

People of the territory get an e-mail pointing to the event in Entente (where they answer) and
see the invitation on their home page; outside attendees get an iMIP e-mail (iCalendar
attached, one-click answer links) that any mail client understands. Jobs take ids and are
safe to run twice.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django_tasks import task

from entente.calendars.formatting import when
from entente.calendars.models import Attendee, Event, EventStatus
from entente.core.mail import absolute_url, send_templated_mail
from entente.notifications.models import NotificationKind
from entente.notifications.services import wants_email


def event_url(event: Event) -> str:
    return absolute_url(reverse("calendars:event", args=[event.pk]))


def _context(event: Event, **extra: object) -> dict[str, object]:
    return {
        "event": event,
        "when": when(event.start, event.end, event.tzid, event.all_day),
        "organiser": event.organiser_name or event.organiser_email,
        "link": event_url(event) if event.pk else "",  # a deleted event has no page
        **extra,
    }


@task()
def send_invitations(event_id: int, attendee_ids: list[int]) -> None:
    """Invite (or tell of a change) each attendee: people by mail + home page, outsiders by iMIP."""
    event = Event.objects.filter(pk=event_id).select_related("organiser").first()
    if event is None or event.status == EventStatus.CANCELLED:
        return
    attendees = Attendee.objects.filter(pk__in=attendee_ids, event=event).select_related("user")
    for attendee in attendees:
        if attendee.resource_id:
            continue
        if attendee.is_external:
            from entente.calendars import itip

            itip.send_imip(event, attendee, "REQUEST")
        elif (
            attendee.user_id
            and attendee.user.is_active
            and wants_email(attendee.user, NotificationKind.EVENT_INVITATION)
        ):
            send_templated_mail(
                "agenda_invitation",
                attendee.user.email,
                _context(event, person=attendee.user, updated=event.sequence > 0),
            )


@task()
def send_cancellations(
    event_id: int,
    recipients: list[dict[str, object]],
    recurrence_id: str | None,
    snapshot: dict[str, object] | None = None,
) -> None:
    """Tell each recipient that the event (or one instance of it) will not take place.

    ``snapshot`` (what the event said) stands in for an event deleted since, as when its
    calendar is deleted.
    """
    event = Event.objects.filter(pk=event_id).first()
    if event is None and snapshot:
        event = _from_snapshot(snapshot)
    if event is None:
        return
    instance = dt.datetime.fromisoformat(recurrence_id) if recurrence_id else None
    for person in recipients:
        email = str(person.get("email") or "")
        if not email:
            continue
        if person.get("user_id"):
            start = instance or event.start
            send_templated_mail(
                "agenda_cancellation",
                email,
                _context(
                    event,
                    when=when(start, start + (event.end - event.start), event.tzid, event.all_day),
                ),
            )
        else:
            from entente.calendars import itip

            itip.send_cancellation(event, email, str(person.get("name") or ""), instance)


def _from_snapshot(snapshot: dict[str, object]) -> Event:
    """An unsaved ``Event`` saying what a deleted one said (never saved)."""
    values = dict(snapshot)
    for name in ("start", "end"):
        values[name] = dt.datetime.fromisoformat(str(values[name]))
    fields = {f.name for f in Event._meta.concrete_fields}
    return Event(**{k: v for k, v in values.items() if k in fields})


@task()
def send_reply_notice(attendee_id: int, via: str) -> None:
    """Tell the organiser how someone answered."""
    attendee = (
        Attendee.objects.filter(pk=attendee_id)
        .select_related("event", "event__organiser", "user")
        .first()
    )
    if attendee is None or attendee.event.organiser is None:
        return
    organiser = attendee.event.organiser
    if not organiser.is_active:
        return
    send_templated_mail(
        "agenda_reply",
        organiser.email,
        _context(attendee.event, attendee=attendee, answer=attendee.get_partstat_display()),
    )
