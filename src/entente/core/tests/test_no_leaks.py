"""Tenancy: every URL and API route, walked by people of another organisation, leaks nothing.

ARCHITECTURE.md, "Tenancy and permissions": one test walks every route of the project
(``get_resolver()``, recursively, with namespaces) with the objects of organisation A and the
people of organisation B, a guest, an anonymous visitor and B's SCIM token, and checks that:

- no answer is a server error (5xx);
- no answer (body or ``Location``) contains one of A's secrets: its private and public event
  titles, the name of its room not bookable by the territory, its people's e-mail addresses
  and names (A shows its directory to its own organisation only), its group, service calendar,
  app password and SCIM token names, its SSO client secret, its calendars' feed tokens...;
- no request changes A's data (a fingerprint of A's rows is compared before and after).

Any status below 500 is accepted as long as nothing leaks and nothing changes (403, 404, 405,
a redirect to sign in, a 400 for garbage data, or a 200 without A's data); so is a 502 page
(not a crash) where the world's identity provider, which nothing serves, is asked.

Every route must be named in ``ROUTES`` (by its name, or by a regex of its path) with the
requests that fill it from the world, or with the reason it is exempt: a new route the table
does not know makes the test fail, so none can slip by. Findings are gathered and reported
all at once.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone
from django.utils.http import int_to_base36, urlsafe_base64_encode

from entente.accounts.app_passwords import do_create_app_password
from entente.accounts.models import AppPassword, User
from entente.accounts.tests.factories import TEST_PASSWORD, UserFactory
from entente.audit.models import EventKind
from entente.audit.services import record
from entente.calendars import services as calendars
from entente.calendars.models import Attendee, Calendar, CalendarShare, Event, Resource
from entente.calendars.tests.factories import ResourceFactory, make_event
from entente.directory.models import Group, Service
from entente.directory.tests.factories import GroupFactory, ServiceFactory
from entente.drive import services as drive
from entente.drive import uploads
from entente.drive.models import LinkKind, Node, PublicLink, Share, ShareRole, Upload, Version
from entente.identity import services as identity
from entente.identity.models import IdentityProvider, ProviderKind
from entente.notifications.models import Notification
from entente.organisations.models import DirectoryVisibility, Organisation, Policy
from entente.portal.models import Announcement, AppTile
from entente.provisioning import services as provisioning
from entente.provisioning.models import ScimIdentity, ScimToken
from entente.spaces import services as spaces
from entente.spaces.models import (
    JoinRequest,
    Membership,
    Note,
    NoteRevision,
    Post,
    Space,
    SpaceRole,
    Task,
    TaskList,
    Thread,
)

pytestmark = pytest.mark.django_db

BACKEND = "entente.accounts.backends.AuthenticationBackend"
API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PAGE_METHODS = ("GET", "POST")

# --- A's secrets: none may reach anyone of B, a guest, or an anonymous visitor -----------------

PRIVATE_TITLE = "Qx7PrivateTitle"
PRIVATE_DETAILS = "Qx7PrivateDescription"
PRIVATE_PLACE = "Qx7PrivatePlace"
PUBLIC_TITLE = "Qx7PublicTitle"
PUBLIC_DETAILS = "Qx7PublicDescription"
FREEBUSY_TITLE = "Qx7BusyOnlyTitle"  # in a calendar shared with B as free/busy only
ROOM_NAME = "Qx7HiddenRoom"
GROUP_NAME = "Qx7SecretGroup"
SERVICE_CALENDAR = "Qx7ServiceCalendar"
PERSONAL_CALENDAR = "Qx7PersonalCalendar"
APP_PASSWORD_NAME = "Qx7PhoneOfAgnes"
SCIM_TOKEN_NAME = "Qx7ScimTokenOfA"
SSO_SECRET = "Qx7ClientSecretOfA"
AUDIT_NOTE = "Qx7AuditNote"
EXTERNAL_EMAIL = "qx7.externe@partenaire.example"
HIDDEN_FIRST, HIDDEN_LAST = "Zephyrine", "Qx7Hiddenperson"
HIDDEN_EMAIL = "zephyrine.qx7@valmont.fr"
SPACE_NAME = "Qx7PrivateSpace"
SPACE_DETAILS = "Qx7SpaceDescription"
FOLDER_NAME = "Qx7SecretFolder"
FILE_NAME = "Qx7SecretFile.txt"
FILE_CONTENT = b"Qx7SecretContent of a file\n"
OLD_CONTENT = b"Qx7OldVersionContent\n"
TRASHED_NAME = "Qx7TrashedFile.txt"
SPACE_FILE = "Qx7SpaceFile.txt"
THREAD_TITLE = "Qx7ThreadTitle"
POST_BODY = "Qx7PostBody"
TASK_TITLE = "Qx7TaskTitle"
TASK_LIST = "Qx7TaskList"
NOTE_TITLE = "Qx7NoteTitle"
NOTE_BODY = "Qx7NoteBody"
NOTIFICATION_TITLE = "Qx7NotificationTitle"
TILE_TITLE = "Qx7TileTitle"
ANNOUNCEMENT_TITLE = "Qx7AnnouncementTitle"


@dataclass
class Probe:
    """One request to make: ``methods`` None means the usual ones for the door."""

    path: str
    methods: tuple[str, ...] | None = None
    data: Any = None


@dataclass
class Walk:
    probes: Callable[[SimpleNamespace], list[Probe | str]]


@dataclass
class Exempt:
    reason: str


@dataclass
class Route:
    route: str
    name: str | None
    probes: list[Probe] = field(default_factory=list)


# --- the world of organisation A ---------------------------------------------------------------


def build_world(org, agent, org_admin, other_org, other_agent, other_admin) -> SimpleNamespace:
    Policy.objects.filter(organisation=org).update(
        directory_visibility=DirectoryVisibility.ORGANISATION, external_sharing_allowed=True
    )
    org.refresh_from_db()
    service = ServiceFactory(organisation=org, name="Service de l'état civil")
    hidden = UserFactory(
        organisation=org,
        first_name=HIDDEN_FIRST,
        last_name=HIDDEN_LAST,
        email=HIDDEN_EMAIL,
        service=service,
    )
    group = GroupFactory(organisation=org, name=GROUP_NAME)
    group.members.add(hidden, agent)
    room = ResourceFactory(organisation=org, name=ROOM_NAME, bookable_by_territory=False)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    personal = calendars.default_calendar(agent)
    private = make_event(
        agent,
        start,
        title=PRIVATE_TITLE,
        privacy="private",
        description=PRIVATE_DETAILS,
        location=PRIVATE_PLACE,
        users=[hidden],
        resources=[room],
    )
    public = make_event(
        agent,
        start + dt.timedelta(hours=2),
        title=PUBLIC_TITLE,
        description=PUBLIC_DETAILS,
        externals=[(EXTERNAL_EMAIL, "Partenaire")],
    )
    second = calendars.create_calendar(agent, name=PERSONAL_CALENDAR)
    share = calendars.share_calendar(agent, second, hidden, "read")
    busy_only = calendars.create_calendar(agent, name="Agenda partagé en disponibilités")
    calendars.share_calendar(agent, busy_only, other_agent, "freebusy")
    busy_event = make_event(agent, start + dt.timedelta(hours=4), calendar=busy_only)
    Event.objects.filter(pk=busy_event.pk).update(title=FREEBUSY_TITLE)
    service_calendar = calendars.create_service_calendar(org_admin, service, name=SERVICE_CALENDAR)
    app_password, _secret = do_create_app_password(agent, agent, APP_PASSWORD_NAME)
    scim_token, scim_secret = provisioning.do_create_token(org_admin, org, SCIM_TOKEN_NAME)
    b_calendar = calendars.default_calendar(other_agent)
    _b_token, b_scim_secret = provisioning.do_create_token(other_admin, other_org, "Jeton de B")
    provider = identity.do_save_provider(
        org_admin,
        org,
        {
            "kind": ProviderKind.OIDC,
            "name": "Connexion Valmont",
            "issuer": "http://127.0.0.1:9/realms/valmont",
            "client_id": "entente-valmont",
            "client_secret": SSO_SECRET,
            "scopes": "openid email profile",
            "is_enabled": True,
        },
        metadata={},
    )
    record(EventKind.CALENDAR_SHARED, actor=org_admin, organisation=org, grantee=AUDIT_NOTE)
    # a real session of agent's (the sessions page ends sessions by their id)
    Client(HTTP_USER_AGENT="Firefox", REMOTE_ADDR="192.0.2.7").post(
        reverse("account_login"), {"login": agent.email, "password": TEST_PASSWORD}
    )
    session = UserSession.objects.filter(user=agent).first()
    assert session is not None
    authenticator = Authenticator.objects.filter(user=org_admin).first()
    assert authenticator is not None
    secrets = {
        "titre de l'évènement privé": PRIVATE_TITLE,
        "description de l'évènement privé": PRIVATE_DETAILS,
        "lieu de l'évènement privé": PRIVATE_PLACE,
        "titre de l'évènement public": PUBLIC_TITLE,
        "description de l'évènement public": PUBLIC_DETAILS,
        "titre d'un évènement partagé en disponibilités": FREEBUSY_TITLE,
        "nom de la salle non réservable": ROOM_NAME,
        "nom du groupe": GROUP_NAME,
        "nom de l'agenda de service": SERVICE_CALENDAR,
        "nom d'un agenda personnel": PERSONAL_CALENDAR,
        "nom du mot de passe d'application": APP_PASSWORD_NAME,
        "nom du jeton SCIM": SCIM_TOKEN_NAME,
        "secret du jeton SCIM": scim_secret,
        "secret client SSO": SSO_SECRET,
        "note du journal d'audit": AUDIT_NOTE,
        "adresse du participant extérieur": EXTERNAL_EMAIL,
        "adresse e-mail d'une personne": HIDDEN_EMAIL,
        "nom d'une personne": HIDDEN_LAST,
        "adresse e-mail de l'admin": org_admin.email,
    }
    for calendar in Calendar.objects.filter(organisation=org):
        secrets[f"jeton du flux de l'agenda {calendar.pk}"] = calendar.feed_token
    # --- spaces and documents of A ---
    space = spaces.create_space(agent, name=SPACE_NAME, description=SPACE_DETAILS)
    space_member = spaces.add_member(agent, space, hidden, SpaceRole.READER)
    root = drive.personal_drive(agent).root
    folder = drive.create_folder(agent, root, FOLDER_NAME)
    drive.upload_file(agent, folder, FILE_NAME, [OLD_CONTENT], len(OLD_CONTENT))
    doc = drive.upload_file(agent, folder, FILE_NAME, [FILE_CONTENT], len(FILE_CONTENT))
    old_version = doc.versions.get(number=1)
    drive_share = drive.share(agent, folder, hidden, ShareRole.READER)
    trashed = drive.upload_file(agent, root, TRASHED_NAME, [b"x"], 1)
    drive.trash(agent, trashed)
    space_doc = drive.upload_file(agent, drive.space_drive(space).root, SPACE_FILE, [b"y"], 1)
    later = timezone.now() + dt.timedelta(days=3)
    read_link = drive.create_link(agent, folder, kind=LinkKind.READ, expires_at=later)
    drop_link = drive.create_link(agent, folder, kind=LinkKind.UPLOAD, expires_at=later)
    for link in (read_link, drop_link):
        drive.revoke_link(agent, link)
    live_link = drive.create_link(agent, doc, kind=LinkKind.READ, expires_at=later, password="x")
    upload = uploads.create(agent, folder, name="Qx7Uploading.bin", length=10)
    # --- collaboration in A's private space (rows written directly: the walk checks the doors)
    now = timezone.now()
    thread = Thread.objects.create(space=space, title=THREAD_TITLE, author=agent, last_post_at=now)
    post = Post.objects.create(thread=thread, author=agent, body=POST_BODY)
    task_list = TaskList.objects.create(space=space, name=TASK_LIST)
    task = Task.objects.create(
        space=space, task_list=task_list, title=TASK_TITLE, assignee=hidden, created_by=agent
    )
    note = Note.objects.create(
        space=space, title=NOTE_TITLE, body=NOTE_BODY, created_by=agent, updated_at=now
    )
    revision = NoteRevision.objects.create(
        note=note, title=NOTE_TITLE, body=NOTE_BODY, author=agent
    )
    join_request = JoinRequest.objects.create(space=space, user=org_admin, message="Qx7")
    notification = Notification.objects.create(
        recipient=agent, kind="space.mention", title=NOTIFICATION_TITLE, url="/", space=space
    )
    tile = AppTile.objects.create(
        organisation=org, title=TILE_TITLE, url="https://qx7-metier.example/", created_by=org_admin
    )
    announcement = Announcement.objects.create(
        organisation=org, title=ANNOUNCEMENT_TITLE, body="Qx7", created_by=org_admin
    )
    secrets.update(
        {
            "titre d'une tuile": TILE_TITLE,
            "titre d'une annonce": ANNOUNCEMENT_TITLE,
            "nom d'un espace privé": SPACE_NAME,
            "description d'un espace privé": SPACE_DETAILS,
            "nom d'un dossier": FOLDER_NAME,
            "nom d'un fichier": FILE_NAME,
            "contenu d'un fichier": FILE_CONTENT.decode().strip(),
            "contenu d'une ancienne version": OLD_CONTENT.decode().strip(),
            "nom d'un fichier à la corbeille": TRASHED_NAME,
            "nom d'un fichier d'espace": SPACE_FILE,
            "jeton d'un lien public révoqué": read_link.token,
            "jeton d'un lien de dépôt révoqué": drop_link.token,
            "envoi en cours": str(upload.pk),
            "sujet d'une discussion": THREAD_TITLE,
            "message d'une discussion": POST_BODY,
            "intitulé d'une tâche": TASK_TITLE,
            "nom d'une liste de tâches": TASK_LIST,
            "titre d'une note": NOTE_TITLE,
            "contenu d'une note": NOTE_BODY,
            "titre d'une notification": NOTIFICATION_TITLE,
        }
    )
    return SimpleNamespace(
        org=org,
        agent=agent,
        admin=org_admin,
        hidden=hidden,
        service=service,
        group=group,
        room=room,
        room_calendar=room.calendar,
        personal=personal,
        second=second,
        busy_only=busy_only,
        service_calendar=service_calendar,
        share=share,
        private=private,
        public=public,
        busy_event=busy_event,
        start=start,
        app_password=app_password,
        scim_token=scim_token,
        b_scim_secret=b_scim_secret,
        b_calendar=b_calendar,
        provider=provider,
        session=session,
        authenticator=authenticator,
        space=space,
        space_member=space_member,
        drive_root=root,
        drive_folder=folder,
        drive_doc=doc,
        drive_version=old_version,
        drive_share=drive_share,
        drive_trashed=trashed,
        drive_space_doc=space_doc,
        read_link=read_link,
        drop_link=drop_link,
        live_link=live_link,
        upload=upload,
        thread=thread,
        post=post,
        task_list=task_list,
        task=task,
        note=note,
        revision=revision,
        notification=notification,
        join_request=join_request,
        tile=tile,
        announcement=announcement,
        secrets=secrets,
    )


def fingerprint(w: SimpleNamespace) -> dict[str, list]:
    """A's rows, as they must stay whatever B asks."""
    people = User.objects.filter(organisation=w.org)
    calendars_q = Calendar.objects.filter(Q(organisation=w.org) | Q(owner__organisation=w.org))
    events = Event.objects.filter(calendar__in=calendars_q)

    def rows(qs, *fields: str) -> list:
        return list(qs.order_by("pk").values_list("pk", *fields))

    return {
        "organisation": rows(Organisation.objects.filter(pk=w.org.pk), "name", "is_active"),
        "policy": list(Policy.objects.filter(organisation=w.org).values()),
        "people": rows(
            people,
            "email",
            "first_name",
            "last_name",
            "is_active",
            "is_org_admin",
            "service_id",
            "password",
        ),
        "services": rows(Service.objects.filter(organisation=w.org), "name", "parent_id"),
        "groups": list(
            Group.objects.filter(organisation=w.org)
            .order_by("pk", "members")
            .values_list("pk", "name", "members")
        ),
        "calendars": rows(calendars_q, "name", "feed_token", "colour", "description"),
        "shares": rows(CalendarShare.objects.filter(calendar__in=calendars_q), "level"),
        "events": rows(events, "title", "start", "end", "privacy", "status", "description"),
        "attendees": rows(Attendee.objects.filter(event__in=events), "partstat", "comment"),
        # A's people invited, A's rooms booked, A's people put in groups, by anyone
        "invitations and bookings": rows(
            Attendee.objects.filter(Q(user__in=people) | Q(resource__organisation=w.org)),
            "event_id",
        ),
        "memberships": rows(Group.members.through.objects.filter(user__in=people), "group_id"),
        "resources": rows(Resource.objects.filter(organisation=w.org), "name", "is_active"),
        "app passwords": rows(AppPassword.objects.filter(user__in=people), "revoked_at"),
        "scim tokens": rows(ScimToken.objects.filter(organisation=w.org), "revoked_at"),
        "scim identities": rows(ScimIdentity.objects.filter(organisation=w.org)),
        "sso": list(IdentityProvider.objects.filter(organisation=w.org).values()),
        "sessions": rows(UserSession.objects.filter(user__in=people)),
        "authenticators": rows(Authenticator.objects.filter(user__in=people)),
        "spaces": rows(
            Space.objects.filter(organisation=w.org),
            "name",
            "description",
            "visibility",
            "archived_at",
        ),
        "space members": rows(
            Membership.objects.filter(Q(space__organisation=w.org) | Q(user__in=people)),
            "space_id",
            "user_id",
            "role",
        ),
        "nodes": rows(
            Node.objects.filter(drive__organisation=w.org),
            "name",
            "parent_id",
            "path",
            "deleted_at",
            "current_version_id",
            "drive_id",
        ),
        "versions": rows(Version.objects.filter(node__drive__organisation=w.org), "blob_id"),
        "drive shares": rows(Share.objects.filter(node__drive__organisation=w.org), "role"),
        "links": rows(
            PublicLink.objects.filter(node__drive__organisation=w.org),
            "revoked_at",
            "download_count",
            "expires_at",
        ),
        "uploads": rows(Upload.objects.filter(parent__drive__organisation=w.org), "offset"),
        "threads": rows(Thread.objects.filter(space__organisation=w.org), "title", "pinned"),
        "posts": rows(Post.objects.filter(thread__space__organisation=w.org), "body", "deleted_at"),
        "task lists": rows(TaskList.objects.filter(space__organisation=w.org), "name"),
        "tasks": rows(
            Task.objects.filter(space__organisation=w.org), "title", "status", "assignee_id"
        ),
        "notes": rows(Note.objects.filter(space__organisation=w.org), "title", "body"),
        "note revisions": rows(NoteRevision.objects.filter(note__space__organisation=w.org)),
        "join requests": rows(JoinRequest.objects.filter(space__organisation=w.org), "status"),
        "notifications": rows(Notification.objects.filter(recipient__in=people), "read_at"),
        "tiles": rows(AppTile.objects.filter(organisation=w.org), "title", "url", "position"),
        "announcements": rows(Announcement.objects.filter(organisation=w.org), "title", "ends_at"),
    }


# --- how to fill each route from the world -----------------------------------------------------


def api(name: str, **kwargs: Any) -> list[str]:
    """A router route (the router publishes no ``.json`` twins)."""
    return [reverse(name, kwargs=kwargs)]


def q(path: str, **params: Any) -> str:
    return f"{path}?{urlencode(params, doseq=True)}"


def plain(*names: str) -> dict[str, Walk]:
    """Routes without arguments."""
    return {name: Walk(lambda w, n=name: [reverse(n)]) for name in names}


def each(name: str, *objects: str, key: str = "pk") -> Walk:
    """One request per object of the world, by its pk."""
    return Walk(lambda w: [reverse(name, kwargs={key: getattr(w, o).pk}) for o in objects])


def cals(w: SimpleNamespace) -> dict[str, list]:
    """Ask the agenda views to show A's calendars."""
    return {
        "choix": "1",
        "cal": [
            c.pk for c in (w.personal, w.second, w.busy_only, w.service_calendar, w.room_calendar)
        ],
    }


def window(w: SimpleNamespace) -> dict[str, str]:
    return {
        "start": (w.start - dt.timedelta(days=1)).isoformat(),
        "end": (w.start + dt.timedelta(days=2)).isoformat(),
    }


def attendees_of_a(w: SimpleNamespace) -> dict[str, Any]:
    return {
        "attendees": {"users": [w.agent.pk, w.hidden.pk], "resources": [w.room.pk]},
        **window(w),
    }


def event_form(w: SimpleNamespace, calendar: Calendar) -> dict[str, Any]:
    """The event form, filled to invite A's hidden person and book A's hidden room."""
    day = (w.start + dt.timedelta(days=3)).date().isoformat()  # the room is free then
    return {
        "title": "Intrus",
        "calendar": calendar.pk,
        "start_date": day,
        "start_time": "07:00",
        "end_date": day,
        "end_time": "08:00",
        "tzid": "Europe/Paris",
        "repeat": "",
        "interval": "1",
        "repeat_end": "never",
        "privacy": "public",
        "busy": "1",
        "people": [w.hidden.pk],
        "rooms": [w.room.pk],
    }


CALENDARS = ("personal", "second", "busy_only", "service_calendar", "room_calendar")
EVENTS = ("private", "public", "busy_event")
FORGED = "eyJhIjoxfQ:1tForged:forgedSignature"


def _agenda(w: SimpleNamespace, name: str, **kwargs: Any) -> list[str]:
    path = reverse(name, kwargs=kwargs)
    return [path, q(path, **cals(w))]


def _scim(w: SimpleNamespace) -> list[str]:
    base = f"/scim/v2/{w.org.slug}/"
    tails = [
        "",
        "ServiceProviderConfig",
        "ResourceTypes",
        "ResourceTypes/User",
        "Schemas",
        "Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
        "Users/.search",
        "Users",
        q("Users", filter=f'userName eq "{w.agent.email}"'),
        f"Users/{w.agent.pk}",
        f"Users/{w.hidden.pk}",
        "Groups/.search",
        "Groups",
        f"Groups/{w.group.pk}",
        "Nowhere/else",
    ]
    return [base + tail for tail in tails]


ROUTES: dict[str, Walk | Exempt] = {
    # --- platform -------------------------------------------------------------------------
    "__e2e__/login/<int:user_id>/": Exempt(
        "raccourci de connexion des tests de navigateur (monté seulement sous test)"
    ),
    **plain("healthz", "readyz", "set_language", "javascript-catalog"),
    "directory:index": Walk(
        lambda w: [
            "/annuaire/",
            q("/annuaire/", q=HIDDEN_FIRST[:-2]),
            q("/annuaire/", q=HIDDEN_LAST[:-2]),
        ]
    ),
    "directory:person": each("directory:person", "hidden"),
    "directory:vcard": each("directory:vcard", "hidden"),
    **{
        name: Walk(lambda w, n=name: [reverse(n, kwargs={"key": w.org.slug})])
        for name in ("directory:organisation", "directory:organisation_vcard")
    },
    **plain("notifications:centre", "notifications:preferences", "notifications:mark_all_read"),
    "notifications:open": each("notifications:open", "notification"),
    "notifications:mark_read": each("notifications:mark_read", "notification"),
    "search:results": Walk(
        lambda w: [
            # a prefix: the page repeats the words searched, which must not count as a leak
            q(reverse("search:results"), q=word[:-2])
            for word in (
                SPACE_FILE.split(".")[0],
                NOTE_TITLE,
                THREAD_TITLE,
                POST_BODY,
                TASK_TITLE,
                PRIVATE_TITLE,
                HIDDEN_LAST,
                FILE_CONTENT.decode().split()[0],
            )
        ]
    ),
    **plain("portal:home", "portal:tiles", "portal:tile_create", "portal:announcements"),
    **plain("portal:announcement_create"),
    "portal:tile_edit": each("portal:tile_edit", "tile"),
    "portal:tile_delete": each("portal:tile_delete", "tile"),
    "portal:tile_move": Walk(
        lambda w: [
            Probe(reverse("portal:tile_move", kwargs={"pk": w.tile.pk}), ("POST",), {"sens": "up"})
        ]
    ),
    "portal:announcement_edit": each("portal:announcement_edit", "announcement"),
    "portal:announcement_delete": each("portal:announcement_delete", "announcement"),
    # --- single sign-on ---------------------------------------------------------------------
    "identity:callback": Walk(
        lambda w: [
            q(
                reverse("identity:callback", kwargs={"provider_id": w.provider.provider_id}),
                state="x",
                code="y",
            )
        ]
    ),
    "identity:end_session": Walk(lambda w: [reverse("identity:end_session")]),
    "identity:signed_out": Walk(lambda w: [q(reverse("identity:signed_out"), t=FORGED)]),
    "openid_connect_login": Walk(
        lambda w: [reverse("openid_connect_login", kwargs={"provider_id": w.provider.provider_id})]
    ),
    "openid_connect_callback": Walk(
        lambda w: [
            q(
                reverse("openid_connect_callback", kwargs={"provider_id": w.provider.provider_id}),
                state="x",
                code="y",
            )
        ]
    ),
    # --- accounts (ours, then allauth's) --------------------------------------------------
    **plain(
        "accounts:account",
        "accounts:mfa_enrol",
        "accounts:app_passwords",
        "accounts:app_password_create",
    ),
    "accounts:accept_invitation": Walk(
        lambda w: [
            reverse(
                "accounts:accept_invitation",
                kwargs={"uidb64": urlsafe_base64_encode(str(w.hidden.pk).encode()), "token": t},
            )
            for t in ("set-password", "cz1-forgedtoken")
        ]
    ),
    "accounts:mfa_remove_webauthn": each("accounts:mfa_remove_webauthn", "authenticator"),
    "accounts:session_end": each("accounts:session_end", "session"),
    "accounts:app_password_revoke": each("accounts:app_password_revoke", "app_password"),
    **plain(
        "account_login",
        "account_logout",
        "account_inactive",
        "account_signup",
        "account_reauthenticate",
        "account_request_reauthentication_code",
        "account_confirm_reauthentication_code",
        "account_email",
        "account_email_verification_sent",
        "account_change_password",
        "account_set_password",
        "account_reset_password",
        "account_confirm_login_code",
        "account_reset_password_from_key_done",
        "account_reset_password_done",
        "mfa_index",
        "mfa_authenticate",
        "mfa_reauthenticate",
        "mfa_activate_totp",
        "mfa_deactivate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "mfa_list_webauthn",
        "mfa_add_webauthn",
        "mfa_reauthenticate_webauthn",
        "mfa_login_webauthn",
        "socialaccount_login_cancelled",
        "socialaccount_login_error",
        "socialaccount_signup",
        "socialaccount_connections",
        "usersessions_list",
    ),
    "account_confirm_email": Walk(
        lambda w: [reverse("account_confirm_email", kwargs={"key": "forged-key"})]
    ),
    "account_reset_password_from_key": Walk(
        lambda w: [
            reverse(
                "account_reset_password_from_key",
                kwargs={"uidb36": int_to_base36(w.hidden.pk), "key": "set-password"},
            ),
            reverse(
                "account_reset_password_from_key",
                kwargs={"uidb36": int_to_base36(w.agent.pk), "key": "forged-key"},
            ),
        ]
    ),
    "mfa_remove_webauthn": Exempt(
        "masquée par accounts:mfa_remove_webauthn (même chemin, essayé avant) : injoignable"
    ),
    "mfa_edit_webauthn": each("mfa_edit_webauthn", "authenticator"),
    r"re:^compte/social/": Walk(
        lambda w: [
            f"/compte/social/{tail}/"
            for tail in ("login/cancelled", "login/error", "signup", "connections")
        ]
    ),
    # --- administration console -----------------------------------------------------------
    **plain(
        "admin_org:index",
        "admin_org:person_create",
        "admin_org:services",
        "admin_org:service_create",
        "admin_org:groups",
        "admin_org:policies",
        "admin_org:sso",
        "admin_org:provisioning",
        "admin_org:provisioning_import",
        "admin_org:organisations",
        "admin_org:organisation_create",
    ),
    "admin_org:group_create": Walk(
        lambda w: [
            reverse("admin_org:group_create"),
            Probe(
                reverse("admin_org:group_create"),
                ("POST",),
                {"name": "Intrus", "members": [w.hidden.pk, w.agent.pk]},
            ),
        ]
    ),
    "admin_org:people": Walk(
        lambda w: [reverse("admin_org:people"), q(reverse("admin_org:people"), q=HIDDEN_FIRST)]
    ),
    **{
        f"admin_org:{name}": each(f"admin_org:{name}", "hidden", "agent", "admin")
        for name in (
            "person_detail",
            "person_deactivate",
            "person_reactivate",
            "person_invite",
            "person_sign_out",
        )
    },
    "admin_org:service_edit": each("admin_org:service_edit", "service"),
    "admin_org:service_delete": each("admin_org:service_delete", "service"),
    "admin_org:group_edit": each("admin_org:group_edit", "group"),
    "admin_org:group_delete": each("admin_org:group_delete", "group"),
    "admin_org:provisioning_token_revoke": each(
        "admin_org:provisioning_token_revoke", "scim_token"
    ),
    **{
        f"admin_org:{name}": Walk(
            lambda w, n=name: [reverse(f"admin_org:{n}", kwargs={"slug": w.org.slug})]
        )
        for name in (
            "organisation_edit",
            "organisation_deactivate",
            "organisation_activate",
            "organisation_policies",
            "organisation_sso",
            "organisation_admins",
        )
    },
    "admin_org:organisation_admin_revoke": Walk(
        lambda w: [
            reverse(
                "admin_org:organisation_admin_revoke",
                kwargs={"slug": w.org.slug, "pk": w.admin.pk},
            )
        ]
    ),
    # --- agenda ---------------------------------------------------------------------------
    "calendars:agenda": Walk(lambda w: _agenda(w, "calendars:agenda")),
    "calendars:day": Walk(lambda w: _agenda(w, "calendars:day", day=w.start.date().isoformat())),
    "calendars:week": Walk(lambda w: _agenda(w, "calendars:week", day=w.start.date().isoformat())),
    "calendars:month": Walk(
        lambda w: _agenda(w, "calendars:month", month=w.start.strftime("%Y-%m"))
    ),
    "calendars:list": Walk(
        lambda w: (
            _agenda(w, "calendars:list")
            + [q(reverse("calendars:list"), du=w.start.date().isoformat(), **cals(w))]
        )
    ),
    "calendars:jump": Walk(
        lambda w: [
            q(reverse("calendars:jump"), vue="semaine", date=w.start.date().isoformat(), **cals(w))
        ]
    ),
    "calendars:new_event": Walk(
        lambda w: [
            *(
                Probe(reverse("calendars:new_event"), ("POST",), event_form(w, calendar))
                for calendar in (w.personal, w.b_calendar)
            ),
            reverse("calendars:new_event"),
            q(
                reverse("calendars:new_event"),
                personne=[w.agent.pk, w.hidden.pk],
                salle=w.room.pk,
                titre="x",
            ),
        ]
    ),
    **{
        f"calendars:{name}": each(f"calendars:{name}", *EVENTS)
        for name in ("event", "edit_event", "delete_event", "respond")
    },
    **plain(
        "calendars:calendars",
        "calendars:calendar_create",
        "calendars:service_calendar_create",
        "calendars:resources",
        "calendars:resource_create",
    ),
    **{
        f"calendars:{name}": each(f"calendars:{name}", *CALENDARS)
        for name in (
            "calendar_edit",
            "calendar_delete",
            "calendar_share",
            "calendar_renew",
            "export_ics",
            "import_ics",
        )
    },
    "calendars:calendar_unshare": Walk(
        lambda w: [
            reverse("calendars:calendar_unshare", kwargs={"pk": w.second.pk, "share": w.share.pk})
        ]
    ),
    "calendars:resource_agenda": Walk(
        lambda w: [
            q(
                reverse("calendars:resource_agenda", kwargs={"pk": w.room.pk}),
                date=w.start.date().isoformat(),
            )
        ]
    ),
    "calendars:resource_edit": each("calendars:resource_edit", "room"),
    "calendars:feed": Walk(
        lambda w: [
            reverse("calendars:feed", kwargs={"token": token})
            for token in (str(w.personal.pk), w.personal.feed_token[:-2] + "xx", FORGED)
        ]
    ),
    "calendars:answer": Walk(
        lambda w: [
            reverse("calendars:answer", kwargs={"token": FORGED}),
            q(reverse("calendars:answer", kwargs={"token": FORGED}), choix="accepter"),
        ]
    ),
    "calendars:find_time": Walk(
        lambda w: [
            reverse("calendars:find_time"),
            q(
                reverse("calendars:find_time"),
                personne=[w.agent.pk, w.hidden.pk],
                salle=w.room.pk,
                du=w.start.date().isoformat(),
            ),
            q(reverse("calendars:find_time"), ajouter=f"personne-{w.hidden.pk}"),
            q(reverse("calendars:find_time"), ajouter=f"salle-{w.room.pk}"),
            q(reverse("calendars:find_time"), q=HIDDEN_FIRST, partiel="recherche"),
            q(reverse("calendars:find_time"), q="Qx7", partiel="recherche"),
        ]
    ),
    # --- spaces --------------------------------------------------------------------------
    **plain("spaces:index", "spaces:create"),
    "spaces:detail": each("spaces:detail", "space"),
    "spaces:agenda": each("spaces:agenda", "space"),
    "spaces:leave": each("spaces:leave", "space"),
    "spaces:members": Walk(
        lambda w: [
            reverse("spaces:members", kwargs={"pk": w.space.pk}),
            q(reverse("spaces:members", kwargs={"pk": w.space.pk}), q=HIDDEN_FIRST),
        ]
    ),
    "spaces:add_member": Walk(
        lambda w: [
            Probe(
                reverse("spaces:add_member", kwargs={"pk": w.space.pk}),
                ("POST",),
                {"user": w.hidden.pk, "role": "owner"},
            )
        ]
    ),
    "spaces:invite_guest": Walk(
        lambda w: [
            Probe(
                reverse("spaces:invite_guest", kwargs={"pk": w.space.pk}),
                ("POST",),
                {
                    "invite-email": "intrus@dehors.example",
                    "invite-first_name": "In",
                    "invite-last_name": "Trus",
                    "invite-guest_expires_at": (w.start + dt.timedelta(days=9)).date().isoformat(),
                    "invite-role": "reader",
                },
            )
        ]
    ),
    "spaces:change_role": Walk(
        lambda w: [
            Probe(
                reverse(
                    "spaces:change_role", kwargs={"pk": w.space.pk, "membership": w.space_member.pk}
                ),
                ("POST",),
                {"role": "owner"},
            )
        ]
    ),
    "spaces:remove_member": Walk(
        lambda w: [
            reverse(
                "spaces:remove_member", kwargs={"pk": w.space.pk, "membership": w.space_member.pk}
            )
        ]
    ),
    "spaces:settings": Walk(
        lambda w: [
            reverse("spaces:settings", kwargs={"pk": w.space.pk}),
            Probe(
                reverse("spaces:settings", kwargs={"pk": w.space.pk}),
                ("POST",),
                {"name": "Intrus", "visibility": "open"},
            ),
        ]
    ),
    "spaces:activity": each("spaces:activity", "space"),
    "spaces:join": each("spaces:join", "space"),
    "spaces:join_cancel": each("spaces:join_cancel", "space"),
    **{
        f"spaces:{name}": Walk(
            lambda w, n=name: [
                reverse(f"spaces:{n}", kwargs={"pk": w.space.pk, "join_request": w.join_request.pk})
            ]
        )
        for name in ("join_accept", "join_refuse")
    },
    "spaces:notes": each("spaces:notes", "space"),
    "spaces:note_create": Walk(
        lambda w: [
            reverse("spaces:note_create", kwargs={"pk": w.space.pk}),
            Probe(
                reverse("spaces:note_create", kwargs={"pk": w.space.pk}),
                ("POST",),
                {"title": "B", "body": "B"},
            ),
        ]
    ),
    **{
        f"spaces:{name}": Walk(
            lambda w, n=name: [reverse(f"spaces:{n}", kwargs={"pk": w.space.pk, "note": w.note.pk})]
        )
        for name in ("note", "note_edit", "note_delete", "note_history")
    },
    **{
        f"spaces:{name}": Walk(
            lambda w, n=name: [
                reverse(
                    f"spaces:{n}",
                    kwargs={"pk": w.space.pk, "note": w.note.pk, "revision": w.revision.pk},
                )
            ]
        )
        for name in ("note_revision", "note_restore")
    },
    "spaces:threads": each("spaces:threads", "space"),
    "spaces:thread_create": Walk(
        lambda w: [
            reverse("spaces:thread_create", kwargs={"pk": w.space.pk}),
            Probe(
                reverse("spaces:thread_create", kwargs={"pk": w.space.pk}),
                ("POST",),
                {"title": "B", "body": "B"},
            ),
        ]
    ),
    **{
        f"spaces:{name}": Walk(
            lambda w, n=name: [
                reverse(f"spaces:{n}", kwargs={"pk": w.space.pk, "thread": w.thread.pk})
            ]
        )
        for name in (
            "thread",
            "thread_reply",
            "thread_pin",
            "thread_lock",
            "thread_rename",
            "thread_delete",
        )
    },
    **{
        f"spaces:{name}": Walk(
            lambda w, n=name: [reverse(f"spaces:{n}", kwargs={"pk": w.space.pk, "post": w.post.pk})]
        )
        for name in ("post_edit", "post_delete")
    },
    "spaces:tasks": each("spaces:tasks", "space"),
    "spaces:tasks_board": each("spaces:tasks_board", "space"),
    "spaces:task_create": each("spaces:task_create", "space"),
    "spaces:task_list_create": Walk(
        lambda w: [
            Probe(
                reverse("spaces:task_list_create", kwargs={"pk": w.space.pk}),
                ("POST",),
                {"name": "B"},
            )
        ]
    ),
    **{
        f"spaces:{name}": Walk(
            lambda w, n=name: [
                reverse(f"spaces:{n}", kwargs={"pk": w.space.pk, "list_pk": w.task_list.pk})
            ]
        )
        for name in ("task_list_edit", "task_list_delete")
    },
    **{
        f"spaces:{name}": Walk(
            lambda w, n=name: [
                reverse(f"spaces:{n}", kwargs={"pk": w.space.pk, "task_pk": w.task.pk})
            ]
        )
        for name in ("task_detail", "task_status", "task_move", "task_delete")
    },
    "spaces:archive": Walk(
        lambda w: [
            Probe(
                reverse("spaces:archive", kwargs={"pk": w.space.pk}), ("POST",), {"archived": "1"}
            )
        ]
    ),
    # --- documents ------------------------------------------------------------------------
    **plain("drive:home", "drive:shared", "drive:trash", "drive:organisation", "drive:empty_trash"),
    "drive:restore": Walk(
        lambda w: [Probe(reverse("drive:restore"), ("POST",), {"ids": [w.drive_trashed.pk]})]
    ),
    "drive:folder": each("drive:folder", "drive_folder", "drive_root"),
    "drive:file": each("drive:file", "drive_doc", "drive_space_doc"),
    "drive:space": Walk(lambda w: [reverse("drive:space", kwargs={"space_id": w.space.pk})]),
    "drive:rename": Walk(
        lambda w: [
            p
            for o in (w.drive_folder, w.drive_doc)
            for p in (
                reverse("drive:rename", args=[o.pk]),
                Probe(reverse("drive:rename", args=[o.pk]), ("POST",), {"name": "Intrus"}),
            )
        ]
    ),
    "drive:delete": each("drive:delete", "drive_doc", "drive_folder"),
    "drive:new_folder": Walk(
        lambda w: [
            Probe(reverse("drive:new_folder", args=[w.drive_folder.pk]), ("POST",), {"name": "X"})
        ]
    ),
    "drive:bulk": Walk(
        lambda w: [
            Probe(
                reverse("drive:bulk", args=[w.drive_folder.pk]),
                ("POST",),
                {"ids": [w.drive_doc.pk], "action": action},
            )
            for action in ("delete", "move", "copy", "download")
        ]
    ),
    "drive:pick": Walk(
        lambda w: (
            [
                q(reverse("drive:pick"), ids=w.drive_doc.pk, mode=mode, dans=w.drive_folder.pk)
                for mode in ("move", "copy")
            ]
            + [
                Probe(
                    reverse("drive:pick"),
                    ("POST",),
                    {"ids": [w.drive_doc.pk], "mode": "move", "dans": w.drive_root.pk},
                )
            ]
        )
    ),
    "drive:new_version": Walk(
        lambda w: [
            Probe(
                reverse("drive:new_version", args=[w.drive_doc.pk]),
                ("POST",),
                {"file": SimpleUploadedFile("x.txt", b"intrus")},
            )
        ]
    ),
    "drive:restore_version": each("drive:restore_version", "drive_version"),
    "drive:node_access": Walk(
        lambda w: [
            reverse("drive:node_access", args=[w.drive_folder.pk]),
            q(reverse("drive:node_access", args=[w.drive_folder.pk]), q="zeph", partiel="partage"),
        ]
    ),
    "drive:share": Walk(
        lambda w: [
            Probe(
                reverse("drive:share", args=[w.drive_folder.pk]),
                ("POST",),
                {"grantee": f"user:{w.hidden.pk}", "role": "manager", "confirm_external": "on"},
            )
        ]
    ),
    "drive:invite_guest": Walk(
        lambda w: [
            Probe(
                reverse("drive:invite_guest", args=[w.drive_folder.pk]),
                ("POST",),
                {
                    "invite-email": "intrus@dehors.example",
                    "invite-first_name": "In",
                    "invite-last_name": "Trus",
                    "invite-guest_expires_at": (w.start + dt.timedelta(days=9)).date().isoformat(),
                    "invite-role": "reader",
                },
            )
        ]
    ),
    "drive:share_role": Walk(
        lambda w: [
            Probe(
                reverse("drive:share_role", args=[w.drive_share.pk]), ("POST",), {"role": "manager"}
            )
        ]
    ),
    "drive:unshare": each("drive:unshare", "drive_share"),
    "drive:purge": each("drive:purge", "drive_trashed"),
    "drive:links": Walk(
        lambda w: [
            reverse("drive:links", args=[w.drive_folder.pk]),
            Probe(
                reverse("drive:links", args=[w.drive_folder.pk]),
                ("POST",),
                {"kind": "read", "expires_at": (w.start + dt.timedelta(days=2)).date().isoformat()},
            ),
        ]
    ),
    "drive:link_revoke": each("drive:link_revoke", "live_link"),
    "drive:preview": each("drive:preview", "drive_doc"),
    "drive:download": Walk(
        lambda w: [
            reverse("drive:download", args=[w.drive_doc.pk]),
            q(reverse("drive:download", args=[w.drive_doc.pk]), inline=1),
        ]
    ),
    "drive:version_download": each("drive:version_download", "drive_version"),
    "drive:zip": each("drive:zip", "drive_folder", "drive_root"),
    "drive:upload_form": Walk(
        lambda w: [
            Probe(
                reverse("drive:upload_form", args=[w.drive_folder.pk]),
                ("POST",),
                {"files": SimpleUploadedFile("intrus.txt", b"intrus")},
            )
        ]
    ),
    "drive:uploads": Walk(lambda w: [Probe(reverse("drive:uploads"), ("POST",))]),
    "drive:upload": Walk(
        lambda w: [
            Probe(reverse("drive:upload", args=[w.upload.pk]), ("GET", "POST", "PATCH", "DELETE"))
        ]
    ),
    "drive:link_uploads": Walk(
        lambda w: [
            Probe(reverse("drive:link_uploads", args=[t]), ("POST",))
            for t in (w.drop_link.token, "inconnu")
        ]
    ),
    "drive:link_upload": Walk(
        lambda w: [
            Probe(
                reverse("drive:link_upload", args=[w.drop_link.token, w.upload.pk]),
                ("GET", "PATCH", "DELETE"),
            )
        ]
    ),
    # --- public links: a revoked link and an unknown one open nothing ----------------------
    "public_link:open": Walk(
        lambda w: [
            reverse("public_link:open", args=[t])
            for t in (w.read_link.token, w.drop_link.token, "inconnu")
        ]
    ),
    "public_link:folder": Walk(
        lambda w: [reverse("public_link:folder", args=[w.read_link.token, w.drive_folder.pk])]
    ),
    "public_link:download": Walk(
        lambda w: [
            reverse("public_link:download", args=[t, w.drive_doc.pk])
            for t in (w.read_link.token, w.live_link.token)
        ]
    ),
    "public_link:preview": Walk(
        lambda w: [reverse("public_link:preview", args=[w.read_link.token, w.drive_doc.pk])]
    ),
    "public_link:zip": Walk(lambda w: [reverse("public_link:zip", args=[w.read_link.token])]),
    "public_link:drop": Walk(
        lambda w: [
            Probe(
                reverse("public_link:drop", args=[w.drop_link.token]),
                ("GET", "POST"),
                {"fichiers": SimpleUploadedFile("x.txt", b"x")},
            )
        ]
    ),
    # --- REST API -------------------------------------------------------------------------
    "space-note-list": Walk(lambda w: api("space-note-list", space_pk=w.space.pk)),
    "space-note-detail": Walk(
        lambda w: api("space-note-detail", space_pk=w.space.pk, pk=w.note.pk)
    ),
    "space-note-revisions": Walk(
        lambda w: api("space-note-revisions", space_pk=w.space.pk, pk=w.note.pk)
    ),
    "space-join-request-list": Walk(lambda w: api("space-join-request-list", space_pk=w.space.pk)),
    **{
        name: Walk(lambda w, n=name: api(n, space_pk=w.space.pk, pk=w.join_request.pk))
        for name in (
            "space-join-request-detail",
            "space-join-request-accept",
            "space-join-request-refuse",
        )
    },
    "space-activity-list": Walk(lambda w: api("space-activity-list", space_pk=w.space.pk)),
    "directory-person-list": Walk(
        lambda w: [
            *api("directory-person-list"),
            q(reverse("directory-person-list"), q=HIDDEN_FIRST[:-2]),
        ]
    ),
    "directory-person-detail": Walk(lambda w: api("directory-person-detail", pk=w.hidden.pk)),
    "directory-service-list": Walk(
        lambda w: [q(reverse("directory-service-list"), organisation=w.org.pk)]
    ),
    "notification-list": Walk(lambda w: api("notification-list")),
    "notification-detail": each("notification-detail", "notification"),
    "notification-read": each("notification-read", "notification"),
    "notification-read-all": Walk(lambda w: api("notification-read-all")),
    "notification-preferences": Walk(lambda w: api("notification-preferences")),
    "search-list": Walk(
        lambda w: [
            q(reverse("search-list"), q=word[:-2])
            for word in (SPACE_FILE.split(".")[0], NOTE_TITLE, THREAD_TITLE, PRIVATE_TITLE)
        ]
    ),
    "space-thread-list": Walk(lambda w: api("space-thread-list", space_pk=w.space.pk)),
    "space-thread-detail": Walk(
        lambda w: api("space-thread-detail", space_pk=w.space.pk, pk=w.thread.pk)
    ),
    "space-thread-post-list": Walk(
        lambda w: api("space-thread-post-list", space_pk=w.space.pk, thread_pk=w.thread.pk)
    ),
    "space-thread-post-detail": Walk(
        lambda w: api(
            "space-thread-post-detail", space_pk=w.space.pk, thread_pk=w.thread.pk, pk=w.post.pk
        )
    ),
    "my-task-list": Walk(lambda w: [*api("my-task-list"), q(reverse("my-task-list"), until="x")]),
    "space-task-list-list": Walk(lambda w: api("space-task-list-list", space_pk=w.space.pk)),
    "space-task-list-detail": Walk(
        lambda w: api("space-task-list-detail", space_pk=w.space.pk, pk=w.task_list.pk)
    ),
    "space-task-list": Walk(lambda w: api("space-task-list", space_pk=w.space.pk)),
    "space-task-detail": Walk(
        lambda w: api("space-task-detail", space_pk=w.space.pk, pk=w.task.pk)
    ),
    "space-list": Walk(lambda w: api("space-list")),
    "space-detail": Walk(lambda w: api("space-detail", pk=w.space.pk)),
    "space-archive": Walk(lambda w: api("space-archive", pk=w.space.pk)),
    "space-member-list": Walk(lambda w: api("space-member-list", space_pk=w.space.pk)),
    "space-member-detail": Walk(
        lambda w: api("space-member-detail", space_pk=w.space.pk, pk=w.space_member.pk)
    ),
    "drive-drive-list": Walk(lambda w: api("drive-drive-list")),
    "drive-drive-detail": Walk(lambda w: api("drive-drive-detail", pk=w.drive_root.drive_id)),
    "drive-node-list": Walk(
        lambda w: [
            *api("drive-node-list"),
            Probe(
                reverse("drive-node-list"), ("POST",), {"parent": w.drive_folder.pk, "name": "X"}
            ),
        ]
    ),
    "drive-node-detail": Walk(
        lambda w: [
            p
            for o in (w.drive_folder, w.drive_doc, w.drive_space_doc, w.drive_trashed)
            for p in api("drive-node-detail", pk=o.pk)
        ]
    ),
    **{
        name: Walk(
            lambda w, n=name: [p for o in (w.drive_folder, w.drive_doc) for p in api(n, pk=o.pk)]
        )
        for name in (
            "drive-node-children",
            "drive-node-content",
            "drive-node-copy",
            "drive-node-move",
            "drive-node-links",
            "drive-node-shares",
            "drive-node-versions",
        )
    },
    "drive-node-file-post": Walk(
        lambda w: [
            Probe(
                q(reverse("drive-node-file-post", kwargs={"pk": w.drive_folder.pk}), name="x.txt"),
                ("POST",),
            )
        ]
    ),
    "drive-node-file-put": Walk(
        lambda w: [
            reverse("drive-node-file-put", kwargs={"pk": w.drive_folder.pk, "name": FILE_NAME})
        ]
    ),
    "drive-version-content": Walk(lambda w: api("drive-version-content", pk=w.drive_version.pk)),
    "drive-version-restore": Walk(lambda w: api("drive-version-restore", pk=w.drive_version.pk)),
    "drive-share-detail": Walk(lambda w: api("drive-share-detail", pk=w.drive_share.pk)),
    "drive-link-detail": Walk(
        lambda w: [p for o in (w.live_link, w.read_link) for p in api("drive-link-detail", pk=o.pk)]
    ),
    "drive-trash-list": Walk(lambda w: api("drive-trash-list")),
    "drive-trash-detail": Walk(lambda w: api("drive-trash-detail", pk=w.drive_trashed.pk)),
    "drive-trash-restore": Walk(lambda w: api("drive-trash-restore", pk=w.drive_trashed.pk)),
    "drive-shared-list": Walk(lambda w: api("drive-shared-list")),
    "api-root": Walk(lambda w: api("api-root")),
    **plain("api-schema", "api-docs"),
    "organisation-list": Walk(lambda w: api("organisation-list")),
    "organisation-detail": Walk(lambda w: api("organisation-detail", slug=w.org.slug)),
    "person-list": Walk(
        lambda w: [*api("person-list"), q(reverse("person-list"), search=HIDDEN_FIRST)]
    ),
    "person-me": Walk(lambda w: api("person-me")),
    "person-detail": Walk(
        lambda w: [p for o in (w.hidden, w.agent) for p in api("person-detail", pk=o.pk)]
    ),
    "app-password-list": Walk(lambda w: api("app-password-list")),
    "app-password-detail": Walk(lambda w: api("app-password-detail", pk=w.app_password.pk)),
    "calendar-list": Walk(lambda w: api("calendar-list")),
    "calendar-detail": Walk(
        lambda w: [p for o in CALENDARS for p in api("calendar-detail", pk=getattr(w, o).pk)]
    ),
    "calendar-shares": Walk(
        lambda w: [
            *(p for o in CALENDARS for p in api("calendar-shares", pk=getattr(w, o).pk)),
            Probe(
                reverse("calendar-shares", kwargs={"pk": w.personal.pk}),
                ("POST",),
                {"user": w.hidden.pk, "level": "write"},
            ),
        ]
    ),
    "calendar-unshare": Walk(
        lambda w: api("calendar-unshare", pk=w.second.pk, share_id=w.share.pk)
    ),
    "event-list": Walk(
        lambda w: [
            *api("event-list"),
            q(reverse("event-list"), **window(w)),
            *(q(reverse("event-list"), calendar=getattr(w, o).pk, **window(w)) for o in CALENDARS),
            Probe(
                reverse("event-list"),
                ("POST",),
                {"calendar": w.personal.pk, "title": "Intrus", **window(w)},
            ),
            Probe(
                reverse("event-list"),
                ("POST",),
                {
                    "calendar": w.b_calendar.pk,
                    "title": "Intrus",
                    "users": [w.hidden.pk],
                    "resources": [w.room.pk],
                    **window(w),
                },
            ),
        ]
    ),
    "event-detail": Walk(
        lambda w: [p for o in EVENTS for p in api("event-detail", pk=getattr(w, o).pk)]
    ),
    "event-respond": Walk(
        lambda w: [
            *(p for o in EVENTS for p in api("event-respond", pk=getattr(w, o).pk)),
            Probe(
                reverse("event-respond", kwargs={"pk": w.private.pk}),
                ("POST",),
                {"partstat": "ACCEPTED"},
            ),
        ]
    ),
    "resource-list": Walk(
        lambda w: [
            *api("resource-list"),
            q(
                reverse("resource-list"),
                free_from=window(w)["start"],
                free_to=window(w)["end"],
            ),
        ]
    ),
    "resource-detail": Walk(lambda w: api("resource-detail", pk=w.room.pk)),
    "freebusy-list": Walk(
        lambda w: [
            *api("freebusy-list"),
            Probe(reverse("freebusy-list"), ("POST",), attendees_of_a(w)),
            Probe(
                reverse("freebusy-list"),
                ("POST",),
                {"attendees": {"users": [w.agent.pk]}, **window(w)},
            ),
        ]
    ),
    "freebusy-slots": Walk(
        lambda w: [
            *api("freebusy-slots"),
            Probe(
                reverse("freebusy-slots"),
                ("POST",),
                {"duration_minutes": 30, **attendees_of_a(w)},
            ),
        ]
    ),
    # --- SCIM (B's token, B's people, anonymous: all on A's base) -------------------------
    r"re:^scim/v2/": Walk(_scim),
    # --- Django's admin: staff (operators) only ---------------------------------------------
    **plain("admin:index", "admin:login", "admin:accounts_user_changelist"),
    "admin:accounts_user_change": Walk(
        lambda w: [reverse("admin:accounts_user_change", args=[w.hidden.pk])]
    ),
    r"re:^django-admin/": Exempt(
        "administration Django réservée aux opérateurs (is_staff) : les autres vont à sa page "
        "de connexion ; son accueil, sa connexion et la fiche d'une personne sont parcourus"
    ),
}


# --- the routes of the project -----------------------------------------------------------------


def all_routes() -> list[Route]:
    """Every URL pattern, with its full route (as ``ResolverMatch.route`` gives it)."""
    found: list[Route] = []

    def walk(patterns: list, prefix: str, namespace: str | None) -> None:
        for pattern in patterns:
            route = URLResolver._join_route(prefix, str(pattern.pattern))
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, route, ns)
            elif isinstance(pattern, URLPattern):
                name = pattern.name and (
                    f"{namespace}:{pattern.name}" if namespace else pattern.name
                )
                found.append(Route(route, name))

    walk(get_resolver().url_patterns, "", None)
    return found


def spec_for(route: Route) -> tuple[str, Walk | Exempt] | None:
    for key in (route.name, route.route):
        if key and key in ROUTES:
            return key, ROUTES[key]
    for key, spec in ROUTES.items():
        if key.startswith("re:") and re.search(key[3:], route.route):
            return key, spec
    return None


def plan(world: SimpleNamespace) -> tuple[list[Route], list[Route], list[str]]:
    """The routes to walk (each with its probes), the exempt ones, and the table's problems."""
    routes = all_routes()
    by_route: dict[str, Route] = {}
    for route in routes:  # the first of two identical paths is the one that answers
        by_route.setdefault(route.route, route)
    problems: list[str] = []
    walked: list[Route] = []
    exempt: list[Route] = []
    used: set[str] = set()
    probes_of: dict[str, list[Probe]] = {}
    for route in routes:
        found = spec_for(route)
        if found is None:
            problems.append(
                f"route inconnue du test : « {route.route} » (nom {route.name!r}) : "
                "dites dans ROUTES comment la remplir, ou pourquoi elle est exemptée"
            )
            continue
        key, spec = found
        used.add(key)
        if isinstance(spec, Exempt):
            exempt.append(route)
            continue
        walked.append(route)
        if key not in probes_of:
            probes_of[key] = [p if isinstance(p, Probe) else Probe(p) for p in spec.probes(world)]
    for key, probes in probes_of.items():
        for probe in probes:
            match = resolve(probe.path.split("?")[0])
            target = by_route.get(match.route)
            owner = spec_for(target) if target is not None else None
            if owner is None or owner[0] != key:
                problems.append(f"{key} : {probe.path} mène à « {match.route} », pas à elle")
            else:
                target.probes.append(probe)
    for route in walked:
        if not route.probes:
            problems.append(f"aucune requête de ROUTES ne mène à « {route.route} » ({route.name})")
    problems += [f"entrée de ROUTES sans route : {key}" for key in ROUTES if key not in used]
    return walked, exempt, problems


# --- who asks ----------------------------------------------------------------------------------


@dataclass
class Principal:
    label: str
    user: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    only: str = ""  # a path prefix this principal is limited to
    client: Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = Client(raise_request_exception=False, **self.headers)
        self.sign_in()

    def sign_in(self) -> None:
        if self.user is not None:
            self.client.force_login(self.user, backend=BACKEND)

    def still_signed_in(self) -> None:
        """A probe may sign out (``/compte/logout/``): sign in again for the next ones."""
        if self.user is not None and "_auth_user_id" not in self.client.session:
            self.sign_in()


def request(principal: Principal, method: str, probe: Probe, path: str):
    client = principal.client
    if method == "GET":
        return client.get(probe.path)
    json_door = path.startswith(("/api/", "/scim/"))
    if json_door:
        content_type = "application/scim+json" if path.startswith("/scim/") else "application/json"
        body = json.dumps(probe.data if probe.data is not None else {})
        return client.generic(method, probe.path, body, content_type=content_type)
    return getattr(client, method.lower())(probe.path, probe.data or {})


def leaks(response, secrets: dict[str, str]) -> list[str]:
    """The labels of the secrets found in the answer's body or its ``Location``."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace") + " " + response.get("Location", "")
    return [label for label, secret in secrets.items() if secret and secret in text]


def check_secrets_are_shown_to_their_owners(w: SimpleNamespace) -> None:
    """The control: the pages walked do show A's secrets to A's people, so not finding them
    elsewhere means something."""
    agent, admin = Client(), Client()
    agent.force_login(w.agent, backend=BACKEND)
    admin.force_login(w.admin, backend=BACKEND)
    scim = Client(HTTP_AUTHORIZATION=f"Bearer {w.secrets['secret du jeton SCIM']}")
    controls = [
        (agent, reverse("calendars:event", kwargs={"pk": w.private.pk}), PRIVATE_TITLE),
        (agent, q(reverse("event-list"), **window(w)), PUBLIC_TITLE),
        (agent, q(reverse("event-list"), **window(w)), FREEBUSY_TITLE),
        (agent, reverse("accounts:app_passwords"), APP_PASSWORD_NAME),
        (agent, reverse("person-list"), HIDDEN_EMAIL),
        (admin, reverse("admin_org:people"), HIDDEN_EMAIL),
        (admin, reverse("admin_org:groups"), GROUP_NAME),
        (admin, reverse("admin_org:provisioning"), SCIM_TOKEN_NAME),
        (admin, reverse("calendars:resources"), ROOM_NAME),
        (admin, reverse("calendars:calendars"), SERVICE_CALENDAR),
        (scim, f"/scim/v2/{w.org.slug}/Users", HIDDEN_EMAIL),
    ]
    missing = [
        f"{path} : {secret}"
        for client, path, secret in controls
        if secret not in client.get(path).content.decode()
    ]
    assert not missing, "Les secrets de A ne sont pas montrés à A :\n" + "\n".join(missing)


def test_no_route_leaks_anything_of_another_organisation(
    org, agent, org_admin, other_org, other_agent, other_admin, guest, caplog
):
    # refusals and the 5xx are reported below, not logged a few thousand times
    caplog.set_level(logging.CRITICAL, logger="django")
    caplog.set_level(logging.CRITICAL)
    world = build_world(org, agent, org_admin, other_org, other_agent, other_admin)
    check_secrets_are_shown_to_their_owners(world)
    walked, exempt, problems = plan(world)
    principals = [
        Principal("anonyme"),
        Principal("invité", guest),
        Principal("agent de B", other_agent),
        Principal("admin de B", other_admin),
        Principal(
            "jeton SCIM de B",
            headers={"HTTP_AUTHORIZATION": f"Bearer {world.b_scim_secret}"},
            only="/scim/",
        ),
    ]
    findings: list[str] = []
    before = fingerprint(world)
    requests = 0
    for route in walked:
        for probe in route.probes:
            path = probe.path.split("?")[0]
            door = API_METHODS if path.startswith(("/api/", "/scim/")) else PAGE_METHODS
            for principal in principals:
                if principal.only and not path.startswith(principal.only):
                    continue
                asked = []
                for method in probe.methods or door:
                    response = request(principal, method, probe, path)
                    requests += 1
                    asked.append(method)
                    where = (
                        f"{method} {probe.path} [{route.name or route.route}] par {principal.label}"
                    )
                    if response.status_code >= 500 and not (
                        response.status_code == 502 and "/oidc/" in path
                    ):
                        findings.append(f"{where} → {response.status_code} (erreur serveur)")
                    for label in leaks(response, world.secrets):
                        findings.append(f"{where} → {response.status_code}, fuite : {label}")
                    principal.still_signed_in()
                if asked != ["GET"]:
                    after = fingerprint(world)
                    if after != before:
                        changed = sorted(k for k in before if before[k] != after[k])
                        findings.append(
                            f"{'/'.join(asked)} {probe.path} [{route.name or route.route}] par "
                            f"{principal.label} a modifié les données de A : " + ", ".join(changed)
                        )
                        before = after
    summary = f"{len(walked)} routes parcourues, {len(exempt)} exemptées, {requests} requêtes"
    report = [f"table des routes à compléter : {p}" for p in problems] + findings
    assert not report, f"{summary} ; {len(report)} problèmes :\n" + "\n".join(report)
    assert len(walked) > 100, summary
