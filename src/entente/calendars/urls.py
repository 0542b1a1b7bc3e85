"""The agenda's pages under /agenda/ (each module of views brings its own routes)."""

from django.urls import include, path

app_name = "calendars"

urlpatterns = [
    path("", include("entente.calendars.urls_agenda")),
    path("", include("entente.calendars.urls_ics")),
    path("", include("entente.calendars.urls_scheduling")),
]
