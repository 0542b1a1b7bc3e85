"""Notification centre, mounted at ``/notifications/`` (namespace ``notifications``)."""

from django.urls import path

from entente.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("preferences/", views.preferences, name="preferences"),
    path("tout-lu/", views.mark_all_read, name="mark_all_read"),
    path("<int:pk>/ouvrir/", views.open_notification, name="open"),
    path("<int:pk>/lue/", views.mark_read, name="mark_read"),
]
