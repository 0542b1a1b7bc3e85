"""Global search, mounted at ``/recherche/`` (namespace ``search``)."""

from django.urls import path

from entente.search import views

app_name = "search"

urlpatterns = [
    path("", views.results, name="results"),
]
