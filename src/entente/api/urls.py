"""REST API: each app's api.py mounts its viewsets on the v1 router; OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from entente.api.routes import register_all
from entente.api.views import ApiDocsView


class Router(DefaultRouter):
    """No ``.json`` twins of every route: JSON is the only format (the Accept header)."""

    include_format_suffixes = False


router = Router()
register_all(router)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
]
