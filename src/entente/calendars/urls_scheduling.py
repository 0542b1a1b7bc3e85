"""Routes of "Trouver un créneau" (included under /agenda/ in the ``calendars`` namespace)."""

from django.urls import path

from entente.calendars import views_scheduling

urlpatterns = [
    path("trouver-un-creneau/", views_scheduling.find_time, name="find_time"),
]
