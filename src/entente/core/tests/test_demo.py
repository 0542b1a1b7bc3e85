"""`entente demo`: the demo territory loads valid data, and running it again changes nothing."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from entente.accounts.forms import PeopleFilterForm
from entente.accounts.models import Status, User
from entente.audit.models import AuditEvent
from entente.calendars.models import Attendee, Calendar, Event, Occurrence, Resource
from entente.core.demo import DEMO_PASSWORD
from entente.core.demo.data import ORGANISATIONS
from entente.core.demo.plan import plan_organisation
from entente.core.permissions import can
from entente.directory.models import Group, Service
from entente.drive.models import Node, PublicLink, Share, Version
from entente.organisations.models import MailDomain, Organisation, Policy
from entente.organisations.tests.factories import MailDomainFactory, OrganisationFactory
from entente.spaces.models import Membership, Space

AGNES = "agnes.lefevre@ville-bellerive.fr"
BERNARD = "bernard.roux@valdorbelle-metropole.fr"
MARC = "marc.delmas@mairie-lauzieres.fr"
SOPHIE = "sophie.garnier@numerique-orbelle.fr"
KARIM = "karim.haddad@ville-bellerive.fr"
CLAIRE = "claire.fontaine@ville-bellerive.fr"


def run_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def sign_in_table(output: str) -> list[str]:
    """The lines of the sign-in table (from its title to the first blank line)."""
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Comptes de démonstration"))
    end = lines.index("", start)
    return lines[start:end]


def snapshot() -> dict[str, list]:
    """Every row the demo writes, every column (timestamps and password hashes included)."""
    return {
        "organisations": list(Organisation.objects.order_by("pk").values()),
        "domains": list(MailDomain.objects.order_by("pk").values()),
        "policies": list(Policy.objects.order_by("pk").values()),
        "services": list(Service.objects.order_by("pk").values()),
        "groups": list(Group.objects.order_by("pk").values()),
        "members": list(Group.members.through.objects.order_by("pk").values()),
        "people": list(User.objects.order_by("pk").values()),
        "resources": list(Resource.objects.order_by("pk").values()),
        "calendars": list(Calendar.objects.order_by("pk").values()),
        "events": list(Event.objects.order_by("pk").values()),
        "attendees": list(Attendee.objects.order_by("pk").values()),
        "occurrences": list(Occurrence.objects.order_by("pk").values()),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", "hash")),
        "spaces": list(Space.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "nodes": list(Node.objects.order_by("pk").values()),
        "versions": list(Version.objects.order_by("pk").values()),
        "shares": list(Share.objects.order_by("pk").values()),
        "links": list(PublicLink.objects.order_by("pk").values()),
    }


@pytest.fixture
def demo(db) -> str:
    return run_demo()


def test_the_territory_has_eleven_organisations_and_about_400_people(demo):
    kinds = Counter(Organisation.objects.values_list("kind", flat=True))
    assert kinds == {"commune": 8, "city": 1, "metropolis": 1, "syndicate": 1}
    assert 360 <= User.objects.count() <= 440
    sizes = {org.slug: org.people.count() for org in Organisation.objects.all()}
    assert 140 <= sizes["valdorbelle-metropole"] <= 160
    assert 70 <= sizes["bellerive"] <= 90
    assert 10 <= sizes["numerique-orbelle"] <= 15
    communes = Organisation.objects.filter(kind="commune")
    assert all(10 <= sizes[org.slug] <= 40 for org in communes)
    assert "11 organisations, 420 personnes" in demo


def test_every_organisation_has_a_domain_a_policy_services_groups_and_an_admin(demo):
    for organisation in Organisation.objects.all():
        assert organisation.mail_domains.count() == 1
        assert Policy.objects.filter(organisation=organisation).exists()
        assert organisation.services.exists()
        assert organisation.groups.filter(members__isnull=False).exists()
        assert organisation.people.filter(is_org_admin=True, is_active=True).exists()
    visibility = dict(Policy.objects.values_list("organisation__slug", "directory_visibility"))
    assert visibility["castelvieil"] == "organisation"
    mfa = dict(Policy.objects.values_list("organisation__slug", "mfa_required"))
    assert mfa["saint-martin-dorbelle"] == "everyone"


def test_the_syndicate_has_sophie_as_its_operator(demo):
    operator = User.objects.get(is_operator=True)
    assert operator.email == SOPHIE
    assert operator.is_staff and operator.is_superuser
    assert operator.organisation.kind == "syndicate"


def test_elus_have_a_mandate_and_agents_none(demo):
    elus = User.objects.filter(status=Status.ELU)
    assert elus.count() >= 11
    assert not elus.filter(mandate="").exists()
    assert not User.objects.filter(status=Status.AGENT).exclude(mandate="").exists()
    for organisation in Organisation.objects.exclude(kind="syndicate"):
        heads = organisation.people.filter(mandate__in=["Maire", "Président de la Métropole"])
        heads |= organisation.people.filter(mandate="Présidente de la Métropole")
        assert heads.count() == 1, organisation


def test_every_row_passes_the_model_validation(demo):
    sirens = list(Organisation.objects.values_list("siren", flat=True))
    assert len(set(sirens)) == len(sirens) == 11
    for model in (Organisation, MailDomain, Policy, Service, Group, User):
        for row in model.objects.all():
            row.full_clean()


def test_addresses_are_lowercase_ascii_on_the_persons_own_organisation_domain(demo):
    domains = dict(MailDomain.objects.values_list("organisation_id", "domain"))
    for email, org_id in User.objects.values_list("email", "organisation_id"):
        assert email == email.lower() and email.isascii(), email
        if org_id is not None:  # guests come from outside the territory
            assert email.endswith(f"@{domains[org_id]}"), email


def test_the_personas_are_where_product_md_puts_them(demo):
    agnes = User.objects.get(email=AGNES)
    assert agnes.organisation.kind == "city" and agnes.service.name == "Urbanisme"
    karim = User.objects.get(email=KARIM)
    assert karim.status == Status.ELU and "éducation" in karim.mandate
    assert User.objects.get(email=CLAIRE).service.name == "Cabinet du maire"
    marc = User.objects.get(email=MARC)
    assert marc.is_org_admin and marc.organisation.kind == "commune"
    assert marc.organisation.people.count() < 40
    bernard = User.objects.get(email=BERNARD)
    assert bernard.organisation.kind == "metropolis"
    assert bernard.service.path == "Direction de l'espace public › Voirie"


def test_bern_voi_finds_bernard_and_nobody_else(demo):
    found = PeopleFilterForm({"q": "bern voi"}).apply(User.objects.all())
    assert [person.email for person in found] == [BERNARD]


def test_a_second_run_changes_nothing_and_prints_the_same_accounts(db):
    first = run_demo()
    before = snapshot()
    second = run_demo()
    assert snapshot() == before
    assert sign_in_table(second) == sign_in_table(first)
    assert "rien n'a été ajouté" in second


def test_the_sign_in_table_lists_the_personas_with_the_demo_password(demo, client):
    table = "\n".join(sign_in_table(demo))
    for email in (AGNES, KARIM, MARC, SOPHIE, BERNARD):
        assert email in table
    assert DEMO_PASSWORD in table
    assert "http://127.0.0.1:8000/" in demo
    assert client.login(email=MARC, password=DEMO_PASSWORD)


def test_password_option_gives_every_demo_account_that_password(db, client):
    run_demo()
    output = run_demo("--password", "un autre secret du val")
    assert "un autre secret du val" in "\n".join(sign_in_table(output))
    assert client.login(email=AGNES, password="un autre secret du val")
    assert not client.login(email=BERNARD, password=DEMO_PASSWORD)
    # the same password again rewrites nothing
    before = snapshot()
    run_demo("--password", "un autre secret du val")
    assert snapshot() == before
    # a plain run keeps it, and says the default no longer opens these accounts
    assert "mot de passe modifié" in run_demo()
    assert client.login(email=SOPHIE, password="un autre secret du val")


def test_invited_and_departed_people_cannot_sign_in(demo, client):
    pending = User.objects.filter(invited_at__isnull=False)
    departed = User.objects.filter(is_active=False)
    assert pending.exists() and departed.exists()
    assert not any(person.has_usable_password() for person in pending)
    run_demo("--password", "un autre secret du val")
    assert not any(person.has_usable_password() for person in pending.all())
    for person in (*pending, *departed):
        assert not client.login(email=person.email, password="un autre secret du val")


def test_marc_administers_his_commune_and_sophie_the_organisations(demo):
    marc = User.objects.get(email=MARC)
    assert can(marc, "manage_people", marc.organisation)
    assert not can(marc, "administer", Organisation)
    assert can(User.objects.get(email=SOPHIE), "administer", Organisation)


def test_the_plan_is_the_same_on_every_run():
    for data in ORGANISATIONS:
        first, second = plan_organisation(data), plan_organisation(data)
        assert first == second


def test_a_domain_of_another_organisation_stops_the_demo_before_it_writes(db):
    other = OrganisationFactory(slug="autre", name="Autre organisation")
    MailDomainFactory(organisation=other, domain="ville-bellerive.fr")
    with pytest.raises(CommandError, match="ville-bellerive.fr"):
        run_demo()
    assert list(Organisation.objects.values_list("slug", flat=True)) == ["autre"]
    assert not User.objects.exists()


def test_the_demo_refuses_a_platform_in_service_unless_forced(db, settings):
    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(CommandError, match="DEBUG"):
        run_demo()
    assert not Organisation.objects.exists()
    run_demo("--force")
    assert Organisation.objects.count() == 11


def test_accounts_that_need_a_second_factor_get_the_published_demo_key(db):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import (
        TOTP,
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    from entente.accounts.mfa import must_enrol, requires_second_factor
    from entente.core.demo import load_demo
    from entente.core.demo.data import DEMO_TOTP_SECRET

    load_demo()
    marc = User.objects.get(email="marc.delmas@mairie-lauzieres.fr")
    agnes = User.objects.get(email="agnes.lefevre@ville-bellerive.fr")
    assert requires_second_factor(marc) and not must_enrol(marc)
    assert not Authenticator.objects.filter(user=agnes).exists()
    totp = Authenticator.objects.get(user=marc, type=Authenticator.Type.TOTP)
    counter = next(iter(yield_hotp_counters_from_time()))
    code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))
    assert TOTP(totp).validate_code(code)  # the printed key opens Marc's account
    count = Authenticator.objects.count()
    load_demo()
    assert Authenticator.objects.count() == count


def test_the_agenda_has_rooms_calendars_and_meetings_to_work_with(demo):
    from entente.calendars.services import pending_invitations

    karim = User.objects.get(email=KARIM)
    assert [a.event.title for a in pending_invitations(karim)] == [
        "Conseil d'école — groupe scolaire des Tilleuls"
    ]
    assert Resource.objects.filter(bookable_by_territory=True).count() >= 3
    assert not Calendar.objects.filter(kind="resource", resource__isnull=True).exists()
    people = User.objects.filter(is_active=True).exclude(password__startswith="!")
    assert Calendar.objects.filter(is_default=True).count() >= people.count()
    weekly = Event.objects.filter(title="Réunion hebdomadaire du service")
    assert weekly.exists() and all(e.occurrences.count() > 50 for e in weekly[:3])
    private = Event.objects.get(title="Rendez-vous médical")
    assert private.privacy == "private" and private.occurrences.count() == 1
    assert Policy.objects.get(organisation__slug="valdorbelle-metropole").visio_service == "jitsi"
    assert "évènements" in demo
    claire = User.objects.get(email=CLAIRE)
    conseil = Event.objects.get(title="Conseil d'école — groupe scolaire des Tilleuls")
    assert can(claire, "respond", conseil), "Claire answers for Karim, whose agenda she manages"


def test_documents_and_a_space_of_four_organisations_are_ready(demo):
    from entente.core.demo.documents import SPACE_NAME

    space = Space.objects.get(name=SPACE_NAME)
    organisations = {m.user.organisation_id for m in space.memberships.select_related("user")}
    assert len(organisations) >= 3, "the space gathers people of several organisations"
    report = Node.objects.get(name="Compte-rendu de la réunion de lancement.md")
    assert report.versions.count() == 2
    agnes = User.objects.get(email="agnes.lefevre@ville-bellerive.fr")
    bernard = User.objects.get(email="bernard.roux@valdorbelle-metropole.fr")
    shared = Node.objects.get(name="Pour la métropole")
    assert can(bernard, "view", shared) and not can(bernard, "edit", shared)
    assert can(agnes, "edit", report), "a contributor of the space edits its documents"
    assert PublicLink.objects.filter(node__name="Carte des itinéraires.png").exists()
    assert "espace" in demo and "documents" in demo
    meeting = Event.objects.get(title="Comité de pilotage du schéma cyclable")
    assert meeting.calendar.space == space
    assert meeting.attendees.count() >= 3


def test_the_space_has_a_guest_a_discussion_tasks_a_note_and_search_finds_its_files(demo):
    from entente.core.demo.collaboration import GUEST_EMAIL, OPEN_SPACE
    from entente.core.demo.documents import SPACE_NAME
    from entente.notifications.models import Notification, NotificationKind
    from entente.portal.models import Announcement, AppTile
    from entente.search.services import search
    from entente.spaces.models import JoinRequest, Note, Task, Thread

    space = Space.objects.get(name=SPACE_NAME)
    assert space.memberships.filter(user__email=GUEST_EMAIL).exists()
    thread = Thread.objects.get(space=space)
    assert thread.posts.count() == 3
    agnes = User.objects.get(email="agnes.lefevre@ville-bellerive.fr")
    assert agnes in thread.posts.first().mentions.all()
    assert Notification.objects.filter(recipient=agnes, kind=NotificationKind.MENTION).exists()
    assignees = {t.assignee.organisation_id for t in Task.objects.filter(space=space)}
    assert len(assignees) == 3, "tasks are spread over three organisations"
    assert Note.objects.get(space=space).revisions.count() == 2
    assert JoinRequest.objects.filter(space__name=OPEN_SPACE, status="pending").exists()
    assert AppTile.objects.filter(organisation__isnull=True).count() == 3
    assert Announcement.objects.exists()
    # the text of the space's files is indexed: members find it, others do not
    outsider = User.objects.filter(organisation__slug="les-aiguillons", is_active=True).first()
    assert [e.title for e in search(agnes, "Orbelle")] != []
    assert "Comptages vélo 2026.csv" in [e.title for e in search(agnes, "journalière")]
    assert [e.title for e in search(outsider, "journalière")] == []
