"""The agenda's forms: quick add, the event form (repetition built into an RRULE), calendars,
shares and bookable resources. Forms parse and check what a person typed; services decide."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.forms.utils import ErrorDict
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entente.calendars.models import (
    COLOURS,
    DEFAULT_TZID,
    Privacy,
    Resource,
    ResourceKind,
    ShareLevel,
)
from entente.calendars.recurrence import UTC, zone
from entente.core.permissions import visible

#: time zones offered first; any IANA name is accepted through « Autre fuseau »
COMMON_ZONES = [
    "Europe/Paris",
    "Europe/London",
    "Europe/Brussels",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Zurich",
    "Europe/Luxembourg",
    "Atlantic/Azores",
    "America/Guadeloupe",
    "America/Martinique",
    "America/Cayenne",
    "America/Montreal",
    "America/New_York",
    "Indian/Reunion",
    "Indian/Mayotte",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "UTC",
]

QUICK_DURATIONS = [
    (30, gettext_lazy("30 minutes")),
    (60, gettext_lazy("1 heure")),
    (90, gettext_lazy("1 h 30")),
    (120, gettext_lazy("2 heures")),
    (180, gettext_lazy("3 heures")),
    (240, gettext_lazy("4 heures")),
]

REMINDERS = [
    (10, gettext_lazy("10 minutes avant")),
    (30, gettext_lazy("30 minutes avant")),
    (60, gettext_lazy("1 heure avant")),
    (1440, gettext_lazy("1 jour avant")),
]

NO_REPEAT, KEEP_RULE = "", "keep"
FREQUENCIES = [
    (NO_REPEAT, gettext_lazy("Ne se répète pas")),
    ("DAILY", gettext_lazy("Chaque jour")),
    ("WEEKLY", gettext_lazy("Chaque semaine")),
    ("MONTHLY", gettext_lazy("Chaque mois")),
    ("YEARLY", gettext_lazy("Chaque année")),
]
#: « toutes les N … » for each frequency
UNITS = {
    "DAILY": (gettext_lazy("jour"), gettext_lazy("jours")),
    "WEEKLY": (gettext_lazy("semaine"), gettext_lazy("semaines")),
    "MONTHLY": (gettext_lazy("mois"), gettext_lazy("mois")),
    "YEARLY": (gettext_lazy("an"), gettext_lazy("ans")),
}
ENDS = [
    ("never", gettext_lazy("Jamais")),
    ("date", gettext_lazy("Le (date)")),
    ("count", gettext_lazy("Après un nombre de fois")),
]
SCOPES = [
    ("this", gettext_lazy("Cette occurrence")),
    ("following", gettext_lazy("Cette occurrence et les suivantes")),
    ("all", gettext_lazy("Toutes les occurrences")),
]
URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)
MAX_LINES = 200

DATE_WIDGET = {"type": "date"}
TIME_WIDGET = {"type": "time", "step": "300"}


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")


def time_input() -> forms.TimeInput:
    return forms.TimeInput(attrs=TIME_WIDGET, format="%H:%M")


# --- quick add and navigation ------------------------------------------------------------------


class QuickAddForm(forms.Form):
    """An event in the default calendar in one step: a title, a day, a start and a duration."""

    titre = forms.CharField(label=gettext_lazy("Titre"), max_length=255)
    jour = forms.DateField(label=gettext_lazy("Jour"), widget=date_input())
    debut = forms.TimeField(label=gettext_lazy("Début"), widget=time_input())
    duree = forms.TypedChoiceField(
        label=gettext_lazy("Durée"), choices=QUICK_DURATIONS, coerce=int, initial=60
    )

    def clean_jour(self) -> dt.date:
        return check_year(self.cleaned_data["jour"])


class JumpForm(forms.Form):
    """« Aller à la date » of the agenda's navigation (a GET form)."""

    date = forms.DateField(label=gettext_lazy("Aller au"), widget=date_input())
    vue = forms.ChoiceField(
        choices=[("jour", "jour"), ("semaine", "semaine"), ("mois", "mois"), ("liste", "liste")],
        required=False,
        widget=forms.HiddenInput,
    )

    def clean_date(self) -> dt.date:
        return check_year(self.cleaned_data["date"])


def check_year(value: dt.date) -> dt.date:
    if not 1970 <= value.year <= 2100:
        raise forms.ValidationError(_("Choisissez une date entre 1970 et 2100."))
    return value


# --- the event form ----------------------------------------------------------------------------


def calendar_label(calendar: Any) -> str:
    """A calendar with its owner's name: « Mon agenda (Karim Haddad) »."""
    if calendar.owner_id:
        return f"{calendar.name} ({calendar.owner.get_full_name()})"
    return calendar.name


class EventForm(forms.Form):
    """What a person sets on an event. ``to_data()`` gives the pieces of ``EventData``."""

    title = forms.CharField(
        label=gettext_lazy("Titre"),
        max_length=255,
        error_messages={"required": gettext_lazy("Donnez un titre à l'évènement.")},
    )
    calendar = forms.ModelChoiceField(label=gettext_lazy("Agenda"), queryset=None, empty_label=None)
    all_day = forms.BooleanField(label=gettext_lazy("Toute la journée"), required=False)
    start_date = forms.DateField(label=gettext_lazy("Date de début"), widget=date_input())
    start_time = forms.TimeField(
        label=gettext_lazy("Heure de début"), required=False, widget=time_input()
    )
    end_date = forms.DateField(label=gettext_lazy("Date de fin"), widget=date_input())
    end_time = forms.TimeField(
        label=gettext_lazy("Heure de fin"), required=False, widget=time_input()
    )
    tzid = forms.CharField(
        label=gettext_lazy("Fuseau horaire"),
        initial=DEFAULT_TZID,
        max_length=64,
        widget=forms.Select(choices=[(z, z) for z in COMMON_ZONES]),
    )
    other_tzid = forms.CharField(
        label=gettext_lazy("Autre fuseau horaire"),
        required=False,
        max_length=64,
        help_text=gettext_lazy("Facultatif, remplace le choix ci-dessus ; par exemple Asia/Tokyo."),
    )
    repeat = forms.ChoiceField(
        label=gettext_lazy("Répétition"), choices=FREQUENCIES, required=False
    )
    interval = forms.IntegerField(
        label=gettext_lazy("Tous les … (intervalle)"),
        min_value=1,
        max_value=99,
        initial=1,
        required=False,
        help_text=gettext_lazy("1 : chaque fois ; 2 : une fois sur deux…"),
    )
    repeat_end = forms.ChoiceField(
        label=gettext_lazy("Fin de la répétition"),
        choices=ENDS,
        initial="never",
        widget=forms.RadioSelect,
        required=False,
    )
    until = forms.DateField(label=gettext_lazy("Dernier jour"), required=False, widget=date_input())
    count = forms.IntegerField(
        label=gettext_lazy("Nombre de fois"), min_value=1, max_value=999, required=False
    )
    location = forms.CharField(label=gettext_lazy("Lieu"), max_length=255, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    privacy = forms.ChoiceField(
        label=gettext_lazy("Confidentialité"),
        choices=Privacy.choices,
        initial=Privacy.PUBLIC,
        widget=forms.RadioSelect,
    )
    busy = forms.TypedChoiceField(
        label=gettext_lazy("Disponibilité"),
        choices=[("1", gettext_lazy("Occupé")), ("0", gettext_lazy("Libre"))],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    reminders = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Rappels"),
        choices=REMINDERS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    create_visio = forms.BooleanField(
        label=gettext_lazy("Créer un lien de visioconférence"), required=False
    )
    visio_url = forms.URLField(
        label=gettext_lazy("Lien de visioconférence"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("Facultatif : collez l'adresse de la réunion (https://…)."),
    )
    attachments = forms.CharField(
        label=gettext_lazy("Documents à lire (liens)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Un document par ligne : son titre puis son adresse, "
            "par exemple « Ordre du jour https://… »."
        ),
    )
    people = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Personnes invitées"),
        queryset=None,
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy("Une des personnes invitées est introuvable."),
            "invalid_pk_value": gettext_lazy("Une des personnes invitées est introuvable."),
        },
    )
    externals = forms.CharField(
        label=gettext_lazy("Personnes extérieures au territoire (adresses e-mail)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Une adresse par ligne. Elles reçoivent l'invitation par e-mail et répondent "
            "depuis leur messagerie."
        ),
    )
    rooms = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Salles et matériel"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": gettext_lazy("Une des salles choisies est introuvable."),
            "invalid_pk_value": gettext_lazy("Une des salles choisies est introuvable."),
        },
    )
    q = forms.CharField(
        label=gettext_lazy("Inviter une personne du territoire"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("Tapez le début du nom, du service ou de l'organisation."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(
        self,
        *args: Any,
        calendars: Any,
        people: Any,
        rooms: Any,
        current_rule: str = "",
        visio_service: bool = False,
        fixed_calendar: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = calendars
        owners = {c.owner_id for c in calendars if c.owner_id}
        if len(owners) > 1:  # an assistant's list: « Mon agenda » would appear twice
            self.fields["calendar"].label_from_instance = calendar_label
        if fixed_calendar:
            del self.fields["calendar"]  # an event stays in its calendar
        self.fields["people"].queryset = people
        self.fields["rooms"].queryset = rooms
        self.fields["rooms"].label_from_instance = room_label
        self.current_rule = current_rule
        if current_rule:
            self.fields["repeat"].choices = [
                (KEEP_RULE, _("Garder la répétition actuelle")),
                *FREQUENCIES,
            ]
        if not visio_service:
            del self.fields["create_visio"]
        tz_value = (self.data.get(self.add_prefix("tzid")) if self.is_bound else None) or (
            self.initial.get("tzid")
        )
        if tz_value and tz_value not in COMMON_ZONES:
            self.fields["tzid"].widget.choices = [
                (tz_value, tz_value),
                *((z, z) for z in COMMON_ZONES),
            ]

    def quiet(self) -> None:
        """Keep the values typed but show no error: the person only searched or added someone
        (call after ``is_valid()``)."""
        self._errors = ErrorDict()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("all_day"):
            for name in ("start_time", "end_time"):
                if name not in self.errors and data.get(name) is None:
                    self.add_error(name, _("Indiquez l'heure, ou cochez « Toute la journée »."))
        for name in ("start_date", "end_date", "until"):
            value = data.get(name)
            if value and not 1970 <= value.year <= 2100:
                self.add_error(name, _("Choisissez une date entre 1970 et 2100."))
        tzid = (data.get("other_tzid") or "").strip() or data.get("tzid") or DEFAULT_TZID
        try:
            zone(tzid)
        except forms.ValidationError as error:
            field = "other_tzid" if data.get("other_tzid") else "tzid"
            self.add_error(field, error.messages[0])
        data["zone_name"] = tzid
        repeat = data.get("repeat") or NO_REPEAT
        if repeat not in (NO_REPEAT, KEEP_RULE):
            ending = data.get("repeat_end") or "never"
            if ending == "date" and not data.get("until") and "until" not in self.errors:
                self.add_error("until", _("Indiquez le dernier jour de la répétition."))
            if ending == "count" and not data.get("count") and "count" not in self.errors:
                self.add_error("count", _("Indiquez combien de fois l'évènement a lieu."))
        data["attachment_list"] = self._attachments(data.get("attachments") or "")
        data["external_list"] = [
            line.strip()
            for line in re.split(r"[\n,;]+", data.get("externals") or "")[:MAX_LINES]
            if line.strip()
        ]
        return data

    def _attachments(self, text: str) -> list[dict[str, str]]:
        found = []
        for line in text.splitlines()[:MAX_LINES]:
            line = line.strip()
            if not line:
                continue
            match = URL_RE.search(line)
            if match is None:
                self.add_error(
                    "attachments",
                    _("« %(line)s » : ajoutez l'adresse du document (https://…).")
                    % {"line": line[:80]},
                )
                continue
            title = (line[: match.start()] + line[match.end() :]).strip(" -–—:|\t")
            found.append({"title": title, "url": match.group(0)})
        return found

    def rrule(self) -> str:
        """The RRULE the repetition fields describe (the current one kept when asked)."""
        data = self.cleaned_data
        repeat = data.get("repeat") or NO_REPEAT
        if repeat == KEEP_RULE:
            return self.current_rule
        if repeat == NO_REPEAT:
            return ""
        parts = [f"FREQ={repeat}"]
        if (data.get("interval") or 1) > 1:
            parts.append(f"INTERVAL={data['interval']}")
        ending = data.get("repeat_end") or "never"
        if ending == "date" and data.get("until"):
            parts.append(f"UNTIL={data['until']:%Y%m%d}")
        elif ending == "count" and data.get("count"):
            parts.append(f"COUNT={data['count']}")
        return ";".join(parts)

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        """Start and end as aware datetimes in the chosen time zone."""
        data = self.cleaned_data
        tz = zone(data["zone_name"])
        if data.get("all_day"):
            first, last = data["start_date"], data["end_date"]
            # the form says the last day; iCalendar ends at the next midnight
            return (
                dt.datetime.combine(first, dt.time(), tz),
                dt.datetime.combine(max(last, first) + dt.timedelta(days=1), dt.time(), tz),
            )
        return (
            dt.datetime.combine(data["start_date"], data["start_time"], tz),
            dt.datetime.combine(data["end_date"], data["end_time"], tz),
        )


def room_label(resource: Resource) -> str:
    parts = [resource.name]
    details = []
    if resource.capacity:
        details.append(_("%(n)s places") % {"n": resource.capacity})
    if resource.equipment:
        details.append(resource.equipment)
    details.append(resource.organisation.name)
    return f"{parts[0]} ({', '.join(details)})"


def split_rule(rule: str) -> dict[str, str]:
    parts = {}
    for item in (rule or "").split(";"):
        name, sep, value = item.partition("=")
        if sep:
            parts[name.upper()] = value
    return parts


def is_simple_rule(rule: str) -> bool:
    """Can the repetition fields say this rule exactly (frequency, interval, one end)?"""
    parts = split_rule(rule)
    return (
        parts.get("FREQ") in UNITS
        and set(parts) <= {"FREQ", "INTERVAL", "UNTIL", "COUNT"}
        and parts.get("INTERVAL", "1").isdigit()
    )


def rule_initial(rule: str, tzid: str) -> dict[str, Any]:
    """The repetition fields of a simple rule (the series keeps a complex one as it is)."""
    if not rule:
        return {"repeat": NO_REPEAT, "repeat_end": "never", "interval": 1}
    if not is_simple_rule(rule):
        return {"repeat": KEEP_RULE, "repeat_end": "never", "interval": 1}
    parts = split_rule(rule)
    initial: dict[str, Any] = {
        "repeat": parts["FREQ"],
        "interval": int(parts.get("INTERVAL", "1")),
        "repeat_end": "never",
    }
    if "COUNT" in parts and parts["COUNT"].isdigit():
        initial.update(repeat_end="count", count=int(parts["COUNT"]))
    elif "UNTIL" in parts:
        day = until_day(parts["UNTIL"], tzid)
        if day is not None:
            initial.update(repeat_end="date", until=day)
    return initial


def until_day(value: str, tzid: str) -> dt.date | None:
    """The last day of a series whose rule says UNTIL=``value``, in the event's zone."""
    try:
        if "T" in value:
            instant = dt.datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
            return instant.astimezone(zone(tzid)).date()
        return dt.datetime.strptime(value, "%Y%m%d").replace(tzinfo=UTC).date()
    except (ValueError, forms.ValidationError):
        return None


def describe_rule(rule: str, tzid: str = DEFAULT_TZID) -> str:
    """A repetition in plain French: « toutes les 2 semaines, jusqu'au 3 mars 2027 »."""
    if not rule:
        return ""
    parts = split_rule(rule)
    freq = parts.get("FREQ", "")
    if freq not in UNITS or not is_simple_rule(rule):
        return _("Répétition personnalisée (%(rule)s)") % {"rule": rule}
    interval = int(parts.get("INTERVAL", "1") or 1)
    if interval == 1:
        text = str(dict(FREQUENCIES)[freq])
    else:
        text = _("tous les %(n)s %(unit)s") % {"n": interval, "unit": UNITS[freq][1]}
        if freq == "WEEKLY":
            text = _("toutes les %(n)s semaines") % {"n": interval}
    if "COUNT" in parts:
        text += ", " + _("%(n)s fois") % {"n": parts["COUNT"]}
    elif "UNTIL" in parts:
        day = until_day(parts["UNTIL"], tzid)
        if day is not None:
            text += ", " + _("jusqu'au %(day)s") % {"day": formats.date_format(day, "j F Y")}
    return text[:1].upper() + text[1:]


class ScopeForm(forms.Form):
    """Which instances of a series a change or a deletion applies to."""

    scope = forms.ChoiceField(
        label=gettext_lazy("Appliquer à"),
        choices=SCOPES,
        initial="this",
        widget=forms.RadioSelect,
    )


# --- calendars and shares ----------------------------------------------------------------------


class CalendarForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Nom"), max_length=150)
    colour = forms.ChoiceField(
        label=gettext_lazy("Couleur"), choices=COLOURS, widget=forms.RadioSelect
    )


class ShareForm(forms.Form):
    """With whom to share: a person (name or e-mail), one of the groups, an organisation, or
    one of the viewer's spaces."""

    person = forms.CharField(
        label=gettext_lazy("Une personne"),
        required=False,
        max_length=254,
        help_text=gettext_lazy("Son adresse e-mail, ou le début de son prénom et de son nom."),
    )
    group = forms.ModelChoiceField(
        label=gettext_lazy("ou un groupe"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("— aucun —"),
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("ou toute une organisation"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("— aucune —"),
    )
    space = forms.ModelChoiceField(
        label=gettext_lazy("ou les membres d'un de vos espaces"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("— aucun —"),
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Ce qu'elle peut faire"),
        choices=ShareLevel.choices,
        initial=ShareLevel.READ,
        widget=forms.RadioSelect,
    )

    def __init__(
        self, *args: Any, viewer: Any, groups: Any, organisations: Any, spaces: Any, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["organisation"].queryset = organisations
        self.fields["space"].queryset = spaces
        self.viewer = viewer

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        chosen = [name for name in ("person", "group", "organisation", "space") if data.get(name)]
        if len(chosen) != 1:
            if not self.errors:
                raise forms.ValidationError(
                    _("Choisissez une seule personne, un groupe, une organisation ou un espace.")
                )
            return data
        if chosen[0] == "person":
            data["grantee"] = self._person(data["person"].strip())
        else:
            data["grantee"] = data[chosen[0]]
        return data

    def _person(self, text: str) -> Any:
        from entente.directory.search import search_people

        if "@" in text:
            people = visible(self.viewer, get_user_model()).filter(is_active=True)
            found = list(people.filter(email__iexact=text)[:2])
        else:
            found = search_people(self.viewer, text, limit=6)
        if len(found) == 1:
            return found[0]
        if not found:
            self.add_error(
                "person",
                _("Personne ne correspond à « %(text)s » : vérifiez l'orthographe ou l'adresse.")
                % {"text": text[:60]},
            )
        else:
            names = ", ".join(
                f"{p.get_full_name()} ({p.organisation.name if p.organisation else p.email})"
                for p in found[:5]
            )
            self.add_error(
                "person",
                _("Plusieurs personnes correspondent : %(names)s. Précisez ou donnez l'adresse.")
                % {"names": names},
            )
        return None


class ResourceForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Type"), choices=ResourceKind.choices)
    name = forms.CharField(label=gettext_lazy("Nom"), max_length=150)
    location = forms.CharField(
        label=gettext_lazy("Adresse ou emplacement"), max_length=255, required=False
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Nombre de places"), min_value=1, max_value=32000, required=False
    )
    equipment = forms.CharField(
        label=gettext_lazy("Équipement"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Par exemple « écran, visioconférence, accessible en fauteuil »."),
    )
    bookable_by_territory = forms.BooleanField(
        label=gettext_lazy("Réservable par les autres organisations du territoire"),
        required=False,
    )
    is_active = forms.BooleanField(
        label=gettext_lazy("Active (proposée à la réservation)"), required=False, initial=True
    )


class ServiceCalendarForm(forms.Form):
    """A calendar for one service of the administrator's organisation: which service, its name
    (the service's name when left empty) and its colour."""

    service = forms.ModelChoiceField(
        label=gettext_lazy("Service"),
        queryset=None,
        empty_label=gettext_lazy("— choisissez un service —"),
        error_messages={
            "required": gettext_lazy("Choisissez le service à qui sera cet agenda."),
            "invalid_choice": gettext_lazy(
                "Ce service n'existe pas dans votre organisation : choisissez-en un de la liste."
            ),
        },
    )
    name = forms.CharField(
        label=gettext_lazy("Nom"),
        max_length=150,
        required=False,
        help_text=gettext_lazy("Laissé vide, l'agenda porte le nom du service."),
    )
    colour = forms.ChoiceField(
        label=gettext_lazy("Couleur"),
        choices=COLOURS,
        widget=forms.RadioSelect,
        required=False,
        initial=COLOURS[1][0],
    )

    def __init__(self, *args: Any, services: Any, paths: dict[int, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        field.queryset = services
        field.label_from_instance = lambda service: paths.get(service.pk, service.name)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        service = data.get("service")
        if service is not None and not (data.get("name") or "").strip():
            data["name"] = service.name
        return data
