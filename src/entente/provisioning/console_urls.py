"""Console pages of provisioning, mounted under /admin-org/provisionnement/ (namespace admin_org)."""

from django.urls import path

from entente.provisioning import views

urlpatterns = [
    path("", views.tokens, name="provisioning"),
    path("jetons/<int:pk>/revoquer/", views.token_revoke, name="provisioning_token_revoke"),
    path("import/", views.import_people, name="provisioning_import"),
]
