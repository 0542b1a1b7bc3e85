"""Shares to "one of" a person, a group, a space or an organisation: the grantee columns and
the constraints every share table needs (exactly one grantee; one share per grantee)."""

from __future__ import annotations

from django.db import models


def grantee_fk(to: str, related_name: str) -> models.ForeignKey:
    """One possible grantee of a share (empty when the share is to another kind)."""
    return models.ForeignKey(
        to, on_delete=models.CASCADE, null=True, blank=True, related_name=related_name
    )


def one_grantee_constraints(
    prefix: str, target: str, grantees: tuple[str, ...]
) -> list[models.BaseConstraint]:
    """Exactly one of ``grantees`` is set, and ``target`` is shared once with each grantee."""
    exactly_one = models.Q()
    for chosen in grantees:
        exactly_one |= models.Q(**{f"{g}__isnull": g != chosen for g in grantees})
    return [
        models.CheckConstraint(condition=exactly_one, name=f"{prefix}_one_grantee"),
        *(
            models.UniqueConstraint(
                fields=[target, grantee],
                condition=models.Q(**{f"{grantee}__isnull": False}),
                name=f"{prefix}_unique_{grantee}",
            )
            for grantee in grantees
        ),
    ]
