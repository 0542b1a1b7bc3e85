"""Organisations of the territory, their mail domains and the policies they set themselves."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.validators import validate_domain, validate_plain_text, validate_siren


class OrganisationKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    CITY = "city", _("Ville")
    METROPOLIS = "metropolis", _("Métropole")
    SYNDICATE = "syndicate", _("Syndicat")
    OTHER = "other", _("Autre")


class Organisation(models.Model):
    """A member of the territory: a commune, a city, the metropolis, the syndicate…"""

    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("nom"), max_length=150, unique=True, validators=[validate_plain_text])
    slug = models.SlugField(_("identifiant court"), max_length=60, unique=True)
    siren = models.CharField(
        _("SIREN"), max_length=9, blank=True, validators=[validate_siren], help_text=_("9 chiffres")
    )
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["siren"], condition=~models.Q(siren=""), name="organisation_siren_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def domain_names(self) -> list[str]:
        return [domain.domain for domain in self.mail_domains.all()]


class MailDomain(models.Model):
    """A mail domain belongs to exactly one organisation (used to route sign-in and check e-mails)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="mail_domains"
    )
    domain = models.CharField(
        _("domaine"), max_length=253, unique=True, validators=[validate_domain]
    )

    class Meta:
        ordering = ["domain"]
        verbose_name = _("domaine de messagerie")

    def __str__(self) -> str:
        return self.domain


class DirectoryVisibility(models.TextChoices):
    TERRITORY = "territory", _("Tout le territoire")
    ORGANISATION = "organisation", _("Notre organisation seulement")


class MfaRequirement(models.TextChoices):
    ADMINS = "admins", _("Administrateurs seulement")
    EVERYONE = "everyone", _("Tout le monde")


class VisioService(models.TextChoices):
    NONE = "", _("Aucun")
    JITSI = "jitsi", _("Jitsi Meet")
    BBB = "bbb", _("BigBlueButton (Greenlight, Scalelite)")


class Policy(models.Model):
    """The rules an organisation sets for its own people and data."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="policy", primary_key=True
    )
    directory_visibility = models.CharField(
        _("visibilité dans l'annuaire"),
        max_length=20,
        choices=DirectoryVisibility.choices,
        default=DirectoryVisibility.TERRITORY,
        help_text=_("Qui peut trouver nos agents et élus dans l'annuaire."),
    )
    external_sharing_allowed = models.BooleanField(
        _("partage hors de l'organisation autorisé"), default=True
    )
    guests_allowed = models.BooleanField(
        _("invitation de personnes extérieures autorisée"), default=True
    )
    public_links_allowed = models.BooleanField(_("liens publics autorisés"), default=True)
    public_link_max_days = models.PositiveSmallIntegerField(
        _("durée maximale d'un lien public (jours)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    mfa_required = models.CharField(
        _("double authentification obligatoire pour"),
        max_length=20,
        choices=MfaRequirement.choices,
        default=MfaRequirement.ADMINS,
    )
    quota_per_person_mb = models.PositiveIntegerField(
        _("espace par personne (Mo)"),
        default=10_240,
        validators=[MinValueValidator(10), MaxValueValidator(10_485_760)],
    )
    quota_organisation_gb = models.PositiveIntegerField(
        _("espace total de l'organisation (Go)"),
        default=1_000,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
    )
    trash_retention_days = models.PositiveSmallIntegerField(
        _("conservation dans la corbeille (jours)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    version_retention_count = models.PositiveSmallIntegerField(
        _("nombre de versions conservées"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    version_retention_days = models.PositiveSmallIntegerField(
        _("durée de conservation des anciennes versions (jours, 0 = sans limite)"),
        default=365,
        validators=[MaxValueValidator(3650)],
    )
    visio_service = models.CharField(
        _("service de visioconférence"),
        max_length=10,
        choices=VisioService.choices,
        default=VisioService.NONE,
        blank=True,
    )
    visio_base_url = models.URLField(
        _("adresse du service de visioconférence"), blank=True, max_length=300
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("politique")
        verbose_name_plural = _("politiques")

    def __str__(self) -> str:
        return f"Politique de {self.organisation}"

    def clean(self) -> None:
        super().clean()
        if self.visio_service and not self.visio_base_url:
            raise ValidationError(
                {"visio_base_url": _("Indiquez l'adresse du service de visioconférence choisi.")}
            )
        if self.visio_base_url and not self.visio_base_url.startswith("https://"):
            raise ValidationError({"visio_base_url": _("L'adresse doit commencer par https://.")})
