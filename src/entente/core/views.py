"""Views of the shared kernel: health probes, the browser modules' catalogue, error pages."""

from __future__ import annotations

import logging
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database answers and the file storage accepts a write."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 — any failure means "not ready"
        logger.exception("readyz: database unreachable")
        checks["database"] = "error"
    try:
        name = default_storage.save(f"readyz/{uuid.uuid4().hex}", ContentFile(b"ok"))
        default_storage.delete(name)
        checks["storage"] = "ok"
    except Exception:  # noqa: BLE001
        logger.exception("readyz: storage unreachable")
        checks["storage"] = "error"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "error", **checks}, status=200 if ready else 503
    )


class JavaScriptCatalog(i18n.JavaScriptCatalog):
    """The strings of the browser modules (djangojs catalogue) in the request's language.

    A classic script (no eval: Django's catalogue only defines functions) that puts
    ``gettext``, ``ngettext`` and ``interpolate`` on ``window``; base.html and the public
    links' base load it before the modules, which read it through ``entente/js/i18n.js``.
    One address serves every language, so the browser keeps the script but asks again each
    time (``no-cache`` with an ETag of its content): a 304 while the language and the
    catalogue stay the same, the other language at once after the language form.
    """

    # The project's catalogues are in LOCALE_PATHS, which Django always reads; naming one of
    # its apps (rather than none) leaves the other apps' JavaScript catalogues (the admin's) out.
    packages = ["entente.core"]

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        set_response_etag(response)
        patch_cache_control(response, no_cache=True)
        return get_conditional_response(self.request, etag=response["ETag"], response=response)


def _error(request: HttpRequest, status: int, template: str) -> HttpResponse:
    return render(request, template, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, "errors/400.html")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "errors/403.html")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "errors/404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the database or a context processor may be what failed.
    return render(None, "errors/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "errors/403_csrf.html", status=403)
