"""Public links seen by someone without an account: what they open, their password, their
expiry and download limit, the shared subtree they never leave, and the drop page."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from entente.drive import services
from entente.drive.models import LinkKind, Node, PublicLink, ScanStatus
from entente.drive.tests.factories import make_file, make_folder, root_of
from entente.drive.views_public import PASSWORD_ATTEMPTS, unlock_key

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def make_link(actor, node, kind=LinkKind.READ, days=3, **options) -> PublicLink:
    return services.create_link(
        actor, node, kind=kind, expires_at=timezone.now() + dt.timedelta(days=days), **options
    )


def open_url(link) -> str:
    return reverse("public_link:open", args=[link.token])


@pytest.fixture
def tree(agent):
    """Projet/ (shared) holding plan.pdf and Annexes/carte.png; Privé/secret.txt beside it."""
    root = root_of(agent)
    shared = make_folder(agent, root, "Projet")
    annexes = make_folder(agent, shared, "Annexes")
    private = make_folder(agent, root, "Privé")
    return {
        "shared": shared,
        "annexes": annexes,
        "plan": make_file(agent, shared, "plan.pdf", b"%PDF-1.4 plan"),
        "carte": make_file(agent, annexes, "carte.txt", b"carte du parc"),
        "private": private,
        "secret": make_file(agent, private, "secret.txt", b"ne pas lire"),
    }


def assert_private_headers(response) -> None:
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]


# --- opening -----------------------------------------------------------------------------------


def test_a_file_link_opens_without_account(client, agent):
    file = make_file(agent, root_of(agent), "compte-rendu.txt", b"Bonjour le conseil")
    link = make_link(agent, file, max_downloads=5)
    response = client.get(open_url(link))
    assert response.status_code == 200
    assert_private_headers(response)
    page = text(response)
    assert "compte-rendu.txt" in page
    assert "Partagé par Commune de Valmont" in page
    assert "18 octets" in page or "18\xa0octets" in page
    assert reverse("public_link:download", args=[link.token, file.pk]) in page
    assert "encore 5 téléchargements" in page
    assert "Navigation principale" not in page


def test_no_platform_navigation_even_for_someone_signed_in(client, agent, tree):
    link = make_link(agent, tree["shared"])
    client.force_login(agent)
    page = text(client.get(open_url(link)))
    assert "Navigation principale" not in page and "Se déconnecter" not in page


def test_unknown_expired_revoked_and_forbidden_links(client, agent, org, tree):
    response = client.get(reverse("public_link:open", args=["nimportequoi"]))
    assert response.status_code == 404
    assert "Ce lien n'existe pas" in text(response)
    assert_private_headers(response)

    expired = make_link(agent, tree["shared"])
    PublicLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    response = client.get(open_url(expired))
    assert response.status_code == 410 and "Ce lien a expiré" in text(response)
    assert "Projet" not in text(response)

    revoked = make_link(agent, tree["shared"])
    services.revoke_link(agent, revoked)
    response = client.get(open_url(revoked))
    assert response.status_code == 410 and "Ce lien ne fonctionne plus" in text(response)

    alive = make_link(agent, tree["shared"])
    org.policy.public_links_allowed = False
    org.policy.save()
    assert client.get(open_url(alive)).status_code == 410
    assert (
        client.get(
            reverse("public_link:folder", args=[alive.token, tree["annexes"].pk])
        ).status_code
        == 410
    )


def test_a_trashed_item_closes_its_link(client, agent, tree):
    link = make_link(agent, tree["shared"])
    services.trash(agent, tree["shared"])
    assert client.get(open_url(link)).status_code == 410


# --- password --------------------------------------------------------------------------------


def test_password_wrong_then_right(client, agent, tree):
    link = make_link(agent, tree["plan"], password="Parc-2025")
    download = reverse("public_link:download", args=[link.token, tree["plan"].pk])
    response = client.get(open_url(link))
    assert response.status_code == 200
    assert_private_headers(response)
    assert "Lien protégé par un mot de passe" in text(response)
    assert "plan.pdf" not in text(response)
    # nothing behind it either
    assert "Lien protégé" in text(client.get(download))

    wrong = client.post(open_url(link), {"password": "parc-2025"})
    assert "Mot de passe incorrect" in text(wrong)
    assert unlock_key(link) not in client.session

    right = client.post(open_url(link), {"password": "Parc-2025", "next": "https://evil.example/"})
    assert right.status_code == 302 and right["Location"] == open_url(link)
    assert client.session[f"link-unlocked-{link.pk}"] is True
    assert "plan.pdf" in text(client.get(open_url(link)))


def test_password_comes_back_to_the_page_asked(client, agent, tree):
    link = make_link(agent, tree["shared"], password="Parc-2025")
    inner = reverse("public_link:folder", args=[link.token, tree["annexes"].pk])
    assert "Lien protégé" in text(client.get(inner))
    wrong = client.post(open_url(link), {"password": "non", "next": inner})
    assert f'name="next" value="{inner}"' in text(wrong)  # a second try still goes back there
    escape = client.post(open_url(link), {"password": "non", "next": open_url(link) + "../x/"})
    assert f'name="next" value="{open_url(link)}"' in text(escape)
    response = client.post(open_url(link), {"password": "Parc-2025", "next": inner})
    assert response["Location"] == inner
    assert "carte.txt" in text(client.get(inner))


def test_wrong_passwords_are_throttled_per_link_and_address(client, agent, tree):
    link = make_link(agent, tree["plan"], password="Parc-2025")
    for _attempt in range(PASSWORD_ATTEMPTS):
        assert client.post(open_url(link), {"password": "devine"}).status_code == 200
    blocked = client.post(open_url(link), {"password": "Parc-2025"})
    assert blocked.status_code == 429
    assert "Trop d'essais" in text(blocked)
    assert unlock_key(link) not in client.session
    # another address is not blocked by someone else's guesses
    other = client.post(open_url(link), {"password": "Parc-2025"}, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302


# --- folder listing and subtree -----------------------------------------------------------------


def test_a_folder_link_lists_and_navigates_inside_only(client, agent, tree):
    link = make_link(agent, tree["shared"])
    page = text(client.get(open_url(link)))
    assert "plan.pdf" in page and "Annexes" in page
    assert "Privé" not in page and "secret.txt" not in page
    inner = client.get(reverse("public_link:folder", args=[link.token, tree["annexes"].pk]))
    assert inner.status_code == 200
    assert "carte.txt" in text(inner)
    assert_private_headers(inner)
    # the trail goes back to the shared folder, never above
    assert open_url(link) in text(inner)
    assert reverse("public_link:folder", args=[link.token, root_of(agent).pk]) not in text(inner)


@pytest.mark.parametrize("target", ["private", "root", "plan"])
def test_a_folder_outside_the_subtree_is_refused(client, agent, tree, target):
    link = make_link(agent, tree["shared"])
    pk = root_of(agent).pk if target == "root" else tree[target].pk
    response = client.get(reverse("public_link:folder", args=[link.token, pk]))
    assert response.status_code == 404
    assert "Cet élément n'est pas dans ce partage" in text(response)
    assert "Privé" not in text(response)


def test_files_outside_the_subtree_or_deleted_are_refused(client, agent, tree):
    link = make_link(agent, tree["shared"], max_downloads=10)
    outside = reverse("public_link:download", args=[link.token, tree["secret"].pk])
    assert client.get(outside).status_code == 404
    services.trash(agent, tree["annexes"])
    assert (
        client.get(reverse("public_link:download", args=[link.token, tree["carte"].pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("public_link:folder", args=[link.token, tree["annexes"].pk])).status_code
        == 404
    )
    assert "Annexes" not in text(client.get(open_url(link)))
    link.refresh_from_db()
    assert link.download_count == 0


def test_a_file_link_gives_only_that_file(client, agent, tree):
    link = make_link(agent, tree["plan"])
    for name in ("carte", "secret"):
        response = client.get(reverse("public_link:download", args=[link.token, tree[name].pk]))
        assert response.status_code == 404
    assert (
        client.get(reverse("public_link:folder", args=[link.token, tree["shared"].pk])).status_code
        == 404
    )


# --- downloads ---------------------------------------------------------------------------------


def test_download_counts_and_stops_at_the_limit(client, agent, tree):
    link = make_link(agent, tree["plan"], max_downloads=2)
    url = reverse("public_link:download", args=[link.token, tree["plan"].pk])
    assert client.head(url).status_code == 200  # a HEAD is not a download
    for _time in range(2):
        response = client.get(url)
        assert response.status_code == 200
        assert content(response) == b"%PDF-1.4 plan"
        assert_private_headers(response)
    link.refresh_from_db()
    assert link.download_count == 2
    refused = client.get(url)
    assert refused.status_code == 410 and "Ce lien ne fonctionne plus" in text(refused)
    assert client.get(open_url(link)).status_code == 410
    link.refresh_from_db()
    assert link.download_count == 2


def test_the_limit_is_checked_in_the_database_not_in_memory(agent, tree):
    link = make_link(agent, tree["plan"], max_downloads=1)
    first, second = PublicLink.objects.get(pk=link.pk), PublicLink.objects.get(pk=link.pk)
    assert services.count_download(first) is True
    assert services.count_download(second) is False  # a stale copy cannot overshoot
    assert PublicLink.objects.get(pk=link.pk).download_count == 1


def test_a_quarantined_file_is_not_downloadable(client, agent, tree):
    link = make_link(agent, tree["shared"])
    Node.objects.filter(pk=tree["plan"].pk).update(scan_status=ScanStatus.INFECTED)
    page = text(client.get(open_url(link)))
    assert "bloqué par l'antivirus" in page
    assert reverse("public_link:download", args=[link.token, tree["plan"].pk]) not in page
    url = reverse("public_link:download", args=[link.token, tree["plan"].pk])
    assert client.get(url).status_code == 404
    file_link = make_link(agent, tree["plan"])
    assert "bloqué par l'antivirus" in text(client.get(open_url(file_link)))


def test_a_read_link_gives_no_drop_and_a_drop_link_gives_no_listing(client, agent, tree):
    read = make_link(agent, tree["shared"])
    drop = make_link(agent, tree["shared"], kind=LinkKind.UPLOAD)
    upload = SimpleUploadedFile("x.txt", b"x")
    assert (
        client.post(
            reverse("public_link:drop", args=[read.token]), {"fichiers": upload}
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("public_link:folder", args=[drop.token, tree["annexes"].pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("public_link:download", args=[drop.token, tree["plan"].pk])).status_code
        == 404
    )
    assert not Node.objects.filter(name="x.txt").exists()


# --- drop --------------------------------------------------------------------------------------


def test_the_drop_page_shows_nothing_of_the_folder(client, agent, tree):
    link = make_link(agent, tree["shared"], kind=LinkKind.UPLOAD)
    response = client.get(open_url(link))
    assert response.status_code == 200
    assert_private_headers(response)
    page = text(response)
    assert "Déposer des fichiers" in page
    assert "plan.pdf" not in page and "Annexes" not in page
    assert 'type="file"' in page and "multiple" in page


def test_a_drop_stores_files_under_free_names(client, agent, tree):
    link = make_link(agent, tree["shared"], kind=LinkKind.UPLOAD)
    files = [
        SimpleUploadedFile("plan.pdf", b"autre plan"),
        SimpleUploadedFile("Annexes", b"un fichier nomme comme un dossier"),
        SimpleUploadedFile("nouveau.txt", b"neuf"),
    ]
    response = client.post(
        reverse("public_link:drop", args=[link.token]), {"fichiers": files}, follow=True
    )
    assert response.status_code == 200
    page = text(response)
    assert "3 fichiers déposés" in page
    # only what was sent is echoed: neither the free names nor the folder's content
    assert "plan (2).pdf" not in page and "Annexes (2)" not in page
    names = set(
        tree["shared"].children.filter(deleted_at__isnull=True).values_list("name", flat=True)
    )
    assert names == {"plan.pdf", "plan (2).pdf", "Annexes", "Annexes (2)", "nouveau.txt"}
    original = Node.objects.get(pk=tree["plan"].pk)
    assert original.versions.count() == 1  # never overwritten
    dropped = Node.objects.get(parent=tree["shared"], name="plan (2).pdf")
    assert dropped.created_by is None and dropped.size == len(b"autre plan")


def test_a_drop_counts_against_the_owner_quota(client, agent, org, tree):
    org.policy.quota_per_person_mb = 10
    org.policy.save()
    link = make_link(agent, tree["shared"], kind=LinkKind.UPLOAD)
    big = SimpleUploadedFile("gros.bin", b"0" * (10 * 1024 * 1024))
    response = client.post(
        reverse("public_link:drop", args=[link.token]), {"fichiers": [big]}, follow=True
    )
    page = text(response)
    assert "« gros.bin » n'a pas été déposé" in page
    assert "plus assez de place" in page and "quota" not in page
    assert not Node.objects.filter(name="gros.bin").exists()


def test_a_drop_without_file_says_what_to_do(client, agent, tree):
    link = make_link(agent, tree["shared"], kind=LinkKind.UPLOAD)
    response = client.post(reverse("public_link:drop", args=[link.token]), follow=True)
    assert "Choisissez au moins un fichier" in text(response)


def test_a_protected_drop_needs_the_password(client, agent, tree):
    link = make_link(agent, tree["shared"], kind=LinkKind.UPLOAD, password="depot")
    upload = SimpleUploadedFile("x.txt", b"x")
    response = client.post(reverse("public_link:drop", args=[link.token]), {"fichiers": upload})
    assert "Lien protégé" in text(response)
    assert not Node.objects.filter(name="x.txt").exists()
    client.post(open_url(link), {"password": "depot"})
    upload = SimpleUploadedFile("x.txt", b"x")
    client.post(reverse("public_link:drop", args=[link.token]), {"fichiers": upload})
    assert Node.objects.filter(name="x.txt", parent=tree["shared"]).exists()


def test_an_expired_drop_link_accepts_nothing(client, agent, tree):
    link = make_link(agent, tree["shared"], kind=LinkKind.UPLOAD)
    PublicLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(hours=1))
    upload = SimpleUploadedFile("tard.txt", b"x")
    response = client.post(reverse("public_link:drop", args=[link.token]), {"fichiers": upload})
    assert response.status_code == 410
    assert not Node.objects.filter(name="tard.txt").exists()


def test_public_forms_keep_the_csrf_check(agent, tree):
    """The public pages send ``Referrer-Policy: same-origin`` (never ``no-referrer``, which
    makes browsers post ``Origin: null``), so their forms keep Django's CSRF check."""
    from django.test import Client

    link = make_link(agent, tree["shared"], kind=LinkKind.UPLOAD, password="depot")
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(open_url(link))
    assert page["Referrer-Policy"] == "same-origin"
    refused = browser.post(open_url(link), {"password": "depot"})
    assert refused.status_code == 403 and unlock_key(link) not in browser.session
    token = browser.cookies["entente_csrf"].value
    ok = browser.post(open_url(link), {"password": "depot", "csrfmiddlewaretoken": token})
    assert ok.status_code == 302 and browser.session[unlock_key(link)] is True
    upload = SimpleUploadedFile("x.txt", b"x")
    drop = reverse("public_link:drop", args=[link.token])
    assert browser.post(drop, {"fichiers": upload}).status_code == 403
    assert not Node.objects.filter(name="x.txt").exists()


def test_a_ready_preview_is_shown_and_served_without_counting(client, agent, tree):
    from entente.drive import blobstore
    from entente.drive.models import Preview

    png = b"\x89PNG\r\n\x1a\n" + b"0" * 32
    plan = Node.objects.select_related("current_version").get(pk=tree["plan"].pk)
    Preview.objects.create(
        blob_id=plan.current_version.blob_id, image=blobstore.store_bytes(png), state="ready"
    )
    link = make_link(agent, plan, max_downloads=1)
    page = text(client.get(open_url(link)))
    url = reverse("public_link:preview", args=[link.token, plan.pk])
    assert url in page and 'alt="Aperçu de plan.pdf"' in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert content(response) == png
    assert_private_headers(response)
    link.refresh_from_db()
    assert link.download_count == 0
    outside = reverse("public_link:preview", args=[link.token, tree["secret"].pk])
    assert client.get(outside).status_code == 404


def test_the_shared_folder_as_a_zip(client, agent, tree):
    import io
    import zipfile

    link = make_link(agent, tree["shared"], max_downloads=2)
    make_file(agent, tree["shared"], "virus.exe", b"EICAR")
    Node.objects.filter(name="virus.exe").update(scan_status=ScanStatus.INFECTED)
    trashed = make_file(agent, tree["annexes"], "brouillon.txt", b"jete")
    services.trash(agent, trashed)
    url = reverse("public_link:zip", args=[link.token])
    assert url in text(client.get(open_url(link)))
    inner = text(client.get(reverse("public_link:folder", args=[link.token, tree["annexes"].pk])))
    assert url not in inner  # offered once, on the shared folder itself

    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert_private_headers(response)
    archive = zipfile.ZipFile(io.BytesIO(content(response)))
    names = set(archive.namelist())
    assert {"plan.pdf", "Annexes/", "Annexes/carte.txt"} <= names
    assert not any("secret" in n or "virus" in n or "brouillon" in n for n in names)
    assert archive.read("Annexes/carte.txt") == b"carte du parc"
    link.refresh_from_db()
    assert link.download_count == 1
    client.get(url)
    assert client.get(url).status_code == 410  # the limit counts archives too


def test_no_zip_for_a_file_link(client, agent, tree):
    link = make_link(agent, tree["plan"])
    assert client.get(reverse("public_link:zip", args=[link.token])).status_code == 404


def test_the_listing_costs_a_few_queries_whatever_its_size(
    client, agent, tree, django_assert_max_num_queries
):
    link = make_link(agent, tree["shared"])
    for number in range(15):
        make_file(agent, tree["annexes"], f"photo-{number}.txt", b"x")
    url = reverse("public_link:folder", args=[link.token, tree["annexes"].pk])
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert text(response).count("photo-") >= 15
