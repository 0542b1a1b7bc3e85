"""The thumbnail (PNG) of a file's current content, for the documents pages (« Aperçu »)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from entente.core.permissions import get_visible_or_404
from entente.drive.models import Node, Preview, ScanStatus
from entente.drive.transfer import file_response


def ready_preview(node: Node) -> Preview | None:
    """The ready thumbnail of ``node``'s current content, if any (never for a file in
    quarantine)."""
    if node.is_folder or node.current_version_id is None:
        return None
    if node.scan_status == ScanStatus.INFECTED:
        return None
    return (
        Preview.objects.filter(
            blob_id=node.current_version.blob_id, state="ready", image__isnull=False
        )
        .select_related("image")
        .first()
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The thumbnail of a file the person may see; 404 while there is none (not made yet, or
    none possible)."""
    node = get_visible_or_404(request.user, Node, pk=pk)
    row = ready_preview(node)
    if row is None:
        raise Http404(_("Pas d'aperçu pour ce fichier."))
    stem = node.name.rpartition(".")[0] or node.name
    return file_response(
        request, row.image, filename=f"{stem}.png", mime_type="image/png", inline=True
    )
