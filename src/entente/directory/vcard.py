"""People as vCard 4.0 (RFC 6350): one card for a profile, several for an organisation.

Text values are escaped (backslash, comma, semicolon, newline, section 3.4), compound values
(``N``, ``ORG``) escape each component, and every content line is folded at 75 octets without
ever cutting a UTF-8 character in two (section 3.2). Lines end with CRLF.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from django.utils import timezone

from entente.accounts.models import User

CRLF = "\r\n"
LINE_OCTETS = 75
#: a namespace of its own, so a person's UID is stable from one export to the next
UID_NAMESPACE = uuid.UUID("5b0c6f0e-3d0a-4c55-9a61-2f1d8e7c4a10")


def escape(value: str) -> str:
    """Escape a text value: ``\\`` → ``\\\\``, ``,`` → ``\\,``, ``;`` → ``\\;``, newline → ``\\n``."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return re.sub(r"\r\n|\r|\n", r"\\n", value)


def compound(*components: str) -> str:
    """A structured value (``N``, ``ORG``): each component escaped, joined by ``;``."""
    return ";".join(escape(component or "") for component in components)


def fold(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets (continuations start with a
    space, which counts in their 75), never inside a UTF-8 character."""
    chunks: list[str] = []
    current = ""
    size = 0
    for char in line:
        width = len(char.encode())
        if size + width > LINE_OCTETS:
            chunks.append(current)
            current, size = " ", 1
        current += char
        size += width
    chunks.append(current)
    return CRLF.join(chunks)


def tel_uri(phone: str) -> str | None:
    """``01 23 45 67 89`` → ``tel:+33123456789``; other numbers as ``tel:`` with their digits."""
    digits = re.sub(r"[^\d+]", "", phone or "")
    if not digits:
        return None
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0") and len(digits) == 10:
        digits = "+33" + digits[1:]
    return f"tel:{digits}"


def uid(person: User) -> str:
    return f"urn:uuid:{uuid.uuid5(UID_NAMESPACE, f'entente-person-{person.pk}')}"


def card(
    person: User, *, revised: datetime | None = None, service_path: list[str] | None = None
) -> str:
    """One person's vCard 4.0 (``person.service`` and ``.organisation`` should be loaded).

    ``service_path`` (root first) saves walking up the services tree for each card.
    """
    revised = revised or timezone.now()
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        "KIND:individual",
        f"FN:{escape(person.get_full_name() or person.email)}",
        f"N:{compound(person.last_name, person.first_name, '', '', '')}",
        f"UID:{uid(person)}",
    ]
    if person.email:
        lines.append(f"EMAIL;TYPE=work:{escape(person.email)}")
    uri = tel_uri(person.phone)
    if uri:
        lines.append(f"TEL;VALUE=uri;TYPE=work,voice:{uri}")
    if person.organisation_id:
        services = service_path
        if services is None:
            services = []
            if person.service is not None:
                services = [*(s.name for s in person.service.ancestors()), person.service.name]
        lines.append(f"ORG:{compound(person.organisation.name, *services)}")
    if person.job_title:
        lines.append(f"TITLE:{escape(person.job_title)}")
    if person.mandate:
        lines.append(f"ROLE:{escape(person.mandate)}")
    lines.append(f"REV:{revised.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}")
    lines.append("END:VCARD")
    return "".join(fold(line) + CRLF for line in lines)


def cards(people: Iterable[User], paths: dict[int, list[str]] | None = None) -> str:
    """Several vCards one after the other (one file, one revision time); ``paths`` gives
    each service's path by id (``directory.views.service_paths``)."""
    revised = timezone.now()
    return "".join(
        card(
            person,
            revised=revised,
            service_path=paths.get(person.service_id, []) if paths is not None else None,
        )
        for person in people
    )


def filename(text: str) -> str:
    """A safe file name from a person's or organisation's name: ``Agnès Martin`` →
    ``agnes-martin.vcf``."""
    from django.utils.text import slugify

    return f"{slugify(text) or 'contact'}.vcf"
