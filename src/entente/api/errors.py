"""API error bodies: always JSON with a stable ``code`` and a French ``detail``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if not isinstance(exc, exceptions.ValidationError) else "invalid"
        body: dict[str, Any] = {"code": code if isinstance(code, str) else "invalid"}
        if isinstance(exc, exceptions.ValidationError):
            body["detail"] = "Certaines valeurs sont invalides."
            body["errors"] = response.data
        else:
            body["detail"] = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        response.data = body
    if response.status_code == status.HTTP_403_FORBIDDEN and "code" not in response.data:
        response.data["code"] = "permission_denied"
    return response
