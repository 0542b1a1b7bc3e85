"""Sharing from the pages: « Qui a accès » and why, the search of whom to share with, the
warning before sharing outside the organisation (and its confirmation), policy refusals,
changing a role, removing a share, and « Partagé avec moi »."""

from __future__ import annotations

import pytest

from entente.accounts.tests.factories import UserFactory
from entente.directory.tests.factories import GroupFactory
from entente.drive import services
from entente.drive.models import Share, ShareRole
from entente.drive.tests.factories import make_file, make_folder, root_of
from entente.drive.tests.test_views_browse import notices, signed_in, text
from entente.organisations.tests.factories import OrganisationFactory
from entente.spaces import services as spaces
from entente.spaces.models import SpaceRole

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(agent):
    folder = make_folder(agent, root_of(agent), "Urbanisme")
    make_file(agent, folder, "plan.txt", b"plan")
    return folder


def access(node) -> str:
    return f"/documents/elements/{node.pk}/acces/"


def share_url(node) -> str:
    return f"/documents/elements/{node.pk}/partager/"


def test_the_access_page_says_who_has_access_and_why(agent, org_admin, other_agent, folder):
    services.share(agent, folder, org_admin, ShareRole.EDITOR)
    plan = folder.children.get()

    page = text(signed_in(agent).get(access(folder)))
    inherited = text(signed_in(agent).get(f"/documents/fichier/{plan.pk}/"))

    assert "Partage de « Urbanisme »" in page
    assert "Agnès Martin" in page and "propriétaire" in page
    assert "Marc Durand" in page and "partagé directement" in page
    assert "Retirer l'accès" in page
    assert "partagé depuis le dossier « Urbanisme »" in inherited
    assert "gérer ce partage depuis ce dossier" in inherited


def test_a_file_address_on_the_access_page_goes_to_the_file_panel(agent, folder):
    plan = folder.children.get()

    response = signed_in(agent).get(access(plan) + "?q=bern")

    assert response.status_code == 302
    assert response.url == f"/documents/fichier/{plan.pk}/?q=bern"


def test_the_search_finds_people_groups_spaces_and_flags_outsiders(agent, other_agent, org, folder):
    GroupFactory(organisation=org, name="Bernardins")
    spaces.create_space(agent, name="Bernay")
    client = signed_in(agent)

    page = text(client.get(access(folder) + "?q=bern"))
    suggestions = text(client.get(access(folder)))
    partial = client.get(access(folder) + "?q=bern&partiel=partage")

    assert "Résultats pour « bern »" in page
    assert "Bernard Petit" in page and "Métropole du Lac" in page
    assert "hors de votre organisation" in page
    assert "Groupe « Bernardins »" in page and "Espace « Bernay »" in page
    assert f'value="user:{other_agent.pk}"' in page
    assert "Toute l&#x27;organisation Commune de Valmont" in suggestions
    assert "<html" not in text(partial) and "Bernard Petit" in text(partial)
    assert "Personne, aucun groupe" in text(client.get(access(folder) + "?q=zzzz"))


def test_sharing_inside_the_organisation_needs_no_confirmation(agent, org_admin, folder):
    response = signed_in(agent).post(
        share_url(folder),
        {"grantee": f"user:{org_admin.pk}", "role": "editor", "next": access(folder)},
    )

    assert response.status_code == 302 and response.url == access(folder)
    share = Share.objects.get(node=folder)
    assert share.user == org_admin and share.role == ShareRole.EDITOR
    assert notices(response) == ["« Urbanisme » est partagé avec Marc Durand : modification."]


def test_sharing_outside_asks_for_confirmation_first(agent, other_agent, folder):
    client = signed_in(agent)

    warning = client.post(
        share_url(folder), {"grantee": f"user:{other_agent.pk}", "role": "reader"}
    )

    assert warning.status_code == 200
    page = text(warning)
    assert "Partager hors de votre organisation ?" in page
    assert "Bernard Petit (Métropole du Lac)" in page
    assert "Partager quand même hors de mon organisation" in page
    assert not Share.objects.exists()

    confirmed = client.post(
        share_url(folder),
        {"grantee": f"user:{other_agent.pk}", "role": "reader", "confirm_external": "on"},
    )

    assert confirmed.status_code == 302
    assert Share.objects.get(node=folder).user == other_agent


def test_sharing_with_a_space_of_three_organisations_names_the_outsiders(
    agent, other_agent, guest, folder
):
    third = OrganisationFactory(name="Commune de Bellerive", slug="bellerive")
    claire = UserFactory(organisation=third, first_name="Claire", last_name="Roux")
    space = spaces.create_space(agent, name="Projet école")
    for member in (other_agent, claire, guest):
        spaces.add_member(agent, space, member, SpaceRole.CONTRIBUTOR)

    page = text(
        signed_in(agent).post(share_url(folder), {"grantee": f"space:{space.pk}", "role": "editor"})
    )

    assert "3 membres de l'espace « Projet école » n'appartiennent pas à Commune de Valmont" in page
    assert "Bernard Petit (Métropole du Lac)" in page
    assert "Claire Roux (Commune de Bellerive)" in page
    assert "(invité·e)" in page
    assert not Share.objects.exists()


def test_a_policy_forbidding_external_shares_is_said_plainly(agent, other_agent, org, folder):
    org.policy.external_sharing_allowed = False
    org.policy.save()

    response = signed_in(agent).post(
        share_url(folder),
        {"grantee": f"user:{other_agent.pk}", "role": "reader", "confirm_external": "on"},
    )

    assert response.status_code == 302
    assert notices(response) == [
        "La politique de Commune de Valmont interdit le partage hors de l'organisation."
    ]
    assert not Share.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"grantee": "bogus", "role": "reader"}, "Ce destinataire est inconnu"),
        ({"grantee": "user:1", "role": "owner"}, "Choisissez un droit de la liste."),
        ({"role": "reader"}, "Choisissez avec qui partager."),
        ({"grantee": "user:999999", "role": "reader"}, "Ce destinataire est introuvable"),
    ],
)
def test_bad_share_input_is_explained(agent, folder, data, message):
    response = signed_in(agent).post(share_url(folder), data)

    assert response.status_code == 302
    assert message in " ".join(notices(response))
    assert not Share.objects.exists()


def test_sharing_with_oneself_or_a_space_one_is_not_in_is_refused(agent, org_admin, folder):
    foreign = spaces.create_space(org_admin, name="Réservé")
    client = signed_in(agent)

    myself = client.post(share_url(folder), {"grantee": f"user:{agent.pk}", "role": "reader"})
    not_mine = client.post(share_url(folder), {"grantee": f"space:{foreign.pk}", "role": "reader"})

    assert "Vous avez déjà accès à cet élément." in notices(myself)
    assert "Ce destinataire est introuvable" in notices(not_mine)[-1]
    assert not Share.objects.exists()


def test_an_editor_cannot_share_and_sees_only_their_own_access(
    agent, org_admin, other_agent, folder
):
    services.share(agent, folder, org_admin, ShareRole.EDITOR)
    client = signed_in(org_admin)

    page = text(client.get(access(folder)))
    response = client.post(share_url(folder), {"grantee": f"user:{agent.pk}", "role": "reader"})

    assert "Votre accès : <strong>Modification</strong>" in page
    assert "Agnès Martin" not in page.split("Qui a accès")[1].split("</section>")[0]
    assert response.status_code == 302
    assert Share.objects.count() == 1


def test_changing_a_role_and_removing_a_share(agent, other_agent, folder):
    row = services.share(agent, folder, other_agent, ShareRole.READER, confirm_external=True)
    client = signed_in(agent)

    changed = client.post(f"/documents/acces/{row.pk}/droit/", {"role": "editor"})
    row.refresh_from_db()
    assert changed.status_code == 302 and row.role == ShareRole.EDITOR
    assert "Bernard Petit peut maintenant : modification." in notices(changed)
    bad = client.post(f"/documents/acces/{row.pk}/droit/", {"role": "god"})
    row.refresh_from_db()
    assert row.role == ShareRole.EDITOR and "Choisissez un droit" in notices(bad)[-1]

    removed = client.post(f"/documents/acces/{row.pk}/retirer/")

    assert removed.status_code == 302 and not Share.objects.exists()


def test_a_share_recipient_cannot_touch_the_shares(agent, other_agent, org_admin, folder):
    row = services.share(agent, folder, org_admin, ShareRole.EDITOR)
    services.share(agent, folder, other_agent, ShareRole.READER, confirm_external=True)

    for person in (other_agent, org_admin):
        client = signed_in(person)
        assert client.post(f"/documents/acces/{row.pk}/retirer/").status_code == 404
        assert (
            client.post(f"/documents/acces/{row.pk}/droit/", {"role": "manager"}).status_code == 404
        )
    assert Share.objects.filter(pk=row.pk, role=ShareRole.EDITOR).exists()


def test_shared_with_me_lists_what_others_shared_with_my_role(agent, other_agent, folder):
    services.share(agent, folder, other_agent, ShareRole.EDITOR, confirm_external=True)
    make_folder(other_agent, root_of(other_agent), "Mon propre dossier")

    page = text(signed_in(other_agent).get("/documents/partages/"))

    assert "Urbanisme" in page and f'href="/documents/dossier/{folder.pk}/"' in page
    assert "Documents — Agnès Martin" in page
    assert "Agnès Martin" in page and "Modification" in page
    assert "Mon propre dossier" not in page


def test_shared_with_me_is_empty_with_an_explanation(agent):
    page = text(signed_in(agent).get("/documents/partages/"))

    assert "Rien n'est encore partagé avec vous." in page
