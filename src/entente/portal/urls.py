"""Top-level pages: home, and the management of its app tiles and announcements."""

from django.urls import path

from entente.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("portail/tuiles/", views.tiles, name="tiles"),
    path("portail/tuiles/nouvelle/", views.tile_form, name="tile_create"),
    path("portail/tuiles/<int:pk>/modifier/", views.tile_form, name="tile_edit"),
    path("portail/tuiles/<int:pk>/supprimer/", views.tile_delete, name="tile_delete"),
    path("portail/tuiles/<int:pk>/deplacer/", views.tile_move, name="tile_move"),
    path("portail/annonces/", views.announcements, name="announcements"),
    path("portail/annonces/nouvelle/", views.announcement_form, name="announcement_create"),
    path("portail/annonces/<int:pk>/modifier/", views.announcement_form, name="announcement_edit"),
    path(
        "portail/annonces/<int:pk>/supprimer/",
        views.announcement_delete,
        name="announcement_delete",
    ),
]
