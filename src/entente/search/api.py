"""REST API of the global search: ``GET /api/v1/search/?q=&type=&organisation=&space=&from=
&to=&author=`` — the results the caller may open, best first, a page at a time."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from entente.calendars.serializers import ErrorSerializer  # the API's one error body
from entente.search import services
from entente.search.forms import SearchForm
from entente.search.models import TYPE_LABELS, Kind


class HitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    kind_label = serializers.CharField()
    id = serializers.IntegerField(source="entry.object_id")
    title = serializers.CharField()
    title_html = serializers.CharField(help_text="Le titre échappé, mots trouvés en <mark>.")
    snippet_html = serializers.CharField(help_text="Un extrait échappé, mots trouvés en <mark>.")
    url = serializers.CharField(help_text="La page de l'élément.")
    date = serializers.DateTimeField(allow_null=True)
    context = serializers.CharField()
    organisation = serializers.IntegerField(source="entry.organisation_id", allow_null=True)
    space = serializers.IntegerField(source="entry.space_id", allow_null=True)


class SearchPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 50


class SearchViewSet(viewsets.ViewSet):
    pagination_class = SearchPagination

    @extend_schema(
        summary="Recherche globale",
        description=(
            "Cherche les personnes, espaces, documents (nom et texte), évènements, notes et "
            "discussions que vous pouvez consulter, chaque mot comme début de mot, sans tenir "
            "compte des majuscules ni des accents. Les meilleurs résultats d'abord. "
            "`type` : " + ", ".join(TYPE_LABELS) + "."
        ),
        parameters=[
            OpenApiParameter("q", str, required=True, description="Les mots à chercher."),
            OpenApiParameter("type", str, enum=list(TYPE_LABELS), description="Un type."),
            OpenApiParameter("organisation", int, description="Id d'une organisation."),
            OpenApiParameter("space", int, description="Id d'un espace."),
            OpenApiParameter("from", str, description="Date de début (AAAA-MM-JJ)."),
            OpenApiParameter("to", str, description="Date de fin incluse (AAAA-MM-JJ)."),
            OpenApiParameter("author", str, description="Id d'une personne, ou `me`."),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int, description="20 par défaut, 50 au plus."),
        ],
        responses={
            200: HitSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description="Valeurs invalides."),
        },
    )
    def list(self, request: Request) -> Response:
        form = SearchForm(request.user, request.query_params)
        if not form.is_valid():
            return _invalid(form.first_error(), dict(form.errors))
        query = form.cleaned_data["q"]
        if not query.strip():
            return _invalid(_("Indiquez les mots à chercher (paramètre q)."), {})
        entries = services.search(request.user, query, form.filters())
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(entries, request, view=self)
        data = HitSerializer(services.hits(page, query), many=True).data
        return paginator.get_paginated_response(data)


def _invalid(detail: str, errors: dict[str, Any]) -> Response:
    return Response({"code": "invalid", "detail": detail, "errors": errors}, status=400)


def register(router: DefaultRouter) -> None:
    router.register("search", SearchViewSet, basename="search")
