"""The pages a public link opens, for anyone, without an account (namespace
``public_link``, mounted at ``/p/``): its password form, a file, a folder's listing with
navigation inside it, downloads counted against the link's limit, thumbnails, and the drop
page of an upload link.

A public page never tells a stranger more than "this link does not exist" or "it no longer
works / has expired"; it never leaves the shared item's subtree, never shows what a drop
folder holds, and every answer carries ``Referrer-Policy: same-origin`` (the token in the address never
reaches another site; forms keep Django's CSRF check, which needs the Origin) and
``X-Robots-Tag: noindex``. A link protected by a password is unlocked for the browser's
session under ``link-unlocked-<id>`` (the resumable upload endpoint of helper TRANSFER reads
the same key).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from entente.audit.services import client_ip
from entente.drive import blobstore, services
from entente.drive.archive import zip_response
from entente.drive.models import LinkKind, Node, NodeKind, Preview, PublicLink, ScanStatus
from entente.drive.transfer import file_response
from entente.drive.views_links import owner_policy

#: wrong passwords accepted per link and address before the form is closed for a while
PASSWORD_ATTEMPTS = 10
PASSWORD_WINDOW_SECONDS = 15 * 60


class _Gone(Exception):
    """The link cannot be used: ``status`` 404 (unknown) or 410 (expired, revoked, used up)."""

    def __init__(self, status: int = 410, expired: bool = False) -> None:
        super().__init__(status)
        self.status = status
        self.expired = expired


class _NotHere(Exception):
    """An item that is not (or no longer) inside what the link shares."""


def unlock_key(link: PublicLink) -> str:
    return f"link-unlocked-{link.pk}"


def _usable_link(token: str) -> PublicLink:
    link = (
        PublicLink.objects.select_related("node__drive__organisation__policy")
        .filter(token=token)
        .first()
    )
    if link is None:
        raise _Gone(404)
    policy = owner_policy(link.node)
    if link.revoked_at is not None or (policy is not None and not policy.public_links_allowed):
        raise _Gone()
    if link.expires_at <= timezone.now():
        raise _Gone(expired=True)
    if not link.is_usable():
        raise _Gone()
    return link


def _protect(response: HttpResponse) -> HttpResponse:
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


def _context(link: PublicLink | None, **extra: Any) -> dict:
    if link is None:
        return extra
    remaining = (
        None if link.max_downloads is None else max(0, link.max_downloads - link.download_count)
    )
    return {"link": link, "owner": link.node.drive.organisation, "remaining": remaining, **extra}


def _gone_page(request: HttpRequest, gone: _Gone) -> HttpResponse:
    return render(
        request,
        "drive/public/gone.html",
        {"expired": gone.expired, "unknown": gone.status == 404},
        status=gone.status,
    )


def public_view(
    kind: str | None = None, *, unlocks: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Decorate a public page: resolve the token into a usable link (of ``kind`` when given),
    ask its password first (``unlocks``: the page receiving the password form), and mark the
    answer as private, unindexed and without referrer."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
            link = None
            try:
                link = _usable_link(token)
                if kind is not None and link.kind != kind:
                    raise _Gone(404)
                if unlocks and request.method == "POST":
                    response = _unlock(request, link)
                elif link.has_password and not request.session.get(unlock_key(link)):
                    response = _password_page(request, link)
                else:
                    response = view(request, link, *args, **kwargs)
            except _Gone as gone:
                response = _gone_page(request, gone)
            except _NotHere:
                response = render(request, "drive/public/not_here.html", _context(link), status=404)
            return _protect(response)

        return wrapper

    return decorator


def _password_page(request: HttpRequest, link: PublicLink, error: str = "", status: int = 200):
    return render(
        request,
        "drive/public/password.html",
        _context(link, error=error, next_url=_next_url(request, link)),
        status=status,
    )


def _attempts_key(request: HttpRequest, link: PublicLink) -> str:
    return f"link-password:{link.pk}:{client_ip(request) or '-'}"


def _unlock(request: HttpRequest, link: PublicLink) -> HttpResponse:
    """Check the password typed for ``link``; a wrong one counts against this address."""
    key = _attempts_key(request, link)
    if (cache.get(key) or 0) >= PASSWORD_ATTEMPTS:
        return _password_page(
            request,
            link,
            _(
                "Trop d'essais de mot de passe : ce lien est bloqué pour vous pendant "
                "15 minutes. Réessayez plus tard, ou demandez le mot de passe à la personne "
                "qui vous a envoyé le lien."
            ),
            status=429,
        )
    if not services.check_link_password(link, request.POST.get("password", "")):
        cache.add(key, 0, PASSWORD_WINDOW_SECONDS)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, PASSWORD_WINDOW_SECONDS)
        return _password_page(
            request,
            link,
            _("Mot de passe incorrect : vérifiez-le (majuscules comprises) et réessayez."),
        )
    request.session[unlock_key(link)] = True
    return redirect(_next_url(request, link))


def _next_url(request: HttpRequest, link: PublicLink) -> str:
    """Where to go once the password is given: the page of this link that asked for it (a
    form sent back keeps it), never anywhere else."""
    prefix = reverse("public_link:open", args=[link.token])
    target = request.POST.get("next", "") if request.method == "POST" else request.get_full_path()
    if not target.startswith(prefix) or ".." in target or "\\" in target or "//" in target:
        return prefix
    return target


def _in_link(link: PublicLink, pk: int, kind: str) -> Node:
    """An item of kind ``kind`` inside the shared subtree, alive; else ``_NotHere``."""
    node = (
        Node.objects.filter(
            pk=pk, kind=kind, path__startswith=link.node.path, deleted_at__isnull=True
        )
        .select_related("current_version__blob")
        .first()
    )
    if node is None:
        raise _NotHere
    return node


def _trail(link: PublicLink, folder: Node) -> list[Node]:
    """The folders from the shared one down to ``folder`` (never above the shared one)."""
    ids = folder.ancestor_ids
    ids = ids[ids.index(link.node_id) :]
    by_id = Node.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def _folder_page(request: HttpRequest, link: PublicLink, folder: Node) -> HttpResponse:
    children = list(
        folder.children.filter(deleted_at__isnull=True).order_by("-kind", "name_key")
    )  # "folder" sorts after "file": descending puts folders first
    return render(
        request,
        "drive/public/folder.html",
        _context(
            link,
            folder=folder,
            trail=_trail(link, folder),
            folders=[node for node in children if node.is_folder],
            files=[node for node in children if not node.is_folder],
            zip_url=_zip_url(link) if folder.pk == link.node_id else "",
        ),
    )


def _has_preview(node: Node) -> bool:
    version = node.current_version
    return bool(
        version
        and Preview.objects.filter(
            blob_id=version.blob_id, state="ready", image__isnull=False
        ).exists()
    )


def _file_page(request: HttpRequest, link: PublicLink, node: Node) -> HttpResponse:
    return render(
        request,
        "drive/public/file.html",
        _context(
            link,
            file=node,
            quarantined=node.scan_status == ScanStatus.INFECTED,
            has_preview=_has_preview(node),
            type_label=type_label(node.mime_type, node.name),
        ),
    )


def _drop_page(request: HttpRequest, link: PublicLink) -> HttpResponse:
    try:
        uploads_url = reverse("drive:link_uploads", args=[link.token])
    except NoReverseMatch:  # the resumable protocol is not mounted: the plain form does it all
        uploads_url = ""
    return render(request, "drive/public/drop.html", _context(link, uploads_url=uploads_url))


@require_http_methods(["GET", "HEAD", "POST"])
@public_view(unlocks=True)
def open_link(request: HttpRequest, link: PublicLink) -> HttpResponse:
    """What a link opens (once its password is given): the file, the folder or the drop
    page."""
    if link.kind == LinkKind.UPLOAD:
        return _drop_page(request, link)
    node = Node.objects.select_related("current_version").get(pk=link.node_id)
    if node.is_folder:
        return _folder_page(request, link, node)
    return _file_page(request, link, node)


@require_http_methods(["GET", "HEAD"])
@public_view(LinkKind.READ)
def folder(request: HttpRequest, link: PublicLink, pk: int) -> HttpResponse:
    return _folder_page(request, link, _in_link(link, pk, NodeKind.FOLDER))


@require_http_methods(["GET", "HEAD"])
@public_view(LinkKind.READ)
def download(request: HttpRequest, link: PublicLink, pk: int) -> HttpResponse:
    """One file of the link, counted against its download limit (atomically)."""
    node = _in_link(link, pk, NodeKind.FILE)
    if node.scan_status == ScanStatus.INFECTED or node.current_version is None:
        raise _NotHere
    if request.method == "GET" and not services.count_download(link):
        raise _Gone()
    return file_response(request, node)


def _zip_url(link: PublicLink) -> str:
    try:
        return reverse("public_link:zip", args=[link.token])
    except NoReverseMatch:
        return ""


@require_http_methods(["GET"])
@public_view(LinkKind.READ)
def zip_folder(request: HttpRequest, link: PublicLink) -> HttpResponse:
    """The whole shared folder as one streamed zip (counted as one download); what the
    antivirus blocked is left out."""
    folder = link.node
    if not folder.is_folder:
        raise _NotHere
    if not services.count_download(link):
        raise _Gone()
    subtree = Node.objects.filter(path__startswith=folder.path, deleted_at__isnull=True)
    return zip_response(folder, subtree)


@require_http_methods(["GET", "HEAD"])
@public_view(LinkKind.READ)
def preview(request: HttpRequest, link: PublicLink, pk: int) -> HttpResponse:
    """The thumbnail (PNG) of a file of the link; not a download, so not counted."""
    node = _in_link(link, pk, NodeKind.FILE)
    if node.scan_status == ScanStatus.INFECTED or node.current_version is None:
        raise _NotHere
    row = (
        Preview.objects.filter(blob_id=node.current_version.blob_id, state="ready")
        .select_related("image")
        .first()
    )
    if row is None or row.image is None:
        raise _NotHere
    return file_response(
        request, row.image, filename=f"{node.name}.png", mime_type="image/png", inline=True
    )


def _drop_error(name: str, error: Exception) -> str:
    code = getattr(error, "code", "")
    if code == "quota_exceeded":
        reason = _(
            "il n'y a plus assez de place dans ce dépôt ; prévenez la personne qui vous a "
            "envoyé le lien"
        )
    elif isinstance(error, blobstore.Incomplete):
        reason = _("l'envoi a été interrompu ; réessayez")
    elif isinstance(error, ValidationError):
        reason = " ".join(error.messages).rstrip(".")
    else:
        reason = _("il n'a pas pu être enregistré ; réessayez")
    return _("« %(name)s » n'a pas été déposé : %(reason)s.") % {"name": name, "reason": reason}


@require_POST
@public_view(LinkKind.UPLOAD)
def drop(request: HttpRequest, link: PublicLink) -> HttpResponse:
    """Files sent by the drop page without JavaScript: each stored under a free name, never
    over another file; only the names sent are echoed, never what the folder holds."""
    files = request.FILES.getlist("fichiers")
    if not files:
        messages.error(request, _("Choisissez au moins un fichier à déposer."))
        return redirect("public_link:open", token=link.token)
    dropped: list[str] = []
    for upload in files:
        name = str(upload.name or "")[:300]
        try:
            services.upload_file(None, link.node, name, upload.chunks(), upload.size, link=link)
        except (ValidationError, blobstore.BlobError) as error:
            messages.error(request, _drop_error(name, error))
        else:
            dropped.append(name)
    if dropped:
        messages.success(
            request,
            ngettext(
                "%(count)s fichier déposé : %(names)s. Merci !",
                "%(count)s fichiers déposés : %(names)s. Merci !",
                len(dropped),
            )
            % {"count": len(dropped), "names": ", ".join(f"« {n} »" for n in dropped)},
        )
    return redirect("public_link:open", token=link.token)


TYPE_LABELS = {
    "application/pdf": gettext_lazy("Document PDF"),
    "text/plain": gettext_lazy("Texte"),
    "text/csv": gettext_lazy("Tableau (CSV)"),
    "application/zip": gettext_lazy("Archive ZIP"),
    "application/vnd.oasis.opendocument.text": gettext_lazy("Texte OpenDocument"),
    "application/vnd.oasis.opendocument.spreadsheet": gettext_lazy("Tableur OpenDocument"),
    "application/vnd.oasis.opendocument.presentation": gettext_lazy("Présentation OpenDocument"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": gettext_lazy(
        "Document Word"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": gettext_lazy(
        "Classeur Excel"
    ),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": gettext_lazy(
        "Présentation PowerPoint"
    ),
}


def type_label(mime_type: str, name: str = "") -> str:
    """The kind of a file in plain words (« Image PNG », « Document PDF »)."""
    if mime_type in TYPE_LABELS:
        return str(TYPE_LABELS[mime_type])
    family, _sep, sub = mime_type.partition("/")
    if family == "image":
        return _("Image %(format)s") % {"format": sub.split("+")[0].upper()}
    if family == "video":
        return _("Vidéo")
    if family == "audio":
        return _("Son")
    extension = name.rpartition(".")[2].upper() if "." in name else ""
    return _("Fichier %(ext)s") % {"ext": extension} if extension else _("Fichier")
