"""The demo territory's agenda: rooms, visio services, everyone's calendar and a few weeks of
meetings, so that "Trouver un créneau" has real busy times to work with.

Events are anchored on the Monday of the week the demo is first loaded and keyed by a stable
UID (``demo-…@entente``): a second run finds them and adds nothing. Written in bulk (a few
thousand rows) so that ``make run`` stays quick.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from zoneinfo import ZoneInfo

from django.utils import timezone

from entente.accounts.models import User
from entente.calendars.models import (
    COLOURS,
    Attendee,
    Calendar,
    CalendarKind,
    CalendarShare,
    Event,
    Occurrence,
    PartStat,
    Privacy,
    Resource,
    Role,
    ShareLevel,
)
from entente.calendars.recurrence import rebuild_occurrences
from entente.core.demo import data
from entente.organisations.models import Organisation, Policy

PARIS = ZoneInfo("Europe/Paris")
BATCH_SIZE = 500

#: (organisation slug, kind, name, capacity, equipment, location, bookable by the territory)
RESOURCES = [
    (
        data.CITY_SLUG,
        "room",
        "Salle du conseil",
        40,
        "écran, visioconférence, boucle magnétique",
        "Hôtel de ville, 1er étage",
        True,
    ),
    (data.CITY_SLUG, "room", "Salle de l'Orbelle", 12, "écran", "Hôtel de ville, 2e étage", False),
    (
        data.CITY_SLUG,
        "room",
        "Salle des mariages",
        60,
        "sonorisation",
        "Hôtel de ville, rez-de-chaussée",
        False,
    ),
    (
        data.METROPOLIS_SLUG,
        "room",
        "Salle Confluence",
        20,
        "écran, visioconférence",
        "Siège de la métropole, 3e étage",
        True,
    ),
    (
        data.METROPOLIS_SLUG,
        "room",
        "Salle du Jardin",
        8,
        "tableau blanc",
        "Siège de la métropole, rez-de-jardin",
        False,
    ),
    (data.METROPOLIS_SLUG, "vehicle", "Véhicule électrique 1", 4, "", "Parking du siège", False),
    (data.METROPOLIS_SLUG, "equipment", "Vidéoprojecteur portable", None, "", "Accueil", False),
    (
        data.SYNDICATE_SLUG,
        "room",
        "Salle de formation",
        14,
        "postes informatiques, écran",
        "Locaux du syndicat",
        True,
    ),
]
COMMUNE_ROOM = ("room", "Salle du conseil municipal", 25, "écran", "Mairie", False)

VISIO = {
    data.METROPOLIS_SLUG: ("jitsi", "https://visio.valdorbelle-metropole.fr"),
    data.CITY_SLUG: ("bbb", "https://bbb.ville-bellerive.fr"),
    data.SYNDICATE_SLUG: ("jitsi", "https://visio.numerique-orbelle.fr"),
}

#: things agents do that keep them busy: (title, minutes, private)
BUSY = [
    ("Réunion de service", 60, False),
    ("Point d'équipe", 30, False),
    ("Rendez-vous usager", 45, False),
    ("Visite de terrain", 120, False),
    ("Formation", 180, False),
    ("Comité technique", 90, False),
    ("Entretien", 60, True),
    ("Rendez-vous personnel", 60, True),
]


def anchor_monday() -> dt.date:
    """The Monday of this week, or of the next one when the demo is loaded on a weekend (so
    that the meetings lie ahead of whoever opens the demo)."""
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    return monday + dt.timedelta(days=7) if today.weekday() >= 5 else monday


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def load_agenda(orgs: dict[str, Organisation], counts: Counter) -> None:
    """Add what is missing of the demo agenda (``orgs`` by slug)."""
    _visio(orgs)
    _resources(orgs, counts)
    _calendars(orgs, counts)
    _delegation()
    if Event.objects.filter(uid__startswith="demo-").exists():
        return  # the demo meetings are there already (the people may have changed them)
    _meetings(orgs, counts)


def _visio(orgs: dict[str, Organisation]) -> None:
    for slug, (service, url) in VISIO.items():
        Policy.objects.filter(organisation=orgs[slug], visio_service="").update(
            visio_service=service, visio_base_url=url
        )


def _resources(orgs: dict[str, Organisation], counts: Counter) -> None:
    wanted = list(RESOURCES)
    for org_data in data.ORGANISATIONS:
        if org_data.kind == "commune":
            wanted.append((org_data.slug, *COMMUNE_ROOM))
    existing = set(
        Resource.objects.filter(organisation__in=orgs.values()).values_list(
            "organisation_id", "name"
        )
    )
    missing = []
    for slug, kind, name, capacity, equipment, location, shared in wanted:
        organisation = orgs[slug]
        if (organisation.pk, name) in existing:
            continue
        missing.append(
            Resource(
                organisation=organisation,
                kind=kind,
                name=name,
                capacity=capacity,
                equipment=equipment,
                location=location,
                bookable_by_territory=shared,
            )
        )
    Resource.objects.bulk_create(missing)
    counts["resources"] += len(missing)
    without = Resource.objects.filter(organisation__in=orgs.values(), calendar__isnull=True)
    Calendar.objects.bulk_create(
        [
            Calendar(
                kind=CalendarKind.RESOURCE,
                resource=resource,
                organisation_id=resource.organisation_id,
                name=resource.name,
                colour=COLOURS[2][0],
            )
            for resource in without
        ]
    )


def _calendars(orgs: dict[str, Organisation], counts: Counter) -> None:
    """Everyone's main calendar (created on first use otherwise; here free/busy needs them)."""
    people = User.objects.filter(organisation__in=orgs.values()).exclude(calendars__is_default=True)
    rows = [
        Calendar(
            kind=CalendarKind.PERSONAL,
            owner_id=pk,
            organisation_id=org_id,
            name="Mon agenda",
            is_default=True,
        )
        for pk, org_id in people.values_list("pk", "organisation_id")
    ]
    Calendar.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    counts["calendars"] += len(rows)


def _delegation() -> None:
    """Claire, assistant to the mayor's office, manages Karim's agenda (PRODUCT.md)."""
    karim = Calendar.objects.filter(
        owner__email="karim.haddad@ville-bellerive.fr", is_default=True
    ).first()
    claire = User.objects.filter(email="claire.fontaine@ville-bellerive.fr").first()
    if karim is not None and claire is not None:
        CalendarShare.objects.get_or_create(
            calendar=karim, user=claire, defaults={"level": ShareLevel.WRITE}
        )


def _meetings(orgs: dict[str, Organisation], counts: Counter) -> None:
    monday = anchor_monday()
    rng = random.Random(20261130)
    calendars = dict(
        Calendar.objects.filter(is_default=True, owner__organisation__in=orgs.values()).values_list(
            "owner_id", "pk"
        )
    )
    people = list(
        User.objects.filter(organisation__in=orgs.values(), is_active=True)
        .exclude(password__startswith="!")
        .order_by("pk")
        .values_list("pk", "email", "first_name", "last_name", "service_id", "organisation_id")
    )
    events: list[Event] = []
    attendees: list[tuple[str, list[tuple[str, int]]]] = []

    def add(
        uid: str,
        owner: int,
        title: str,
        start: dt.datetime,
        minutes: int,
        *,
        private: bool = False,
        rrule: str = "",
        location: str = "",
        invite: list[tuple[str, int]] | None = None,
    ) -> None:
        person = by_pk[owner]
        events.append(
            Event(
                calendar_id=calendars[owner],
                uid=f"demo-{uid}@entente",
                title=title,
                start=start.astimezone(dt.UTC),
                end=(start + dt.timedelta(minutes=minutes)).astimezone(dt.UTC),
                tzid="Europe/Paris",
                rrule=rrule,
                privacy=Privacy.PRIVATE if private else Privacy.PUBLIC,
                location=location,
                organiser_id=owner,
                organiser_email=person[1],
                organiser_name=f"{person[2]} {person[3]}",
                created_by_id=owner,
            )
        )
        attendees.append((f"demo-{uid}@entente", invite or []))

    by_pk = {row[0]: row for row in people}
    # everyone: a handful of busy slots over the three coming weeks
    for pk, *_rest in people:
        for n in range(rng.randint(3, 7)):  # noqa: B007 (n names the event)
            title, minutes, private = rng.choice(BUSY)
            day = monday + dt.timedelta(days=rng.randrange(0, 19))
            if day.weekday() >= 5:
                continue
            start = _at(day, rng.choice([8, 9, 10, 11, 14, 15, 16]), rng.choice([0, 30]))
            add(f"{pk}-{n}", pk, title, start, minutes, private=private)
    # each service meets weekly, its members invited
    members: dict[int, list[int]] = {}
    for pk, _email, _first, _last, service_id, _org in people:
        if service_id:
            members.setdefault(service_id, []).append(pk)
    for service_id, ids in members.items():
        if len(ids) < 3:
            continue
        head = ids[0]
        weekday = rng.randrange(0, 5)
        start = _at(monday + dt.timedelta(days=weekday), rng.choice([9, 10, 14]))
        add(
            f"service-{service_id}",
            head,
            "Réunion hebdomadaire du service",
            start,
            60,
            rrule="FREQ=WEEKLY;BYDAY=" + ["MO", "TU", "WE", "TH", "FR"][weekday],
            invite=[("user", pk) for pk in ids[1:]],
        )
    _persona_meetings(add, monday, orgs)
    Event.objects.bulk_create(events, batch_size=BATCH_SIZE)
    saved = {
        e.uid: e
        for e in Event.objects.filter(uid__startswith="demo-").only(
            "pk", "uid", "organiser_id", "rrule"
        )
    }
    rooms = {r.name: r.pk for r in Resource.objects.filter(organisation__in=orgs.values())}
    rows = []
    for uid, invite in attendees:
        event = saved[uid]
        if invite:
            rows.append(
                Attendee(
                    event=event,
                    user_id=event.organiser_id,
                    role=Role.CHAIR,
                    partstat=PartStat.ACCEPTED,
                )
            )
        for kind, value in invite:
            if kind == "user":
                rows.append(Attendee(event=event, user_id=value, partstat=PartStat.ACCEPTED))
            elif kind == "pending":
                rows.append(Attendee(event=event, user_id=value))
            elif kind == "room":
                rows.append(
                    Attendee(
                        event=event,
                        resource_id=rooms[value],
                        role=Role.NON_PARTICIPANT,
                        partstat=PartStat.ACCEPTED,
                    )
                )
    Attendee.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    singles = []
    for event in Event.objects.filter(uid__startswith="demo-", rrule=""):
        singles.append(
            Occurrence(
                event=event,
                calendar_id=event.calendar_id,
                start=event.start,
                end=event.end,
                busy=event.busy,
            )
        )
    Occurrence.objects.bulk_create(singles, batch_size=BATCH_SIZE)
    for event in Event.objects.filter(uid__startswith="demo-").exclude(rrule=""):
        rebuild_occurrences(event)
    counts["events"] += len(events)


def _persona_meetings(add, monday: dt.date, orgs: dict[str, Organisation]) -> None:
    """The personas' own agenda: what the journeys of PRODUCT.md start from."""
    emails = {
        "agnes": "agnes.lefevre@ville-bellerive.fr",
        "karim": "karim.haddad@ville-bellerive.fr",
        "claire": "claire.fontaine@ville-bellerive.fr",
        "bernard": "bernard.roux@valdorbelle-metropole.fr",
    }
    ids = dict(User.objects.filter(email__in=emails.values()).values_list("email", "pk"))
    who = {key: ids.get(email) for key, email in emails.items()}
    if not all(who.values()):
        return
    wednesday = monday + dt.timedelta(days=2)
    add(
        "karim-conseil-ecole",
        who["claire"],
        "Conseil d'école — groupe scolaire des Tilleuls",
        _at(monday + dt.timedelta(days=7 + 1), 17, 30),
        90,
        location="École des Tilleuls",
        invite=[("pending", who["karim"])],
    )
    add(
        "karim-bureau",
        who["claire"],
        "Bureau municipal",
        _at(monday, 8, 30),
        60,
        rrule="FREQ=WEEKLY;BYDAY=MO",
        location="Salle de l'Orbelle",
        invite=[("user", who["karim"]), ("room", "Salle de l'Orbelle")],
    )
    add(
        "agnes-medecin",
        who["agnes"],
        "Rendez-vous médical",
        _at(wednesday, 11, 0),
        60,
        private=True,
    )
    add(
        "agnes-plu",
        who["agnes"],
        "Révision du PLU — point avec la métropole",
        _at(monday + dt.timedelta(days=3), 14, 0),
        90,
        location="Salle Confluence",
        invite=[("user", who["bernard"]), ("room", "Salle Confluence")],
    )
    add(
        "bernard-chantier",
        who["bernard"],
        "Chantier avenue de l'Orbelle",
        _at(monday + dt.timedelta(days=1), 8, 0),
        240,
        location="Avenue de l'Orbelle",
    )
