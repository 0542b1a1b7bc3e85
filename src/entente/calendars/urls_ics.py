"""Routes of the iCalendar side of the agenda (included under /agenda/ in the ``calendars``
namespace): export, private subscription feed, import, and the outside attendees' answer page.
"""

from django.urls import path

from entente.calendars import views_ics

urlpatterns = [
    path("agendas/<int:pk>/export.ics", views_ics.export, name="export_ics"),
    path("agendas/<int:pk>/importer/", views_ics.import_page, name="import_ics"),
    path("flux/<str:token>.ics", views_ics.feed, name="feed"),
    path("reponse/<str:token>/", views_ics.answer, name="answer"),
]
