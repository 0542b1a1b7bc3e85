"""URLs of documents, mounted at ``/documents/`` (namespace ``drive``)."""

from django.urls import include, path

app_name = "drive"

urlpatterns = [
    path("", include("entente.drive.urls_pages")),
    path("", include("entente.drive.urls_transfer")),
    path("", include("entente.drive.urls_links")),
    path("", include("entente.drive.urls_preview")),
]
