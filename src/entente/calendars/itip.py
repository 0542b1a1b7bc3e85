"""Scheduling with people outside the platform: iTIP messages (RFC 5546) sent by iMIP e-mail.

An outside attendee receives an e-mail in French with the event attached as iCalendar
(``METHOD:REQUEST`` or ``CANCEL``), which any mail client shows with its own answer buttons,
and signed one-click answer links for those whose client does not. Their client's answer
(``METHOD:REPLY``) comes back by e-mail (``receive_calendar_mail``) or through the link.

Answer links are signed (``django.core.signing``, a salt of their own) and bound to the
attendee and to the event's SEQUENCE: a link from before a change stops working, and every
link stops once the event is over. Opening a link (GET) changes nothing; the answer is
recorded by the button of the page (POST), so mail scanners following links do no harm.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import icalendar
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from entente.calendars import ics
from entente.calendars.formatting import when
from entente.calendars.models import Attendee, Event, EventStatus, PartStat
from entente.calendars.recurrence import UTC, series_end
from entente.core.mail import absolute_url

ANSWER_SALT = "entente.calendars.answer-link"
ANSWERS = (PartStat.ACCEPTED, PartStat.TENTATIVE, PartStat.DECLINED)


class LinkError(Exception):
    """An answer link that cannot be used; ``message`` says why in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Reply:
    uid: str
    recurrence_id: dt.datetime | None
    email: str
    partstat: str
    comment: str
    #: ``None`` when the client did not say (answers then apply to the current version)
    sequence: int | None
    #: who sent it on the attendee's behalf (SENT-BY), if anyone
    sent_by: str = ""


# --- iCalendar messages ------------------------------------------------------------------------


def organiser_address(event: Event) -> tuple[str, str]:
    """(address, name) written as ORGANIZER in messages to outside attendees.

    With ``CALENDAR_IMIP_ADDRESS`` set, mail clients send their answers to that mailbox, which
    the mail server pipes into ``entente receive_calendar_mail``; otherwise to the organiser.
    """
    master = event.series
    name = master.organiser.get_full_name() if master.organiser_id else master.organiser_name
    own = master.organiser.email if master.organiser_id else master.organiser_email
    return getattr(settings, "CALENDAR_IMIP_ADDRESS", "") or own, name


def _with_organiser(component: Any, event: Event) -> Any:
    address, name = organiser_address(event)
    while "ORGANIZER" in component:
        del component["ORGANIZER"]
    if address:
        value = icalendar.vCalAddress(f"mailto:{address}")
        if name:
            value.params["CN"] = name
        component.add("ORGANIZER", value)
    return component


def request_ics(event: Event) -> bytes:
    """``METHOD:REQUEST``: the event (a series with its changed instances) as invited see it."""
    calendar = ics.new_calendar(method="REQUEST")
    calendar.add_component(_with_organiser(ics.event_to_component(event, full=True), event))
    if event.master_id is None and event.rrule:
        for override in event.overrides.exclude(status=EventStatus.CANCELLED):
            component = ics.event_to_component(override, full=True)
            calendar.add_component(_with_organiser(component, event))
    return ics.finish(calendar)


def _minimal(event: Event, sequence: int | None = None) -> Any:
    component = icalendar.Event()
    component.add("UID", event.uid)
    component.add("DTSTAMP", timezone.now().astimezone(UTC))
    component.add("SEQUENCE", event.sequence if sequence is None else sequence)
    component.add("SUMMARY", event.title)
    ics._set_times(component, event)  # noqa: SLF001 (same package)
    if event.recurrence_id is not None:
        component.add("RECURRENCE-ID", ics._instant_value(event.recurrence_id, event))  # noqa: SLF001
    return _with_organiser(component, event)


def cancel_ics(
    event: Event,
    attendees: list[Attendee | tuple[str, str]],
    recurrence_id: dt.datetime | None = None,
) -> bytes:
    """``METHOD:CANCEL`` for ``attendees`` (rows or (address, name)); one instance of a series
    when ``recurrence_id`` (its original start, UTC) is given."""
    component = _minimal(event)
    component.add("STATUS", EventStatus.CANCELLED)
    if recurrence_id is not None and "RECURRENCE-ID" not in component:
        # one instance of the series: its own times, named by its original start
        for name in ("DTSTART", "DTEND"):
            del component[name]
        instance = Event(
            start=recurrence_id,
            end=recurrence_id + (event.end - event.start),
            tzid=event.tzid,
            all_day=event.all_day,
        )
        ics._set_times(component, instance)  # noqa: SLF001
        component.add("RECURRENCE-ID", ics._instant_value(recurrence_id, event))  # noqa: SLF001
    for attendee in attendees:
        if isinstance(attendee, Attendee):
            value = ics.attendee_property(attendee)
        else:
            email, name = attendee
            value = icalendar.vCalAddress(f"mailto:{email}")
            if name:
                value.params["CN"] = name
        if value is not None:
            component.add("ATTENDEE", value)
    calendar = ics.new_calendar(method="CANCEL")
    calendar.add_component(component)
    return ics.finish(calendar)


def reply_ics(event: Event, attendee: Attendee) -> bytes:
    """``METHOD:REPLY``: ``attendee``'s answer to ``event``."""
    component = _minimal(event)
    value = ics.attendee_property(attendee)
    if value is not None:
        component.add("ATTENDEE", value)
    if attendee.comment:
        component.add("COMMENT", attendee.comment)
    calendar = ics.new_calendar(method="REPLY")
    calendar.add_component(component)
    return ics.finish(calendar)


def parse_reply(data: bytes) -> Reply:
    """The answer carried by a ``METHOD:REPLY`` file; ``ics.IcsError`` when there is none."""
    for calendar in ics.read_components(data):
        if str(calendar.get("METHOD", "")).upper() != "REPLY":
            continue
        for component in calendar.walk("VEVENT"):
            uid = ics._text(component, "UID", 255)  # noqa: SLF001
            attendee = component.get("ATTENDEE")
            if isinstance(attendee, list):
                attendee = attendee[0]
            email = ics._address(attendee) if attendee is not None else ""  # noqa: SLF001
            if not uid or not email:
                raise ics.IcsError(
                    "reply_incomplete",
                    _("La réponse ne dit pas à quel évènement ni de quelle personne elle vient."),
                )
            recurrence_id = None
            if component.get("RECURRENCE-ID") is not None:
                try:
                    value, tzid = ics._moment(  # noqa: SLF001
                        component["RECURRENCE-ID"], "UTC", "RECURRENCE-ID"
                    )
                except ics._Skip as error:  # noqa: SLF001
                    raise ics.IcsError("reply_incomplete", str(error)) from error
                recurrence_id = ics._utc_of(value, tzid)  # noqa: SLF001
            sequence = None
            if component.get("SEQUENCE") is not None:
                try:
                    sequence = int(component["SEQUENCE"])
                except (TypeError, ValueError):
                    sequence = None
            return Reply(
                uid=uid,
                recurrence_id=recurrence_id,
                email=email,
                partstat=str(attendee.params.get("PARTSTAT", "")).upper(),
                comment=ics._text(component, "COMMENT", 500),  # noqa: SLF001
                sequence=sequence,
                sent_by=ics._address(attendee.params.get("SENT-BY", "")),  # noqa: SLF001
            )
    raise ics.IcsError("not_reply", _("Ce fichier iCalendar n'est pas une réponse (METHOD:REPLY)."))


def check_reply(reply: Reply) -> tuple[Attendee | None, str]:
    """The outside attendee ``reply`` answers for, or ``None`` and why it is ignored."""
    if reply.partstat not in ANSWERS:
        return None, _("La réponse « %(answer)s » n'est pas prise en compte.") % {
            "answer": reply.partstat[:20]
        }
    masters = Event.objects.filter(uid=reply.uid, master__isnull=True, organiser__isnull=False)
    for master in masters:
        target = master
        if reply.recurrence_id is not None and master.rrule:
            target = Event.objects.filter(master=master, recurrence_id=reply.recurrence_id).first()
            if target is None:
                target = master
        attendee = (
            Attendee.objects.filter(
                event=target, user__isnull=True, resource__isnull=True, email__iexact=reply.email
            )
            .select_related("event")
            .first()
        )
        if attendee is None:
            continue
        if EventStatus.CANCELLED in (master.status, target.status):
            return None, _("L'évènement a été annulé : la réponse est ignorée.")
        if reply.sequence is not None and reply.sequence < target.sequence:
            return None, _(
                "La réponse porte sur une version dépassée de l'évènement : elle est ignorée."
            )
        return attendee, ""
    return None, _("Aucun évènement ne correspond à cette réponse (UID et adresse).")


def apply_reply(reply: Reply) -> Attendee | None:
    """Record an outside attendee's answer received by e-mail; ``None`` when ignored."""
    from entente.calendars import services

    attendee, _reason = check_reply(reply)
    if attendee is None:
        return None
    services.record_reply(attendee, reply.partstat, reply.comment, via="mail")
    return attendee


# --- answer links ------------------------------------------------------------------------------


def link_expiry(event: Event) -> dt.datetime | None:
    """When answering stops making sense: the end of the event (of the last instance of a
    series); ``None`` for a series that never ends."""
    if event.master_id is None and event.rrule:
        last = series_end(event)
        return None if last is None else last + (event.end - event.start)
    return event.end


def answer_token(attendee: Attendee) -> str:
    event = attendee.event
    expiry = link_expiry(event)
    payload = {
        "a": attendee.pk,
        "s": event.sequence,
        "e": int(expiry.timestamp()) if expiry else 0,
    }
    return signing.dumps(payload, salt=ANSWER_SALT, compress=True)


def answer_url(attendee: Attendee, choice: str = "") -> str:
    url = absolute_url(reverse("calendars:answer", args=[answer_token(attendee)]))
    return f"{url}?choix={choice}" if choice else url


def read_answer_token(token: str) -> Attendee:
    """The outside attendee a link answers for; ``LinkError`` in French otherwise."""
    try:
        payload = signing.loads(token, salt=ANSWER_SALT)
        attendee_id, sequence, expiry = int(payload["a"]), int(payload["s"]), int(payload["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkError(
            _("Ce lien de réponse n'est pas valide. Vérifiez qu'il a été copié en entier.")
        ) from None
    if expiry and timezone.now().timestamp() > expiry:
        raise LinkError(_("Cet évènement est passé : il n'est plus possible d'y répondre."))
    attendee = (
        Attendee.objects.filter(pk=attendee_id, user__isnull=True, resource__isnull=True)
        .select_related("event", "event__master", "event__organiser")
        .first()
    )
    if attendee is None:
        raise LinkError(_("Cette invitation n'existe plus : l'organisateur vous a retiré·e."))
    event = attendee.event
    if EventStatus.CANCELLED in (event.status, event.series.status):
        raise LinkError(_("Cet évènement a été annulé : il n'y a plus à y répondre."))
    if sequence != event.sequence:
        raise LinkError(
            _(
                "L'évènement a changé depuis l'envoi de ce lien. Répondez avec le lien du "
                "message le plus récent."
            )
        )
    return attendee


# --- sending -----------------------------------------------------------------------------------


class _Message(EmailMultiAlternatives):
    """An e-mail whose parts may carry MIME parameters (``text/calendar; method=REQUEST``)."""

    def _create_mime_attachment(self, content: Any, mimetype: str) -> Any:
        base, *params = [part.strip() for part in mimetype.split(";")]
        part = super()._create_mime_attachment(content, base)
        for param in params:
            key, _sep, value = param.partition("=")
            if key.lower() != "charset":
                part.set_param(key, value)
        return part


def _send(template: str, to: str, context: dict[str, Any], method: str, data: bytes) -> None:
    with translation.override("fr"):
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    body = data.decode()
    message = _Message(" ".join(subject.split()), text, to=[to])
    reply_to = context.get("organiser_email")
    if reply_to:
        message.reply_to = [reply_to]
    message.attach_alternative(html, "text/html")
    message.attach_alternative(body, f"text/calendar; method={method}; charset=utf-8")
    message.attach("invitation.ics", body, "application/ics")
    message.send()


def _context(event: Event, start: dt.datetime | None = None) -> dict[str, Any]:
    master = event.series
    begin = start or event.start
    return {
        "event": event,
        "when": when(begin, begin + (event.end - event.start), event.tzid, event.all_day),
        "organiser": organiser_address(event)[1] or organiser_address(event)[0],
        "organiser_email": master.organiser.email
        if master.organiser_id
        else master.organiser_email,
        "recurring": bool(master.rrule),
    }


def send_imip(event: Event, attendee: Attendee, method: str = "REQUEST") -> None:
    """E-mail ``event`` to an outside ``attendee``: a new or changed invitation (``REQUEST``)
    with answer links, or a cancellation (``CANCEL``)."""
    if not attendee.is_external or not attendee.email:
        return
    if method == "CANCEL":
        send_cancellation(event, attendee.email, attendee.name)
        return
    context = _context(event)
    context.update(
        attendee=attendee,
        updated=event.sequence > 0,
        answers=[
            (_("Accepter"), answer_url(attendee, "accepter")),
            (_("Peut-être"), answer_url(attendee, "peut-etre")),
            (_("Décliner"), answer_url(attendee, "decliner")),
        ],
    )
    _send("calendar_request", attendee.email, context, "REQUEST", request_ics(event))


def send_cancellation(
    event: Event, email: str, name: str = "", recurrence_id: dt.datetime | None = None
) -> None:
    """Tell an outside address that ``event`` (or its instance at ``recurrence_id``) is off."""
    context = _context(event, recurrence_id)
    context.update(name=name, instance=recurrence_id is not None)
    data = cancel_ics(event, [(email, name)], recurrence_id)
    _send("calendar_cancel", email, context, "CANCEL", data)
