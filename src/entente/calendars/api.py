"""REST API of the agenda: calendars and their shares, events and answers, free/busy and
proposed slots, bookable resources.

Views stay thin: they parse the request with a serializer, call one use case of
``entente.calendars.services`` (or ``freebusy``) and render. Every access decision goes
through the permission engine: what the viewer may not see is a 404, what they see but may
not change is a 403, and an event they may not read in detail reads « Occupé ».
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from entente.calendars import freebusy, services
from entente.calendars.models import Calendar, CalendarShare, Event, Resource
from entente.calendars.permissions import LEVELS, calendars_at_least
from entente.calendars.serializers import (
    AttendeeSerializer,
    CalendarSerializer,
    CalendarShareSerializer,
    ErrorSerializer,
    EventInputSerializer,
    EventSerializer,
    FreeBusyRequestSerializer,
    FreeBusyResponseSerializer,
    OccurrenceQuerySerializer,
    OccurrenceSerializer,
    ResourceQuerySerializer,
    ResourceSerializer,
    RespondSerializer,
    RoomUnavailableSerializer,
    SeriesScopeSerializer,
    ShareInputSerializer,
    SlotSerializer,
    SlotsRequestSerializer,
    subjects_of,
)
from entente.core.permissions import can, get_visible_or_404, require, visible

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Valeurs invalides (`code`: `invalid`)."),
    403: OpenApiResponse(ErrorSerializer, description="Visible, mais action non permise."),
    404: OpenApiResponse(ErrorSerializer, description="Absent ou inaccessible (même réponse)."),
}
CONFLICT = {
    409: OpenApiResponse(
        RoomUnavailableSerializer,
        description="Une salle est déjà réservée ; `free_rooms` propose des salles libres.",
        examples=[
            OpenApiExample(
                "Salle occupée",
                value={
                    "code": "room_unavailable",
                    "detail": "« Salle du conseil » n'est pas libre le lundi 3 mars à 10:00. "
                    "Libres à ce moment : Salle des mariages.",
                    "conflicts": [{"id": 4, "name": "Salle du conseil"}],
                    "free_rooms": [{"id": 7, "name": "Salle des mariages"}],
                },
            )
        ],
    )
}
SCOPE_PARAMETERS = [
    OpenApiParameter(
        "scope",
        str,
        enum=list(services.Scope.CHOICES),
        description="Pour une série : cette occurrence (`this`), celle-ci et les suivantes "
        "(`following`) ou toutes (`all`, par défaut).",
    ),
    OpenApiParameter(
        "recurrence_id",
        OpenApiTypes.DATETIME,
        description="Début d'origine (ISO 8601) de l'occurrence visée, pour `this` et `following`.",
    ),
]


def room_conflict(error: services.RoomUnavailable) -> Response:
    """409 with the rooms in conflict and the rooms free at that time."""
    return Response(
        {
            "code": "room_unavailable",
            "detail": error.message,
            "conflicts": [{"id": r.pk, "name": r.name} for r in error.conflicts],
            "free_rooms": [{"id": r.pk, "name": r.name} for r in error.free_rooms],
        },
        status=status.HTTP_409_CONFLICT,
    )


# --- calendars ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Agendas visibles",
        description="Les agendas que vous pouvez lire, et ceux dont vous ne voyez que les "
        "disponibilités (`freebusy_only`). `access` est votre niveau sur chacun.",
    ),
    retrieve=extend_schema(summary="Un agenda", responses={200: CalendarSerializer, **ERRORS}),
    create=extend_schema(
        summary="Créer un agenda personnel", responses={201: CalendarSerializer, **ERRORS}
    ),
    update=extend_schema(
        summary="Modifier un agenda (gestionnaire)", responses={200: CalendarSerializer, **ERRORS}
    ),
    partial_update=extend_schema(
        summary="Modifier un agenda (gestionnaire)", responses={200: CalendarSerializer, **ERRORS}
    ),
    destroy=extend_schema(
        summary="Supprimer un agenda (gestionnaire)", responses={204: None, **ERRORS}
    ),
)
class CalendarViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CalendarSerializer
    queryset = Calendar.objects.none()  # the schema's model; rows come from get_queryset

    def get_queryset(self):
        # free/busy is the weakest level: the queryset twin of can(user, "freebusy", c)
        return calendars_at_least(self.request.user, "freebusy").select_related("organisation")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "action", None) == "list" and self.request.user.is_authenticated:
            context["levels"] = self._levels()
        return context

    def _levels(self) -> dict[int, str]:
        """The viewer's level on every calendar they reach, in one query per level."""
        levels: dict[int, str] = {}
        for level in LEVELS:
            for pk in calendars_at_least(self.request.user, level).values_list("pk", flat=True):
                levels[pk] = level
        return levels

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not can(request.user, "create", Calendar):
            raise PermissionDenied  # guests have only what is shared with them
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        calendar = services.create_calendar(
            request.user,
            name=data["name"],
            colour=data.get("colour", ""),
            description=data.get("description", ""),
        )
        if data.get("tzid") and data["tzid"] != calendar.tzid:
            calendar = services.update_calendar(request.user, calendar, tzid=data["tzid"])
        body = self.get_serializer(calendar).data
        return Response(body, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        calendar = self.get_object()
        serializer = self.get_serializer(
            calendar, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        calendar = services.update_calendar(request.user, calendar, **serializer.validated_data)
        return Response(self.get_serializer(calendar).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.delete_calendar(request.user, self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"],
        summary="Partages d'un agenda (gestionnaire)",
        responses={200: CalendarShareSerializer(many=True), **ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Partager un agenda (gestionnaire)",
        description="Avec une personne (`user`), un groupe (`group`) ou une organisation "
        "(`organisation`, son slug), au niveau `freebusy`, `read` ou `write`. Partager de "
        "nouveau avec la même personne change son niveau.",
        request=ShareInputSerializer,
        responses={201: CalendarShareSerializer, **ERRORS},
        examples=[
            OpenApiExample("Avec une personne", value={"user": 12, "level": "read"}),
            OpenApiExample(
                "Avec une organisation", value={"organisation": "valmont", "level": "freebusy"}
            ),
        ],
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def shares(self, request: Request, pk: str | None = None) -> Response:
        calendar = self.get_object()
        require(request.user, "manage", calendar)
        if request.method == "GET":
            rows = calendar.shares.select_related(
                "user", "group", "organisation", "space"
            ).order_by("pk")
            return Response(CalendarShareSerializer(rows, many=True).data)
        serializer = ShareInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        share = services.share_calendar(request.user, calendar, **serializer.validated_data)
        return Response(CalendarShareSerializer(share).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Retirer un partage (gestionnaire)",
        parameters=[OpenApiParameter("share_id", int, OpenApiParameter.PATH)],
        request=None,
        responses={204: None, **ERRORS},
    )
    @action(detail=True, methods=["delete"], url_path=r"shares/(?P<share_id>\d+)")
    def unshare(self, request: Request, pk: str | None = None, share_id: str = "") -> Response:
        calendar = self.get_object()
        require(request.user, "manage", calendar)
        share = CalendarShare.objects.filter(calendar=calendar, pk=share_id).first()
        if share is None:
            raise_not_found()
        services.unshare_calendar(request.user, share)
        return Response(status=status.HTTP_204_NO_CONTENT)


def raise_not_found() -> None:
    from django.http import Http404

    raise Http404(_("Cet élément n'existe pas ou vous n'y avez pas accès."))


# --- events ------------------------------------------------------------------------------------


class EventViewSet(viewsets.GenericViewSet):
    """Events: occurrences in a window of time, one event with its attendees, changes to a
    series (this one, this one and the following, all), answers to an invitation."""

    serializer_class = EventSerializer
    queryset = Event.objects.none()  # the schema's model; rows come from get_queryset
    pagination_class = None  # the window of time bounds the list

    def get_queryset(self):
        return visible(self.request.user, Event).select_related("calendar", "master")

    def get_object(self) -> Event:
        return get_visible_or_404(self.request.user, Event, pk=self.kwargs["pk"])

    @extend_schema(
        summary="Occurrences dans une période",
        description="Chaque occurrence des agendas lus et des invitations acceptées ou sans "
        "réponse, entre `start` et `end` (366 jours au plus). Sans droit sur le détail "
        "(évènement privé, agenda partagé en disponibilités), le titre est « Occupé » et le "
        "reste est vide.",
        parameters=[OccurrenceQuerySerializer],
        responses={200: OccurrenceSerializer(many=True), 400: ERRORS[400]},
    )
    def list(self, request: Request) -> Response:
        params: dict[str, Any] = {
            name: request.query_params[name]
            for name in ("start", "end")
            if name in request.query_params
        }
        if "calendar" in request.query_params:
            params["calendar"] = request.query_params.getlist("calendar")
        query = OccurrenceQuerySerializer(data=params, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        calendars = query.validated_data.get("calendar")
        if calendars is None:
            calendars = list(visible(request.user, Calendar))
        rows = services.agenda_occurrences(
            request.user, calendars, query.validated_data["start"], query.validated_data["end"]
        )
        body = OccurrenceSerializer(rows, many=True, context=self.get_serializer_context()).data
        return Response(body)

    @extend_schema(summary="Un évènement", responses={200: EventSerializer, **ERRORS})
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="Créer un évènement",
        request=EventInputSerializer,
        responses={201: EventSerializer, **ERRORS, **CONFLICT},
        examples=[
            OpenApiExample(
                "Réunion avec une salle",
                request_only=True,
                value={
                    "calendar": 3,
                    "title": "Comité de pilotage",
                    "start": "2026-03-02T10:00:00+01:00",
                    "end": "2026-03-02T11:30:00+01:00",
                    "rrule": "FREQ=WEEKLY;COUNT=6",
                    "users": [12, 15],
                    "externals": [{"email": "conseil@exemple.fr", "name": "Cabinet conseil"}],
                    "resources": [4],
                },
            )
        ],
    )
    def create(self, request: Request) -> Response:
        serializer = EventInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        calendar = serializer.validated_data.get("calendar") or services.default_calendar(
            request.user
        )
        try:
            event = services.create_event(request.user, calendar, serializer.event_data())
        except services.RoomUnavailable as error:
            return room_conflict(error)
        return Response(self.get_serializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Modifier un évènement",
        description="Les champs absents gardent leur valeur. Pour une série, `scope` et "
        "`recurrence_id` disent quelles occurrences changent ; la réponse est l'évènement qui "
        "porte le changement (une occurrence modifiée, ou la nouvelle série).",
        parameters=SCOPE_PARAMETERS,
        request=EventInputSerializer,
        responses={200: EventSerializer, **ERRORS, **CONFLICT},
    )
    def update(self, request: Request, pk: str | None = None, partial: bool = False) -> Response:
        event = self.get_object()
        require(request.user, "edit", event)
        scope, recurrence_id = self._scope(request)
        serializer = EventInputSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        calendar = serializer.validated_data.get("calendar")
        if calendar is not None and calendar.pk != event.calendar_id:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"calendar": [_("Un évènement ne change pas d'agenda.")]})
        data = serializer.event_data(base_data(event, scope, recurrence_id))
        try:
            changed = services.update_event(request.user, event, data, scope, recurrence_id)
        except services.RoomUnavailable as error:
            return room_conflict(error)
        return Response(self.get_serializer(changed).data)

    @extend_schema(
        summary="Modifier quelques champs d'un évènement",
        parameters=SCOPE_PARAMETERS,
        request=EventInputSerializer,
        responses={200: EventSerializer, **ERRORS, **CONFLICT},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        return self.update(request, pk, partial=True)

    @extend_schema(
        summary="Supprimer un évènement",
        description="Les participants sont prévenus de l'annulation.",
        parameters=SCOPE_PARAMETERS,
        responses={204: None, **ERRORS},
    )
    def destroy(self, request: Request, pk: str | None = None) -> Response:
        event = self.get_object()
        scope, recurrence_id = self._scope(request)
        services.delete_event(request.user, event, scope, recurrence_id)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Répondre à une invitation",
        description="Pour soi-même : `ACCEPTED`, `TENTATIVE` ou `DECLINED`. Répondre à la "
        "série répond à chacune de ses occurrences qui n'a pas été modifiée à part.",
        request=RespondSerializer,
        responses={200: AttendeeSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "Accepter", request_only=True, value={"partstat": "ACCEPTED", "comment": ""}
            )
        ],
    )
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, pk: str | None = None) -> Response:
        event = self.get_object()
        serializer = RespondSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attendee = services.respond(request.user, event, **serializer.validated_data)
        return Response(AttendeeSerializer(attendee).data)

    def _scope(self, request: Request) -> tuple[str, dt.datetime | None]:
        params = {
            name: request.query_params[name]
            for name in ("scope", "recurrence_id")
            if request.query_params.get(name)
        }
        serializer = SeriesScopeSerializer(data=params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["scope"], serializer.validated_data["recurrence_id"]


def base_data(event: Event, scope: str, recurrence_id: dt.datetime | None) -> services.EventData:
    """What a change starts from, so that the fields a client leaves out keep their value:
    the instance acted on for ``this`` and ``following``, the series for ``all``."""
    master = event.series
    Scope = services.Scope
    if master.rrule and scope != Scope.ALL:
        recurrence_id = recurrence_id or event.recurrence_id
    if master.rrule and scope != Scope.ALL and recurrence_id is not None:
        override = Event.objects.filter(master=master, recurrence_id=recurrence_id).first()
        if scope == Scope.THIS and override is not None:
            return services.EventData.from_event(override)
        data = services.EventData.from_event(master)
        data.start = recurrence_id
        data.end = recurrence_id + (master.end - master.start)
        if scope == Scope.THIS:
            data.rrule = ""
        return data
    data = services.EventData.from_event(master)
    if event.master_id:
        # "all" from one instance: the service shifts the series by what moved here
        data.start, data.end = event.start, event.end
    return data


# --- resources ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Ressources réservables visibles",
        description="Avec `free_from` et `free_to`, seulement celles qui sont libres pendant "
        "toute cette période.",
        parameters=[ResourceQuerySerializer],
        responses={200: ResourceSerializer(many=True), 400: ERRORS[400]},
    ),
    retrieve=extend_schema(summary="Une ressource", responses={200: ResourceSerializer, **ERRORS}),
    create=extend_schema(
        summary="Créer une ressource (administrateurs de l'organisation)",
        responses={201: ResourceSerializer, **ERRORS},
    ),
    update=extend_schema(
        summary="Modifier une ressource (administrateurs de son organisation)",
        responses={200: ResourceSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Modifier une ressource (administrateurs de son organisation)",
        responses={200: ResourceSerializer, **ERRORS},
    ),
)
class ResourceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ResourceSerializer
    queryset = Resource.objects.none()  # the schema's model; rows come from get_queryset

    def get_queryset(self):
        return (
            visible(self.request.user, Resource)
            .select_related("organisation", "calendar")
            .order_by("organisation__name", "name", "pk")
        )

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        query = ResourceQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if "kind" in params:
            queryset = queryset.filter(kind=params["kind"])
        if "free_from" in params:
            interval = [(params["free_from"], params["free_to"])]
            busy = services.resource_busy(list(queryset.filter(is_active=True)), interval)
            queryset = queryset.filter(is_active=True).exclude(pk__in=busy)
        return queryset

    def perform_create(self, serializer: ResourceSerializer) -> None:
        if not can(self.request.user, "create", Resource):
            raise PermissionDenied
        serializer.instance = services.save_resource(self.request.user, serializer.validated_data)

    def perform_update(self, serializer: ResourceSerializer) -> None:
        serializer.instance = services.save_resource(
            self.request.user, serializer.validated_data, serializer.instance
        )


# --- free/busy ---------------------------------------------------------------------------------


class FreeBusyViewSet(viewsets.GenericViewSet):
    """Busy times of people and rooms, and the best slots for them to meet."""

    serializer_class = FreeBusyRequestSerializer
    pagination_class = None

    @extend_schema(
        summary="Disponibilités",
        description="Les plages occupées de chaque participant entre `start` et `end`, "
        "fusionnées. Le titre n'est donné que pour les évènements dont vous pouvez voir le "
        "détail ; une adresse extérieure a des disponibilités inconnues (`busy` vaut null).",
        request=FreeBusyRequestSerializer,
        responses={200: FreeBusyResponseSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "Deux personnes et une salle",
                request_only=True,
                value={
                    "attendees": {"users": [12, 15], "resources": [4], "externals": []},
                    "start": "2026-03-02T00:00:00+01:00",
                    "end": "2026-03-07T00:00:00+01:00",
                },
            )
        ],
    )
    def create(self, request: Request) -> Response:
        serializer = FreeBusyRequestSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        bands = freebusy.busy_bands(
            request.user, subjects_of(data["attendees"]), data["start"], data["end"]
        )
        body = FreeBusyResponseSerializer(
            {"start": data["start"], "end": data["end"], "attendees": list(bands.items())}
        ).data
        return Response(body)

    @extend_schema(
        summary="Proposer des créneaux",
        description="Les meilleurs créneaux de `duration_minutes` entre `start` et `end` "
        "(6 semaines au plus), aux heures ouvrées des jours ouvrés : les salles doivent être "
        "libres, puis tout le monde libre d'abord, puis le moins de personnes occupées.",
        request=SlotsRequestSerializer,
        responses={200: SlotSerializer(many=True), **ERRORS},
    )
    @action(detail=False, methods=["post"])
    def slots(self, request: Request) -> Response:
        serializer = SlotsRequestSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        slots = freebusy.propose_slots(
            request.user,
            subjects_of(data["attendees"]),
            dt.timedelta(minutes=data["duration_minutes"]),
            data["start"],
            data["end"],
            limit=data["limit"],
        )
        return Response(SlotSerializer(slots, many=True).data)


def register(router: DefaultRouter) -> None:
    router.register("calendars", CalendarViewSet, basename="calendar")
    router.register("events", EventViewSet, basename="event")
    router.register("resources", ResourceViewSet, basename="resource")
    router.register("freebusy", FreeBusyViewSet, basename="freebusy")
