"""API documentation page, served from the platform (no CDN)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView

from entente.core.middleware import CONTENT_SECURITY_POLICY


class ApiDocsView(SpectacularRedocView):
    """Redoc, from the sidecar package's static files.

    Redoc injects its own style elements and runs a worker from a blob, so this one page
    allows inline styles and blob workers; scripts stay limited to the platform's own files.
    """

    @extend_schema(exclude=True)
    def get(self, request: Any, *args: Any, **kwargs: Any):
        response = super().get(request, *args, **kwargs)
        response.headers["Content-Security-Policy"] = (
            CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
            + "; worker-src 'self' blob:"
        )
        return response
