"""Thumbnails: images and the first page of PDFs become PNGs of at most 480 pixels, made by the
background task after an upload; damaged files, decompression bombs and text get none; the
thumbnail is served only to people who may see the file."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image

from entente.accounts.tests.factories import UserFactory
from entente.drive import previews, services
from entente.drive.models import Node, Preview, ScanStatus, ShareRole
from entente.drive.tests.factories import make_file, root_of

pytestmark = pytest.mark.django_db


def png(width: int, height: int, colour=(200, 30, 30)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(output, format="PNG")
    return output.getvalue()


def jpeg(width: int, height: int) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 200)).save(output, format="JPEG")
    return output.getvalue()


def pdf(width: int = 595, height: int = 842) -> bytes:
    """A one-page PDF (A4 at 72 dpi) whose page is an image of one colour (green)."""
    output = io.BytesIO()
    Image.new("RGB", (width, height), (10, 160, 60)).save(output, format="PDF", resolution=72)
    return output.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A valid PNG claiming ``width``×``height`` 1-bit pixels: tiny on disk, huge decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = (b"\0" + b"\0" * ((width + 7) // 8)) * height
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def thumbnail_of(preview: Preview) -> Image.Image:
    with default_storage.open(preview.image.storage_name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def generate_for(node: Node) -> Preview:
    node = Node.objects.select_related("current_version__blob").get(pk=node.pk)
    return previews.generate(node.current_version.blob, node.mime_type)


def test_an_image_gets_a_png_thumbnail_of_at_most_480_pixels(agent):
    node = make_file(agent, root_of(agent), "plan.png", png(2000, 1000))
    preview = generate_for(node)
    assert preview.state == "ready"
    image = thumbnail_of(preview)
    assert image.format == "PNG"
    assert image.size == (480, 240)
    assert image.convert("RGB").getpixel((10, 10)) == (200, 30, 30)


def test_a_small_jpeg_is_not_enlarged(agent):
    node = make_file(agent, root_of(agent), "photo.jpg", jpeg(300, 200))
    image = thumbnail_of(generate_for(node))
    assert image.size == (300, 200)


def test_a_pdf_gets_a_thumbnail_of_its_first_page(agent):
    node = make_file(agent, root_of(agent), "rapport.pdf", pdf())
    assert node.mime_type == "application/pdf"
    preview = generate_for(node)
    assert preview.state == "ready"
    image = thumbnail_of(preview)
    assert max(image.size) == 480
    assert image.size[1] > image.size[0]  # portrait, like the page
    red, green, blue = image.convert("RGB").getpixel((image.size[0] // 2, image.size[1] // 2))
    assert green > 120 and red < 60 and blue < 100


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("casse.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200),
        ("tronque.jpg", jpeg(400, 300)[:300]),
        ("faux.pdf", b"%PDF-1.7\n" + b"rien de lisible\n" * 20),
    ],
)
def test_a_damaged_file_gets_no_thumbnail(agent, name, content):
    node = make_file(agent, root_of(agent), name, content)
    preview = generate_for(node)
    assert preview.state == "none"
    assert preview.image is None


def test_a_decompression_bomb_is_not_decoded(agent):
    bomb = png_header_only(8000, 8000)  # 64 million pixels in a few kilobytes
    assert len(bomb) < 100_000
    node = make_file(agent, root_of(agent), "bombe.png", bomb)
    assert generate_for(node).state == "none"


def test_text_needs_no_thumbnail(agent):
    node = make_file(agent, root_of(agent), "note.txt", b"bonjour\n")
    preview = generate_for(node)
    assert preview.state == "none" and preview.image is None


def test_generating_twice_changes_nothing(agent):
    node = make_file(agent, root_of(agent), "plan.png", png(100, 100))
    first = generate_for(node)
    second = generate_for(node)
    assert first.pk == second.pk and first.image_id == second.image_id
    assert Preview.objects.count() == 1


def test_the_upload_task_makes_the_thumbnail(agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        node = make_file(agent, root_of(agent), "plan.png", png(900, 600))
    preview = Preview.objects.get(blob=node.current_version.blob)
    assert preview.state == "ready"
    assert thumbnail_of(preview).size == (480, 320)


# --- the page serving it ----------------------------------------------------------------------


@pytest.fixture
def image_file(agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return make_file(agent, root_of(agent), "plan.png", png(900, 600))


def test_the_thumbnail_is_served_inline_as_png(client, agent, image_file):
    client.force_login(agent)
    response = client.get(reverse("drive:preview", args=[image_file.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(b"".join(response.streaming_content)))
    assert image.size == (480, 320)


def test_the_thumbnail_follows_the_rights_on_the_file(client, agent, other_agent, image_file):
    stranger = UserFactory(organisation=agent.organisation)
    client.force_login(stranger)
    assert client.get(reverse("drive:preview", args=[image_file.pk])).status_code == 404
    services.share(agent, image_file, other_agent, ShareRole.READER, confirm_external=True)
    client.force_login(other_agent)
    assert client.get(reverse("drive:preview", args=[image_file.pk])).status_code == 200
    client.logout()
    response = client.get(reverse("drive:preview", args=[image_file.pk]))
    assert response.status_code == 302  # to the sign-in page


def test_no_thumbnail_yet_or_none_possible_is_a_404(client, agent):
    client.force_login(agent)
    waiting = make_file(agent, root_of(agent), "plan.png", png(50, 50))
    assert client.get(reverse("drive:preview", args=[waiting.pk])).status_code == 404
    text = make_file(agent, root_of(agent), "note.txt")
    generate_for(text)
    assert client.get(reverse("drive:preview", args=[text.pk])).status_code == 404
    folder = root_of(agent)
    assert client.get(reverse("drive:preview", args=[folder.pk])).status_code == 404


def test_a_quarantined_file_shows_no_thumbnail(client, agent, image_file):
    Node.objects.filter(pk=image_file.pk).update(scan_status=ScanStatus.INFECTED)
    client.force_login(agent)
    assert client.get(reverse("drive:preview", args=[image_file.pk])).status_code == 404
