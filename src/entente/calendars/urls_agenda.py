"""Routes of the agenda's own pages (included under /agenda/ in the ``calendars`` namespace):
the views of the agenda, events, calendars and their shares, rooms."""

from django.urls import path

from entente.calendars import views, views_calendars, views_event, views_resources

urlpatterns = [
    path("", views.agenda, name="agenda"),
    path("jour/<str:day>/", views.day_view, name="day"),
    path("semaine/<str:day>/", views.week, name="week"),
    path("mois/<str:month>/", views.month, name="month"),
    path("liste/", views.agenda_list, name="list"),
    path("aller/", views.jump, name="jump"),
    path("nouveau/", views_event.event_form, name="new_event"),
    path("evenements/<int:pk>/", views_event.event_page, name="event"),
    path("evenements/<int:pk>/modifier/", views_event.event_form, name="edit_event"),
    path("evenements/<int:pk>/supprimer/", views_event.delete_event, name="delete_event"),
    path("evenements/<int:pk>/repondre/", views_event.respond, name="respond"),
    path("agendas/", views_calendars.calendars, name="calendars"),
    path("agendas/nouveau/", views_calendars.create, name="calendar_create"),
    path(
        "agendas/services/nouveau/",
        views_calendars.service_create,
        name="service_calendar_create",
    ),
    path("agendas/<int:pk>/modifier/", views_calendars.edit, name="calendar_edit"),
    path("agendas/<int:pk>/supprimer/", views_calendars.delete, name="calendar_delete"),
    path("agendas/<int:pk>/partager/", views_calendars.share, name="calendar_share"),
    path(
        "agendas/<int:pk>/partages/<int:share>/retirer/",
        views_calendars.unshare,
        name="calendar_unshare",
    ),
    path("agendas/<int:pk>/renouveler/", views_calendars.renew, name="calendar_renew"),
    path("salles/", views_resources.resources, name="resources"),
    path("salles/nouvelle/", views_resources.resource_form, name="resource_create"),
    path("salles/<int:pk>/", views_resources.resource_agenda, name="resource_agenda"),
    path("salles/<int:pk>/modifier/", views_resources.resource_form, name="resource_edit"),
]
