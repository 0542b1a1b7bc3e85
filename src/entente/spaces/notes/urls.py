"""Notes of a space, mounted under ``/espaces/<pk>/notes/`` (namespace ``spaces``)."""

from django.urls import path

from entente.spaces.notes import views

urlpatterns = [
    path("<int:pk>/notes/", views.notes, name="notes"),
]
