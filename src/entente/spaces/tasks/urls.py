"""Tasks of a space, mounted under ``/espaces/<pk>/taches/`` (namespace ``spaces``)."""

from django.urls import path

from entente.spaces.tasks import views

urlpatterns = [
    path("<int:pk>/taches/", views.tasks, name="tasks"),
]
