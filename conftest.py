"""Shared pytest fixtures: two organisations of the territory and people with each role."""

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached values never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(db):
    from entente.organisations.tests.factories import OrganisationFactory

    return OrganisationFactory(name="Commune de Valmont", slug="valmont")


@pytest.fixture
def other_org(db):
    from entente.organisations.tests.factories import OrganisationFactory

    return OrganisationFactory(name="Métropole du Lac", slug="metropole-lac", kind="metropolis")


@pytest.fixture
def agent(org):
    from entente.accounts.tests.factories import UserFactory

    return UserFactory(
        organisation=org, first_name="Agnès", last_name="Martin", email="agnes.martin@valmont.fr"
    )


@pytest.fixture
def org_admin(org):
    from entente.accounts.tests.factories import OrgAdminFactory

    return OrgAdminFactory(
        organisation=org, first_name="Marc", last_name="Durand", email="marc.durand@valmont.fr"
    )


@pytest.fixture
def other_agent(other_org):
    from entente.accounts.tests.factories import UserFactory

    return UserFactory(
        organisation=other_org,
        first_name="Bernard",
        last_name="Petit",
        email="bernard.petit@metropole-lac.fr",
    )


@pytest.fixture
def other_admin(other_org):
    from entente.accounts.tests.factories import OrgAdminFactory

    return OrgAdminFactory(organisation=other_org, email="admin@metropole-lac.fr")


@pytest.fixture
def operator(db):
    from entente.accounts.tests.factories import OperatorFactory
    from entente.organisations.tests.factories import OrganisationFactory

    syndicate = OrganisationFactory(name="Syndicat numérique", slug="syndicat", kind="syndicate")
    return OperatorFactory(
        organisation=syndicate,
        first_name="Sophie",
        last_name="Leroy",
        email="sophie.leroy@syndicat.fr",
    )


@pytest.fixture
def guest(db):
    from entente.accounts.tests.factories import UserFactory

    return UserFactory(organisation=None, status="guest", email="luc@association.example")
