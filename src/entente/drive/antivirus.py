"""Antivirus hook: new content is sent to ClamAV's ``clamd`` over its socket (``INSTREAM``);
an infected file is put in quarantine (``scan_status = infected``: no door serves it any more)
and the quarantine is recorded in the audit log.

Configuration (environment, or the same names in the Django settings):

- ``CLAMD_SOCKET``: path of clamd's unix socket (``LocalSocket`` of ``clamd.conf``), or
- ``CLAMD_HOST`` and ``CLAMD_PORT`` (3310 by default): clamd's TCP socket (``TCPSocket``);
- ``CLAMD_TIMEOUT``: seconds to wait for clamd (60 by default).

Without configuration nothing is scanned (``scan_status`` stays ""). When clamd cannot be
reached or refuses the stream (larger than its ``StreamMaxLength``), the file stays "not
scanned", a warning is logged, and the upload is never blocked.

The protocol (clamd(8)): ``zINSTREAM\\0``, then chunks each preceded by its length on 4 bytes
(big-endian), then a zero length; the answer, ended by ``\\0``, is ``stream: OK``,
``stream: <signature> FOUND`` or ``<reason> ERROR``.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from entente.audit.models import EventKind
from entente.audit.services import record
from entente.drive import blobstore
from entente.drive.models import Node, ScanStatus

logger = logging.getLogger(__name__)

DEFAULT_PORT = 3310
DEFAULT_TIMEOUT = 60.0
#: bytes sent to clamd per INSTREAM chunk
CHUNK_SIZE = 64 * 1024
#: the longest answer clamd gives (a signature name and a few words)
MAX_REPLY = 4096
AUDIT_ACTOR = "antivirus"


class ClamdError(Exception):
    """clamd answered, but not with a verdict (stream too long, internal error…)."""


@dataclass(frozen=True)
class Verdict:
    infected: bool
    signature: str = ""


def _setting(name: str) -> str:
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, "")
    return str(value).strip()


def clamd_address() -> str | tuple[str, int] | None:
    """Where clamd listens: a unix socket path, ``(host, port)``, or None when not set up."""
    path = _setting("CLAMD_SOCKET")
    if path:
        return path
    host = _setting("CLAMD_HOST")
    if not host:
        return None
    port = _setting("CLAMD_PORT")
    try:
        return host, int(port) if port else DEFAULT_PORT
    except ValueError:
        logger.warning("CLAMD_PORT invalide (%r) : antivirus désactivé.", port)
        return None


def _timeout() -> float:
    try:
        return float(_setting("CLAMD_TIMEOUT") or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT


def _connect(address: str | tuple[str, int]) -> socket.socket:
    timeout = _timeout()
    if isinstance(address, str):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except BaseException:
            sock.close()
            raise
        return sock
    return socket.create_connection(address, timeout=timeout)


def parse_reply(reply: bytes) -> Verdict:
    """The verdict of clamd's answer to one ``INSTREAM``."""
    text = reply.rstrip(b"\0\r\n").decode("utf-8", "replace").strip()
    _label, _sep, result = text.partition(": ")
    result = result if _sep else text
    if result == "OK":
        return Verdict(infected=False)
    if result.endswith(" FOUND"):
        return Verdict(infected=True, signature=result[: -len(" FOUND")].strip())
    raise ClamdError(text or "réponse vide")


def scan_stream(chunks: Iterable[bytes], address: str | tuple[str, int]) -> Verdict:
    """Send ``chunks`` to clamd at ``address`` and return its verdict.

    Raises ``OSError`` when clamd cannot be reached or hangs up, ``ClamdError`` when it
    answers without a verdict.
    """
    with _connect(address) as sock:
        sock.sendall(b"zINSTREAM\0")
        try:
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK_SIZE):
                    piece = chunk[start : start + CHUNK_SIZE]
                    sock.sendall(struct.pack(">I", len(piece)) + piece)
            sock.sendall(struct.pack(">I", 0))
        except (BrokenPipeError, ConnectionResetError):
            # clamd stops reading past its StreamMaxLength and says why before closing
            pass
        reply = b""
        while not reply.endswith(b"\0") and len(reply) < MAX_REPLY:
            try:
                data = sock.recv(MAX_REPLY)
            except ConnectionResetError:
                break
            if not data:
                break
            reply += data
    if not reply:
        raise OSError("clamd a fermé la connexion sans répondre")
    return parse_reply(reply)


def scan_node(node: Node) -> bool:
    """Scan the current content of the file ``node``; False when it is infected (it is then in
    quarantine). True when it is clean, or could not be scanned (no antivirus configured, clamd
    unreachable): an antivirus failure never blocks anyone's work."""
    address = clamd_address()
    version = node.current_version
    if address is None or version is None:
        return True
    blob = version.blob
    try:
        verdict = scan_stream(blobstore.read(blob), address)
    except (OSError, ClamdError) as error:
        logger.warning(
            "Antivirus indisponible, fichier %s (contenu %s) laissé non analysé : %s",
            node.pk,
            blob.sha256,
            error,
        )
        return True
    if not verdict.infected:
        Node.objects.filter(pk=node.pk, current_version_id=version.pk).update(
            scan_status=ScanStatus.CLEAN
        )
        node.scan_status = ScanStatus.CLEAN
        return True
    quarantine(node, verdict.signature)
    return False


def quarantine(node: Node, signature: str) -> list[Any]:
    """Put in quarantine every live file whose current content is ``node``'s (copies share
    it), and record each in its organisation's audit log."""
    blob_id = node.current_version.blob_id
    with transaction.atomic():
        infected = list(
            Node.objects.select_for_update(of=("self",))
            .filter(current_version__blob_id=blob_id)
            .exclude(scan_status=ScanStatus.INFECTED)
            .select_related("drive__organisation", "current_version")
        )
        Node.objects.filter(pk__in=[n.pk for n in infected]).update(scan_status=ScanStatus.INFECTED)
        for item in infected:
            record(
                EventKind.DRIVE_QUARANTINED,
                target=item,
                organisation=item.drive.organisation,
                actor_label=AUDIT_ACTOR,
                name=item.name,
                signature=signature,
                sha256=blob_id,
                version=item.current_version.number,
            )
    node.scan_status = ScanStatus.INFECTED
    logger.warning("Fichier %s mis en quarantaine : %s", node.pk, signature)
    return infected
