"""Serving stored content over HTTP: streamed answers with Range, ETag and safe headers, and the
JSON errors of the upload protocol.

``file_response`` is what every door that hands out a file's bytes calls (documents pages,
public links, versions): memory stays constant whatever the size (the blob is read in chunks
while the answer is written), ``Range`` is honoured (one byte range, suffix and open ranges;
several ranges or a garbled header get the whole file, as RFC 9110 allows), the ETag is the
content's SHA-256, and the content can never run in our origin: ``nosniff``, a sandboxing
Content-Security-Policy, and ``attachment`` unless the caller asks for inline display of a type
that cannot carry script.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from entente.drive import blobstore
from entente.drive.models import Blob, Node, Version
from entente.drive.sniff import is_inline_safe

#: served content may not run script, load anything, nor be framed
SANDBOX_POLICY = "sandbox; default-src 'none'"
#: a PDF opened in the browser: no sandbox (browsers refuse to show a PDF in a sandboxed
#: document), still nothing loaded and no frame; the PDF viewer runs apart from our pages
PDF_POLICY = "default-src 'none'; frame-ancestors 'none'"
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
#: what may stay in the plain-ASCII ``filename=`` (no quote, backslash, ``%`` nor ``;``)
_FALLBACK_UNSAFE = re.compile(r"[^A-Za-z0-9 !#$&'()*+,\-.^_`{|}~]")


# --- Range --------------------------------------------------------------------------------


class Unsatisfiable(Exception):
    """A byte range that starts past the end of the content (answered 416)."""


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The one byte range (first, last inclusive) asked by ``header`` over ``size`` bytes.

    ``None`` means "send the whole content": no header, several ranges, or a header that does
    not parse (RFC 9110 lets a server ignore those). ``Unsatisfiable`` is raised when the range
    is well formed but selects nothing.
    """
    header = (header or "").strip()
    if not header or "," in header:
        return None
    match = _RANGE.match(header.replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if size == 0:
        # an empty file has no byte to select; the whole (empty) content answers
        return None
    if not first:  # suffix: the last N bytes
        length = int(last)
        if length == 0:
            raise Unsatisfiable
        return max(0, size - length), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid, hence ignored
    if start >= size:
        raise Unsatisfiable
    return start, min(end, size - 1)


def _etag(blob: Blob) -> str:
    return f'"{blob.sha256}"'


def _etag_matches(header: str, etag: str, *, weak: bool) -> bool:
    """Does a list of entity tags (``If-None-Match``, ``If-Range``) name ``etag``?"""
    header = (header or "").strip()
    if not header:
        return False
    if header == "*":
        return True
    for candidate in (part.strip() for part in header.split(",")):
        if candidate.startswith("W/"):
            if not weak:
                continue
            candidate = candidate[2:]
        if candidate == etag:
            return True
    return False


# --- names --------------------------------------------------------------------------------


def ascii_fallback(filename: str) -> str:
    """A plain-ASCII stand-in for ``filename`` for old clients (accents dropped, anything that
    could break the header replaced)."""
    decomposed = unicodedata.normalize("NFKD", filename)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_name = re.sub("_+", "_", _FALLBACK_UNSAFE.sub("_", kept)).strip(" .")
    stem, dot, ext = ascii_name.rpartition(".")
    if not ascii_name or (dot and not stem.strip("_ ")) or not ascii_name.strip("_ "):
        original_ext = filename.rpartition(".")[2] if "." in filename else ""
        ext = _FALLBACK_UNSAFE.sub("", original_ext.encode("ascii", "ignore").decode())[:16]
        ascii_name = f"fichier.{ext}" if ext else "fichier"
    return ascii_name[:200]


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment`` (or ``inline``) with both the ASCII fallback and the exact UTF-8 name
    (RFC 6266 and RFC 5987)."""
    kind = "inline" if inline else "attachment"
    # control characters (and so CR/LF) never reach a header, whatever the name holds
    clean = re.sub(r"[\x00-\x1f\x7f]", "", filename or "") or "fichier"
    return f"{kind}; filename=\"{ascii_fallback(clean)}\"; filename*=UTF-8''{quote(clean, safe='')}"


# --- the answer ---------------------------------------------------------------------------


def _protect(response: HttpResponse, *, pdf_inline: bool = False) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PDF_POLICY if pdf_inline else SANDBOX_POLICY
    response["Cache-Control"] = "private"
    response["Accept-Ranges"] = "bytes"
    return response


def file_response(
    request: HttpRequest,
    blob: Blob | Node | Version,
    *,
    filename: str | None = None,
    mime_type: str | None = None,
    inline: bool = False,
) -> HttpResponse:
    """Serve ``blob`` (or the current content of a file ``Node``, or a ``Version``) to
    ``request``: GET or HEAD, whole or one byte range, 304 when the client has it already.

    The caller has checked the right to read it. ``inline`` is honoured only for types that
    cannot run script (``sniff.is_inline_safe``); anything else is an attachment.
    """
    if isinstance(blob, Node):
        node = blob
        version = node.current_version
        if version is None:
            raise Http404(_("Ce fichier n'a pas encore de contenu."))
        filename = filename or node.name
        mime_type = mime_type or node.mime_type
        blob = version.blob
    elif isinstance(blob, Version):
        filename = filename or blob.node.name
        mime_type = mime_type or blob.mime_type
        blob = blob.blob
    filename = filename or blob.sha256
    mime_type = mime_type or "application/octet-stream"
    size = blob.size
    etag = _etag(blob)
    show_inline = inline and is_inline_safe(mime_type)
    method = request.method or "GET"

    if _etag_matches(request.headers.get("If-None-Match", ""), etag, weak=True):
        response = HttpResponse(status=304)
        response["ETag"] = etag
        return _protect(response)

    byte_range = None
    wanted = request.headers.get("Range", "")
    if_range = request.headers.get("If-Range", "")
    if wanted and (not if_range or _etag_matches(if_range, etag, weak=False)):
        try:
            byte_range = parse_range(wanted, size)
        except Unsatisfiable:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            response["ETag"] = etag
            return _protect(response)

    start, end = byte_range if byte_range else (0, size - 1)
    length = end - start + 1 if size else 0
    if method == "HEAD":
        response = HttpResponse(status=206 if byte_range else 200, content_type=mime_type)
    else:
        body = blobstore.read(blob, start, end) if length else iter(())
        response = StreamingHttpResponse(
            body, status=206 if byte_range else 200, content_type=mime_type
        )
    if byte_range:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(length)
    response["ETag"] = etag
    response["Content-Disposition"] = content_disposition(filename, inline=show_inline)
    return _protect(response, pdf_inline=show_inline and mime_type == "application/pdf")


# --- errors of the upload protocol ---------------------------------------------------------


#: refusals of the services that are not plain bad input
STATUS_BY_CODE = {"offset_mismatch": 409}


def error_json(code: str, detail: str, status: int) -> JsonResponse:
    response = JsonResponse({"code": code, "detail": str(detail)}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _messages(error: ValidationError) -> str:
    return " ".join(str(message) for message in error.messages)


def error_response(error: BaseException) -> JsonResponse:
    """The JSON answer ``{"code", "detail"}`` of the upload protocol for a refusal raised by
    the services, the permission engine or the blob store."""
    from entente.drive.services import QuotaExceeded

    if isinstance(error, QuotaExceeded):
        return error_json("quota_exceeded", _messages(error), 413)
    if isinstance(error, blobstore.TooLarge):
        return error_json(
            "too_large", _("Vous envoyez plus d'octets que la taille annoncée du fichier."), 413
        )
    if isinstance(error, blobstore.Incomplete):
        return error_json("incomplete", str(error), 400)
    if isinstance(error, blobstore.BlobError):
        return error_json(
            error.code,
            _("Le fichier n'a pas pu être enregistré : réessayez dans un moment."),
            500,
        )
    if isinstance(error, ValidationError):
        code = getattr(error, "code", None) or "invalid"
        return error_json(code, _messages(error), STATUS_BY_CODE.get(code, 400))
    if isinstance(error, PermissionDenied):
        return error_json(
            "forbidden", _("Vous ne pouvez pas envoyer de fichier dans ce dossier."), 403
        )
    if isinstance(error, Http404):
        return error_json(
            getattr(error, "code", "not_found"),
            str(error) or _("Ce dossier ou cet envoi n'existe pas, ou vous n'y avez pas accès."),
            404,
        )
    if isinstance(error, OSError):
        return error_json(
            "write_failed",
            _("Le fichier n'a pas pu être enregistré : réessayez dans un moment."),
            500,
        )
    raise error
