"""Factories for spaces."""

import factory

from entente.organisations.tests.factories import OrganisationFactory
from entente.spaces.models import Membership, Space, SpaceRole


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space

    name = factory.Sequence(lambda n: f"Projet {n}")
    organisation = factory.SubFactory(OrganisationFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    space = factory.SubFactory(SpaceFactory)
    role = SpaceRole.CONTRIBUTOR


def add(space: Space, user, role: str = SpaceRole.CONTRIBUTOR) -> Membership:
    """Put ``user`` in ``space`` with ``role`` directly (no rights checked: a test's given)."""
    return MembershipFactory(space=space, user=user, role=role)
