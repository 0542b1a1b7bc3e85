"""factory_boy factories for people."""

import factory

from entente.accounts.models import Status, User
from entente.organisations.tests.factories import OrganisationFactory

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    email = factory.LazyAttributeSequence(
        lambda o, n: (
            f"personne{n}@{o.organisation.slug if o.organisation else 'exterieur.example'}.fr"
        )
    )
    status = Status.AGENT

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):  # noqa: N805
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class OrgAdminFactory(UserFactory):
    is_org_admin = True


class OperatorFactory(UserFactory):
    is_operator = True
    is_staff = True
    is_superuser = True
