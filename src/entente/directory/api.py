"""REST API of the directory: search the people the viewer may see, one person's card, an
organisation's services tree. Only what ``visible(viewer, …)`` allows; a person the viewer
may not see is a 404, the same as a missing one."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from entente.accounts.models import User
from entente.calendars.serializers import ErrorSerializer  # the API's one error body
from entente.core.permissions import get_visible_or_404, visible
from entente.directory import people as directory
from entente.directory.models import Service
from entente.directory.search import search_directory
from entente.directory.serializers import (
    DirectoryPersonSerializer,
    DirectoryServiceNodeSerializer,
    PeopleQuerySerializer,
    ServicesQuerySerializer,
)
from entente.organisations.models import Organisation

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Valeurs invalides (`code`: `invalid`)."),
    404: OpenApiResponse(ErrorSerializer, description="Absent ou inaccessible (même réponse)."),
}


def _invalid(field: str, message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({field: [message]})


class PersonViewSet(viewsets.GenericViewSet):
    """People of the directory."""

    serializer_class = DirectoryPersonSerializer
    queryset = User.objects.none()  # the schema's model; rows come from visible()

    def _context(self, people: list[User]) -> dict[str, Any]:
        user = self.request.user
        managers = {p.manager_id for p in people if p.manager_id}
        seen = set(visible(user, User).filter(pk__in=managers).values_list("pk", flat=True))
        return {
            "request": self.request,
            "paths": directory.paths_for(user, people),
            "visible_manager_ids": seen,
        }

    @extend_schema(
        summary="Chercher dans l'annuaire",
        description="Les personnes actives que vous pouvez voir. `q` cherche par début de mot "
        "(nom, fonction, mandat, service, organisation), sans tenir compte des accents ni "
        "des majuscules, et tolère une faute de frappe dans un mot de 4 lettres ou plus (deux "
        "à partir de 8) ; les correspondances exactes viennent d'abord.",
        parameters=[
            OpenApiParameter("q", str, description="Texte cherché, par exemple « bern voirie »."),
            OpenApiParameter("organisation", int, description="Identifiant de l'organisation."),
            OpenApiParameter(
                "service", int, description="Identifiant du service (sous-services inclus)."
            ),
            OpenApiParameter("elus", bool, description="Seulement les élus."),
            OpenApiParameter("page", int, description="Numéro de page (50 par page)."),
        ],
        responses={200: DirectoryPersonSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request) -> Response:
        query = PeopleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        user = request.user
        organisation = service = None
        if "organisation" in data:
            organisation = (
                visible(user, Organisation).filter(pk=data["organisation"], is_active=True).first()
            )
            if organisation is None or user.is_guest:
                raise _invalid(
                    "organisation",
                    _("Cette organisation n'existe pas ou vous n'y avez pas accès."),
                )
        if "service" in data:
            service = visible(user, Service).filter(pk=data["service"]).first()
            if service is None or (organisation and service.organisation_id != organisation.pk):
                raise _invalid(
                    "service", _("Ce service n'existe pas ou n'appartient pas à l'organisation.")
                )
        people = directory.directory_people(
            user, organisation=organisation, service=service, elus_only=data["elus"]
        )
        paginator = self.paginator
        if data.get("q", "").strip():
            ids = search_directory(user, data["q"], people)
            page_ids = paginator.paginate_queryset(ids, request, view=self)
            found = {p.pk: p for p in directory.with_details(User.objects.filter(pk__in=page_ids))}
            page = [found[pk] for pk in page_ids if pk in found]
        else:
            rows = directory.with_details(people).order_by("last_name", "first_name", "pk")
            page = list(paginator.paginate_queryset(rows, request, view=self))
        serializer = DirectoryPersonSerializer(page, many=True, context=self._context(page))
        return paginator.get_paginated_response(serializer.data)

    @extend_schema(
        summary="Une personne de l'annuaire", responses={200: DirectoryPersonSerializer, **ERRORS}
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        person = get_visible_or_404(request.user, User, pk=pk)
        person = directory.with_details(User.objects.filter(pk=person.pk)).get()
        return Response(DirectoryPersonSerializer(person, context=self._context([person])).data)


def _tree_data(entries: list[directory.TreeEntry]) -> list[dict[str, Any]]:
    return [
        {
            "id": entry.service.pk,
            "name": entry.service.name,
            "email": entry.service.email,
            "phone": entry.service.phone,
            "people_count": entry.people_count,
            "children": _tree_data(entry.children),
        }
        for entry in entries
    ]


class ServiceTreeViewSet(viewsets.GenericViewSet):
    """An organisation's services as a tree."""

    serializer_class = DirectoryServiceNodeSerializer
    queryset = Service.objects.none()  # the schema's model; rows come from visible()
    pagination_class = None

    @extend_schema(
        summary="Arborescence des services d'une organisation",
        description="Chaque service avec ses sous-services (`children`) et le nombre de "
        "personnes que vous pouvez voir directement rattachées à lui.",
        parameters=[
            OpenApiParameter(
                "organisation", str, required=True, description="Identifiant ou identifiant court."
            )
        ],
        responses={200: DirectoryServiceNodeSerializer(many=True), **ERRORS},
    )
    def list(self, request: Request) -> Response:
        query = ServicesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        key = query.validated_data["organisation"]
        lookup = {"pk": int(key)} if key.isdigit() else {"slug": key}
        organisation = get_visible_or_404(request.user, Organisation, **lookup)
        tree, _loose = directory.organisation_tree(request.user, organisation)
        return Response(_tree_data(tree))


def register(router: DefaultRouter) -> None:
    router.register("directory/people", PersonViewSet, basename="directory-person")
    router.register("directory/services", ServiceTreeViewSet, basename="directory-service")
