"""The permission engine, rule by rule: anonymous → inactive → each role, two organisations."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404

from entente.accounts.models import User
from entente.accounts.tests.factories import UserFactory
from entente.core.permissions import (
    abilities,
    can,
    get_for_action,
    get_visible_or_404,
    require,
    visible,
)
from entente.directory.models import Group, Service
from entente.directory.tests.factories import GroupFactory, ServiceFactory
from entente.organisations.models import DirectoryVisibility, Organisation
from entente.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


# --- the engine itself -----------------------------------------------------------------------


def test_anonymous_may_do_nothing_and_sees_nothing(org, agent):
    anonymous = AnonymousUser()
    assert not can(anonymous, "view", org)
    assert not can(anonymous, "create", Organisation)
    assert visible(anonymous, User).count() == 0
    assert visible(anonymous, Organisation).count() == 0
    assert abilities(anonymous, org) == dict.fromkeys(abilities(agent, org), False)


def test_an_inactive_person_may_do_nothing(org, org_admin):
    org_admin.is_active = False
    org_admin.save()
    assert not can(org_admin, "manage_people", org)
    assert visible(org_admin, User).count() == 0


def test_unknown_action_is_a_programming_error(agent, org):
    with pytest.raises(ImproperlyConfigured):
        can(agent, "fly", org)


def test_unregistered_model_is_a_programming_error(agent):
    from django.contrib.sessions.models import Session

    with pytest.raises(ImproperlyConfigured):
        visible(agent, Session)


def test_require_hides_what_cannot_be_seen_and_refuses_what_can(agent, other_org):
    other_person = UserFactory(organisation=other_org)
    other_org.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    other_org.policy.save()
    with pytest.raises(Http404):
        require(agent, "edit", other_person)  # not even visible: same answer as "absent"
    colleague = UserFactory(organisation=agent.organisation)
    with pytest.raises(PermissionDenied):
        require(agent, "edit", colleague)  # visible, but not theirs to edit


def test_get_for_action_fetches_hides_and_refuses(agent, org_admin, other_org):
    hidden = UserFactory(organisation=other_org)
    other_org.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    other_org.policy.save()
    colleague = UserFactory(organisation=agent.organisation)
    with pytest.raises(Http404):
        get_for_action(agent, User, "edit", pk=hidden.pk)
    with pytest.raises(PermissionDenied):
        get_for_action(agent, User, "edit", pk=colleague.pk)
    assert get_for_action(org_admin, User, "edit", pk=colleague.pk) == colleague


def test_get_visible_or_404_gives_the_same_answer_for_absent_and_hidden(agent, other_org):
    hidden = UserFactory(organisation=other_org)
    other_org.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    other_org.policy.save()
    with pytest.raises(Http404) as absent:
        get_visible_or_404(agent, User, pk=999_999)
    with pytest.raises(Http404) as not_allowed:
        get_visible_or_404(agent, User, pk=hidden.pk)
    assert str(absent.value) == str(not_allowed.value)
    with pytest.raises(Http404):
        get_visible_or_404(agent, User, pk="not-a-number")


def test_abilities_lists_every_action(org_admin, agent):
    result = abilities(org_admin, agent)
    assert result == {
        "view": True,
        "edit": True,
        "deactivate": True,
        "reactivate": False,
        "invite": True,
        "set_admin": True,
        "sign_out": True,
    }


# --- organisations ------------------------------------------------------------------------------


def test_organisations_are_seen_by_members_of_the_territory_not_by_guests(
    org, other_org, agent, guest, operator
):
    dormant = OrganisationFactory(is_active=False)
    assert set(visible(agent, Organisation)) >= {org, other_org}
    assert dormant not in visible(agent, Organisation)
    assert dormant in visible(operator, Organisation)
    assert visible(guest, Organisation).count() == 0


@pytest.mark.parametrize(
    (
        "who",
        "create",
        "edit",
        "edit_policies",
        "manage_people",
        "manage_structure",
        "manage_admins",
    ),
    [
        ("agent", False, False, False, False, False, False),
        ("org_admin", False, False, True, True, True, True),
        ("other_admin", False, False, False, False, False, False),
        ("operator", True, True, True, False, False, True),
        ("guest", False, False, False, False, False, False),
    ],
)
def test_organisation_rules(
    request, org, who, create, edit, edit_policies, manage_people, manage_structure, manage_admins
):
    user = request.getfixturevalue(who)
    assert can(user, "create", Organisation) is create
    assert can(user, "edit", org) is edit
    assert can(user, "edit_policies", org) is edit_policies
    assert can(user, "manage_people", org) is manage_people
    assert can(user, "manage_structure", org) is manage_structure
    assert can(user, "manage_admins", org) is manage_admins


def test_admin_of_a_deactivated_organisation_loses_admin_rights(org, org_admin):
    org.is_active = False
    org.save()
    org_admin.refresh_from_db()
    assert not can(org_admin, "manage_people", org)


# --- people -------------------------------------------------------------------------------------


def test_directory_visibility_follows_each_organisations_policy(org, other_org, agent, other_agent):
    colleague = UserFactory(organisation=org)
    departed = UserFactory(organisation=org, is_active=False)
    assert set(visible(agent, User)) >= {agent, colleague, other_agent}
    assert departed not in visible(agent, User)

    other_org.policy.directory_visibility = DirectoryVisibility.ORGANISATION
    other_org.policy.save()
    assert other_agent not in visible(agent, User)
    assert agent in visible(other_agent, User)  # org's own policy is "territory"
    assert set(visible(other_agent, User)) >= {other_agent}


def test_people_of_a_deactivated_organisation_leave_the_directory(
    org, other_org, agent, other_agent
):
    other_org.is_active = False
    other_org.save()
    assert other_agent not in visible(agent, User)


def test_admins_also_see_their_deactivated_people(org, org_admin):
    departed = UserFactory(organisation=org, is_active=False)
    assert departed in visible(org_admin, User)


def test_guests_see_only_themselves(guest, agent):
    assert list(visible(guest, User)) == [guest]


def test_operators_see_everyone(operator, agent, other_agent, guest):
    assert set(visible(operator, User)) >= {agent, other_agent, guest, operator}


@pytest.mark.parametrize(
    ("who", "edit", "deactivate", "invite", "set_admin"),
    [
        ("agent", False, False, False, False),
        ("org_admin", True, True, True, True),
        ("other_admin", False, False, False, False),
        ("operator", False, False, False, True),
    ],
)
def test_who_manages_an_ordinary_agent(request, org, who, edit, deactivate, invite, set_admin):
    person = UserFactory(organisation=org)
    user = request.getfixturevalue(who)
    assert can(user, "edit", person) is edit
    assert can(user, "deactivate", person) is deactivate
    assert can(user, "invite", person) is invite
    assert can(user, "set_admin", person) is set_admin


def test_operators_manage_the_admins_of_every_organisation(operator, other_admin):
    assert can(operator, "edit", other_admin)
    assert can(operator, "deactivate", other_admin)
    assert can(operator, "set_admin", other_admin)


def test_nobody_deactivates_or_demotes_themself(org_admin, operator):
    assert not can(org_admin, "deactivate", org_admin)
    assert not can(org_admin, "set_admin", org_admin)
    assert not can(operator, "set_admin", operator)


def test_reactivate_applies_only_to_deactivated_people(org, org_admin):
    person = UserFactory(organisation=org)
    assert not can(org_admin, "reactivate", person)
    person.is_active = False
    person.save()
    assert can(org_admin, "reactivate", person)
    assert not can(org_admin, "invite", person)


def test_guests_cannot_be_made_admins(operator, guest):
    assert not can(operator, "set_admin", guest)


def test_visible_people_is_one_query(django_assert_num_queries, agent, other_agent):
    UserFactory.create_batch(5, organisation=agent.organisation)
    agent = User.objects.select_related("organisation").get(pk=agent.pk)
    with django_assert_num_queries(1):
        list(visible(agent, User))


# --- services and groups ------------------------------------------------------------------------


def test_services_are_part_of_the_directory_and_only_their_admins_change_them(
    org, other_org, agent, org_admin, other_admin, guest
):
    service = ServiceFactory(organisation=org)
    foreign = ServiceFactory(organisation=other_org)
    assert set(visible(agent, Service)) >= {service, foreign}
    assert visible(guest, Service).count() == 0
    assert can(org_admin, "edit", service) and can(org_admin, "delete", service)
    assert not can(org_admin, "edit", foreign)
    assert not can(other_admin, "delete", service)
    assert not can(agent, "edit", service)


def test_groups_stay_inside_their_organisation(
    org, other_org, agent, org_admin, other_agent, guest
):
    group = GroupFactory(organisation=org)
    assert group in visible(agent, Group)
    assert group not in visible(other_agent, Group)
    assert visible(guest, Group).count() == 0
    assert can(org_admin, "edit", group)
    assert not can(agent, "edit", group)
    assert not can(other_agent, "view", group)
