"""Documents pages: the drive browser (my documents, a space's, the organisation's folders,
any folder), « Partagé avec moi » and the trash, with the helpers every documents page shares
(side navigation, quota bars, breadcrumbs, file type labels)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from entente.core.permissions import abilities, can, get_visible_or_404, visible
from entente.drive import services
from entente.drive.forms import BULK_ACTIONS, FolderForm, parse_ids
from entente.drive.models import (
    Drive,
    DriveKind,
    Node,
    Preview,
    ScanStatus,
    ShareRole,
)
from entente.drive.permissions import (
    node_role,
    role_abilities,
    shared_roots,
    strongest,
    trash_visible,
)
from entente.drive.permissions import share_role as share_role_of
from entente.spaces.models import Space
from entente.spaces.permissions import member_space_ids

VIEW_COOKIE = "entente_documents_vue"
VIEWS = {"liste", "grille"}
SORTS = {"nom": ("name_key",), "date": ("modified_at",), "taille": ("size",)}
UNDO_KEY = "drive_undo"


def url_or_blank(name: str, *args: Any) -> str:
    """The URL of a documents route, or "" while the module serving it is not mounted."""
    try:
        return reverse(f"drive:{name}", args=args)
    except NoReverseMatch:
        return ""


def back_to(request: HttpRequest, fallback: str) -> str:
    """The ``next`` address of a form when it stays on this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- what a file is ---------------------------------------------------------------------------

_OFFICE = {
    "wordprocessing": ("doc", gettext_lazy("Document texte")),
    "opendocument.text": ("doc", gettext_lazy("Document texte")),
    "msword": ("doc", gettext_lazy("Document texte")),
    "spreadsheet": ("sheet", gettext_lazy("Tableur")),
    "ms-excel": ("sheet", gettext_lazy("Tableur")),
    "presentation": ("slides", gettext_lazy("Présentation")),
    "ms-powerpoint": ("slides", gettext_lazy("Présentation")),
}
_ARCHIVES = {
    "application/zip",
    "application/gzip",
    "application/x-7z-compressed",
    "application/vnd.rar",
}


def describe(node: Node) -> tuple[str, str]:
    """The icon and the plain words for what ``node`` is (« Dossier », « Document PDF »…)."""
    if node.is_folder:
        return "folder", _("Dossier")
    mime = node.mime_type or ""
    if mime == "application/pdf":
        return "pdf", _("Document PDF")
    if mime.startswith("image/"):
        return "image", _("Image")
    if mime.startswith("audio/"):
        return "audio", _("Son")
    if mime.startswith("video/"):
        return "video", _("Vidéo")
    if mime in _ARCHIVES:
        return "archive", _("Archive compressée")
    if mime == "text/csv":
        return "sheet", _("Tableau (CSV)")
    for marker, (icon, label) in _OFFICE.items():
        if marker in mime:
            return icon, str(label)
    if mime.startswith("text/") or mime in {"application/json", "application/xml"}:
        return "text", _("Texte")
    return "file", _("Fichier")


def is_text(node: Node) -> bool:
    mime = node.mime_type or ""
    return mime.startswith("text/") or mime in {"application/json", "application/xml"}


_UNITS = [
    gettext_lazy("%(size)s Ko"),
    gettext_lazy("%(size)s Mo"),
    gettext_lazy("%(size)s Go"),
    gettext_lazy("%(size)s To"),
]


def human_size(size: int) -> str:
    """A size as people read it: « 820 octets », « 1,5 Mo », « 10 Go »."""
    if size < 1024:
        return ngettext("%(size)s octet", "%(size)s octets", size) % {"size": size}
    value = float(size)
    for unit in _UNITS:
        value /= 1024
        if value < 1024 or unit is _UNITS[-1]:
            break
    decimals = 1 if value < 10 and value != int(value) else 0
    return str(unit) % {"size": number_format(round(value, decimals), decimals)}


def person_name(user: Any) -> str:
    if user is None:
        return _("quelqu'un sans compte (lien de dépôt)")
    return user.get_full_name() or user.email


# --- drives, places and the side navigation --------------------------------------------------


def drive_label(drive: Drive, user: Any) -> str:
    if drive.kind == DriveKind.PERSONAL:
        if drive.user_id == user.pk:
            return _("Mes documents")
        return _("Documents — %(person)s") % {"person": person_name(drive.user)}
    if drive.kind == DriveKind.SPACE:
        return _("Espace « %(name)s »") % {"name": drive.space.name}
    if drive.organisation_id == user.organisation_id:
        return _("Dossiers de l'organisation")
    return _("Dossiers de %(org)s") % {"org": drive.organisation}


def nav_key(drive: Drive, user: Any) -> str:
    """Which entry of the side navigation a folder of ``drive`` belongs to."""
    if drive.kind == DriveKind.PERSONAL and drive.user_id == user.pk:
        return "home"
    if drive.kind == DriveKind.SPACE and can(user, "view_content", drive.space):
        return f"space-{drive.space_id}"
    if drive.kind == DriveKind.ORGANISATION and drive.organisation_id == user.organisation_id:
        return "organisation" if not user.is_guest else "shared"
    return "shared"


def folder_url(node: Node, user: Any) -> str:
    """Where a folder opens: a drive's root has the address of its place."""
    if node.is_root:
        drive = node.drive
        if drive.kind == DriveKind.PERSONAL and drive.user_id == user.pk:
            return reverse("drive:home")
        if drive.kind == DriveKind.SPACE:
            return reverse("drive:space", args=[drive.space_id])
        if drive.kind == DriveKind.ORGANISATION and drive.organisation_id == user.organisation_id:
            return reverse("drive:organisation")
    return reverse("drive:folder", args=[node.pk])


def node_url(node: Node, user: Any) -> str:
    if node.is_folder:
        return folder_url(node, user)
    return reverse("drive:file", args=[node.pk])


def member_spaces(user: Any) -> Any:
    return visible(user, Space).filter(pk__in=member_space_ids(user)).order_by("name")


def quota_bar(quota: services.Quota | None) -> dict[str, Any] | None:
    if quota is None or not quota.limit:
        return None
    return {
        "used": quota.used,
        "limit": quota.limit,
        "percent": quota.percent,
        "used_text": human_size(quota.used),
        "limit_text": human_size(quota.limit),
        "low": int(quota.limit * 0.75),
        "high": int(quota.limit * 0.9),
        "full": quota.used >= quota.limit * 0.9,
    }


def side_nav(user: Any, current: str) -> dict[str, Any]:
    """Context of the side navigation of every documents page."""
    places = []
    if not user.is_guest:
        places.append({"key": "home", "label": _("Mes documents"), "url": reverse("drive:home")})
    places.append({"key": "shared", "label": _("Partagé avec moi"), "url": reverse("drive:shared")})
    if user.organisation_id and not user.is_guest:
        places.append(
            {
                "key": "organisation",
                "label": _("Dossiers de l'organisation"),
                "url": reverse("drive:organisation"),
            }
        )
    spaces = [
        {
            "key": f"space-{space.pk}",
            "label": space.name,
            "url": reverse("drive:space", args=[space.pk]),
        }
        for space in member_spaces(user)
    ]
    organisation = user.organisation if user.organisation_id else None
    admin = bool(organisation and can(user, "manage_people", organisation))
    return {
        "nav_places": places,
        "nav_spaces": spaces,
        "nav_current": current,
        "nav_trash_url": reverse("drive:trash"),
        "my_quota": quota_bar(services.person_quota(user)) if not user.is_guest else None,
        "org_quota": quota_bar(services.organisation_quota(organisation)) if admin else None,
        "org_name": organisation.name if organisation else "",
    }


def breadcrumbs(
    user: Any, node: Node, link: Callable[[Node], str] | None = None
) -> list[dict[str, str]]:
    """From the top the person can see down to ``node`` (itself last, without a link);
    ``link`` gives each folder's address (its page by default)."""
    ids = node.ancestor_ids
    seen = set(visible(user, Node).filter(pk__in=ids).values_list("pk", flat=True))
    nodes = Node.objects.filter(pk__in=seen).select_related("drive__space", "drive__user")
    by_id = {n.pk: n for n in nodes}
    crumbs: list[dict[str, str]] = []
    if ids and ids[0] not in seen:
        crumbs.append({"label": _("Partagé avec moi"), "url": reverse("drive:shared")})
    for pk in ids:
        if pk not in by_id:
            continue
        item = by_id[pk]
        label = drive_label(item.drive, user) if item.is_root else item.name
        url = (link(item) if link else node_url(item, user)) if pk != node.pk else ""
        crumbs.append({"label": label, "url": url})
    return crumbs


# --- the drive browser -----------------------------------------------------------------------


def _sorting(request: HttpRequest) -> tuple[str, str]:
    sort = request.GET.get("tri", "nom")
    order = request.GET.get("ordre", "asc")
    return (sort if sort in SORTS else "nom"), (order if order in {"asc", "desc"} else "asc")


def _view_mode(request: HttpRequest) -> tuple[str, bool]:
    asked = request.GET.get("vue", "")
    if asked in VIEWS:
        return asked, True
    saved = request.COOKIES.get(VIEW_COOKIE, "")
    return (saved if saved in VIEWS else "liste"), False


def list_children(user: Any, folder: Node, sort: str, order: str) -> list[Node]:
    """The live items of ``folder``, folders first, each with ``icon``, ``type_label``,
    ``abilities`` and ``preview`` (the address of its thumbnail when one is ready)."""
    keys = SORTS[sort]
    ordering = ["-kind", *(f"-{k}" if order == "desc" else k for k in keys), "name_key"]
    children = list(
        Node.objects.filter(parent=folder, deleted_at__isnull=True)
        .select_related("modified_by", "current_version")
        .annotate(share_count=Count("shares", distinct=True))
        .order_by(*ordering)
    )
    folder_role = node_role(user, folder)
    previews: set[str] = set()
    preview_base = url_or_blank("preview", 0)
    blob_ids = [c.current_version.blob_id for c in children if c.current_version_id]
    if preview_base and blob_ids:
        previews = set(
            Preview.objects.filter(
                blob_id__in=blob_ids, state="ready", image__isnull=False
            ).values_list("blob_id", flat=True)
        )
    for child in children:
        own = None
        if child.share_count and folder_role != ShareRole.MANAGER:
            own = share_role_of(user, child)  # a share on the item itself may give more
        child.abilities = role_abilities(strongest(folder_role, own), is_root=False)
        child.icon, child.type_label = describe(child)
        child.size_text = human_size(child.size)
        child.url = (
            reverse("drive:folder", args=[child.pk])
            if child.is_folder
            else reverse("drive:file", args=[child.pk])
        )
        child.preview = (
            url_or_blank("preview", child.pk)
            if child.current_version_id
            and child.current_version.blob_id in previews
            and child.scan_status != ScanStatus.INFECTED
            else ""
        )
    return children


def _sort_links(request: HttpRequest, sort: str, order: str) -> list[dict[str, Any]]:
    labels = {"nom": _("Nom"), "date": _("Modifié le"), "taille": _("Taille")}
    links = []
    for key, label in labels.items():
        current = key == sort
        next_order = "desc" if current and order == "asc" else "asc"
        links.append(
            {
                "key": key,
                "label": label,
                "query": f"?tri={key}&ordre={next_order}",
                "current": current,
                "order": order if current else "",
            }
        )
    return links


def browse(
    request: HttpRequest, folder: Node, current: str, folder_form: FolderForm | None = None
) -> HttpResponse:
    """The page of a folder: its items, and what the person may do there."""
    user = request.user
    sort, order = _sorting(request)
    mode, chosen = _view_mode(request)
    folder_abilities = abilities(user, folder, seen=True)
    children = list_children(user, folder, sort, order)
    undo = request.session.pop(UNDO_KEY, None)
    drive = folder.drive
    title = drive_label(drive, user) if folder.is_root else folder.name
    here = folder_url(folder, user)
    context = {
        "folder": folder,
        "title": title,
        "here": here,
        "next_url": request.get_full_path(),
        "crumbs": breadcrumbs(user, folder) if not folder.is_root else [],
        "children": children,
        "abilities": folder_abilities,
        "mode": mode,
        "sort": sort,
        "order": order,
        "sort_links": _sort_links(request, sort, order),
        "folder_form": folder_form or FolderForm(prefix="nouveau"),
        "bulk_actions": [
            (value, label)
            for value, label in BULK_ACTIONS
            if folder_abilities["edit"] or value in {"copy", "download"}
        ],
        "download_ok": bool(url_or_blank("download", 0)),
        "upload_form_url": url_or_blank("upload_form", folder.pk),
        "uploads_url": url_or_blank("uploads"),
        "zip_url": url_or_blank("zip", folder.pk),
        "undo": undo,
        "is_space": drive.kind == DriveKind.SPACE,
        "space": drive.space if drive.kind == DriveKind.SPACE else None,
        "shared_count": sum(1 for c in children if c.share_count),
        **side_nav(user, current),
    }
    response = render(request, "drive/folder.html", context)
    if chosen:
        response.set_cookie(
            VIEW_COOKIE, mode, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
    return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """« Mes documents »: the root of the person's own drive (guests have none)."""
    if request.user.is_guest:
        return redirect("drive:shared")
    drive = services.personal_drive(request.user)
    return browse(request, drive.root, "home")


@login_required
def space(request: HttpRequest, space_id: int) -> HttpResponse:
    space = get_visible_or_404(request.user, Space, pk=space_id)
    if not can(request.user, "view_content", space):
        raise Http404
    drive = services.space_drive(space)
    return browse(request, drive.root, f"space-{space.pk}")


@login_required
def organisation(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_guest or not user.organisation_id:
        raise Http404
    drive = services.organisation_drive(user.organisation)
    if not can(user, "view", drive):
        raise Http404
    return browse(request, drive.root, "organisation")


@login_required
def folder(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    node = get_visible_or_404(user, Node, pk=pk)
    if not node.is_folder:
        return redirect("drive:file", pk=node.pk)
    canonical = folder_url(node, user)
    if node.is_root and canonical != request.path:
        query = request.META.get("QUERY_STRING", "")
        return redirect(f"{canonical}?{query}" if query else canonical)
    return browse(request, node, nav_key(node.drive, user))


# --- « Partagé avec moi » ---------------------------------------------------------------------


@login_required
def shared(request: HttpRequest) -> HttpResponse:
    """What others shared with the person: the top item of each share, with who shared it
    and what the person may do."""
    user = request.user
    roots = (
        shared_roots(user)
        .exclude(drive__kind=DriveKind.PERSONAL, drive__user=user)
        .select_related("drive__user", "drive__space", "drive__organisation", "modified_by")
        .prefetch_related("shares__created_by")
        .order_by("-modified_at")[:300]
    )
    rows = []
    for node in roots:
        role = node_role(user, node)
        if role is None:
            continue
        node.icon, node.type_label = describe(node)
        sharers = sorted({person_name(s.created_by) for s in node.shares.all() if s.created_by_id})
        rows.append(
            {
                "node": node,
                "url": node_url(node, user),
                "role": ShareRole(role).label,
                "owner": drive_label(node.drive, user),
                "by": ", ".join(sharers),
            }
        )
    return render(
        request,
        "drive/shared.html",
        {"rows": rows, **side_nav(user, "shared")},
    )


# --- trash -----------------------------------------------------------------------------------


def _retention(node: Node) -> int:
    organisation = node.drive.organisation
    return organisation.policy.trash_retention_days if organisation else 30


@login_required
def trash(request: HttpRequest) -> HttpResponse:
    user = request.user
    items = list(
        trash_visible(user)
        .select_related(
            "parent",
            "deleted_by",
            "drive__user",
            "drive__space",
            "drive__organisation__policy",
        )
        .order_by("-deleted_at")[:500]
    )
    own_drive = None if user.is_guest else services.personal_drive(user)
    for node in items:
        node.icon, node.type_label = describe(node)
        node.place = drive_label(node.drive, user) if node.parent.is_root else node.parent.name
        node.parent_gone = node.parent.deleted_at is not None
        node.purge_on = node.deleted_at + dt.timedelta(days=_retention(node))
    organisation = user.organisation if user.organisation_id else None
    return render(
        request,
        "drive/trash.html",
        {
            "items": items,
            "retention_days": organisation.policy.trash_retention_days if organisation else 30,
            "can_empty": bool(own_drive and any(n.drive_id == own_drive.pk for n in items)),
            **side_nav(user, "trash"),
        },
    )


def _trashed(user: Any, ids: list[int]) -> list[Node]:
    nodes = list(trash_visible(user).filter(pk__in=ids).select_related("parent", "drive"))
    if not nodes:
        raise Http404
    return nodes


@login_required
@require_POST
def restore(request: HttpRequest) -> HttpResponse:
    """Bring items back from the trash (the trash page, or « Annuler » after a deletion)."""
    user = request.user
    nodes = _trashed(user, parse_ids(request.POST.getlist("ids")))
    try:
        with transaction.atomic():
            restored = [services.restore(user, node) for node in nodes]
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect(back_to(request, reverse("drive:trash")))
    if len(restored) == 1:
        node = restored[0]
        where = node.parent
        messages.success(
            request,
            _("« %(name)s » est revenu dans « %(folder)s ».")
            % {
                "name": node.name,
                "folder": drive_label(where.drive, user) if where.is_root else where.name,
            },
        )
    else:
        messages.success(
            request, _("%(count)s éléments sont revenus à leur place.") % {"count": len(restored)}
        )
    return redirect(back_to(request, reverse("drive:trash")))


@login_required
@require_POST
def purge(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    (node,) = _trashed(user, [pk])
    services.purge(user, node)
    messages.success(request, _("« %(name)s » est supprimé définitivement.") % {"name": node.name})
    return redirect("drive:trash")


@login_required
@require_POST
def empty_trash(request: HttpRequest) -> HttpResponse:
    """Delete for good everything in the trash of the person's own drive."""
    user = request.user
    if user.is_guest:
        raise Http404
    drive = services.personal_drive(user)
    nodes = list(trash_visible(user).filter(drive=drive))
    with transaction.atomic():
        for node in nodes:
            services.purge(user, node)
    if nodes:
        messages.success(request, _("La corbeille de vos documents est vidée."))
    else:
        messages.info(request, _("La corbeille de vos documents était déjà vide."))
    return redirect("drive:trash")


def remember_undo(request: HttpRequest, nodes: list[Node]) -> None:
    """Offer « Annuler » on the next page after items went to the trash."""
    label = (
        _("« %(name)s » est dans la corbeille.") % {"name": nodes[0].name}
        if len(nodes) == 1
        else _("%(count)s éléments sont dans la corbeille.") % {"count": len(nodes)}
    )
    request.session[UNDO_KEY] = {"ids": [n.pk for n in nodes], "label": label}


def trashable(user: Any, folder: Node, ids: list[int]) -> list[Node]:
    """Items of ``folder`` the person ticked (404 when one is not there or not visible)."""
    nodes = list(visible(user, Node).filter(Q(parent=folder), pk__in=ids).select_related("drive"))
    if len(nodes) != len(ids):
        raise Http404
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(nodes, key=lambda n: order[n.pk])
