"""What the home page shows besides each person's own items: app tiles and announcements.

Both belong to an organisation (managed by its administrators) or to the whole territory
(``organisation`` empty, managed by the platform's operators).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entente.core.validators import validate_plain_text

_url_validator = URLValidator(schemes=["http", "https"])


def validate_tile_url(value: str) -> None:
    """An address a tile may open: ``http(s)://…`` or a page of the platform (``/agenda/``).

    Anything else (``javascript:``, ``data:``, ``//host``, spaces or control characters) is
    refused: a tile is a plain link, never a way to run code.
    """
    message = _(
        "Indiquez une adresse web complète commençant par https:// (ou http://), "
        "ou une page de la plateforme commençant par /."
    )
    text = value or ""
    if not text or any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValidationError(message, code="tile_url")
    if text.startswith("/") and not text.startswith("//") and "\\" not in text:
        return
    scheme = urlsplit(text).scheme.lower()
    if scheme not in {"http", "https"}:
        raise ValidationError(message, code="tile_url")
    try:
        _url_validator(text)
    except ValidationError:
        raise ValidationError(message, code="tile_url") from None


def is_external(url: str) -> bool:
    """Does ``url`` leave the platform (an absolute address)?"""
    return url.lower().startswith(("http://", "https://"))


class AppTile(models.Model):
    """A link to an application the people of an organisation (or the territory) use daily."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="app_tiles",
        help_text=_("Vide : la tuile est proposée à tout le territoire."),
    )
    title = models.CharField(_("titre"), max_length=80, validators=[validate_plain_text])
    url = models.CharField(_("adresse"), max_length=500, validators=[validate_tile_url])
    description = models.CharField(
        _("description"), max_length=200, blank=True, validators=[validate_plain_text]
    )
    category = models.CharField(
        _("catégorie"), max_length=60, blank=True, validators=[validate_plain_text]
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("affichée"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("tuile d'application")
        verbose_name_plural = _("tuiles d'application")
        indexes = [models.Index(fields=["organisation", "position"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_external(self) -> bool:
        return is_external(self.url)


class AnnouncementLevel(models.TextChoices):
    INFO = "info", _("Information")
    IMPORTANT = "important", _("Important")


class Announcement(models.Model):
    """A message shown on the home page between two dates."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="announcements",
        help_text=_("Vide : l'annonce s'adresse à tout le territoire."),
    )
    title = models.CharField(_("titre"), max_length=150, validators=[validate_plain_text])
    body = models.TextField(
        _("texte"),
        blank=True,
        max_length=5000,
        help_text=_("Texte simple ; **gras**, listes et liens sont acceptés (Markdown)."),
    )
    level = models.CharField(
        _("importance"),
        max_length=10,
        choices=AnnouncementLevel.choices,
        default=AnnouncementLevel.INFO,
    )
    starts_at = models.DateTimeField(_("affichée à partir du"), default=timezone.now)
    ends_at = models.DateTimeField(
        _("affichée jusqu'au"),
        null=True,
        blank=True,
        help_text=_("Vide : l'annonce reste affichée jusqu'à ce que vous la retiriez."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("annonce")
        indexes = [models.Index(fields=["organisation", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.ends_at and self.starts_at and self.ends_at <= self.starts_at:
            raise ValidationError(
                {"ends_at": _("La fin de l'affichage doit venir après son début.")}
            )

    @property
    def is_important(self) -> bool:
        return self.level == AnnouncementLevel.IMPORTANT

    def is_current(self, at: object = None) -> bool:
        now = at or timezone.now()
        return self.starts_at <= now and (self.ends_at is None or self.ends_at > now)
