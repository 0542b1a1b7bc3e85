"""iTIP/iMIP with people outside the platform: messages, answer links, replies by e-mail."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from entente.calendars import itip
from entente.calendars.ics import IcsError
from entente.calendars.models import Attendee, CalendarKind, Event, PartStat
from entente.calendars.recurrence import rebuild_occurrences
from entente.calendars.tests.factories import CalendarFactory

PARIS = ZoneInfo("Europe/Paris")
GUEST = "claire.fontaine@bureau-etudes.example"


def meeting(organiser, *, days: int = 30, sequence: int = 0, rrule: str = "") -> Event:
    """A meeting ``days`` from now organised by ``organiser`` with one outside attendee."""
    calendar = CalendarFactory(owner=organiser, kind=CalendarKind.PERSONAL)
    start = (dt.datetime.now(PARIS) + dt.timedelta(days=days)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    event = Event.objects.create(
        calendar=calendar,
        title="Revue du marché de voirie",
        location="Mairie de Valmont",
        start=start,
        end=start + dt.timedelta(hours=1),
        rrule=rrule,
        organiser=organiser,
        organiser_email=organiser.email,
        organiser_name=organiser.get_full_name(),
        sequence=sequence,
    )
    Attendee.objects.create(event=event, user=organiser, role="CHAIR", partstat="ACCEPTED")
    Attendee.objects.create(event=event, email=GUEST, name="Claire Fontaine")
    rebuild_occurrences(event)
    return event


def guest_of(event: Event) -> Attendee:
    return event.attendees.get(email=GUEST)


def test_request_carries_method_organiser_attendees_uid_and_sequence(agent):
    event = meeting(agent, sequence=2)

    parsed = icalendar.Calendar.from_ical(itip.request_ics(event))

    assert parsed["METHOD"] == "REQUEST"
    [vevent] = parsed.walk("VEVENT")
    assert str(vevent["UID"]) == event.uid
    assert vevent["SEQUENCE"] == 2
    assert vevent["ORGANIZER"] == f"mailto:{agent.email}"
    assert vevent["ORGANIZER"].params["CN"] == "Agnès Martin"
    addresses = {str(a) for a in vevent["ATTENDEE"]}
    assert addresses == {f"mailto:{agent.email}", f"mailto:{GUEST}"}


def test_organiser_address_can_be_the_answers_mailbox(agent, settings):
    settings.CALENDAR_IMIP_ADDRESS = "agenda-reponses@entente.example"
    event = meeting(agent)

    [vevent] = icalendar.Calendar.from_ical(itip.request_ics(event)).walk("VEVENT")

    assert vevent["ORGANIZER"] == "mailto:agenda-reponses@entente.example"
    assert vevent["ORGANIZER"].params["CN"] == "Agnès Martin"


def test_imip_mail_has_text_html_calendar_part_and_attachment(agent):
    event = meeting(agent)

    itip.send_imip(event, guest_of(event), "REQUEST")

    [sent] = mail.outbox
    assert sent.to == [GUEST]
    assert sent.subject.startswith("Invitation : Revue du marché de voirie")
    assert sent.reply_to == [agent.email]
    message = email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)
    kinds = [part.get_content_type() for part in message.walk() if not part.is_multipart()]
    assert kinds == ["text/plain", "text/html", "text/calendar", "application/ics"]
    calendar_part = [p for p in message.walk() if p.get_content_type() == "text/calendar"][0]
    assert calendar_part.get_param("method") == "REQUEST"
    assert calendar_part.get_content_charset() == "utf-8"
    attachment = [p for p in message.walk() if p.get_content_type() == "application/ics"][0]
    assert attachment.get_filename() == "invitation.ics"
    parsed = icalendar.Calendar.from_ical(attachment.get_payload(decode=True))
    assert parsed["METHOD"] == "REQUEST"
    assert str(parsed.walk("VEVENT")[0]["UID"]) == event.uid
    text = [p for p in message.walk() if p.get_content_type() == "text/plain"][0].get_content()
    assert "Agnès Martin vous invite" in text
    assert "/agenda/reponse/" in text and "?choix=accepter" in text


def test_cancellation_and_reply_messages(agent):
    event = meeting(agent)
    guest = guest_of(event)

    cancel = icalendar.Calendar.from_ical(itip.cancel_ics(event, [guest]))
    assert cancel["METHOD"] == "CANCEL"
    assert cancel.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    itip.send_cancellation(event, GUEST, "Claire Fontaine")
    assert mail.outbox[0].subject.startswith("Annulé : Revue du marché de voirie")

    guest.partstat = PartStat.TENTATIVE
    reply = itip.parse_reply(itip.reply_ics(event, guest))
    assert (reply.uid, reply.email, reply.partstat, reply.sequence) == (
        event.uid,
        GUEST,
        "TENTATIVE",
        0,
    )


# --- answer links ------------------------------------------------------------------------------


def test_answer_link_reads_back_and_stops_after_a_change(agent):
    event = meeting(agent)
    guest = guest_of(event)
    token = itip.answer_token(guest)

    assert itip.read_answer_token(token) == guest

    Event.objects.filter(pk=event.pk).update(sequence=1)
    with pytest.raises(itip.LinkError, match="changé"):
        itip.read_answer_token(token)


def test_answer_link_forged_or_for_a_past_event_is_refused(agent):
    past = meeting(agent, days=-3)
    with pytest.raises(itip.LinkError, match="passé"):
        itip.read_answer_token(itip.answer_token(guest_of(past)))
    token = itip.answer_token(guest_of(meeting(agent)))
    with pytest.raises(itip.LinkError, match="pas valide"):
        itip.read_answer_token(token[:-2] + ("aa" if not token.endswith("aa") else "bb"))


# --- replies by e-mail -------------------------------------------------------------------------


def reply_mail(event: Event, partstat: str, *, sender: str = GUEST, sequence: int | None = None):
    guest = guest_of(event)
    guest.partstat = partstat
    body = itip.reply_ics(event, guest)
    if sequence is not None:
        body = body.replace(f"SEQUENCE:{event.sequence}".encode(), f"SEQUENCE:{sequence}".encode())
    message = EmailMessage()
    message["From"] = f"Claire Fontaine <{sender}>"
    message["To"] = "agenda-reponses@entente.example"
    message["Subject"] = "Accepté : Revue du marché de voirie"
    message.set_content("Claire Fontaine a accepté.")
    message.add_alternative(body.decode(), subtype="calendar", params={"method": "REPLY"})
    return io.BytesIO(message.as_bytes())


def run(stdin) -> str:
    out = io.StringIO()
    call_command("receive_calendar_mail", stdin=stdin, stdout=out)
    return out.getvalue()


def test_reply_mail_is_applied_through_the_command(agent):
    event = meeting(agent)

    output = run(reply_mail(event, PartStat.ACCEPTED))

    assert "enregistrée" in output
    guest = guest_of(event)
    assert guest.partstat == PartStat.ACCEPTED
    assert guest.responded_at is not None


def test_stale_sequence_is_ignored(agent):
    event = meeting(agent, sequence=3)

    output = run(reply_mail(event, PartStat.DECLINED, sequence=1))

    assert "version dépassée" in output
    assert guest_of(event).partstat == PartStat.NEEDS_ACTION
    stale = itip.parse_reply(itip.reply_ics(event, guest_of(event)))
    stale.sequence, stale.partstat = 2, "DECLINED"
    assert itip.apply_reply(stale) is None


def test_reply_sent_by_someone_else_is_ignored(agent):
    event = meeting(agent)

    output = run(reply_mail(event, PartStat.DECLINED, sender="intrus@exemple.fr"))

    assert "ignorée" in output
    assert guest_of(event).partstat == PartStat.NEEDS_ACTION


def test_mail_without_calendar_is_not_an_error(db):
    message = EmailMessage()
    message["From"] = "quelquun@exemple.fr"
    message["Subject"] = "Bonjour"
    message.set_content("Pas d'agenda ici.")

    assert "rien à faire" in run(io.BytesIO(message.as_bytes()))


def test_malformed_calendar_exits_with_1_and_a_clear_message(db):
    message = EmailMessage()
    message["From"] = GUEST
    message.set_content("BEGIN:VCALENDAR\nMETHOD:REPLY\nBEGIN:VEVENT\n", subtype="calendar")

    with pytest.raises(CommandError) as error:
        run(io.BytesIO(message.as_bytes()))
    assert error.value.returncode == 1
    assert "incomplet" in str(error.value)


def test_parse_reply_refuses_a_request(agent):
    with pytest.raises(IcsError) as error:
        itip.parse_reply(itip.request_ics(meeting(agent)))
    assert error.value.code == "not_reply"
