"""Forms of the provisioning console: issue a SCIM token, upload a CSV file of people."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from entente.core.validators import validate_plain_text
from entente.provisioning.csvfile import MAX_BYTES


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nom du jeton"),
        max_length=100,
        validators=[validate_plain_text],
        help_text=_("Pour le reconnaître plus tard, par exemple « Azure AD » ou « SIRH »."),
    )
    send_invitations = forms.BooleanField(
        label=_("Inviter par e-mail les personnes créées par ce jeton"),
        required=False,
        help_text=_(
            "À cocher seulement si ces personnes n'ont pas l'identifiant de l'organisation "
            "(SSO) : chacune recevra un lien pour choisir un mot de passe."
        ),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_(
            "Une ligne par personne, la première ligne donnant les colonnes : email, prenom, nom, "
            "et au choix statut, mandat, fonction, telephone, service, admin, actif. "
            "Séparateur « ; » ou « , », de préférence en UTF-8. %(max)d Mo au plus."
        )
        % {"max": MAX_BYTES // 1024 // 1024},
    )
    deactivate_missing = forms.BooleanField(
        label=_("Désactiver les personnes absentes du fichier"),
        required=False,
        help_text=_(
            "Les comptes actifs de l'organisation qui ne figurent pas dans le fichier seront "
            "désactivés (rien n'est supprimé)."
        ),
    )
    invite = forms.BooleanField(
        label=_("Inviter par e-mail les personnes créées"),
        required=False,
        help_text=_(
            "Laissez décoché si votre organisation se connecte avec son propre identifiant (SSO)."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse %(max)d Mo : découpez-le en plusieurs fichiers.")
                % {"max": MAX_BYTES // 1024 // 1024}
            )
        return upload
