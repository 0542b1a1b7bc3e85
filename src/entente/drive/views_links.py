"""Public links of an item, managed by the people who may share it: the « Liens publics »
panel (``links_context``, shown by ``{% links_panel node %}`` of ``drive_links``), its page
``drive:links`` (list, create) and ``drive:link_revoke``. The pages a link opens are in
``views_public``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from entente.core.forms import attach_errors
from entente.core.permissions import can, get_visible_or_404
from entente.drive import services
from entente.drive.models import LinkKind, Node, PublicLink

#: how long a link lasts at most when the owner organisation sets nothing (as in services)
DEFAULT_MAX_DAYS = 30
PANEL_ANCHOR = "#liens-publics"


# --- management (namespace drive) -------------------------------------------------------------


class LinkForm(forms.Form):
    """« Créer un lien public »: what it allows, until when, and its optional protections."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Ce que permet le lien"),
        choices=LinkKind.choices,
        initial=LinkKind.READ,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": gettext_lazy("Choisissez un type de lien.")},
    )
    expires_on = forms.DateField(
        label=gettext_lazy("Valable jusqu'au (inclus)"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": gettext_lazy("Indiquez jusqu'à quel jour le lien fonctionne."),
            "invalid": gettext_lazy("Date invalide : écrivez-la sous la forme jj/mm/aaaa."),
        },
    )
    password = forms.CharField(
        label=gettext_lazy("Mot de passe (facultatif)"),
        required=False,
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy(
            "À donner à part (par téléphone, par exemple), jamais dans le même message que le lien."
        ),
    )
    max_downloads = forms.IntegerField(
        label=gettext_lazy("Nombre de téléchargements au plus (facultatif)"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        help_text=gettext_lazy(
            "Pour un lien de consultation : au-delà, le lien cesse de fonctionner."
        ),
        error_messages={
            "invalid": gettext_lazy("Écrivez un nombre entier."),
            "min_value": gettext_lazy("Au moins un téléchargement."),
        },
    )

    def __init__(self, *args: Any, node: Node, max_days: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.node = node
        last_day = timezone.localdate(timezone.now() + dt.timedelta(days=max_days))
        field = self.fields["expires_on"]
        field.initial = last_day
        field.help_text = ngettext(
            "Au plus %(days)s jour, jusqu'au %(date)s.",
            "Au plus %(days)s jours, jusqu'au %(date)s.",
            max_days,
        ) % {"days": max_days, "date": last_day.strftime("%d/%m/%Y")}
        field.widget.attrs.update(
            {"min": timezone.localdate().isoformat(), "max": last_day.isoformat()}
        )
        if not node.is_folder:
            # a file can only be read: the choice is made, the service still checks it
            self.fields["kind"].widget = forms.HiddenInput()


def owner_policy(node: Node) -> Any:
    """The policy of the organisation owning ``node``'s drive (None: no organisation)."""
    organisation = node.drive.organisation
    return organisation.policy if organisation is not None else None


def _max_days(policy: Any) -> int:
    return policy.public_link_max_days if policy is not None else DEFAULT_MAX_DAYS


def _expiry(form: LinkForm, max_days: int) -> dt.datetime:
    """The moment the link stops: the end of the chosen day, but never past the organisation's
    limit when that last allowed day is chosen (so the proposed default is always accepted)."""
    day = form.cleaned_data["expires_on"]
    end = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
    limit = timezone.now() + dt.timedelta(days=max_days)
    if day == timezone.localdate(limit):
        end = min(end, limit - dt.timedelta(seconds=1))
    return end


def public_url(request: HttpRequest, link: PublicLink) -> str:
    return request.build_absolute_uri(reverse("public_link:open", args=[link.token]))


def links_context(request: HttpRequest, node: Node, form: LinkForm | None = None) -> dict:
    """What the « Liens publics » panel of ``node`` shows (``drive/_links.html``); nothing but
    ``can_manage=False`` for someone who may not share it."""
    user = request.user
    if not can(user, "share", node):
        return {"node": node, "can_manage": False}
    policy = owner_policy(node)
    allowed = policy is None or policy.public_links_allowed
    max_days = _max_days(policy)
    now = timezone.now()
    rows = []
    for link in node.links.filter(revoked_at__isnull=True, expires_at__gt=now).select_related(
        "created_by"
    ):
        rows.append(
            {
                "link": link,
                "url": public_url(request, link),
                "exhausted": link.max_downloads is not None
                and link.download_count >= link.max_downloads,
            }
        )
    if form is None and allowed:
        form = LinkForm(node=node, max_days=max_days, prefix="lien")
    return {
        "node": node,
        "can_manage": True,
        "allowed": allowed,
        "organisation": node.drive.organisation,
        "max_days": max_days,
        "rows": rows,
        "form": form if allowed else None,
        "next_url": _safe_next(request) or request.get_full_path(),
    }


def _shared_node(request: HttpRequest, pk: int) -> Node:
    """A node the person may share; the same 404 for missing, hidden and not allowed."""
    node = get_visible_or_404(request.user, Node, pk=pk)
    if not can(request.user, "share", node):
        raise Http404
    return node


def _safe_next(request: HttpRequest) -> str:
    """The page a panel's form was sent from (a local address only), else ""."""
    target = request.POST.get("next", "") if request.method == "POST" else ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target.split("#", 1)[0]
    return ""


def _back(request: HttpRequest, node: Node) -> HttpResponse:
    """Back to the page the panel was on, at the panel."""
    target = _safe_next(request) or reverse("drive:links", args=[node.pk])
    return redirect(target + PANEL_ANCHOR)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def links(request: HttpRequest, pk: int) -> HttpResponse:
    """The public links of one item: list them, make one."""
    node = _shared_node(request, pk)
    form = None
    if request.method == "POST":
        policy = owner_policy(node)
        max_days = _max_days(policy)
        form = LinkForm(request.POST, node=node, max_days=max_days, prefix="lien")
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            try:
                link = services.create_link(
                    request.user,
                    node,
                    kind=kind,
                    expires_at=_expiry(form, max_days),
                    password=form.cleaned_data["password"],
                    max_downloads=form.cleaned_data["max_downloads"]
                    if kind == LinkKind.READ
                    else None,
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Le lien public de « %(name)s » est créé : copiez-le et envoyez-le. "
                        "Il fonctionne jusqu'au %(date)s."
                    )
                    % {
                        "name": node.name,
                        "date": timezone.localtime(link.expires_at).strftime("%d/%m/%Y à %H:%M"),
                    },
                )
                return _back(request, node)
    return render(
        request,
        "drive/public/links_page.html",
        {"node": node, "link_form": form, "folder_url": _folder_url(node)},
    )


def _folder_url(node: Node) -> str:
    """The page of the item's folder in the documents (while the pages are not mounted: "")."""
    try:
        if node.is_folder:
            return reverse("drive:folder", args=[node.pk])
        return reverse("drive:file", args=[node.pk])
    except NoReverseMatch:
        return ""


@login_required
@require_POST
def link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = PublicLink.objects.filter(pk=pk).select_related("node__drive").first()
    if link is None:
        raise Http404
    node = _shared_node(request, link.node_id)
    if link.revoked_at is None:
        services.revoke_link(request.user, link)
    messages.success(
        request,
        _("Le lien public de « %(name)s » est révoqué : il ne fonctionne plus.")
        % {"name": node.name},
    )
    return _back(request, node)
