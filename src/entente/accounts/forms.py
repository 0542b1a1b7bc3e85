"""Forms of the people console: search the list, create or edit a person, name an admin."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from entente.accounts.models import Status, User
from entente.accounts.services import pending_invitation_q
from entente.directory.forms import ServiceChoiceField

MEMBER_STATUSES = [(Status.AGENT.value, Status.AGENT.label), (Status.ELU.value, Status.ELU.label)]
MAX_SEARCH_TERMS = 6

# Base letter → the accented letters French names and words use (search ignores accents).
ACCENTS = {
    "a": "aàâäáã",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîïíì",
    "n": "nñ",
    "o": "oôöóò",
    "u": "uùûüú",
    "y": "yÿ",
}


def fold(text: str) -> str:
    """Lower-case ``text`` without its accents: ``"Agnès"`` → ``"agnes"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def accent_pattern(term: str) -> str:
    """A regular expression matching ``term`` whatever its accents (``"agnes"`` finds "Agnès").

    Written in the subset of syntax that SQLite (Python's ``re``) and PostgreSQL share, so the
    same ``__iregex`` lookup runs on both without an ``unaccent`` extension.
    """
    parts = []
    for char in fold(term):
        variants = ACCENTS.get(char)
        parts.append(f"[{variants}{variants.upper()}]" if variants else re.escape(char))
    return "".join(parts)


def model_field(name: str, **kwargs: Any) -> forms.Field:
    """The form field of ``User.<name>`` (label, length and validators come from the model)."""
    return User._meta.get_field(name).formfield(**kwargs)


class PeopleFilterForm(forms.Form):
    """Search (name, e-mail, job, service) and filters of the people list (query string)."""

    STATE_CHOICES = [
        ("", _("Tous")),
        ("active", _("Actifs")),
        ("pending", _("Invitation en attente")),
        ("inactive", _("Désactivés")),
    ]

    q = forms.CharField(
        label=_("Rechercher"),
        required=False,
        max_length=100,
        help_text=_(
            "Nom, prénom, adresse e-mail, fonction ou service ; les accents sont facultatifs."
        ),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Statut"), required=False, choices=[("", _("Tous")), *MEMBER_STATUSES]
    )
    state = forms.ChoiceField(label=_("État du compte"), required=False, choices=STATE_CHOICES)

    def apply(self, people: QuerySet) -> QuerySet:
        """Narrow ``people`` to what the form asks for (an invalid form narrows nothing)."""
        if not self.is_valid():
            return people
        data = self.cleaned_data
        for term in (data.get("q") or "").split()[:MAX_SEARCH_TERMS]:
            pattern = accent_pattern(term)
            people = people.filter(
                Q(first_name__iregex=pattern)
                | Q(last_name__iregex=pattern)
                | Q(email__iregex=pattern)
                | Q(job_title__iregex=pattern)
                | Q(service__name__iregex=pattern)
            )
        if data.get("status"):
            people = people.filter(status=data["status"])
        state = data.get("state")
        if state == "active":
            people = people.filter(is_active=True)
        elif state == "inactive":
            people = people.filter(is_active=False)
        elif state == "pending":
            people = people.filter(pending_invitation_q())
        return people

    @property
    def is_filtered(self) -> bool:
        return self.is_valid() and any(self.cleaned_data.values())


class PersonForm(forms.Form):
    """Create or edit a person of one organisation (the organisation itself never changes here)."""

    email = model_field("email", help_text=_("Elle sert d'identifiant de connexion."))
    first_name = model_field("first_name")
    last_name = model_field("last_name")
    status = forms.ChoiceField(
        label=_("Statut"), choices=MEMBER_STATUSES, initial=Status.AGENT, widget=forms.RadioSelect
    )
    mandate = model_field(
        "mandate",
        help_text=_("Pour un élu seulement, par exemple « adjointe déléguée à l'éducation »."),
    )
    job_title = model_field("job_title", help_text=_("Par exemple « Responsable de l'urbanisme »."))
    phone = model_field("phone", help_text=_("Exemple : 01 23 45 67 89"))
    service = ServiceChoiceField(
        queryset=None, label=_("Service"), required=False, empty_label=_("— Aucun service —")
    )
    manager = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Responsable hiérarchique"),
        required=False,
        empty_label=_("— Aucun —"),
        help_text=_("Affiché dans l'annuaire, sur la fiche de la personne."),
    )
    is_org_admin = forms.BooleanField(
        label=_("Administrateur de l'organisation"),
        required=False,
        help_text=_(
            "Peut créer et désactiver des comptes, gérer les services, les groupes et les "
            "politiques."
        ),
    )
    send_invitation = forms.BooleanField(
        label=_("Envoyer l'invitation par e-mail"),
        required=False,
        initial=True,
    )

    def __init__(
        self,
        *args: Any,
        services: QuerySet,
        person: User | None = None,
        can_set_admin: bool = True,
        **kwargs: Any,
    ) -> None:
        if person is not None:
            kwargs.setdefault(
                "initial",
                {
                    "email": person.email,
                    "first_name": person.first_name,
                    "last_name": person.last_name,
                    "status": person.status,
                    "mandate": person.mandate,
                    "job_title": person.job_title,
                    "phone": person.phone,
                    "service": person.service_id,
                    "manager": person.manager_id,
                    "is_org_admin": person.is_org_admin,
                },
            )
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["service"].queryset = services
        self.fields["email"].widget.attrs.update(autocomplete="off", spellcheck="false")
        self.fields["phone"].widget.input_type = "tel"
        if person is not None and person.organisation_id is not None:
            self.fields["manager"].queryset = (
                User.objects.filter(organisation_id=person.organisation_id, is_active=True)
                .exclude(pk=person.pk)
                .order_by("last_name", "first_name", "pk")
            )
        else:
            del self.fields["manager"]
        if person is not None:
            del self.fields["send_invitation"]
        else:
            self.fields["send_invitation"].help_text = _(
                "La personne reçoit un lien, valable %(days)d jours, pour choisir son mot de passe."
            ) % {"days": settings.INVITATION_TIMEOUT_DAYS}
        if not can_set_admin:
            del self.fields["is_org_admin"]

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip().lower()

    def person_data(self) -> dict[str, Any]:
        """What ``accounts.services.do_create_person`` / ``do_update_person`` expect."""
        return {k: v for k, v in self.cleaned_data.items() if k != "send_invitation"}


class AddAdminForm(forms.Form):
    """Name an organisation's administrator: a new person (invited) or one of its people."""

    email = model_field(
        "email",
        help_text=_(
            "Si cette adresse est déjà celle d'une personne de l'organisation, elle devient "
            "administratrice."
        ),
    )
    first_name = model_field(
        "first_name", required=False, help_text=_("Obligatoire pour une nouvelle personne.")
    )
    last_name = model_field(
        "last_name", required=False, help_text=_("Obligatoire pour une nouvelle personne.")
    )
    job_title = model_field("job_title")

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip().lower()


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's "forgotten password" form, with the platform's words for the field."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Adresse e-mail")
        self.fields["email"].widget.attrs.pop("placeholder", None)


class GuestInvitationForm(forms.Form):
    """Someone from outside the territory, invited to a space or to a shared item: who, and
    until when (the services check the policy, the address and the date)."""

    email = forms.EmailField(label=_("Adresse e-mail"), max_length=254)
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom de famille"), max_length=100)
    guest_expires_at = forms.DateField(
        label=_("Accès jusqu'au"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Au plus un an. La personne ne voit plus rien après cette date."),
    )
    role = forms.ChoiceField(label=_("Rôle de la personne invitée"))

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        import datetime as dt

        from django.utils import timezone

        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        self.fields["role"].initial = roles[0][0] if roles else None
        self.fields["guest_expires_at"].initial = timezone.localdate() + dt.timedelta(days=90)

    def expires_at(self):
        """The end of the chosen day, in the platform's time zone."""
        import datetime as dt

        from django.utils import timezone

        day = self.cleaned_data["guest_expires_at"]
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))
