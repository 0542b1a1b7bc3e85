"""API error bodies: always JSON with a stable ``code`` and a French ``detail``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return exceptions.ValidationError(detail)
    if isinstance(exc, Http404):
        return exceptions.NotFound("Cet élément n'existe pas ou vous n'y avez pas accès.")
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied("Vous n'avez pas le droit de faire cette action.")
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "invalid",
            "detail": "Certaines valeurs sont invalides : corrigez-les et réessayez.",
            "errors": response.data,
        }
    else:
        codes = exc.get_codes()
        detail = (
            response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        )
        response.data = {
            "code": codes if isinstance(codes, str) else exc.default_code,
            "detail": detail,
        }
    return response
