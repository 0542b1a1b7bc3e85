"""Notification centre, mounted at ``/notifications/`` (namespace ``notifications``)."""

from django.urls import path

from entente.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.centre, name="centre"),
]
