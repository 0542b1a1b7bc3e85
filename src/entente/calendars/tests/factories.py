"""factory_boy factories for calendars and resources (events are made through services)."""

import factory

from entente.calendars.models import Calendar, CalendarKind, Resource, ResourceKind
from entente.organisations.tests.factories import OrganisationFactory


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    kind = ResourceKind.ROOM
    name = factory.Sequence(lambda n: f"Salle {n}")
    capacity = 12

    @factory.post_generation
    def calendar(self, create, extracted, **kwargs):
        if create:
            Calendar.objects.get_or_create(
                resource=self,
                defaults={
                    "kind": CalendarKind.RESOURCE,
                    "organisation": self.organisation,
                    "name": self.name,
                },
            )


class CalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Calendar

    kind = CalendarKind.PERSONAL
    name = factory.Sequence(lambda n: f"Agenda {n}")
    owner = None
    organisation = factory.LazyAttribute(lambda o: o.owner.organisation if o.owner else None)
