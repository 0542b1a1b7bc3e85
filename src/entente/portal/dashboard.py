"""What the home page shows a person, widget by widget, in few queries.

Every list goes through the permission engine (``visible``/``can``): a widget shows only
what its page would let the person open.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.calendars import formatting
from entente.calendars import services as agenda
from entente.calendars.models import Privacy
from entente.calendars.views import invitation_items
from entente.core.markdown import render
from entente.core.permissions import can, visible
from entente.drive.models import DriveKind, Node, NodeKind
from entente.notifications.models import Notification
from entente.portal.models import Announcement, AppTile
from entente.spaces.models import Activity, Membership, Space
from entente.spaces.tasks.services import tasks_due_for

MEETING_DAYS = 7
MEETINGS_SHOWN = 10
DOCUMENTS_SHOWN = 8
SPACES_SHOWN = 8
TASKS_SHOWN = 8
NOTIFICATIONS_SHOWN = 5


def _day_label(day: dt.date, today: dt.date) -> str:
    if day == today:
        return _("Aujourd'hui, %(day)s") % {"day": formatting.day(day)}
    if day == today + dt.timedelta(days=1):
        return _("Demain, %(day)s") % {"day": formatting.day(day)}
    return formatting.day(day).capitalize()


def _span(occurrence: Any) -> str:
    """The time of one occurrence on its day, in words (« 10 h 00 – 11 h 00 »)."""
    start, end = timezone.localtime(occurrence.start), timezone.localtime(occurrence.end)
    if occurrence.all_day:
        return _("toute la journée")
    if start.date() != end.date():
        return formatting.when(occurrence.start, occurrence.end, occurrence.event.tzid)
    return _("de %(start)s à %(end)s") % {
        "start": formatting.clock(start),
        "end": formatting.clock(end),
    }


def upcoming_meetings(user: Any, today: dt.date) -> dict[str, Any]:
    """The person's meetings of the next seven days, grouped by day."""
    if user.organisation_id is None:
        return {"days": [], "more": 0}
    start = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    end = start + dt.timedelta(days=MEETING_DAYS)
    now = timezone.now()
    occurrences = [
        o
        for o in agenda.agenda_occurrences(user, [agenda.default_calendar(user)], start, end)
        if o.end > now
    ]
    days: list[dict[str, Any]] = []
    for occurrence in occurrences[:MEETINGS_SHOWN]:
        event = occurrence.event
        day = occurrence.start.date() if occurrence.all_day else None
        day = day or timezone.localtime(occurrence.start).date()
        if not days or days[-1]["date"] != day:
            days.append({"date": day, "label": _day_label(day, today), "items": []})
        url = reverse("calendars:event", args=[event.pk])
        if occurrence.recurrence_id:
            url += "?occurrence=" + occurrence.recurrence_id.isoformat()
        days[-1]["items"].append(
            {
                "occurrence": occurrence,
                "event": event,
                # agenda_occurrences keeps only events the viewer may view (their readable
                # calendars, their invitations): only a private one needs a closer look
                "details": event.privacy != Privacy.PRIVATE or can(user, "view_details", event),
                "span": _span(occurrence),
                "url": url,
            }
        )
    return {"days": days, "more": max(0, len(occurrences) - MEETINGS_SHOWN)}


def invitations(user: Any) -> list[dict[str, Any]]:
    if user.organisation_id is None:
        return []
    return invitation_items(user, reverse("portal:home"))


def recent_documents(user: Any) -> list[Node]:
    """Files the person changed, or that reach them by a share or one of their spaces, most
    recently changed first (their organisation's common folders only when they changed
    them: otherwise every change in a large organisation would crowd this list)."""
    personal_or_shared = ~Q(drive__kind=DriveKind.ORGANISATION) | Q(modified_by_id=user.pk)
    return list(
        visible(user, Node)
        .filter(personal_or_shared, kind=NodeKind.FILE)
        .select_related("drive", "drive__space", "drive__organisation", "modified_by")
        .order_by("-modified_at", "-pk")[:DOCUMENTS_SHOWN]
    )


def my_spaces(user: Any) -> list[Membership]:
    """The person's spaces (not archived), with ``unread``: the lines of each feed written by
    others since they last opened it (what ``spaces.activity.unread_count`` counts), in one
    query for all."""

    def count(activities: QuerySet) -> Coalesce:
        rows = activities.order_by().values("space_id").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    others = Activity.objects.filter(space_id=OuterRef("space_id")).exclude(actor_id=user.pk)
    unread = Case(
        When(last_seen_at__isnull=True, then=count(others)),
        default=count(others.filter(created_at__gt=OuterRef("last_seen_at"))),
        output_field=IntegerField(),
    )
    return list(
        Membership.objects.filter(
            user_id=user.pk,
            space__in=visible(user, Space),
            space__archived_at__isnull=True,
        )
        .select_related("space")
        .annotate(unread=unread)
        .order_by(F("unread").desc(), "space__name", "pk")[:SPACES_SHOWN]
    )


def my_tasks(user: Any, today: dt.date) -> dict[str, Any]:
    """Open tasks assigned to the person in their spaces (``visible`` tasks), overdue first,
    then by due date (none last)."""
    rows = list(tasks_due_for(user).filter(space__archived_at__isnull=True)[: TASKS_SHOWN + 1])
    for task in rows:
        task.overdue = task.due_date is not None and task.due_date < today
        task.due_today = task.due_date == today
    return {"tasks": rows[:TASKS_SHOWN], "more": len(rows) > TASKS_SHOWN}


def unread_notifications(user: Any) -> list[Notification]:
    return list(
        visible(user, Notification)
        .filter(recipient_id=user.pk, read_at__isnull=True)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:NOTIFICATIONS_SHOWN]
    )


def _audience(user: Any) -> Q:
    return Q(organisation__isnull=True) | Q(organisation_id=user.organisation_id)


def tiles(user: Any) -> dict[str, list[AppTile]]:
    """Active tiles of the person's organisation and of the territory (guests: none)."""
    if user.is_guest:
        return {"organisation": [], "territory": []}
    rows = list(visible(user, AppTile).filter(_audience(user), is_active=True))
    return {
        "organisation": [t for t in rows if t.organisation_id is not None],
        "territory": [t for t in rows if t.organisation_id is None],
    }


def current_announcements(user: Any) -> list[Announcement]:
    """Announcements addressed to the person and shown now, important ones first."""
    if user.is_guest:
        return []
    now = timezone.now()
    rows = list(
        visible(user, Announcement)
        .filter(_audience(user), starts_at__lte=now)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .select_related("organisation")
    )
    rows.sort(key=lambda a: (not a.is_important, -a.starts_at.timestamp()))
    for row in rows:
        row.html = render(row.body, shift_headings=3)
    return rows
