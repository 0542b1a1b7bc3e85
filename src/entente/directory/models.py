"""Organisation structure: the services (departments) tree and named groups of people."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.validators import validate_plain_text

MAX_SERVICE_DEPTH = 8


class Service(models.Model):
    """A department of an organisation (direction, service, bureau…), nested as a tree."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="services"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("service parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("nom"), max_length=150, validators=[validate_plain_text])
    email = models.EmailField(_("adresse e-mail du service"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=25, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "parent", "name"], name="service_unique_name_in_parent"
            ),
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=models.Q(parent__isnull=True),
                name="service_unique_root_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Service]:
        """From the root down to the parent of this service."""
        chain: list[Service] = []
        node = self.parent
        while node is not None and len(chain) <= MAX_SERVICE_DEPTH:
            chain.insert(0, node)
            node = node.parent
        return chain

    @property
    def path(self) -> str:
        return " › ".join([*(a.name for a in self.ancestors()), self.name])


class Group(models.Model):
    """A named set of people inside one organisation (used for sharing and invitations)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="groups"
    )
    name = models.CharField(_("nom"), max_length=150, validators=[validate_plain_text])
    description = models.CharField(_("description"), max_length=300, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("membres"),
        related_name="member_groups",
        blank=True,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("groupe")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="group_unique_name_in_org"
            )
        ]

    def __str__(self) -> str:
        return self.name
