"""factory_boy factories for organisations, their domains and policies."""

import factory

from entente.organisations.models import MailDomain, Organisation, OrganisationKind, Policy


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    kind = OrganisationKind.COMMUNE
    name = factory.Sequence(lambda n: f"Commune {n}")
    slug = factory.Sequence(lambda n: f"commune-{n}")
    policy = factory.RelatedFactory(
        "entente.organisations.tests.factories.PolicyFactory", "organisation"
    )
    domain = factory.RelatedFactory(
        "entente.organisations.tests.factories.MailDomainFactory",
        "organisation",
        domain=factory.LazyAttribute(lambda o: f"{o.factory_parent.slug}.fr"),
    )


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Policy
        django_get_or_create = ("organisation",)


class MailDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MailDomain
        django_get_or_create = ("domain",)

    domain = factory.Sequence(lambda n: f"domaine-{n}.fr")
