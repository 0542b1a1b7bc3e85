"""Recording audit events and verifying their chains.

``record(...)`` appends one event to the chain of its organisation (or the platform's chain),
inside the caller's transaction: if the change it describes is rolled back, so is the event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.core.internal.httpkit import get_client_ip
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from entente.audit.models import AuditChain, AuditEvent, EventKind

PLATFORM_CHAIN = "platform"


def chain_key(organisation_id: int | None) -> str:
    return f"org:{organisation_id}" if organisation_id else PLATFORM_CHAIN


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address: REMOTE_ADDR, or the one the trusted proxies put in
    X-Forwarded-For (TRUSTED_PROXY_COUNT) — the same answer allauth's rate limits use."""
    if request is None:
        return None
    try:
        return get_client_ip(request)
    except ImproperlyConfigured:  # fewer X-Forwarded-For hops than trusted proxies: spoofed
        return request.META.get("REMOTE_ADDR") or None


def _label(obj: Any) -> str:
    return str(obj)[:254] if obj is not None else ""


@transaction.atomic
def record(
    kind: EventKind | str,
    *,
    actor: Any = None,
    organisation: Any = None,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    actor_label: str = "",
    **data: Any,
) -> AuditEvent:
    """Append an event; ``organisation`` defaults to the target's or the actor's organisation."""
    if organisation is None:
        organisation = getattr(target, "organisation", None) or getattr(actor, "organisation", None)
        if target is not None and target.__class__.__name__ == "Organisation":
            organisation = target
    org_id = getattr(organisation, "pk", None)
    chain, _created = AuditChain.objects.get_or_create(key=chain_key(org_id))
    chain = AuditChain.objects.select_for_update().get(pk=chain.pk)
    actor_is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        chain=chain,
        sequence=chain.length + 1,
        created_at=timezone.now(),
        kind=str(kind),
        organisation_id=org_id,
        actor=actor if actor_is_user else None,
        # a person → their e-mail; an automated actor (SCIM token, import) → its own label
        actor_label=(actor.email if actor_is_user else actor_label or getattr(actor, "label", ""))[
            :254
        ],
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=_label(target),
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        data=data,
        previous_hash=chain.last_hash,
    )
    event.hash = event.compute_hash()
    event.save(force_insert=True)
    chain.last_hash = event.hash
    chain.length = event.sequence
    chain.save(update_fields=["last_hash", "length"])
    return event


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    broken_at: int | None = None
    reason: str = ""


def verify_chain(organisation_id: int | None) -> Verification:
    """Recompute every hash of one chain; report the first event that does not match."""
    chain = AuditChain.objects.filter(key=chain_key(organisation_id)).first()
    if chain is None:
        return Verification(ok=True, checked=0)
    previous = "0" * 64
    expected_sequence = 1
    checked = 0
    for event in chain.events.select_related("chain").order_by("sequence").iterator():
        if event.sequence != expected_sequence:
            return Verification(False, checked, event.sequence, "événement manquant avant celui-ci")
        if event.previous_hash != previous or event.compute_hash() != event.hash:
            return Verification(False, checked, event.sequence, "contenu modifié")
        previous = event.hash
        expected_sequence += 1
        checked += 1
    if chain.length != checked or chain.last_hash != previous:
        return Verification(False, checked, checked + 1, "événements supprimés en fin de chaîne")
    return Verification(ok=True, checked=checked)
