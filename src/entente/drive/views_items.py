"""Documents pages acting on items: a file's page (preview, details, versions), new folder,
rename, the bulk bar (move, copy, trash, download), the folder picker of « Déplacer » and
« Copier », and restoring or sending a version."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from entente.core.forms import attach_errors
from entente.core.permissions import abilities, can, get_visible_or_404, visible
from entente.drive import blobstore, services
from entente.drive.forms import BulkForm, FolderForm, NewVersionForm, RenameForm, parse_ids
from entente.drive.models import DriveKind, Node, NodeKind, Preview, ScanStatus, Version
from entente.drive.permissions import shared_roots
from entente.drive.views import (
    back_to,
    breadcrumbs,
    browse,
    describe,
    drive_label,
    folder_url,
    human_size,
    is_text,
    member_spaces,
    nav_key,
    remember_undo,
    side_nav,
    trashable,
    url_or_blank,
)
from entente.drive.views_sharing import access_context
from entente.drive.views_transfer import DataDirUploadHandler

#: the beginning of a text file shown in its page
TEXT_PREVIEW_BYTES = 200 * 1024


def _errors(error: Exception) -> str:
    return " ".join(getattr(error, "messages", None) or [str(error)])


# --- a file's page ----------------------------------------------------------------------------


def text_preview(node: Node) -> tuple[str, bool]:
    """The first 200 KB of a text file (shown escaped), and whether there is more."""
    version = node.current_version
    if version is None or not version.blob.size:
        return "", False
    blob = version.blob
    try:
        data = b"".join(blobstore.read(blob, 0, min(blob.size, TEXT_PREVIEW_BYTES) - 1))
    except OSError:
        return "", False
    return data.decode("utf-8", errors="replace"), blob.size > TEXT_PREVIEW_BYTES


def _preview_url(node: Node) -> str:
    url = url_or_blank("preview", node.pk)
    if not url or node.current_version_id is None:
        return ""
    ready = Preview.objects.filter(
        blob_id=node.current_version.blob_id, state="ready", image__isnull=False
    ).exists()
    return url if ready else ""


@login_required
def file_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    node = get_visible_or_404(user, Node, pk=pk)
    if node.is_folder:
        return redirect(folder_url(node, user))
    node = (
        Node.objects.select_related(
            "current_version__blob", "created_by", "modified_by", "parent", "drive__space"
        )
        .filter(pk=node.pk)
        .get()
    )
    node.icon, node.type_label = describe(node)
    node.size_text = human_size(node.size)
    rights = abilities(user, node, seen=True)
    infected = node.scan_status == ScanStatus.INFECTED
    text, truncated = ("", False)
    if is_text(node) and not infected:
        text, truncated = text_preview(node)
    versions = list(node.versions.select_related("created_by").order_by("-number"))
    for version in versions:
        version.download_url = url_or_blank("version_download", version.pk)
        version.is_current = version.pk == node.current_version_id
        version.size_text = human_size(version.size)
    parent_visible = can(user, "view", node.parent)
    return render(
        request,
        "drive/file.html",
        {
            "node": node,
            "abilities": rights,
            "crumbs": breadcrumbs(user, node),
            "parent_url": folder_url(node.parent, user) if parent_visible else "",
            "download_url": url_or_blank("download", node.pk),
            "preview_url": "" if infected else _preview_url(node),
            "text": text,
            "truncated": truncated,
            "is_pdf": node.mime_type == "application/pdf",
            "is_image": node.mime_type.startswith("image/"),
            "infected": infected,
            "versions": versions,
            "version_form": NewVersionForm(),
            "can_new_version": rights["edit"],
            "resumable_version": rights["edit"] and can(user, "edit", node.parent),
            **access_context(request, node, rights),
            **side_nav(user, nav_key(node.drive, user)),
        },
    )


@csrf_exempt  # checked by _new_version, once the upload handlers are set (Django's recipe)
@login_required
@require_POST
def new_version(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a new version of a file without JavaScript (the file keeps its name); the bytes
    are spooled to the storage's temporary folder, never held in memory."""
    request.upload_handlers = [DataDirUploadHandler(request)]
    return _new_version(request, pk)


@csrf_protect
def _new_version(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    node = get_visible_or_404(user, Node, pk=pk, kind=NodeKind.FILE)
    page = reverse("drive:file", args=[node.pk])
    form = NewVersionForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _errors(ValidationError(list(form.errors.get("file", [])))))
        return redirect(page)
    upload = form.cleaned_data["file"]
    try:
        services.upload_file(
            user, node.parent, node.name, upload.chunks(blobstore.CHUNK_SIZE), upload.size
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _errors(error))
        return redirect(page)
    except (blobstore.BlobError, OSError):
        messages.error(request, _("L'envoi n'a pas abouti : réessayez."))
        return redirect(page)
    finally:
        upload.close()
    messages.success(
        request, _("Nouvelle version de « %(name)s » enregistrée.") % {"name": node.name}
    )
    return redirect(page)


@login_required
@require_POST
def restore_version(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    version = Version.objects.filter(pk=pk).select_related("node").first()
    if version is None:
        raise Http404
    node = get_visible_or_404(user, Node, pk=version.node_id)
    version.node = node
    try:
        restored = services.restore_version(user, version)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _errors(error))
    else:
        messages.success(
            request,
            _(
                "La version %(old)s est rétablie : elle devient la version %(new)s "
                "(les autres versions restent dans l'historique)."
            )
            % {"old": version.number, "new": restored.number},
        )
    return redirect(reverse("drive:file", args=[node.pk]) + "#versions")


# --- folders and names ------------------------------------------------------------------------


@login_required
@require_POST
def new_folder(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    parent = get_visible_or_404(user, Node, pk=pk, kind=NodeKind.FOLDER)
    form = FolderForm(request.POST, prefix="nouveau")
    if form.is_valid():
        try:
            created = services.create_folder(user, parent, form.cleaned_data["name"])
        except PermissionDenied:
            raise
        except ValidationError as error:
            attach_errors(form, ValidationError({"name": error.messages}))
        else:
            messages.success(
                request, _("Le dossier « %(name)s » est créé.") % {"name": created.name}
            )
            return redirect(folder_url(parent, user))
    return browse(request, parent, nav_key(parent.drive, user), folder_form=form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def rename(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    node = get_visible_or_404(user, Node, pk=pk)
    if not can(user, "delete", node):  # a drive's root has no name; readers change nothing
        raise PermissionDenied
    old = node.name
    form = RenameForm(request.POST or None, initial={"name": node.name})
    fallback = folder_url(node.parent, user) if can(user, "view", node.parent) else ""
    if request.method == "POST" and form.is_valid():
        try:
            services.rename(user, node, form.cleaned_data["name"])
        except ValidationError as error:
            attach_errors(form, ValidationError({"name": error.messages}))
        else:
            messages.success(
                request,
                _("« %(old)s » s'appelle maintenant « %(new)s ».") % {"old": old, "new": node.name},
            )
            return redirect(back_to(request, fallback or reverse("drive:file", args=[node.pk])))
    node.icon, node.type_label = describe(node)
    return render(
        request,
        "drive/rename.html",
        {
            "node": node,
            "old_name": old,
            "form": form,
            "cancel_url": back_to(request, fallback or reverse("drive:shared")),
            "next": back_to(request, ""),
            **side_nav(user, nav_key(node.drive, user)),
        },
    )


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Send one item to the trash from its own page; the next page offers « Annuler »."""
    user = request.user
    node = get_visible_or_404(user, Node, pk=pk)
    parent = node.parent
    if parent is None:
        raise PermissionDenied
    services.trash(user, node)
    remember_undo(request, [node])
    if can(user, "view", parent):
        return redirect(folder_url(parent, user))
    return redirect("drive:shared")


# --- the bulk bar ------------------------------------------------------------------------------


def _picker_url(ids: list[int], mode: str, within: int) -> str:
    query = urlencode({"ids": ids, "mode": mode, "dans": within}, doseq=True)
    return f"{reverse('drive:pick')}?{query}"


@login_required
@require_POST
def bulk(request: HttpRequest, pk: int) -> HttpResponse:
    """The ticked items of a folder: move, copy, to the trash, download."""
    user = request.user
    folder = get_visible_or_404(user, Node, pk=pk, kind=NodeKind.FOLDER)
    here = back_to(request, folder_url(folder, user))
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or _("Action inconnue."))
        return redirect(here)
    action, ids = form.cleaned_data["action"], form.cleaned_data["ids"]
    nodes = trashable(user, folder, ids)
    if action in {"move", "copy"}:
        return redirect(_picker_url(ids, action, folder.pk))
    if action == "download":
        return _download(request, nodes, here)
    try:
        with transaction.atomic():
            for node in nodes:
                services.trash(user, node)
    except PermissionDenied:
        messages.error(
            request,
            _("Vous ne pouvez pas supprimer ces éléments : rien n'a été mis à la corbeille."),
        )
        return redirect(here)
    remember_undo(request, nodes)
    return redirect(here)


def _download(request: HttpRequest, nodes: list[Node], here: str) -> HttpResponse:
    if len(nodes) == 1:
        node = nodes[0]
        url = url_or_blank("zip" if node.is_folder else "download", node.pk)
        if url:
            return redirect(url)
    messages.error(
        request,
        _(
            "Le téléchargement de plusieurs éléments à la fois n'est pas disponible : "
            "téléchargez le dossier entier (zip) ou chaque élément séparément."
        ),
    )
    return redirect(here)


# --- « Déplacer » and « Copier »: the folder picker -------------------------------------------


def editable_places(user: Any) -> list[dict[str, Any]]:
    """The tops of every tree the person may add to."""
    places: list[dict[str, Any]] = []
    if not user.is_guest:
        places.append({"label": _("Mes documents"), "node": services.personal_drive(user).root})
    for space in member_spaces(user):
        if can(user, "contribute", space):
            places.append(
                {
                    "label": _("Espace « %(name)s »") % {"name": space.name},
                    "node": services.space_drive(space).root,
                }
            )
    if user.organisation_id and not user.is_guest:
        drive = services.organisation_drive(user.organisation)
        if can(user, "edit", drive):
            places.append({"label": _("Dossiers de l'organisation"), "node": drive.root})
    for node in (
        shared_roots(user)
        .filter(kind=NodeKind.FOLDER)
        .exclude(drive__kind=DriveKind.PERSONAL, drive__user=user)
        .order_by("name_key")[:50]
    ):
        if can(user, "edit", node):
            places.append({"label": node.name, "node": node})
    return places


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def pick(request: HttpRequest) -> HttpResponse:
    """Choose where to move or copy items: browse to a folder, then « Déplacer ici »."""
    user = request.user
    data = request.POST if request.method == "POST" else request.GET
    mode = data.get("mode", "")
    ids = parse_ids(data.getlist("ids"))
    if mode not in {"move", "copy"} or not ids:
        raise Http404
    nodes = list(visible(user, Node).filter(pk__in=ids).select_related("parent", "drive"))
    if len(nodes) != len(ids):
        raise Http404
    places = editable_places(user)
    within_id = parse_ids([data.get("dans", "")])
    if within_id:
        within = get_visible_or_404(user, Node, pk=within_id[0], kind=NodeKind.FOLDER)
    elif can(user, "view", nodes[0].parent):
        within = nodes[0].parent
    elif places:  # an item shared alone: its folder is not the person's to see
        within = places[0]["node"]
    else:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            with transaction.atomic():
                for node in nodes:
                    if mode == "move":
                        services.move(user, node, within)
                    else:
                        services.copy(user, node, within)
        except (ValidationError, PermissionDenied) as problem:
            error = _errors(problem) or _("Vous n'avez pas le droit de faire cette action.")
        else:
            where = drive_label(within.drive, user) if within.is_root else within.name
            text = (
                ngettext(
                    "%(count)s élément déplacé dans « %(folder)s ».",
                    "%(count)s éléments déplacés dans « %(folder)s ».",
                    len(nodes),
                )
                if mode == "move"
                else ngettext(
                    "%(count)s élément copié dans « %(folder)s ».",
                    "%(count)s éléments copiés dans « %(folder)s ».",
                    len(nodes),
                )
            )
            messages.success(request, text % {"count": len(nodes), "folder": where})
            return redirect(folder_url(within, user))
    inside_moved = any(within.path.startswith(node.path) for node in nodes)
    may_add = can(user, "edit", within)
    subfolders = list(
        Node.objects.filter(parent=within, kind=NodeKind.FOLDER, deleted_at__isnull=True)
        .exclude(pk__in=ids)
        .order_by("name_key")
    )
    base = {"ids": ids, "mode": mode}
    for sub in subfolders:
        sub.pick_url = f"{reverse('drive:pick')}?{urlencode({**base, 'dans': sub.pk}, doseq=True)}"
    for place in places:
        place["url"] = (
            f"{reverse('drive:pick')}?{urlencode({**base, 'dans': place['node'].pk}, doseq=True)}"
        )
        place["current"] = place["node"].pk == within.pk
    crumbs = breadcrumbs(
        user,
        within,
        link=lambda n: f"{reverse('drive:pick')}?{urlencode({**base, 'dans': n.pk}, doseq=True)}",
    )
    for node in nodes:
        node.icon, node.type_label = describe(node)
    within_label = drive_label(within.drive, user) if within.is_root else within.name
    return render(
        request,
        "drive/pick.html",
        {
            "nodes": nodes,
            "mode": mode,
            "within": within,
            "within_label": within_label,
            "crumbs": crumbs,
            "subfolders": subfolders,
            "places": places,
            "may_target": may_add and not (mode == "move" and inside_moved),
            "inside_moved": inside_moved,
            "may_add": may_add,
            "error": error,
            "cancel_url": folder_url(nodes[0].parent, user)
            if can(user, "view", nodes[0].parent)
            else reverse("drive:shared"),
            **side_nav(user, nav_key(within.drive, user)),
        },
        status=400 if error else 200,
    )
