"""The demo territory's documents and first space: what the journeys of issue 5 start from.

- the space « Schéma cyclable intercommunal », owned by the metropolis (Bernard), with members
  from four organisations (Bellerive, Lauzières, Fontclaire and the metropolis), its documents
  and a report with two versions;
- Agnès's own documents (urbanism files), one folder shared with Claire (same city) and one
  with Bernard (the metropolis);
- Bellerive's organisation folders (templates, service notes);
- a public link to the cycling map, valid two weeks.

Everything goes through the drive's and spaces' services, and is found again by name on a
second run (nothing is added twice).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

from django.utils import timezone

from entente.accounts.models import User
from entente.drive import services as drive
from entente.drive.models import LinkKind, Node, ShareRole
from entente.drive.names import name_key
from entente.organisations.models import Organisation
from entente.spaces import services as spaces
from entente.spaces.models import Space, SpaceRole

SPACE_NAME = "Schéma cyclable intercommunal"
EMAILS = {
    "agnes": "agnes.lefevre@ville-bellerive.fr",
    "claire": "claire.fontaine@ville-bellerive.fr",
    "karim": "karim.haddad@ville-bellerive.fr",
    "bernard": "bernard.roux@valdorbelle-metropole.fr",
}


def _people() -> dict[str, User] | None:
    found = {user.email: user for user in User.objects.filter(email__in=EMAILS.values())}
    people = {key: found.get(email) for key, email in EMAILS.items()}
    people["marc"] = User.objects.filter(
        organisation__slug="lauzieres", first_name="Marc", last_name="Delmas"
    ).first()
    people["fontclaire"] = (
        User.objects.filter(organisation__slug="fontclaire", is_active=True, is_org_admin=False)
        .order_by("pk")
        .first()
    )
    return people if all(people.values()) else None


def _child(parent: Node, name: str) -> Node | None:
    return Node.objects.filter(
        parent=parent, name_key=name_key(name), deleted_at__isnull=True
    ).first()


def _folder(actor: User, parent: Node, name: str, counts: Counter) -> Node:
    existing = _child(parent, name)
    if existing is not None:
        return existing
    counts["folders"] += 1
    return drive.create_folder(actor, parent, name)


def _file(actor: User, parent: Node, name: str, content: bytes, counts: Counter) -> Node:
    existing = _child(parent, name)
    if existing is not None:
        return existing
    counts["files"] += 1
    return drive.upload_file(actor, parent, name, [content], len(content))


def _text(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _map_png() -> bytes:
    """A small drawn map of the cycling routes (made with Pillow, no file shipped)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), (244, 246, 241))
    pen = ImageDraw.Draw(image)
    pen.rectangle((20, 20, 620, 380), outline=(120, 130, 120), width=2)
    pen.line((60, 340, 220, 220, 400, 240, 580, 80), fill=(0, 99, 203), width=8)
    pen.line((80, 80, 260, 180, 300, 360), fill=(206, 97, 0), width=6)
    for x, y in ((60, 340), (220, 220), (400, 240), (580, 80), (80, 80), (300, 360)):
        pen.ellipse((x - 9, y - 9, x + 9, y + 9), fill=(255, 255, 255), outline=(40, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def load_documents(orgs: dict[str, Organisation], counts: Counter) -> None:
    people = _people()
    if people is None:
        return
    _space(people, counts)
    _agnes(people, counts)
    bellerive = people["agnes"].organisation
    root = drive.organisation_drive(bellerive).root
    admin = User.objects.filter(organisation=bellerive, is_org_admin=True).order_by("pk").first()
    if admin is not None:
        models = _folder(admin, root, "Modèles de documents", counts)
        _file(
            admin,
            models,
            "Modèle de courrier aux administrés.txt",
            _text(
                "Ville de Bellerive — [Service]",
                "",
                "Objet : [objet du courrier]",
                "",
                "Madame, Monsieur,",
                "",
                "[texte]",
                "",
                "Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
            ),
            counts,
        )
        notes = _folder(admin, root, "Notes de service", counts)
        _file(
            admin,
            notes,
            "Note de service — congés d'hiver.txt",
            _text(
                "Les demandes de congés pour les fêtes de fin d'année sont à déposer avant le",
                "15 décembre auprès de votre responsable de service.",
            ),
            counts,
        )


def _space(people: dict[str, User], counts: Counter) -> None:
    bernard = people["bernard"]
    space = Space.objects.filter(name=SPACE_NAME, organisation=bernard.organisation).first()
    if space is None:
        space = spaces.create_space(
            bernard,
            name=SPACE_NAME,
            description=(
                "Coordination du schéma cyclable entre la métropole et les communes : "
                "itinéraires, comptages, calendrier des travaux."
            ),
        )
        counts["spaces"] += 1
        for key, role in (
            ("agnes", SpaceRole.CONTRIBUTOR),
            ("marc", SpaceRole.CONTRIBUTOR),
            ("fontclaire", SpaceRole.READER),
        ):
            spaces.add_member(bernard, space, people[key], role)
    root = drive.space_drive(space).root
    report = _child(root, "Compte-rendu de la réunion de lancement.md")
    if report is None:
        report = _file(
            bernard,
            root,
            "Compte-rendu de la réunion de lancement.md",
            _text(
                "# Réunion de lancement",
                "",
                "Présents : métropole, Bellerive, Lauzières, Fontclaire.",
                "",
                "- Itinéraire nord : étude à lancer.",
            ),
            counts,
        )
        content = _text(
            "# Réunion de lancement",
            "",
            "Présents : métropole, Bellerive, Lauzières, Fontclaire.",
            "",
            "- Itinéraire nord : étude confiée à la métropole, rendu en mars.",
            "- Bellerive transmet ses comptages de l'été.",
        )
        drive.upload_file(people["agnes"], root, report.name, [content], len(content))
    studies = _folder(bernard, root, "Études", counts)
    _file(
        bernard,
        studies,
        "Comptages vélo 2026.csv",
        _text(
            "point;commune;moyenne journalière",
            "Pont de l'Orbelle;Bellerive;1240",
            "Route des Lauzières;Lauzières;310",
            "Avenue de la gare;Fontclaire;460",
        ),
        counts,
    )
    _space_meeting(space, bernard, [people["agnes"], people["marc"], people["fontclaire"]], counts)
    carte = _file(bernard, root, "Carte des itinéraires.png", _map_png(), counts)
    if not carte.links.exists():
        drive.create_link(
            bernard,
            carte,
            kind=LinkKind.READ,
            expires_at=timezone.now() + dt.timedelta(days=14),
        )
        counts["public links"] += 1


def _agnes(people: dict[str, User], counts: Counter) -> None:
    agnes, claire, bernard = people["agnes"], people["claire"], people["bernard"]
    root = drive.personal_drive(agnes).root
    urbanism = _folder(agnes, root, "Urbanisme", counts)
    plu = _folder(agnes, urbanism, "PLU — modification n° 3", counts)
    _file(
        agnes,
        plu,
        "Note de présentation.txt",
        _text(
            "Modification n° 3 du plan local d'urbanisme de Bellerive",
            "",
            "Objet : ouverture à l'urbanisation de la zone des Prés-Hauts, mise à jour des",
            "règles de stationnement vélo.",
        ),
        counts,
    )
    _file(
        agnes,
        urbanism,
        "Permis en cours d'instruction.csv",
        _text(
            "numéro;adresse;dépôt;échéance",
            "PC 099 001 26 0042;12 rue des Tilleuls;2026-10-02;2027-01-02",
            "DP 099 001 26 0117;3 impasse du Moulin;2026-11-04;2026-12-04",
        ),
        counts,
    )
    if not plu.shares.filter(user=claire).exists():
        drive.share(agnes, plu, claire, ShareRole.EDITOR)
    metropole = _folder(agnes, root, "Pour la métropole", counts)
    _file(
        agnes,
        metropole,
        "Stationnements vélo existants.csv",
        _text("lieu;places", "Mairie;24", "Gare;60", "Médiathèque;16"),
        counts,
    )
    if not metropole.shares.filter(user=bernard).exists():
        drive.share(agnes, metropole, bernard, ShareRole.READER, confirm_external=True)


def _space_meeting(space: Space, organiser: User, guests: list[User], counts: Counter) -> None:
    """The space's agenda, with its next steering committee (in a fortnight, 14 h)."""
    from zoneinfo import ZoneInfo

    from entente.calendars import services as agenda
    from entente.calendars.models import Event
    from entente.core.demo.agenda import anchor_monday

    calendar = agenda.space_calendar(space)
    title = "Comité de pilotage du schéma cyclable"
    if Event.objects.filter(calendar=calendar, title=title).exists():
        return
    day = anchor_monday() + dt.timedelta(days=15)
    start = dt.datetime.combine(day, dt.time(14), ZoneInfo("Europe/Paris"))
    agenda.create_event(
        organiser,
        calendar,
        agenda.EventData(
            title=title,
            start=start,
            end=start + dt.timedelta(hours=1, minutes=30),
            tzid="Europe/Paris",
            location="Visioconférence",
            description="Point d'étape : itinéraire nord, comptages de l'été.",
            users=guests,
        ),
        notify=False,
    )
    counts["events"] += 1
