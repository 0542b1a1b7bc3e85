"""Forms of single sign-on: the console's provider settings, and the e-mail-first sign-in."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from entente.identity import services
from entente.identity.models import IdentityProvider, ProviderKind, default_claim

STEP_EMAIL = "email"
STEP_PASSWORD = "password"
#: ``/compte/login/?etape=mot-de-passe`` opens the password step directly (break-glass access
#: for the people of an organisation whose provider allows local passwords)
PASSWORD_STEP_QUERY = "mot-de-passe"


def _claim_help(field: str) -> str:
    generic = default_claim(ProviderKind.OIDC, field)
    proconnect = default_claim(ProviderKind.PROCONNECT, field)
    if not generic and not proconnect:
        return str(_("Laissez vide si le fournisseur ne le transmet pas."))
    if generic == proconnect:
        return str(_("Laissez vide pour « %(claim)s ».") % {"claim": generic})
    return str(
        _("Laissez vide pour « %(generic)s » (ProConnect : « %(proconnect)s »).")
        % {"generic": generic or "—", "proconnect": proconnect or "—"}
    )


class IdentityProviderForm(forms.ModelForm):
    """An organisation's provider; the client secret is write-only (never shown back)."""

    issuer = forms.URLField(
        label=capfirst(IdentityProvider._meta.get_field("issuer").verbose_name),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "L'adresse que le fournisseur annonce comme émetteur, sans "
            "« /.well-known/openid-configuration ». Exemples : "
            "https://<domaine ProConnect>/api/v2 (ProConnect), "
            "https://sso.mairie.fr/realms/agents (Keycloak), https://auth.mairie.fr "
            "(LemonLDAP::NG)."
        ),
    )
    client_secret = forms.CharField(
        label=_("Secret client (client_secret)"),
        required=False,
        max_length=191,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "kind",
            "name",
            "issuer",
            "client_id",
            "client_secret",
            "scopes",
            "acr_values",
            "claim_first_name",
            "claim_last_name",
            "claim_email",
            "claim_service",
            "claim_job_title",
            "allow_local_password",
            "trust_email",
            "is_enabled",
        ]
        widgets = {"kind": forms.RadioSelect}
        help_texts = {
            "client_id": _("Donné par le fournisseur quand vous y déclarez la plateforme."),
            "scopes": _(
                "Séparées par des espaces. Habituellement « openid email profile » ; ProConnect : "
                "« openid email given_name usual_name uid siret organizational_unit »."
            ),
            "acr_values": _(
                "Facultatif. Niveau d'authentification exigé, par exemple « eidas1 » pour "
                "ProConnect. Le niveau confirmé par le fournisseur est vérifié à chaque connexion."
            ),
            "allow_local_password": _(
                "Décochez pour obliger vos agents à passer par ce service. Laissez coché tant que "
                "tout le monde n'y a pas de compte."
            ),
            "trust_email": _(
                "Cochez seulement si le fournisseur vérifie lui-même chaque adresse. Sinon, un "
                "compte existant n'est relié que si le fournisseur indique email_verified."
            ),
            "is_enabled": _(
                "Les personnes dont l'adresse est sur un domaine de l'organisation sont alors "
                "dirigées vers ce service à la connexion."
            ),
        }

    def __init__(self, *args: Any, has_secret: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_secret = has_secret
        self.fields["client_secret"].help_text = (
            _("Un secret est enregistré ; il n'est jamais réaffiché. Laissez vide pour le garder.")
            if has_secret
            else _("Donné par le fournisseur avec l'identifiant client.")
        )
        for field in ("first_name", "last_name", "email", "service", "job_title"):
            self.fields[f"claim_{field}"].help_text = _claim_help(field)
        self.fields["scopes"].required = False
        for name in ("issuer", "client_id", "scopes", "acr_values"):
            self.fields[name].widget.attrs.update(spellcheck="false", autocomplete="off")
        self.fields["issuer"].widget.attrs["inputmode"] = "url"

    def provider_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class EmailFirstLoginForm(LoginForm):
    """allauth's sign-in form, asking for the e-mail first.

    An address on a domain of an organisation with an enabled provider goes to that provider
    (``login()`` answers with the page that moves on to it); any other address gets the
    password step. Without JavaScript that is two pages; the page's script shows the right
    step as the address is typed. A request carrying both ``login`` and ``password`` signs in
    locally at once, except for the people whose organisation requires its provider.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].required = False
        self.fields["login"].label = _("Adresse e-mail")
        self.sso_provider = None
        self.awaiting_password = False
        if self.is_bound:
            step = self.data.get("step")
            if step not in (STEP_EMAIL, STEP_PASSWORD):
                step = STEP_PASSWORD if self.data.get("password") else STEP_EMAIL
        else:
            asked = self.request.GET.get("etape") if self.request is not None else None
            step = STEP_PASSWORD if asked == PASSWORD_STEP_QUERY else STEP_EMAIL
        self.step = step
        self._show_step()

    def _show_step(self) -> None:
        attrs = self.fields["password"].widget.attrs
        attrs.pop("placeholder", None)
        if self.step == STEP_EMAIL:
            attrs["disabled"] = True  # not sent by the first page without JavaScript
        else:
            attrs.pop("disabled", None)
        if self.awaiting_password:
            attrs["autofocus"] = True
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["login"].widget.attrs["spellcheck"] = "false"

    @property
    def sso_domains(self) -> dict[str, dict[str, Any]]:
        return services.sso_domains()

    @property
    def errors_to_show(self) -> bool:
        """Form errors, except the silent passage from the e-mail step to the password step."""
        return bool(self.errors) and not self.awaiting_password

    def clean(self) -> dict[str, Any]:
        cleaned = forms.Form.clean(self)
        if self._errors:
            return cleaned
        email = cleaned.get("login", "")
        password = cleaned.get("password")
        provider = services.provider_for_email(email)
        if provider is not None and (not password or not provider.allow_local_password):
            self.sso_provider = provider
            return cleaned
        if not password:
            if self.step == STEP_EMAIL:
                self.awaiting_password = True
                self.step = STEP_PASSWORD
                self._show_step()
                raise ValidationError("", code="password_step")
            self.add_error("password", _("Saisissez votre mot de passe."))
            return cleaned
        self.step = STEP_PASSWORD
        self._show_step()
        cleaned = super().clean()
        if self.user is not None:
            own = services.provider_for_person(self.user)
            if own is not None and not own.allow_local_password:
                # The password was right, but this organisation signs its people in through
                # its own service only (an address off its domains, an élu's personal one).
                self.sso_provider = own
        return cleaned

    def login(self, request: HttpRequest, redirect_url: str | None = None) -> HttpResponse:
        if self.sso_provider is not None:
            return services.start_sso(
                request,
                self.sso_provider,
                login_hint=self.cleaned_data["login"],
                next_url=redirect_url,
            )
        return super().login(request, redirect_url=redirect_url)
