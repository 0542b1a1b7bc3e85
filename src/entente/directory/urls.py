"""The directory of the territory, mounted at ``/annuaire/`` (namespace ``directory``)."""

from django.urls import path

from entente.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.index, name="index"),
]
