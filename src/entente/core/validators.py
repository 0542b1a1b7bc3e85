"""Validators shared by several apps (SIREN, mail domains, phone numbers, plain text)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DOMAIN_RE = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")
PHONE_RE = re.compile(r"^\+?[0-9 .()-]{6,25}$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
LA_POSTE_SIREN = "356000000"


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siren(value: str) -> None:
    """A SIREN is 9 digits with a Luhn checksum (La Poste's historic number excepted)."""
    compact = value.replace(" ", "")
    if not compact.isdigit() or len(compact) != 9:
        raise ValidationError(_("Un SIREN compte exactement 9 chiffres."), code="siren_format")
    if compact != LA_POSTE_SIREN and not luhn_ok(compact):
        raise ValidationError(
            _("Ce SIREN n'est pas valide (clé de contrôle incorrecte). Vérifiez les chiffres."),
            code="siren_checksum",
        )


def validate_domain(value: str) -> None:
    if not DOMAIN_RE.match(value):
        raise ValidationError(
            _("« %(value)s » n'est pas un nom de domaine valide (exemple : mairie-exemple.fr)."),
            code="domain",
            params={"value": value},
        )


def validate_phone(value: str) -> None:
    if value and not PHONE_RE.match(value):
        raise ValidationError(
            _("Numéro de téléphone invalide (exemple : 01 23 45 67 89 ou +33 1 23 45 67 89)."),
            code="phone",
        )


def validate_plain_text(value: str) -> None:
    """Refuse control and bidirectional-override characters in names and titles."""
    if CONTROL_RE.search(value or ""):
        raise ValidationError(
            _("Ce texte contient des caractères invisibles ou de contrôle : retirez-les."),
            code="control_characters",
        )
