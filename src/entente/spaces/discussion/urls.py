"""Discussion of a space, mounted under ``/espaces/<pk>/discussion/`` (namespace ``spaces``)."""

from django.urls import path

from entente.spaces.discussion import views

urlpatterns = [
    path("<int:pk>/discussion/", views.threads, name="threads"),
]
