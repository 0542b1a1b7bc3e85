"""Content-addressed blob storage over Django's default storage (local disk or S3).

Bytes are streamed into a temporary name while their SHA-256 is computed, then committed under
``blobs/ab/cd/<sha256>``: a crash mid-way leaves only a temporary object, which nothing points
to and the collector removes. Memory stays constant whatever the size (chunks of
``CHUNK_SIZE``).
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from entente.drive.models import Blob

CHUNK_SIZE = 256 * 1024
TMP_PREFIX = "tmp/"


class BlobError(Exception):
    """A write that cannot be committed; ``code`` names why for the API."""

    code = "write_failed"


class TooLarge(BlobError):
    code = "too_large"


class Incomplete(BlobError):
    code = "incomplete"


class _HashingReader(io.RawIOBase):
    """A read-only stream over ``chunks`` that hashes and counts what passes through it."""

    def __init__(self, chunks: Iterable[bytes], max_bytes: int | None) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""
        self.digest = hashlib.sha256()
        self.size = 0
        self.max_bytes = max_bytes

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, target) -> int:  # type: ignore[override]
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        count = min(len(target), len(self._buffer))
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        self.size += count
        if self.max_bytes is not None and self.size > self.max_bytes:
            raise TooLarge(_("Le fichier dépasse la taille autorisée."))
        self.digest.update(data)
        target[:count] = data
        return count


@dataclass
class Written:
    name: str
    sha256: str
    size: int


def _save_stream(name: str, chunks: Iterable[bytes], max_bytes: int | None) -> Written:
    reader = _HashingReader(chunks, max_bytes)
    stream = io.BufferedReader(reader, CHUNK_SIZE)
    try:
        saved = default_storage.save(name, File(stream, name=os.path.basename(name)))
    except BaseException:
        delete_quietly(name)
        raise
    return Written(saved, reader.digest.hexdigest(), reader.size)


def delete_quietly(name: str) -> None:
    try:
        default_storage.delete(name)
    except OSError:
        pass


def rename(source: str, target: str) -> None:
    """Give the stored object ``source`` the name ``target`` (replacing it), atomically where
    the storage can (a rename on disk)."""
    try:
        source_path, target_path = default_storage.path(source), default_storage.path(target)
    except NotImplementedError:  # object storage: copy, then drop the source
        delete_quietly(target)
        with default_storage.open(source, "rb") as handle:
            default_storage.save(target, handle)
        delete_quietly(source)
        return
    os.makedirs(os.path.dirname(target_path), exist_ok=True)
    os.replace(source_path, target_path)


def _commit(temp: str, final: str) -> None:
    """Give ``temp`` its content-addressed name, unless that content is already stored."""
    if default_storage.exists(final):
        delete_quietly(temp)
        return
    rename(temp, final)


def store(
    chunks: Iterable[bytes], *, expected_size: int | None = None, max_bytes: int | None = None
) -> Blob:
    """Stream ``chunks`` into storage and return the ``Blob`` of their content.

    Raises ``TooLarge`` past ``max_bytes`` and ``Incomplete`` when fewer or more bytes than
    ``expected_size`` arrived; nothing is left behind in either case.
    """
    written = _save_stream(f"{TMP_PREFIX}{uuid.uuid4().hex}", chunks, max_bytes)
    if expected_size is not None and written.size != expected_size:
        delete_quietly(written.name)
        raise Incomplete(
            _("Envoi interrompu : %(got)s octets reçus sur %(expected)s.")
            % {"got": written.size, "expected": expected_size}
        )
    blob = Blob(sha256=written.sha256, size=written.size)
    # mark an existing blob used before anything relies on its file: the collector re-checks
    # ``last_used_at`` under its lock, so it cannot remove it meanwhile
    Blob.objects.filter(pk=written.sha256).update(last_used_at=timezone.now())
    _commit(written.name, blob.storage_name)
    now = timezone.now()
    try:
        with transaction.atomic():
            blob.last_used_at = now
            blob.save(force_insert=True)
    except IntegrityError:
        Blob.objects.filter(pk=blob.pk).update(last_used_at=now)
        blob = Blob.objects.get(pk=blob.pk)
    return blob


def store_bytes(data: bytes) -> Blob:
    return store([data])


def read(blob: Blob, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """Yield the bytes ``start``..``end`` (inclusive) of ``blob`` in chunks."""
    end = blob.size - 1 if end is None else min(end, blob.size - 1)
    with default_storage.open(blob.storage_name, "rb") as handle:
        if start:
            handle.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            data = handle.read(min(CHUNK_SIZE, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data


def head(blob: Blob, size: int = 8192) -> bytes:
    """The first ``size`` bytes (for type sniffing)."""
    return b"".join(read(blob, 0, size - 1)) if blob.size else b""


def delete(blob: Blob) -> None:
    delete_quietly(blob.storage_name)


# --- parts of resumable uploads ----------------------------------------------------------


def store_part(name: str, chunks: Iterable[bytes], max_bytes: int) -> int:
    """Stream one part of an upload to ``name`` (via a temporary name); returns its size."""
    written = _save_stream(f"{TMP_PREFIX}{uuid.uuid4().hex}", chunks, max_bytes)
    rename(written.name, name)
    return written.size


def read_parts(names: Iterable[str]) -> Iterator[bytes]:
    for name in names:
        with default_storage.open(name, "rb") as handle:
            while data := handle.read(CHUNK_SIZE):
                yield data


def delete_tree(prefix: str) -> int:
    """Delete every object under ``prefix`` (a folder of the storage); returns how many."""
    count = 0
    try:
        folders, files = default_storage.listdir(prefix)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for name in files:
        delete_quietly(f"{prefix.rstrip('/')}/{name}")
        count += 1
    for folder in folders:
        count += delete_tree(f"{prefix.rstrip('/')}/{folder}")
    return count
