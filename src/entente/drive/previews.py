"""Thumbnails of files (PNG, at most 480 pixels a side): images with Pillow, the first page of
PDF documents with PDFium (``pypdfium2``). Made by a background task
(``tasks.process_content``), never during a request.

A thumbnail belongs to a content (``Blob``), not to a file: files with the same bytes share it.
Its ``Preview`` row says ``ready`` (with the PNG stored as a blob) or ``none`` when no thumbnail
can be made (unsupported type, damaged or oversized file, decompression bomb). Text files need
none: their page shows the text itself.
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
import threading
import warnings
from collections.abc import Iterator
from typing import IO

from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from entente.drive import blobstore
from entente.drive.models import Blob, Preview

logger = logging.getLogger(__name__)

#: the longest side of a thumbnail, in pixels
MAX_SIZE = 480
#: an image with more pixels than this is not decoded (a decompression bomb fits in a few KB)
MAX_PIXELS = 40_000_000
#: contents larger than this get no thumbnail (reading them would cost too much)
MAX_IMAGE_BYTES = 50 * 1024 * 1024
MAX_PDF_BYTES = 200 * 1024 * 1024
#: the largest PDF page accepted, in points (1/72 inch): a 5 m poster
MAX_PDF_POINTS = 14_400

READY = "ready"
NONE = "none"

IMAGE_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/tiff",
}
PDF_TYPES = {"application/pdf"}

#: PDFium is not thread-safe: one rendering at a time per process
_PDFIUM_LOCK = threading.Lock()


class NoPreview(Exception):
    """This content gets no thumbnail."""


@contextlib.contextmanager
def _local_file(blob: Blob) -> Iterator[IO[bytes]]:
    """A seekable file holding ``blob``'s bytes: the stored file itself on a local disk, else a
    temporary copy (object storage), written in chunks."""
    try:
        path = default_storage.path(blob.storage_name)
    except NotImplementedError:
        path = ""
    if path:
        with open(path, "rb") as handle:
            yield handle
        return
    with tempfile.TemporaryFile() as copy:
        for chunk in blobstore.read(blob):
            copy.write(chunk)
        copy.seek(0)
        yield copy


def _png(image: Image.Image) -> bytes:
    if image.mode not in {"RGB", "RGBA", "L", "LA"}:
        has_alpha = image.mode in {"P", "PA"} and "transparency" in image.info
        image = image.convert("RGBA" if has_alpha or "A" in image.mode else "RGB")
    image.thumbnail((MAX_SIZE, MAX_SIZE), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)
    return output.getvalue()


def image_thumbnail(handle: IO[bytes]) -> bytes:
    """The PNG thumbnail of the image in ``handle``; ``NoPreview`` if it cannot be made."""
    with warnings.catch_warnings():
        # Pillow warns (and past twice its limit, raises) on decompression bombs: refuse both
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(handle) as image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_PIXELS:
                    raise NoPreview(f"image de {width}×{height} pixels")
                image.draft("RGB", (MAX_SIZE * 2, MAX_SIZE * 2))  # JPEG: decode smaller
                image.seek(0)  # the first frame of an animation
                image.load()
                return _png(ImageOps.exif_transpose(image) or image)
        except NoPreview:
            raise
        except (
            OSError,
            ValueError,
            SyntaxError,
            EOFError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
            MemoryError,
        ) as error:
            raise NoPreview(str(error)) from error


def pdf_thumbnail(handle: IO[bytes]) -> bytes:
    """The PNG thumbnail of the first page of the PDF in ``handle``."""
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(handle)
        except (pdfium.PdfiumError, OSError, ValueError) as error:
            raise NoPreview(str(error)) from error
        try:
            if len(document) < 1:
                raise NoPreview("document sans page")
            page = document[0]
            try:
                width, height = page.get_size()
                if not (0 < width <= MAX_PDF_POINTS and 0 < height <= MAX_PDF_POINTS):
                    raise NoPreview(f"page de {width}×{height} points")
                scale = MAX_SIZE / max(width, height)
                bitmap = page.render(scale=scale, may_draw_forms=False)
                try:
                    image = bitmap.to_pil()
                    return _png(image)
                finally:
                    bitmap.close()
            finally:
                page.close()
        except NoPreview:
            raise
        except (pdfium.PdfiumError, OSError, ValueError, MemoryError) as error:
            raise NoPreview(str(error)) from error
        finally:
            document.close()


def thumbnail(blob: Blob, mime_type: str) -> bytes:
    """The PNG thumbnail of ``blob`` read as ``mime_type``; ``NoPreview`` when there is none."""
    if mime_type in IMAGE_TYPES:
        limit, make = MAX_IMAGE_BYTES, image_thumbnail
    elif mime_type in PDF_TYPES:
        limit, make = MAX_PDF_BYTES, pdf_thumbnail
    else:
        raise NoPreview(f"pas d'aperçu pour {mime_type or 'un type inconnu'}")
    if blob.size == 0 or blob.size > limit:
        raise NoPreview(f"{blob.size} octets")
    with _local_file(blob) as handle:
        return make(handle)


def generate(blob: Blob, mime_type: str) -> Preview:
    """Make (once) the thumbnail of ``blob``: its ``Preview`` is ``ready`` with the PNG, or
    ``none``. Safe to run twice: a content already handled is left as it is."""
    existing = Preview.objects.filter(blob=blob).first()
    if existing is not None and existing.state in {READY, NONE}:
        return existing
    try:
        png = thumbnail(blob, mime_type)
    except NoPreview as reason:
        logger.info("Pas d'aperçu pour le contenu %s : %s", blob.sha256, reason)
        image, state = None, NONE
    else:
        image, state = blobstore.store_bytes(png), READY
    preview, _created = Preview.objects.update_or_create(
        blob=blob, defaults={"image": image, "state": state}
    )
    return preview
