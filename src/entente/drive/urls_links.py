"""Public links of an item, managed by the people who may share it (under ``/documents/``)."""

from django.urls import path

from entente.drive import views_links

urlpatterns = [
    path("element/<int:pk>/liens/", views_links.links, name="links"),
    path("liens/<int:pk>/revoquer/", views_links.link_revoke, name="link_revoke"),
]
