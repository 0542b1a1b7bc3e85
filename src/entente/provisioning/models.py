"""Provisioning: SCIM tokens of an organisation and the links between its people and its IdP."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.core.validators import validate_plain_text


class ScimToken(models.Model):
    """A bearer token an organisation's identity system (SIRH, IdP) uses to call SCIM.

    The secret is random and high-entropy, so only its SHA-256 digest is stored and found by
    an indexed lookup; it is shown once, when created. A token acts on its own organisation
    only.
    """

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="scim_tokens"
    )
    name = models.CharField(_("nom"), max_length=100, validators=[validate_plain_text])
    prefix = models.CharField(
        max_length=16, help_text=_("Début du jeton, pour le reconnaître sans le révéler.")
    )
    digest = models.CharField(max_length=64, unique=True)
    send_invitations = models.BooleanField(
        _("inviter par e-mail les personnes créées"),
        default=False,
        help_text=_(
            "Laissé décoché, les personnes créées par ce jeton ne reçoivent pas d'e-mail : elles "
            "se connectent avec l'identifiant de l'organisation (SSO)."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("jeton de provisionnement")
        verbose_name_plural = _("jetons de provisionnement")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="scim_token_unique_active_name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ScimIdentity(models.Model):
    """A person as the organisation's identity system knows them: its ``externalId`` and
    ``userName`` (which may differ from the e-mail, e.g. a Keycloak login)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="scim_identities"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim_identity"
    )
    external_id = models.CharField(max_length=255, blank=True)
    user_name = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identité provisionnée")
        verbose_name_plural = _("identités provisionnées")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="scim_identity_unique_external_id",
            ),
            models.UniqueConstraint(
                "organisation",
                Lower("user_name"),
                condition=~models.Q(user_name=""),
                name="scim_identity_unique_user_name",
            ),
        ]

    def __str__(self) -> str:
        return self.external_id or self.user_name or str(self.user_id)


class ScimGroupIdentity(models.Model):
    """A group as the organisation's identity system knows it (its ``externalId``)."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="scim_group_identities"
    )
    group = models.OneToOneField(
        "directory.Group", on_delete=models.CASCADE, related_name="scim_identity"
    )
    external_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("groupe provisionné")
        verbose_name_plural = _("groupes provisionnés")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=~models.Q(external_id=""),
                name="scim_group_unique_external_id",
            )
        ]

    def __str__(self) -> str:
        return self.external_id or str(self.group_id)
