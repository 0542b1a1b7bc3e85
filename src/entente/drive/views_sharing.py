"""Sharing a folder or a file: « Qui a accès » with the reason of each access, a search for
whom to share with (people, groups, spaces, the organisation), the warning before sharing
outside the organisation, changing a role and removing a share."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from entente.accounts.forms import GuestInvitationForm, fold
from entente.accounts.models import User
from entente.core.permissions import abilities, can, get_visible_or_404, visible
from entente.directory.models import Group
from entente.directory.search import search_people
from entente.drive import services
from entente.drive.forms import ROLE_HELP, RoleForm, ShareForm
from entente.drive.models import Node, Share, ShareRole
from entente.drive.permissions import node_role
from entente.drive.views import (
    back_to,
    breadcrumbs,
    describe,
    drive_label,
    member_spaces,
    nav_key,
    node_url,
    person_name,
    side_nav,
)
from entente.organisations.models import Organisation
from entente.spaces.models import Space

MAX_CANDIDATES = 8
GRANTEE_MODELS = {"user": User, "group": Group, "space": Space, "organisation": Organisation}


def access_page(node: Node) -> str:
    """Where the sharing panel of ``node`` is: a file's page, or a folder's access page."""
    if node.is_folder:
        return reverse("drive:node_access", args=[node.pk])
    return reverse("drive:file", args=[node.pk]) + "#acces"


def grantee_label(who: Any) -> tuple[str, str]:
    """A grantee in plain words, and what tells it apart (organisation, kind)."""
    if isinstance(who, User):
        return person_name(who), who.organisation.name if who.organisation_id else _("invité·e")
    if isinstance(who, Group):
        return _("Groupe « %(name)s »") % {"name": who.name}, who.organisation.name
    if isinstance(who, Space):
        return _("Espace « %(name)s »") % {"name": who.name}, _("ses membres")
    return _("Toute l'organisation %(name)s") % {"name": who.name}, _("ses agents et élus")


def resolve_grantee(user: Any, kind: str, pk: int) -> Any:
    """The grantee a button named, among those the person may see (else None)."""
    rows = visible(user, GRANTEE_MODELS[kind])
    if kind == "user":
        rows = rows.filter(is_active=True)
    if kind == "space":
        rows = rows.filter(pk__in=member_spaces(user).values("pk"))
    return rows.filter(pk=pk).first()


def candidates(user: Any, node: Node, query: str) -> list[dict[str, Any]]:
    """Whom the person may share with, matching ``query`` (their spaces, groups and
    organisation without a query; people only once something is typed)."""
    found: list[Any] = []
    if query:
        found += [p for p in search_people(user, query, limit=MAX_CANDIDATES) if p.pk != user.pk]
    spaces = member_spaces(user).exclude(pk=node.drive.space_id or 0)  # not its own space
    groups = visible(user, Group).select_related("organisation").order_by("name")
    if query:
        spaces = spaces.filter(name__icontains=query)
        groups = groups.filter(name__icontains=query)
    found += list(spaces[:MAX_CANDIDATES]) + list(groups[:MAX_CANDIDATES])
    organisation = user.organisation if user.organisation_id and not user.is_guest else None
    if organisation is not None and (not query or fold(query) in fold(organisation.name)):
        found.append(organisation)
    kinds = {User: "user", Group: "group", Space: "space", Organisation: "organisation"}
    rows = []
    for who in found:
        label, details = grantee_label(who)
        rows.append(
            {
                "value": f"{kinds[type(who)]}:{who.pk}",
                "label": label,
                "details": details,
                "external": services.is_external(node, who),
            }
        )
    return rows


def access_rows(user: Any, node: Node, can_share: bool) -> list[dict[str, Any]]:
    rows = []
    for line in services.access_list(node):
        label, details = grantee_label(line.who)
        direct = line.share is not None and line.share.node_id == node.pk
        inherited = line.inherited_from
        rows.append(
            {
                "label": label,
                "details": details,
                "role": ShareRole(line.role).label,
                "role_value": line.role,
                "why": line.why,
                "share": line.share if direct and can_share else None,
                "inherited_url": access_page(inherited)
                if inherited is not None and can(user, "share", inherited)
                else "",
                "external": line.share is not None and services.is_external(node, line.who),
            }
        )
    return rows


def role_choices() -> list[dict[str, Any]]:
    return [
        {"value": value, "label": label, "help": ROLE_HELP[value]}
        for value, label in ShareRole.choices
    ]


def access_context(
    request: HttpRequest, node: Node, rights: dict[str, bool] | None = None
) -> dict[str, Any]:
    """Context of the sharing panel (``drive/_access.html``) of ``node``."""
    user = request.user
    rights = rights or abilities(user, node, seen=True)
    query = request.GET.get("q", "").strip()[:100]
    can_share = rights["share"]
    role = node_role(user, node)
    return {
        "access_rows": access_rows(user, node, can_share) if can_share else [],
        "my_role": ShareRole(role).label if role else "",
        "can_share": can_share,
        "share_query": query,
        "share_results": candidates(user, node, query) if can_share else [],
        "roles": role_choices(),
        "access_url": access_page(node).split("#")[0],
        "access_next": access_page(node),
        "guest_form": guest_form(node) if can_share and _guests_allowed(user) else None,
    }


GUEST_ROLES = [
    (ShareRole.READER.value, ShareRole.READER.label),
    (ShareRole.EDITOR.value, ShareRole.EDITOR.label),
]


def _guests_allowed(user: Any) -> bool:
    return bool(user.organisation_id and user.organisation.policy.guests_allowed)


def guest_form(node: Node, data: Any = None) -> GuestInvitationForm:
    return GuestInvitationForm(data, roles=GUEST_ROLES, prefix="invite")


@login_required
@require_POST
def invite_guest(request: HttpRequest, pk: int) -> HttpResponse:
    """Share with someone from outside the territory: a guest account, e-mailed its link, that
    reaches only what is shared with it."""
    user = request.user
    node = get_visible_or_404(user, Node, pk=pk)
    back = back_to(request, access_page(node))
    form = guest_form(node, request.POST)
    if not form.is_valid():
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(problems))
        return redirect(back)
    try:
        row = services.invite_guest(
            user,
            node,
            email=form.cleaned_data["email"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            expires_at=form.expires_at(),
            role=form.cleaned_data["role"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error) or _("Vous ne pouvez pas partager cet élément."))
    else:
        messages.success(
            request,
            _(
                "%(person)s est invité·e : un e-mail lui donne le lien pour créer son accès à "
                "« %(name)s »."
            )
            % {"person": person_name(row.user), "name": node.name},
        )
    return redirect(back)


@login_required
def node_access(request: HttpRequest, pk: int) -> HttpResponse:
    """« Partager » of a folder: who has access and why, and whom to add."""
    user = request.user
    node = get_visible_or_404(user, Node, pk=pk)
    partial = request.GET.get("partiel") == "partage"
    if not node.is_folder and not partial:
        query = request.META.get("QUERY_STRING", "")
        return redirect(reverse("drive:file", args=[node.pk]) + (f"?{query}" if query else ""))
    rights = abilities(user, node, seen=True)
    context = access_context(request, node, rights)
    if partial:
        return render(request, "drive/_share_results.html", {"node": node, **context})
    node.icon, node.type_label = describe(node)
    return render(
        request,
        "drive/access.html",
        {
            "node": node,
            "abilities": rights,
            "title": drive_label(node.drive, user) if node.is_root else node.name,
            "crumbs": breadcrumbs(user, node),
            "folder_url": node_url(node, user),
            **context,
            **side_nav(user, nav_key(node.drive, user)),
        },
    )


def outsiders(node: Node, grantee: Any) -> tuple[list[str], int]:
    """The people outside the drive's organisation a share with ``grantee`` reaches (named
    for a space, up to 20), and how many they are."""
    org_id = node.drive.organisation_id
    if isinstance(grantee, Space):
        members = (
            grantee.memberships.exclude(user__organisation_id=org_id)
            .select_related("user__organisation")
            .order_by("user__last_name", "user__first_name")
        )
        names = [
            f"{person_name(m.user)} ({m.user.organisation.name if m.user.organisation_id else _('invité·e')})"
            for m in members[:20]
        ]
        return names, members.count()
    label, details = grantee_label(grantee)
    return [f"{label} ({details})"], 1


@login_required
@require_POST
def share(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    node = get_visible_or_404(user, Node, pk=pk)
    back = back_to(request, access_page(node))
    form = ShareForm(request.POST)
    if not form.is_valid():
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(problems))
        return redirect(back)
    kind, grantee_pk = form.cleaned_data["grantee"]
    role = form.cleaned_data["role"]
    grantee = resolve_grantee(user, kind, grantee_pk)
    if grantee is None:
        messages.error(request, _("Ce destinataire est introuvable : cherchez-le à nouveau."))
        return redirect(back)
    label, _details = grantee_label(grantee)
    try:
        services.share(
            user, node, grantee, role, confirm_external=form.cleaned_data["confirm_external"]
        )
    except services.ExternalShareNeedsConfirmation as warning:
        names, count = outsiders(node, grantee)
        node.icon, node.type_label = describe(node)
        return render(
            request,
            "drive/share_confirm.html",
            {
                "node": node,
                "grantee_label": label,
                "grantee_value": f"{kind}:{grantee_pk}",
                "is_space": kind == "space",
                "space_name": grantee.name if kind == "space" else "",
                "role": role,
                "role_label": ShareRole(role).label,
                "warning": " ".join(warning.messages),
                "outsiders": names,
                "outsider_count": count,
                "organisation": node.drive.organisation,
                "next": back,
                **side_nav(user, nav_key(node.drive, user)),
            },
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error) or _("Vous ne pouvez pas partager cet élément."))
    else:
        messages.success(
            request,
            _("« %(name)s » est partagé avec %(grantee)s : %(role)s.")
            % {"name": node.name, "grantee": label, "role": ShareRole(role).label.lower()},
        )
    return redirect(back)


def _share_row(user: Any, pk: int) -> Share:
    row = (
        Share.objects.filter(pk=pk).select_related("user", "group", "space", "organisation").first()
    )
    if row is None:
        raise Http404
    row.node = get_visible_or_404(user, Node, pk=row.node_id)
    if not can(user, "share", row.node):
        raise Http404
    return row


@login_required
@require_POST
def share_role(request: HttpRequest, pk: int) -> HttpResponse:
    """Change what a grantee may do (the share was already confirmed when it was made)."""
    user = request.user
    row = _share_row(user, pk)
    back = back_to(request, access_page(row.node))
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un droit de la liste."))
        return redirect(back)
    role = form.cleaned_data["role"]
    try:
        services.share(user, row.node, row.grantee, role, confirm_external=True)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", None) or [str(error)]))
    else:
        label, _details = grantee_label(row.grantee)
        messages.success(
            request,
            _("%(grantee)s peut maintenant : %(role)s.")
            % {"grantee": label, "role": ShareRole(role).label.lower()},
        )
    return redirect(back)


@login_required
@require_POST
def unshare(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    row = _share_row(user, pk)
    back = back_to(request, access_page(row.node))
    label, _details = grantee_label(row.grantee)
    services.unshare(user, row)
    messages.success(
        request,
        _("%(grantee)s n'a plus accès à « %(name)s » par ce partage.")
        % {"grantee": label, "name": row.node.name},
    )
    return redirect(back)
