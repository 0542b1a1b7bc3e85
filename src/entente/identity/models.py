"""An organisation's identity provider (OpenID Connect): registered at run time by its admins."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from entente.core.validators import validate_plain_text


class ProviderKind(models.TextChoices):
    PROCONNECT = "proconnect", _("ProConnect")
    LEMONLDAP = "lemonldap", _("LemonLDAP::NG")
    KEYCLOAK = "keycloak", _("Keycloak")
    OIDC = "oidc", _("Autre fournisseur OpenID Connect")


#: claim read for each field of a person when the mapping leaves it empty, by kind
DEFAULT_CLAIMS: dict[str, dict[str, str]] = {
    "generic": {
        "first_name": "given_name",
        "last_name": "family_name",
        "email": "email",
        "service": "",
        "job_title": "",
    },
    ProviderKind.PROCONNECT: {
        "first_name": "given_name",
        "last_name": "usual_name",
        "email": "email",
        "service": "organizational_unit",
        "job_title": "",
    },
}

#: scopes asked for by default, by kind
DEFAULT_SCOPES: dict[str, str] = {
    "generic": "openid email profile",
    ProviderKind.PROCONNECT: "openid email given_name usual_name uid siret organizational_unit",
}

CLAIM_FIELDS = ("first_name", "last_name", "email", "service", "job_title")


def default_claim(kind: str, field: str) -> str:
    return DEFAULT_CLAIMS.get(kind, DEFAULT_CLAIMS["generic"])[field]


def default_scopes(kind: str) -> str:
    return DEFAULT_SCOPES.get(kind, DEFAULT_SCOPES["generic"])


class IdentityProvider(models.Model):
    """The single sign-on service of one organisation.

    Kept in step with an allauth ``SocialApp`` (provider ``openid_connect``, ``provider_id``
    ``org-<slug>``) by ``entente.identity.services``: allauth reads that row at sign-in time,
    so a change here applies at once, without a redeploy. The client secret is write-only in
    the console and never leaves the server.
    """

    organisation = models.OneToOneField(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="identity_provider",
    )
    provider_id = models.CharField(max_length=80, unique=True, editable=False)
    kind = models.CharField(
        _("type de fournisseur"),
        max_length=20,
        choices=ProviderKind.choices,
        default=ProviderKind.OIDC,
    )
    name = models.CharField(
        _("nom affiché"),
        max_length=40,
        validators=[validate_plain_text],
        help_text=_("Montré aux personnes qui se connectent, par exemple « ProConnect »."),
    )
    issuer = models.URLField(_("adresse de l'émetteur (issuer)"), max_length=500)
    client_id = models.CharField(_("identifiant client (client_id)"), max_length=191)
    client_secret = models.CharField(_("secret client"), max_length=191)
    scopes = models.CharField(_("portées (scopes)"), max_length=300)
    claim_first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    claim_last_name = models.CharField(_("nom"), max_length=100, blank=True)
    claim_email = models.CharField(_("adresse e-mail"), max_length=100, blank=True)
    claim_service = models.CharField(_("service"), max_length=100, blank=True)
    claim_job_title = models.CharField(_("fonction"), max_length=100, blank=True)
    acr_values = models.CharField(
        _("niveau d'authentification demandé (acr_values)"), max_length=200, blank=True
    )
    allow_local_password = models.BooleanField(
        _("connexion par mot de passe encore permise"), default=True
    )
    trust_email = models.BooleanField(
        _("adresses e-mail vérifiées par le fournisseur"), default=False
    )
    is_enabled = models.BooleanField(_("activé"), default=False)
    metadata = models.JSONField(default=dict, blank=True, editable=False)
    checked_at = models.DateTimeField(_("vérifié le"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fournisseur d'identité")
        verbose_name_plural = _("fournisseurs d'identité")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    def claim_for(self, field: str) -> str:
        """The claim that gives ``field`` of a person (the kind's default when left empty)."""
        return getattr(self, f"claim_{field}") or default_claim(self.kind, field)

    @property
    def scope_list(self) -> list[str]:
        scopes = self.scopes.split() or default_scopes(self.kind).split()
        return scopes if "openid" in scopes else ["openid", *scopes]

    @property
    def acr_list(self) -> list[str]:
        return self.acr_values.split()

    @property
    def end_session_endpoint(self) -> str:
        return str(self.metadata.get("end_session_endpoint") or "")
