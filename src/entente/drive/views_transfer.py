"""Bytes in and out of documents: downloads (a file, a version, a folder as a zip), the plain
upload form (no JavaScript needed), and the resumable upload protocol, for people signed in
and through an upload link ("dépôt").

The protocol (tus-style, see ``uploads``): ``POST envois/`` with ``Upload-Length`` and
``Upload-Metadata`` announces a file (201, ``Location``); ``PATCH`` sends the next bytes from
``Upload-Offset`` (204 with the new offset, plus ``Entente-Node`` once the file is committed);
``HEAD`` tells where an upload stands; ``DELETE`` abandons it. Refusals are JSON
``{"code", "detail"}``. Request bodies are read in chunks, never whole.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from functools import wraps
from typing import Any
from urllib.parse import unquote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template import engines
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from entente.core.permissions import get_visible_or_404, is_active_user, require, visible
from entente.drive import archive, blobstore, services, uploads
from entente.drive.models import LinkKind, Node, PublicLink, ScanStatus, Upload, Version
from entente.drive.transfer import error_json, error_response, file_response

READ_SIZE = blobstore.CHUNK_SIZE
TUS_VERSION = "1.0.0"
PASSWORD_HEADER = "Entente-Link-Password"
#: wrong passwords sent in the header before the link refuses that address for a while
PASSWORD_TRIES = 10
PASSWORD_WINDOW = 15 * 60

#: the page refusing a quarantined file (texts translated in ``_quarantined``)
QUARANTINE_PAGE = """{% extends "errors/base_error.html" %}
{% block title %}{{ title }}{% endblock %}
{% block code %}{{ code }}{% endblock %}
{% block heading %}{{ heading }}{% endblock %}
{% block explanation %}{{ explanation }}{% endblock %}
"""


# --- downloads ---------------------------------------------------------------------------------


def _quarantined(request: HttpRequest, node: Node) -> HttpResponse:
    page = engines["django"].from_string(QUARANTINE_PAGE)
    context = {
        "title": _("Fichier mis en quarantaine"),
        "code": _("Erreur 403"),
        "heading": _("Ce fichier ne peut pas être téléchargé"),
        "explanation": _(
            "L'antivirus a trouvé une menace dans « %(name)s » : le fichier est mis en "
            "quarantaine pour protéger votre ordinateur et ceux de vos collègues. Demandez à la "
            "personne qui l'a déposé de vous l'envoyer à nouveau après l'avoir vérifié, ou "
            "mettez-le à la corbeille."
        )
        % {"name": node.name},
    }
    response = HttpResponse(page.render(context, request), status=403)
    response["Cache-Control"] = "no-store"
    return response


def _wants_inline(request: HttpRequest) -> bool:
    return request.GET.get("inline") == "1"


@login_required
@require_http_methods(["GET", "HEAD"])
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The current content of a file (``?inline=1``: shown in the browser when its type is
    safe there)."""
    node = get_visible_or_404(request.user, Node, pk=pk)
    if node.is_folder or node.current_version_id is None:
        raise Http404
    if node.scan_status == ScanStatus.INFECTED:
        return _quarantined(request, node)
    version = Version.objects.select_related("blob").get(pk=node.current_version_id)
    return file_response(
        request,
        version.blob,
        filename=node.name,
        mime_type=node.mime_type,
        inline=_wants_inline(request),
    )


def version_filename(node: Node, version: Version) -> str:
    """``Rapport (version 2).pdf``: an older version never takes the current file's name."""
    if node.current_version_id == version.pk:
        return node.name
    stem, dot, ext = node.name.rpartition(".")
    label = _("version %(number)s") % {"number": version.number}
    if dot and stem:
        return f"{stem} ({label}).{ext}"
    return f"{node.name} ({label})"


@login_required
@require_http_methods(["GET", "HEAD"])
def version_download(request: HttpRequest, pk: int) -> HttpResponse:
    """One version of a file, for whoever may see the file."""
    version = Version.objects.select_related("blob").filter(pk=pk).first()
    if version is None:
        raise Http404
    node = get_visible_or_404(request.user, Node, pk=version.node_id)
    if node.scan_status == ScanStatus.INFECTED:
        current_blob = Version.objects.filter(pk=node.current_version_id).values_list(
            "blob_id", flat=True
        )
        if version.blob_id in list(current_blob):
            return _quarantined(request, node)
    return file_response(
        request,
        version.blob,
        filename=version_filename(node, version),
        mime_type=version.mime_type,
        inline=_wants_inline(request),
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def zip_folder(request: HttpRequest, pk: int) -> HttpResponse:
    """A folder and everything the person sees in it, as a zip streamed while it is made."""
    folder = get_visible_or_404(request.user, Node, pk=pk)
    if not folder.is_folder:
        raise Http404
    name = folder.name or _("Documents")
    response = archive.zip_response(folder, visible(request.user, Node), filename=f"{name}.zip")
    if request.method == "HEAD":
        response.streaming_content = iter(())  # the headers only: nothing read or zipped
    return response


# --- the plain upload form --------------------------------------------------------------------


class _DataDirUploadedFile(TemporaryUploadedFile):
    """A form upload spooled into the storage's ``tmp/`` folder (when it is a local directory):
    a request killed mid-way leaves its partial file where the maintenance collects it."""

    def __init__(
        self, name: str, content_type: str, size: int, charset: Any, extra: Any, folder: str
    ) -> None:
        file = tempfile.NamedTemporaryFile(suffix=".upload", dir=folder)
        UploadedFile.__init__(self, file, name, content_type, size, charset, extra)


class DataDirUploadHandler(TemporaryFileUploadHandler):
    """Every file of the form to disk (never in memory, whatever its size)."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        FileUploadHandler.new_file(self, *args, **kwargs)
        try:
            folder = default_storage.path(blobstore.TMP_PREFIX)
        except NotImplementedError:  # object storage: the system's temporary folder
            self.file = TemporaryUploadedFile(
                self.file_name, self.content_type, 0, self.charset, self.content_type_extra
            )
            return
        os.makedirs(folder, exist_ok=True)
        self.file = _DataDirUploadedFile(
            self.file_name, self.content_type, 0, self.charset, self.content_type_extra, folder
        )


def _back(request: HttpRequest, folder: Node) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("drive:folder", args=[folder.pk])
    return redirect(target)


def _why(error: Exception) -> str:
    if isinstance(error, services.QuotaExceeded):
        return " ".join(error.messages)
    if isinstance(error, blobstore.Incomplete):
        return _("l'envoi a été interrompu ; réessayez")
    if isinstance(error, ValidationError):
        return " ".join(error.messages).rstrip(".")
    if isinstance(error, PermissionDenied | Http404):
        return _("vous ne pouvez pas envoyer de fichier dans ce dossier")
    return _("il n'a pas pu être enregistré ; réessayez dans un moment")


@csrf_protect
def _upload_form(request: HttpRequest, pk: int) -> HttpResponse:
    folder = get_visible_or_404(request.user, Node, pk=pk)
    if not folder.is_folder:
        raise Http404
    require(request.user, "edit", folder)
    files = request.FILES.getlist("files")
    if not files:
        messages.error(request, _("Choisissez au moins un fichier à envoyer."))
        return _back(request, folder)
    sent: list[str] = []
    for upload in files:
        name = str(upload.name or "")
        try:
            node = services.upload_file(
                request.user, folder, name, upload.chunks(blobstore.CHUNK_SIZE), upload.size
            )
        except (ValidationError, PermissionDenied, Http404, blobstore.BlobError, OSError) as error:
            messages.error(
                request,
                _("« %(name)s » n'a pas été envoyé : %(reason)s.")
                % {"name": name[:255], "reason": _why(error).rstrip(".")},
            )
        else:
            sent.append(node.name)
        finally:
            upload.close()
    if sent:
        messages.success(
            request,
            ngettext(
                "%(count)s fichier envoyé : %(names)s.",
                "%(count)s fichiers envoyés : %(names)s.",
                len(sent),
            )
            % {"count": len(sent), "names": ", ".join(f"« {name} »" for name in sent)},
        )
    return _back(request, folder)


@csrf_exempt  # checked by _upload_form, once the upload handlers are set (Django's recipe)
@login_required
@require_POST
def upload_form(request: HttpRequest, pk: int) -> HttpResponse:
    """One or several files sent by the plain form of a folder (no JavaScript): each is stored
    in turn; those refused (quota, name…) are listed in the message, the others are kept."""
    request.upload_handlers = [DataDirUploadHandler(request)]
    return _upload_form(request, pk)


# --- the resumable protocol ----------------------------------------------------------------------


def _body(request: HttpRequest) -> Iterator[bytes]:
    while True:
        data = request.read(READ_SIZE)
        if not data:
            return
        yield data


def _tus(response: HttpResponse) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    return response


def _node_url(node: Node, link: PublicLink | None) -> str:
    if link is not None:
        return ""  # a drop never tells where the file went
    try:
        return reverse("drive:file", args=[node.pk])
    except NoReverseMatch:
        return ""


def _committed(response: HttpResponse, node: Node, link: PublicLink | None) -> HttpResponse:
    response["Entente-Node"] = str(node.pk)
    url = _node_url(node, link)
    if url:
        response["Entente-Node-Url"] = url
    return response


def _announce(
    request: HttpRequest, parent: Node | None, link: PublicLink | None, location: Callable
) -> HttpResponse:
    """``POST``: check everything, before any byte; 201 with the upload's address."""
    try:
        length = uploads.parse_length(request.headers.get("Upload-Length"))
        metadata = uploads.parse_metadata(request.headers.get("Upload-Metadata", ""))
        if parent is None:
            raw = metadata.get("parent", "")
            if not raw.isdigit():
                raise ValidationError(
                    _("Dossier de destination manquant ou invalide."), code="invalid_parent"
                )
            parent = get_visible_or_404(request.user, Node, pk=int(raw))
        result = uploads.create(
            request.user if link is None else None,
            parent,
            name=metadata.get("name", "") or metadata.get("filename", ""),
            length=length,
            relative_path=metadata.get("path", ""),
            link=link,
        )
    except (ValidationError, PermissionDenied, Http404, blobstore.BlobError, OSError) as error:
        return error_response(error)
    response = HttpResponse(status=201)
    response["Upload-Offset"] = "0"
    if isinstance(result, Node):  # an empty file: committed at once
        response["Location"] = location(None)
        response["Upload-Length"] = "0"
        return _tus(_committed(response, result, link))
    response["Location"] = location(result)
    response["Upload-Length"] = str(result.length)
    return _tus(response)


def _serve(
    request: HttpRequest, upload: Upload, actor: Any, link: PublicLink | None
) -> HttpResponse:
    """``HEAD``, ``PATCH``, ``DELETE`` on one upload."""
    if request.method == "HEAD":
        response = HttpResponse(status=200)
        response["Upload-Offset"] = str(upload.offset)
        response["Upload-Length"] = str(upload.length)
        return _tus(response)
    if request.method == "DELETE":
        uploads.abort(upload)
        return _tus(HttpResponse(status=204))
    if request.content_type != "application/offset+octet-stream":
        return _tus(
            error_json(
                "bad_content_type",
                _("Type de contenu attendu : application/offset+octet-stream."),
                415,
            )
        )
    try:
        offset = uploads.parse_length(request.headers.get("Upload-Offset"))
        row, node = uploads.append(upload, offset, _body(request), actor=actor)
    except (ValidationError, PermissionDenied, Http404, blobstore.BlobError, OSError) as error:
        response = error_response(error)
        if isinstance(error, uploads.OffsetMismatch):
            response["Upload-Offset"] = str(error.expected)
        return _tus(response)
    response = HttpResponse(status=204)
    if node is not None:
        response["Upload-Offset"] = str(row.length)
        return _tus(_committed(response, node, link))
    response["Upload-Offset"] = str(row.offset)
    return _tus(response)


def _signed_in(view: Callable) -> Callable:
    """The protocol answers JSON, never a redirect to the sign-in page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_active_user(request.user):
            return _tus(
                error_json(
                    "not_authenticated",
                    _("Votre session a pris fin : reconnectez-vous, puis recommencez l'envoi."),
                    403,
                )
            )
        return view(request, *args, **kwargs)

    return wrapper


def _gone() -> HttpResponse:
    return _tus(error_json("upload_gone", _("Cet envoi n'existe plus : recommencez-le."), 404))


@_signed_in
@require_http_methods(["POST"])
def upload_create(request: HttpRequest) -> HttpResponse:
    """``POST /documents/envois/``: announce a file (CSRF token in ``X-CSRFToken``)."""
    return _announce(
        request,
        None,
        None,
        lambda upload: (
            reverse("drive:upload", args=[upload.pk]) if upload else reverse("drive:uploads")
        ),
    )


@_signed_in
@require_http_methods(["HEAD", "PATCH", "DELETE"])
def upload_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    """One upload of the person signed in (anyone else's is "not found")."""
    try:
        upload = uploads.live(pk)
    except Http404:
        return _gone()
    if upload.user_id != request.user.pk or upload.link_id is not None:
        return _gone()
    return _serve(request, upload, request.user, None)


# --- the same through an upload link ---------------------------------------------------------


def _client(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _drop_link(request: HttpRequest, token: str) -> PublicLink | HttpResponse:
    """The upload link of ``token`` if it works and is unlocked, else the JSON refusal."""
    link = (
        PublicLink.objects.select_related("node__drive__organisation__policy")
        .filter(token=token, kind=LinkKind.UPLOAD)
        .first()
    )
    if link is None:
        return _tus(error_json("not_found", _("Ce lien de dépôt n'existe pas."), 404))
    organisation = link.node.drive.organisation
    allowed = organisation is None or organisation.policy.public_links_allowed
    if not allowed or not link.is_usable():
        return _tus(
            error_json(
                "link_gone",
                _("Ce lien de dépôt ne fonctionne plus (expiré ou révoqué)."),
                410,
            )
        )
    if not link.has_password or request.session.get(f"link-unlocked-{link.pk}") is True:
        return link
    tries_key = f"drive-link-password-{link.pk}-{_client(request)}"
    if cache.get(tries_key, 0) >= PASSWORD_TRIES:
        return _tus(
            error_json(
                "too_many_attempts",
                _("Trop d'essais de mot de passe : réessayez dans un quart d'heure."),
                429,
            )
        )
    given = request.headers.get(PASSWORD_HEADER, "")
    # sent raw, or percent-encoded UTF-8 (``encodeURIComponent``: a header carries no accent)
    if given and any(
        services.check_link_password(link, candidate)
        for candidate in dict.fromkeys([given, unquote(given)])
    ):
        return link
    if given:
        cache.add(tries_key, 0, PASSWORD_WINDOW)
        try:
            cache.incr(tries_key)
        except ValueError:
            cache.set(tries_key, 1, PASSWORD_WINDOW)
    return _tus(
        error_json(
            "password_required",
            _("Ce dépôt est protégé par un mot de passe : saisissez-le d'abord."),
            403,
        )
    )


@csrf_exempt  # no session to protect: only the link's token (and password) open it
@require_http_methods(["POST"])
def link_upload_create(request: HttpRequest, token: str) -> HttpResponse:
    """``POST /documents/depot/<token>/envois/``: a file dropped through an upload link, into
    the link's folder, never over another file."""
    link = _drop_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    return _announce(
        request,
        link.node,
        link,
        lambda upload: (
            reverse("drive:link_upload", args=[token, upload.pk])
            if upload
            else reverse("drive:link_uploads", args=[token])
        ),
    )


@csrf_exempt
@require_http_methods(["HEAD", "PATCH", "DELETE"])
def link_upload_detail(request: HttpRequest, token: str, pk: Any) -> HttpResponse:
    link = _drop_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    try:
        upload = uploads.live(pk)
    except Http404:
        return _gone()
    if upload.link_id != link.pk:
        return _gone()
    return _serve(request, upload, None, link)
