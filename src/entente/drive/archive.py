"""A folder as a zip archive, streamed: written while it is sent, in constant memory.

``zipfile`` writes into a sink that cannot seek (each entry's sizes and CRC then follow its
data, ZIP64 where an entry or the archive needs it); whatever it wrote is handed to the answer
after each chunk of content. The files are read from the database in batches by id, so no
list of the whole tree is held either (only the folders, to name the entries).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from entente.drive import blobstore
from entente.drive.models import Node, NodeKind, ScanStatus
from entente.drive.transfer import SANDBOX_POLICY, content_disposition

BATCH = 500
#: contents that deflate would not shrink: stored as they are (saves the server's CPU)
_COMPRESSED = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "audio/",
    "video/",
    "application/zip",
    "application/gzip",
    "application/x-7z-compressed",
    "application/vnd.rar",
    "application/vnd.openxmlformats",
    "application/vnd.oasis.opendocument",
)
_ZIP_EPOCH = dt.datetime(1980, 1, 1)  # noqa: DTZ001 — zip times are naive local times


class _Sink(io.RawIOBase):
    """A write-only, non-seekable stream whose content is taken away as it comes."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.written = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        chunk = bytes(data)
        self._parts.append(chunk)
        self.written += len(chunk)
        return len(chunk)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _zip_time(moment: dt.datetime | None) -> tuple[int, int, int, int, int, int]:
    local = timezone.localtime(moment).replace(tzinfo=None) if moment else _ZIP_EPOCH
    local = max(local, _ZIP_EPOCH)
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


def _method(mime_type: str) -> int:
    if mime_type.startswith(_COMPRESSED):
        return zipfile.ZIP_STORED
    return zipfile.ZIP_DEFLATED


def _entry(
    name: str, moment: dt.datetime | None, *, size: int = 0, mime: str = ""
) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_zip_time(moment))
    if name.endswith("/"):
        info.external_attr = (0o40755 << 16) | 0x10
        info.compress_type = zipfile.ZIP_STORED
    else:
        info.external_attr = 0o100644 << 16
        info.compress_type = _method(mime)
        info.file_size = size  # lets zipfile decide on ZIP64 before writing the data
    return info


def _files(folder: Node, nodes: QuerySet) -> Iterator[Node]:
    """The live, clean files below ``folder`` among ``nodes``, by batches of ids."""
    queryset = (
        nodes.filter(
            path__startswith=folder.path,
            kind=NodeKind.FILE,
            deleted_at__isnull=True,
            current_version__isnull=False,
        )
        .exclude(scan_status=ScanStatus.INFECTED)
        .select_related("current_version__blob")
        .order_by("pk")
    )
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        yield from batch
        last = batch[-1].pk


def entries(folder: Node, nodes: QuerySet) -> tuple[dict[int, str], Iterator[Node]]:
    """The folders below ``folder`` (id → path inside the archive, ``a/b/``) and the files.

    ``nodes`` are the items the person may see (``visible(user, Node)``, or a public link's
    subtree): nothing else ever enters the archive.
    """
    folders = (
        nodes.filter(path__startswith=folder.path, kind=NodeKind.FOLDER, deleted_at__isnull=True)
        .exclude(pk=folder.pk)
        .values_list("pk", "name", "parent_id", "modified_at")
        .order_by("path")
    )
    names: dict[int, str] = {folder.pk: ""}
    pending = list(folders)
    while pending:  # parents first: ``path`` order is not depth order once ids grow a digit
        rest = []
        for pk, name, parent_id, _moment in pending:
            if parent_id in names:
                names[pk] = f"{names[parent_id]}{name}/"
            else:
                rest.append((pk, name, parent_id, _moment))
        if len(rest) == len(pending):
            break  # under a folder the person cannot see: left out
        pending = rest
    return names, _files(folder, nodes)


def stream(folder: Node, nodes: QuerySet) -> Iterator[bytes]:
    """The zip archive of what ``nodes`` holds below ``folder``, chunk by chunk."""
    names, files = entries(folder, nodes)
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", allowZip64=True) as archive:
        for path in sorted(value for value in names.values() if value):
            archive.writestr(_entry(path, None), b"")
        yield sink.take()
        for node in files:
            prefix = names.get(node.parent_id)
            if prefix is None:
                continue
            blob = node.current_version.blob
            info = _entry(
                f"{prefix}{node.name}", node.modified_at, size=blob.size, mime=node.mime_type
            )
            with archive.open(info, mode="w") as out:
                for chunk in blobstore.read(blob):
                    out.write(chunk)
                    data = sink.take()
                    if data:
                        yield data
            yield sink.take()
    yield sink.take()


def archive_name(folder: Node) -> str:
    return f"{folder.name or 'Documents'}.zip"


def zip_response(
    folder: Node, nodes: QuerySet, *, filename: str | None = None
) -> StreamingHttpResponse:
    """The streamed answer of a folder's archive (no length: it is known only at the end)."""
    chunks = (chunk for chunk in stream(folder, nodes) if chunk)
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = content_disposition(filename or archive_name(folder))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cache-Control"] = "private, no-store"
    return response
