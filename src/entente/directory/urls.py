"""The directory of the territory, mounted at ``/annuaire/`` (namespace ``directory``)."""

from django.urls import path

from entente.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.index, name="index"),
    path("personnes/<int:pk>/", views.person, name="person"),
    path("personnes/<int:pk>/vcard", views.person_vcard, name="vcard"),
    path("organisations/<slug:key>/", views.organisation, name="organisation"),
    path("organisations/<slug:key>/vcard", views.organisation_vcard, name="organisation_vcard"),
]
