"""People: the user model keyed on e-mail, with home organisation and roles."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from entente.core.validators import validate_phone, validate_plain_text


class Status(models.TextChoices):
    AGENT = "agent", _("Agent")
    ELU = "elu", _("Élu·e")
    GUEST = "guest", _("Invité·e extérieur·e")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("Une adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_operator", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_operator=True, is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: an agent or élu of one organisation, or a guest from outside the territory."""

    email = models.EmailField(_("adresse e-mail"), max_length=254, unique=True)
    first_name = models.CharField(_("prénom"), max_length=100, validators=[validate_plain_text])
    last_name = models.CharField(_("nom"), max_length=100, validators=[validate_plain_text])
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="people",
        null=True,
        blank=True,
        help_text=_("Vide pour une personne invitée de l'extérieur."),
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.AGENT
    )
    is_org_admin = models.BooleanField(_("administrateur de l'organisation"), default=False)
    is_operator = models.BooleanField(_("opérateur de la plateforme"), default=False)
    job_title = models.CharField(
        _("fonction"), max_length=150, blank=True, validators=[validate_plain_text]
    )
    mandate = models.CharField(
        _("mandat"),
        max_length=200,
        blank=True,
        validators=[validate_plain_text],
        help_text=_("Pour un élu, par exemple « adjointe déléguée à l'éducation »."),
    )
    phone = models.CharField(_("téléphone"), max_length=25, blank=True, validators=[validate_phone])
    service = models.ForeignKey(
        "directory.Service",
        verbose_name=_("service"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    manager = models.ForeignKey(
        "self",
        verbose_name=_("responsable hiérarchique"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration technique"), default=False)
    date_joined = models.DateTimeField(_("créé le"), default=timezone.now)
    deactivated_at = models.DateTimeField(_("désactivé le"), null=True, blank=True)
    invited_at = models.DateTimeField(_("invité le"), null=True, blank=True)
    guest_expires_at = models.DateTimeField(_("accès invité jusqu'au"), null=True, blank=True)
    # Raised to end every session of the person at once, whatever the session backend.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]
        indexes = [models.Index(fields=["organisation", "last_name", "first_name"])]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django checks this on every request: a raised generation ends every open session.

        Generation 0 keeps Django's own hash, so sessions opened before stay valid.
        """
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)
        return salted_hmac(
            "entente.accounts.User.session",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def is_guest(self) -> bool:
        return self.organisation_id is None

    @property
    def is_elu(self) -> bool:
        return self.status == Status.ELU

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper()

    @property
    def access_expired(self) -> bool:
        """A guest whose access date has passed: treated as deactivated by every door."""
        return self.guest_expires_at is not None and self.guest_expires_at <= timezone.now()

    @property
    def has_pending_invitation(self) -> bool:
        return self.invited_at is not None and not self.has_usable_password()


class AppPassword(models.Model):
    """A named, revocable password for one client (CalDAV, WebDAV, desktop sync, API script).

    The secret is random and high-entropy, so it is stored as a SHA-256 digest and found by
    an indexed lookup: checking it costs one query, never a slow password hash per request.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="app_passwords")
    name = models.CharField(_("nom"), max_length=100, validators=[validate_plain_text])
    prefix = models.CharField(
        max_length=12, help_text=_("Début du mot de passe, pour le reconnaître.")
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_client = models.CharField(max_length=200, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mot de passe d'application")
        verbose_name_plural = _("mots de passe d'application")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="app_password_unique_active_name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
