"""What the REST viewsets nested under ``/api/v1/spaces/<space_pk>/`` share."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request

from entente.calendars.serializers import ErrorSerializer  # the API's one error body
from entente.spaces.frame import space_or_404
from entente.spaces.models import Space

#: the error answers every viewset of a space documents
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Valeurs invalides (`code`: `invalid`)."),
    403: OpenApiResponse(ErrorSerializer, description="Visible, mais action non permise."),
    404: OpenApiResponse(ErrorSerializer, description="Absent ou inaccessible (même réponse)."),
}
#: the space of the URL, for the schema
SPACE_PK = OpenApiParameter("space_pk", int, OpenApiParameter.PATH)


class InSpace:
    """The space of the URL, fetched once through the permission engine: for its members
    only (``view_content``), the same 404 as a missing space for everyone else. A viewset
    that lets non-members in (asking to join) sets ``space_action = "view"``."""

    kwargs: dict[str, Any]
    request: Request
    space_action = "view_content"

    def space(self) -> Space:
        if not hasattr(self, "_space"):
            self._space = space_or_404(self.request, self.kwargs["space_pk"], self.space_action)
        return self._space
