"""The demo territory's collaboration: what the journeys of issue 6 start from.

- in the space « Schéma cyclable intercommunal » (the metropolis, Bellerive, Lauzières,
  Fontclaire): a guest from a design office, a discussion with a mention and an attachment,
  a list of tasks assigned to members of three organisations, a note with two versions;
- an open space of Lauzières, « Plan de mobilité des écoles », with a pending join request;
- app tiles: the territory's (set by the operator) and Bellerive's; an announcement.

Everything goes through the services, and is found again by name on a second run.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.exceptions import ValidationError
from django.utils import timezone

from entente.accounts.models import User
from entente.core.demo.documents import SPACE_NAME, _child, _people
from entente.drive import services as drive
from entente.portal import services as portal
from entente.portal.models import Announcement, AppTile
from entente.spaces import services as spaces
from entente.spaces.discussion import services as discussion
from entente.spaces.models import (
    JoinRequest,
    Note,
    Space,
    SpaceRole,
    Task,
    TaskStatus,
    Thread,
    Visibility,
)
from entente.spaces.notes import services as notes
from entente.spaces.tasks import services as tasks

GUEST_EMAIL = "sophie.garnier@velo-territoires.example"
OPEN_SPACE = "Plan de mobilité des écoles"


def load_collaboration(counts: Counter) -> None:
    people = _people()
    if people is None:
        return
    space = Space.objects.filter(name=SPACE_NAME).first()
    if space is None:
        return
    _guest(space, people["bernard"], counts)
    _discussion(space, people, counts)
    _tasks(space, people, counts)
    _note(space, people, counts)
    _open_space(people, counts)
    _tiles(people, counts)


def _guest(space: Space, bernard: User, counts: Counter) -> None:
    if space.memberships.filter(user__email=GUEST_EMAIL).exists():
        return
    try:
        spaces.invite_guest(
            bernard,
            space,
            email=GUEST_EMAIL,
            first_name="Sophie",
            last_name="Garnier",
            expires_at=timezone.now() + dt.timedelta(days=90),
            role=SpaceRole.CONTRIBUTOR,
        )
    except ValidationError:
        return  # the metropolis's policy refuses guests in this territory: nothing to add
    counts["guests"] += 1


def _discussion(space: Space, people: dict[str, User], counts: Counter) -> None:
    title = "Itinéraire nord : tracé à valider"
    if Thread.objects.filter(space=space, title=title).exists():
        return
    bernard, agnes, marc = people["bernard"], people["agnes"], people["marc"]
    thread = discussion.start_thread(
        bernard,
        space,
        title,
        "Bonjour à tous,\n\n"
        "L'étude propose **deux variantes** pour l'itinéraire nord :\n\n"
        "1. par la route des Lauzières (plus directe) ;\n"
        "2. par les berges de l'Orbelle (plus agréable, 800 m de plus).\n\n"
        "@agnes.lefevre, pouvez-vous nous transmettre les comptages de l'été "
        "avant le comité ?",
    )
    root = drive.space_drive(space).root
    studies = _child(root, "Études")
    counting = _child(studies, "Comptages vélo 2026.csv") if studies else None
    discussion.reply(
        agnes,
        thread,
        "Les voici : le pont de l'Orbelle voit passer **1 240 vélos par jour** en moyenne. "
        "La variante des berges me semble la bonne.",
        attachments=[counting.pk] if counting else [],
    )
    discussion.reply(
        marc,
        thread,
        "Pour Lauzières, la route est étroite au niveau du hameau : "
        "nous préférons aussi les berges.",
    )
    counts["threads"] += 1


def _tasks(space: Space, people: dict[str, User], counts: Counter) -> None:
    if Task.objects.filter(space=space).exists():
        return
    bernard = people["bernard"]
    today = timezone.localdate()
    committee = tasks.create_list(bernard, space, "Préparation du comité")
    work = tasks.create_list(bernard, space, "Travaux 2027")
    for task_list, title, who, days, status in (
        (committee, "Transmettre les comptages de l'été", "agnes", 5, TaskStatus.DONE),
        (committee, "Relire l'étude de l'itinéraire nord", "marc", 12, TaskStatus.DOING),
        (committee, "Préparer la carte des variantes", "bernard", 10, TaskStatus.TODO),
        (committee, "Réserver la salle du comité", "bernard", -2, TaskStatus.TODO),
        (work, "Chiffrer la passerelle des berges", "bernard", 60, TaskStatus.TODO),
        (work, "Consulter les riverains du hameau", "marc", 45, TaskStatus.TODO),
    ):
        tasks.create_task(
            bernard,
            space,
            task_list,
            title,
            assignee=people[who],
            due_date=today + dt.timedelta(days=days),
            status=status,
        )
        counts["tasks"] += 1


def _note(space: Space, people: dict[str, User], counts: Counter) -> None:
    title = "Charte des aménagements cyclables"
    if Note.objects.filter(space=space, title=title).exists():
        return
    note = notes.create_note(
        people["bernard"],
        space,
        title=title,
        body=(
            "## Principes\n\n"
            "- Pistes séparées de la circulation dès que la vitesse dépasse 30 km/h.\n"
            "- Largeur minimale : 2 m en sens unique, 3 m en double sens.\n"
        ),
    )
    notes.update_note(
        people["agnes"],
        note,
        title=title,
        body=note.body
        + "- Stationnement vélo à moins de 50 m de chaque école et de chaque mairie.\n",
        base_version=notes.version_token(note),
    )
    counts["notes"] += 1


def _open_space(people: dict[str, User], counts: Counter) -> None:
    marc, claire = people["marc"], people["claire"]
    space = Space.objects.filter(name=OPEN_SPACE).first()
    if space is None:
        space = spaces.create_space(
            marc,
            name=OPEN_SPACE,
            description=(
                "Sécuriser les trajets vers les écoles : pédibus, rues scolaires, "
                "stationnement vélo. Ouvert à toutes les communes."
            ),
            visibility=Visibility.OPEN,
        )
        counts["spaces"] += 1
    if not JoinRequest.objects.filter(space=space, user=claire).exists():
        spaces.request_to_join(
            claire, space, message="Bellerive prépare une rue scolaire : nous aimerions suivre."
        )


TERRITORY_TILES = (
    ("Messagerie", "https://messagerie.valdorbelle.example/", "Votre boîte aux lettres"),
    ("Visioconférence", "https://visio.valdorbelle.example/", "Salles de réunion en ligne"),
    ("Intranet du syndicat", "https://intranet.valdorbelle.example/", "Actualités et guides"),
)
BELLERIVE_TILES = (
    ("Gestion financière", "https://finances.bellerive.example/", "Bons de commande, budget"),
    ("État civil", "https://etat-civil.bellerive.example/", "Actes et registres"),
)


def _tiles(people: dict[str, User], counts: Counter) -> None:
    operator = User.objects.filter(is_operator=True, is_active=True).order_by("pk").first()
    bellerive = people["agnes"].organisation
    admin = User.objects.filter(organisation=bellerive, is_org_admin=True).order_by("pk").first()
    for actor, organisation, tiles in (
        (operator, None, TERRITORY_TILES),
        (admin, bellerive, BELLERIVE_TILES),
    ):
        if actor is None:
            continue
        for title, url, description in tiles:
            if AppTile.objects.filter(organisation=organisation, title=title).exists():
                continue
            portal.create_tile(
                actor, organisation=organisation, title=title, url=url, description=description
            )
            counts["tiles"] += 1
    title = "Maintenance de la plateforme samedi de 7 h à 9 h"
    if operator is not None and not Announcement.objects.filter(title=title).exists():
        portal.create_announcement(
            operator,
            organisation=None,
            title=title,
            body="Entente sera indisponible pendant deux heures pour une mise à jour.",
            ends_at=timezone.now() + dt.timedelta(days=10),
        )
        counts["announcements"] += 1
