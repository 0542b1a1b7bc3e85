"""factory_boy factories for people."""

import factory
from allauth.mfa.totp.internal.auth import TOTP

from entente.accounts.mfa import requires_second_factor
from entente.accounts.models import Status, User
from entente.organisations.tests.factories import OrganisationFactory

TEST_PASSWORD = "correct horse battery staple"
#: the authenticator app of people made by the factories (base32, as apps read it)
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


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

    @factory.post_generation
    def second_factor(obj, create, extracted, **kwargs):  # noqa: N805
        """People who must have a second factor (admins, operators, guests…) have an app.

        ``second_factor=False`` makes one who has not enrolled yet; ``True`` gives one anyway.
        """
        if not create:
            return
        if extracted if extracted is not None else requires_second_factor(obj):
            TOTP.activate(obj, TEST_TOTP_SECRET)


class OrgAdminFactory(UserFactory):
    is_org_admin = True


class OperatorFactory(UserFactory):
    is_operator = True
    is_staff = True
    is_superuser = True
