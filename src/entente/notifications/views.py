"""Pages of the notification centre: the list (all or unread), opening one, marking read, and
the preferences. Thin: each page asks the permission engine, then one use case."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from entente.core.forms import attach_errors
from entente.core.permissions import get_visible_or_404, visible
from entente.notifications import services
from entente.notifications.forms import PreferencesForm
from entente.notifications.models import Notification

PAGE_SIZE = 20
#: ``?filtre=non-lues`` keeps only the unread ones
UNREAD_FILTER = "non-lues"


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    rows = visible(request.user, Notification).select_related("actor")
    unread_only = request.GET.get("filtre") == UNREAD_FILTER
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/centre.html",
        {
            "page": page,
            "unread_only": unread_only,
            "page_query": f"filtre={UNREAD_FILTER}" if unread_only else "",
            "unread_total": services.unread_count(request.user),
            "back": request.get_full_path(),
        },
    )


def _back(request: HttpRequest) -> str:
    """Where to return after an action: the centre page it came from (else the centre)."""
    target = services.safe_path(request.POST.get("next", ""))
    centre_url = reverse("notifications:centre")
    return target if target.startswith(centre_url) else centre_url


@login_required
@require_http_methods(["GET", "POST"])
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about (a path of the platform only)."""
    notification = get_visible_or_404(request.user, Notification, pk=pk)
    services.mark_read(request.user, notification)
    target = services.safe_path(notification.url)
    if not target:
        messages.info(request, _("Cette notification ne mène à aucune page."))
        return redirect("notifications:centre")
    return redirect(target)


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_visible_or_404(request.user, Notification, pk=pk)
    services.mark_read(request.user, notification)
    messages.success(
        request, _("« %(title)s » est marquée comme lue.") % {"title": notification.title}
    )
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s notification marquée comme lue.",
                "%(count)s notifications marquées comme lues.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Vous n'aviez aucune notification non lue."))
    return redirect(_back(request))


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = services.preferences_for(request.user)
    form = PreferencesForm(request.POST or None, preferences=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preferences(
                request.user,
                email_frequency=form.cleaned_data["email_frequency"],
                deliveries=form.deliveries(),
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, _("Vos préférences de notification sont enregistrées."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
