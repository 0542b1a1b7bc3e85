"""Managing public links: the « Liens publics » panel and page, creation within the owner
organisation's policy, revocation, and who may see them."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from entente.drive import services
from entente.drive.models import LinkKind, PublicLink
from entente.drive.tests.factories import make_file, make_folder, root_of

pytestmark = pytest.mark.django_db


def day(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def text(response) -> str:
    return html.unescape(response.content.decode())


def post_link(client, node, **fields):
    data = {"lien-kind": LinkKind.READ, "lien-expires_on": day(7), **fields}
    return client.post(reverse("drive:links", args=[node.pk]), data)


@pytest.fixture
def folder(agent):
    return make_folder(agent, root_of(agent), "Projet parc")


def test_the_page_proposes_the_organisation_maximum_as_default(client, agent, folder, org):
    org.policy.public_link_max_days = 12
    org.policy.save()
    client.force_login(agent)
    response = client.get(reverse("drive:links", args=[folder.pk]))
    assert response.status_code == 200
    page = text(response)
    assert f'value="{day(12)}"' in page
    assert f'max="{day(12)}"' in page
    assert "Au plus 12 jours" in page
    assert "Dépôt de fichiers" in page  # a folder may have an upload link


def test_owner_creates_a_read_link_with_password_and_limit(client, agent, folder):
    client.force_login(agent)
    next_url = reverse("drive:links", args=[folder.pk])
    response = post_link(
        client,
        folder,
        **{"lien-password": "s3cret", "lien-max_downloads": "3", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == next_url + "#liens-publics"
    link = PublicLink.objects.get(node=folder)
    assert link.kind == LinkKind.READ and link.max_downloads == 3
    assert link.has_password and services.check_link_password(link, "s3cret")
    assert timezone.localdate(link.expires_at) == timezone.localdate() + dt.timedelta(days=7)
    page = text(client.get(next_url))
    assert "http://testserver" + reverse("public_link:open", args=[link.token]) in page
    assert "0 sur 3" in page
    assert "Révoquer ce lien" in page


def test_the_default_expiry_on_the_last_allowed_day_is_accepted(client, agent, folder, org):
    client.force_login(agent)
    max_days = org.policy.public_link_max_days
    response = post_link(client, folder, **{"lien-expires_on": day(max_days)})
    assert response.status_code == 302
    link = PublicLink.objects.get(node=folder)
    assert link.expires_at <= timezone.now() + dt.timedelta(days=max_days)


def test_expiry_beyond_the_maximum_is_refused(client, agent, folder, org):
    client.force_login(agent)
    response = post_link(
        client,
        folder,
        **{"lien-expires_on": day(org.policy.public_link_max_days + 1)},
        next="/documents/fichier/1/",
    )
    assert response.status_code == 200
    assert "Un lien public dure au plus 30 jours ici." in text(response)
    assert 'name="next" value="/documents/fichier/1/"' in text(response)  # kept for the retry
    assert not PublicLink.objects.exists()


def test_expiry_is_required_and_cannot_be_past(client, agent, folder):
    client.force_login(agent)
    response = post_link(client, folder, **{"lien-expires_on": ""})
    assert "Indiquez jusqu'à quel jour le lien fonctionne." in text(response)
    response = post_link(client, folder, **{"lien-expires_on": day(-1)})
    assert "La date d'expiration est déjà passée." in text(response)
    assert not PublicLink.objects.exists()


def test_an_upload_link_on_a_file_is_refused(client, agent, folder):
    file = make_file(agent, folder, "plan.pdf")
    client.force_login(agent)
    page = text(client.get(reverse("drive:links", args=[file.pk])))
    assert "Dépôt de fichiers" not in page  # the choice is not even offered for a file
    response = post_link(client, file, **{"lien-kind": LinkKind.UPLOAD})
    assert response.status_code == 200
    assert "Un lien de dépôt s'ouvre sur un dossier." in text(response)
    assert not PublicLink.objects.exists()


def test_an_upload_link_carries_no_download_limit(client, agent, folder):
    client.force_login(agent)
    post_link(client, folder, **{"lien-kind": LinkKind.UPLOAD, "lien-max_downloads": "2"})
    link = PublicLink.objects.get(node=folder)
    assert link.kind == LinkKind.UPLOAD and link.max_downloads is None


def test_policy_forbidding_links_hides_the_form_and_refuses(client, agent, folder, org):
    services.create_link(
        agent, folder, kind=LinkKind.READ, expires_at=timezone.now() + dt.timedelta(days=2)
    )
    org.policy.public_links_allowed = False
    org.policy.save()
    client.force_login(agent)
    page = text(client.get(reverse("drive:links", args=[folder.pk])))
    assert "La politique de Commune de Valmont n'autorise pas les liens publics" in page
    assert "Créer le lien" not in page
    assert "Révoquer ce lien" in page  # an older link can still be withdrawn
    response = post_link(client, folder)
    assert response.status_code == 200
    assert PublicLink.objects.count() == 1


def test_revoke_stops_the_link_and_goes_back_to_the_panel(client, agent, folder):
    link = services.create_link(
        agent, folder, kind=LinkKind.READ, expires_at=timezone.now() + dt.timedelta(days=2)
    )
    client.force_login(agent)
    response = client.post(
        reverse("drive:link_revoke", args=[link.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("drive:links", args=[folder.pk]) + "#liens-publics"
    link.refresh_from_db()
    assert link.revoked_at is not None
    page = text(client.get(reverse("drive:links", args=[folder.pk])))
    assert "Aucun lien public actif." in page
    assert client.get(reverse("public_link:open", args=[link.token])).status_code == 410


def test_people_who_may_not_share_see_nothing(client, agent, other_agent, folder):
    link = services.create_link(
        agent, folder, kind=LinkKind.READ, expires_at=timezone.now() + dt.timedelta(days=2)
    )
    client.force_login(other_agent)
    assert client.get(reverse("drive:links", args=[folder.pk])).status_code == 404
    assert post_link(client, folder).status_code == 404
    assert client.post(reverse("drive:link_revoke", args=[link.pk])).status_code == 404
    # a reader of the folder sees it, but may not manage its links
    services.share(agent, folder, other_agent, "reader", confirm_external=True)
    assert client.get(reverse("drive:links", args=[folder.pk])).status_code == 404
    assert client.post(reverse("drive:link_revoke", args=[link.pk])).status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None and PublicLink.objects.count() == 1


def test_anonymous_is_sent_to_sign_in(client, folder):
    response = client.get(reverse("drive:links", args=[folder.pk]))
    assert response.status_code == 302 and "/compte/" in response["Location"]


def render_panel(user, node):
    request = RequestFactory().get("/documents/fichier/1/")
    request.user = user
    template = Template("{% load drive_links %}{% links_panel node %}")
    return template.render(Context({"request": request, "node": node}))


def test_the_panel_tag_renders_for_managers_only(
    agent, other_agent, folder, django_assert_max_num_queries
):
    services.create_link(
        agent, folder, kind=LinkKind.UPLOAD, expires_at=timezone.now() + dt.timedelta(days=2)
    )
    with django_assert_max_num_queries(12):
        html = render_panel(agent, folder)
    assert 'id="liens-publics"' in html and "Dépôt de fichiers seulement" in html
    assert 'data-copy="lien-adresse-' in html and "readonly" in html
    assert 'name="next" value="/documents/fichier/1/"' in html
    assert render_panel(other_agent, folder).strip() == ""
