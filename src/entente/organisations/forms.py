"""Forms of the consoles for organisations (operators) and their policies (admins and operators)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from entente.organisations.models import Organisation, Policy
from entente.organisations.services import parse_domains, validate_logo


class OrganisationForm(forms.Form):
    """An organisation's identity: type, name, short identifier, SIREN, mail domains, logo."""

    kind = Organisation._meta.get_field("kind").formfield()
    name = Organisation._meta.get_field("name").formfield()
    slug = Organisation._meta.get_field("slug").formfield(
        required=False,
        help_text=_(
            "Lettres minuscules, chiffres et tirets ; il figure dans les adresses (exemple : "
            "commune-de-valmont). Laissé vide, il est tiré du nom. Il ne change plus ensuite."
        ),
    )
    siren = Organisation._meta.get_field("siren").formfield(
        help_text=_("9 chiffres, facultatif. Exemple : 217 500 016"), max_length=11
    )
    domains = forms.CharField(
        label=_("Domaines de messagerie"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "Un par ligne, ou séparés par des virgules (exemple : valmont.fr). Les adresses sur "
            "ces domaines ne peuvent appartenir qu'à cette organisation."
        ),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=_("Image PNG, JPEG ou WebP de 1 Mo au plus."),
    )
    remove_logo = forms.BooleanField(label=_("Retirer le logo actuel"), required=False)

    def __init__(self, *args: Any, organisation: Organisation | None = None, **kwargs: Any) -> None:
        if organisation is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": organisation.kind,
                    "name": organisation.name,
                    "slug": organisation.slug,
                    "siren": organisation.siren,
                    "domains": "\n".join(organisation.domain_names),
                },
            )
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        if organisation is not None:
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = _(
                "Il figure dans des adresses (liens, synchronisation des comptes) : il ne change "
                "plus."
            )
        if organisation is None or not organisation.logo:
            del self.fields["remove_logo"]

    def clean_siren(self) -> str:
        return (self.cleaned_data.get("siren") or "").replace(" ", "")

    def clean_domains(self) -> list[str]:
        return parse_domains(self.cleaned_data.get("domains") or "")

    def clean_logo(self) -> UploadedFile | None:
        logo = self.cleaned_data.get("logo")
        if logo:
            validate_logo(logo)
        return logo


POLICY_HELP = {
    "directory_visibility": _(
        "« Tout le territoire » : les agents des autres organisations trouvent les vôtres dans "
        "l'annuaire. « Notre organisation seulement » : vos agents restent invisibles hors de "
        "chez vous."
    ),
    "external_sharing_allowed": _(
        "Vos agents peuvent partager des documents et des agendas avec les autres organisations "
        "du territoire."
    ),
    "guests_allowed": _(
        "Vos agents peuvent inviter des personnes hors du territoire dans un espace de projet."
    ),
    "public_links_allowed": _(
        "Vos agents peuvent créer des liens de téléchargement ouverts à toute personne qui les "
        "reçoit."
    ),
    "public_link_max_days": _(
        "Un lien public expire au plus tard après ce nombre de jours (de 1 à 365)."
    ),
    "mfa_required": _(
        "Qui doit confirmer sa connexion avec un second facteur (application d'authentification "
        "ou clé de sécurité)."
    ),
    "quota_per_person_mb": _(
        "Espace de stockage de chaque personne, en mégaoctets (10 240 Mo = 10 Go)."
    ),
    "quota_organisation_gb": _("Espace de stockage de toute l'organisation, en gigaoctets."),
    "trash_retention_days": _(
        "Un élément supprimé reste récupérable dans la corbeille pendant ce nombre de jours."
    ),
    "version_retention_count": _("Nombre d'anciennes versions gardées pour chaque document."),
    "version_retention_days": _(
        "Une ancienne version est effacée après ce nombre de jours (0 : gardée tant que le "
        "nombre de versions le permet)."
    ),
    "visio_service": _(
        "Le service de visioconférence de l'organisation : l'agenda propose d'ajouter un lien "
        "de réunion à chaque évènement."
    ),
    "visio_base_url": _(
        "Son adresse, par exemple https://visio.example.fr/ (Jitsi) ou l'adresse des salles "
        "BigBlueButton ; vide, aucun lien n'est proposé."
    ),
}


class PolicyForm(forms.ModelForm):
    """Every setting of an organisation's policy, each with what it changes in practice."""

    class Meta:
        model = Policy
        fields = list(POLICY_HELP)
        help_texts = POLICY_HELP
        widgets = {"directory_visibility": forms.RadioSelect, "mfa_required": forms.RadioSelect}

    def policy_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
