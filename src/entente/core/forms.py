"""Form helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError


def attach_errors(
    form: forms.Form, error: ValidationError, fields: Mapping[str, str] | None = None
) -> None:
    """Show a service's ``ValidationError`` on ``form``: next to its field when the form has
    that field (``fields`` maps a service's field names to the form's), at the top of the
    form otherwise (never a crash, whatever the service said)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.error_dict.items():
        target = (fields or {}).get(name, name)
        form.add_error(target if target in form.fields else None, errors)
