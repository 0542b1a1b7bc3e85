"""Collaborative spaces: a project's people, from any organisation, and what they share."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.validators import validate_plain_text


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Privé : visible de ses seuls membres")
    TERRITORY = "territory", _("Visible du territoire : on y entre sur invitation")
    OPEN = "open", _("Ouvert : chacun peut demander à y entrer")


class SpaceRole(models.TextChoices):
    OWNER = "owner", _("Propriétaire")
    MANAGER = "manager", _("Gestionnaire")
    CONTRIBUTOR = "contributor", _("Contributeur")
    READER = "reader", _("Lecteur")


#: roles, weakest first
ROLE_ORDER = [SpaceRole.READER, SpaceRole.CONTRIBUTOR, SpaceRole.MANAGER, SpaceRole.OWNER]


def role_rank(role: str | None) -> int:
    return ROLE_ORDER.index(role) + 1 if role else 0


class Space(models.Model):
    """A project's room: members from several organisations, their documents and agenda."""

    name = models.CharField(_("nom"), max_length=150, validators=[validate_plain_text])
    description = models.TextField(_("description"), blank=True, max_length=2000)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation propriétaire"),
        on_delete=models.PROTECT,
        related_name="spaces",
    )
    visibility = models.CharField(
        _("visibilité"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(_("archivé le"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("espace")
        verbose_name_plural = _("espaces")

    def __str__(self) -> str:
        return self.name

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class Membership(models.Model):
    """One person's place in a space, with a role."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_memberships"
    )
    role = models.CharField(_("rôle"), max_length=12, choices=SpaceRole.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["space", "user__last_name", "user__first_name"]
        verbose_name = _("membre d'un espace")
        constraints = [
            models.UniqueConstraint(fields=["space", "user"], name="space_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ∈ {self.space} ({self.role})"
