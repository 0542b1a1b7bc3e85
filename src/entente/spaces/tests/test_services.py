"""Spaces: creation, members and roles, guests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from entente.accounts.models import Status, User
from entente.accounts.tests.factories import UserFactory
from entente.core.permissions import can, visible
from entente.drive import services as drive
from entente.drive.models import Node, ShareRole
from entente.drive.tests.factories import make_file, make_folder, root_of
from entente.spaces import services
from entente.spaces.models import Space, SpaceRole, Visibility

pytestmark = pytest.mark.django_db


def later(days: int = 30) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def test_the_creator_owns_the_space_and_members_come_from_anywhere(agent, other_agent):
    space = services.create_space(agent, name="Projet", description="Un projet")
    assert space.memberships.get().role == SpaceRole.OWNER
    services.add_member(agent, space, other_agent, SpaceRole.CONTRIBUTOR)
    assert can(other_agent, "contribute", space) and not can(other_agent, "manage", space)
    with pytest.raises(ValidationError):
        services.add_member(agent, space, other_agent, SpaceRole.READER)


def test_a_guest_cannot_create_a_space(guest):
    with pytest.raises(PermissionDenied):
        services.create_space(guest, name="Non")


def test_a_space_keeps_an_owner_and_only_owners_name_owners(agent, other_agent):
    space = services.create_space(agent, name="Projet")
    manager = services.add_member(agent, space, other_agent, SpaceRole.MANAGER)
    with pytest.raises(ValidationError):
        services.remove_member(agent, space.memberships.get(user=agent))
    with pytest.raises(PermissionDenied):
        services.set_role(other_agent, manager, SpaceRole.OWNER)
    with pytest.raises(PermissionDenied):
        services.remove_member(other_agent, space.memberships.get(user=agent))


def test_visibility_decides_who_sees_the_space(agent, other_agent, guest):
    private = services.create_space(agent, name="Privé")
    territory = services.create_space(agent, name="Visible", visibility=Visibility.TERRITORY)
    assert set(visible(other_agent, Space)) == {territory}
    assert not visible(guest, Space).exists()
    assert not can(other_agent, "view_content", territory)
    assert can(agent, "view", private)


def test_a_removed_member_loses_the_space_drive_at_once(agent, other_agent):
    space = services.create_space(agent, name="Projet")
    membership = services.add_member(agent, space, other_agent, SpaceRole.CONTRIBUTOR)
    doc = make_file(agent, drive.space_drive(space).root, "a.txt")
    assert can(other_agent, "edit", doc)
    services.remove_member(agent, membership)
    doc = Node.objects.get(pk=doc.pk)  # a new request reads the memberships again
    assert not can(other_agent, "view", doc)
    assert not can(other_agent, "view_content", Space.objects.get(pk=space.pk))


def test_a_manager_invites_a_guest_who_sees_only_the_space(
    agent, org, django_capture_on_commit_callbacks
):
    space = services.create_space(agent, name="Avec l'association")
    doc = make_file(agent, drive.space_drive(space).root, "programme.txt")
    private = make_file(agent, root_of(agent), "à moi.txt")
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.invite_guest(
            agent,
            space,
            email="lea@asso-velo.example",
            first_name="Léa",
            last_name="Moreau",
            expires_at=later(),
        )
    guest = membership.user
    assert guest.status == Status.GUEST and guest.organisation is None
    assert membership.role == SpaceRole.READER
    assert len(mail.outbox) == 1 and "lea@asso-velo.example" in mail.outbox[0].to
    assert can(guest, "view", doc) and not can(guest, "view", private)
    # invited again to another space: the same account, no second invitation
    other = services.create_space(agent, name="Deuxième")
    services.invite_guest(
        agent,
        other,
        email="LEA@asso-velo.example",
        first_name="Léa",
        last_name="Moreau",
        expires_at=later(60),
    )
    assert User.objects.filter(email__iexact="lea@asso-velo.example").count() == 1
    guest.refresh_from_db()
    assert guest.guest_expires_at > later(59)


def test_policy_forbidding_guests_refuses_the_invitation(agent, org):
    org.policy.guests_allowed = False
    org.policy.save()
    space = services.create_space(agent, name="Fermé")
    with pytest.raises(ValidationError):
        services.invite_guest(
            agent,
            space,
            email="x@dehors.example",
            first_name="X",
            last_name="Y",
            expires_at=later(),
        )
    assert not User.objects.filter(email="x@dehors.example").exists()


def test_sharing_an_item_with_a_new_guest(agent):
    folder = make_folder(agent, root_of(agent), "Pour le prestataire")
    doc = make_file(agent, folder, "cahier des charges.txt")
    share = drive.invite_guest(
        agent,
        folder,
        email="paul@prestataire.example",
        first_name="Paul",
        last_name="Girard",
        expires_at=later(),
        role=ShareRole.EDITOR,
    )
    guest = share.user
    assert guest.is_guest and can(guest, "edit", doc)
    assert not can(guest, "view", root_of(agent))


def test_an_address_of_the_territory_is_not_a_guest(agent, other_agent):
    folder = make_folder(agent, root_of(agent), "Dossier")
    UserFactory  # noqa: B018 — factories loaded for the fixtures
    with pytest.raises(ValidationError):
        drive.invite_guest(
            agent,
            folder,
            email=other_agent.email,
            first_name="B",
            last_name="P",
            expires_at=later(),
        )
