"""What other apps call when something concerns a person of the platform: an invitation to a
meeting, a document shared with them. Called inside the caller's transaction; those apps send
their own e-mail, so these notifications never go out by e-mail from here (``emailed=True``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from entente.notifications.models import Notification, NotificationKind
from entente.notifications.services import notify


def invited_to_event(event: Any, attendee_ids: list[int]) -> None:
    """Tell each person among ``attendee_ids`` they are invited to ``event``: once per event
    (a change of a meeting they already know of is told by its own e-mail)."""
    from entente.calendars.formatting import when
    from entente.calendars.models import Attendee, EventStatus

    if event.status == EventStatus.CANCELLED:
        return
    path = reverse("calendars:event", args=[event.pk])
    attendees = [
        a
        for a in Attendee.objects.filter(pk__in=attendee_ids, user__isnull=False).select_related(
            "user"
        )
        if a.user_id != event.organiser_id
    ]
    if not attendees:
        return
    already = set(
        Notification.objects.filter(
            kind=NotificationKind.EVENT_INVITATION,
            url=path,
            recipient_id__in=[a.user_id for a in attendees],
        ).values_list("recipient_id", flat=True)
    )
    organiser = event.organiser
    name = (organiser.get_full_name() or organiser.email) if organiser else event.organiser_name
    if name:
        title = _("%(organiser)s vous invite à « %(title)s »") % {
            "organiser": name,
            "title": event.title,
        }
    else:
        title = _("Vous êtes invité·e à « %(title)s »") % {"title": event.title}
    body = when(event.start, event.end, event.tzid, event.all_day)
    if event.location:
        body = f"{body} — {event.location}"
    for attendee in attendees:
        if attendee.user_id in already:
            continue
        notify(
            attendee.user,
            NotificationKind.EVENT_INVITATION,
            title=title,
            body=body,
            url=path,
            actor=organiser,
            emailed=True,
        )


def shared_with_person(actor: Any, share: Any) -> None:
    """Tell the person ``share`` is for that ``actor`` shared a folder or a document with them."""
    from entente.drive.models import ShareRole

    person = share.user
    node = share.node
    if person is None:
        return
    who = actor.get_full_name() or actor.email
    if node.is_folder:
        title = _("%(who)s a partagé le dossier « %(name)s » avec vous")
        path = reverse("drive:folder", args=[node.pk])
    else:
        title = _("%(who)s a partagé le document « %(name)s » avec vous")
        path = reverse("drive:file", args=[node.pk])
    notify(
        person,
        NotificationKind.SHARE,
        title=title % {"who": who, "name": node.name},
        body=_("Votre droit : %(role)s.") % {"role": ShareRole(share.role).label},
        url=path,
        actor=actor,
        emailed=True,
    )
