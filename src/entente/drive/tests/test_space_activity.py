"""A file added to a space's documents is told in the space's activity feed (once: a new
version of the same file is not a new document)."""

import pytest

from entente.accounts.tests.factories import UserFactory
from entente.drive import services
from entente.drive.tests.factories import make_file
from entente.spaces.models import Activity, ActivityVerb, SpaceRole
from entente.spaces.tests.factories import SpaceFactory, add

pytestmark = pytest.mark.django_db


def test_a_new_file_of_a_space_is_a_line_of_its_feed_and_a_new_version_is_not():
    member = UserFactory()
    space = SpaceFactory(organisation=member.organisation)
    add(space, member, SpaceRole.CONTRIBUTOR)
    root = services.space_drive(space).root

    node = make_file(member, root, "Budget 2027.txt", b"premier jet")
    make_file(member, root, "Budget 2027.txt", b"second jet")

    lines = list(Activity.objects.filter(space=space))
    assert [(a.verb, a.target_label, a.actor) for a in lines] == [
        (ActivityVerb.DOCUMENT_ADDED, "Budget 2027.txt", member)
    ]
    assert lines[0].target_url == f"/documents/fichier/{node.pk}/"


def test_files_outside_spaces_leave_no_activity():
    member = UserFactory()
    make_file(member, services.personal_drive(member).root, "perso.txt")
    assert not Activity.objects.exists()
