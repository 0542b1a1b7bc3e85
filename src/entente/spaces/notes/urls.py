"""Notes of a space, mounted under ``/espaces/<pk>/notes/`` (namespace ``spaces``)."""

from django.urls import path

from entente.spaces.notes import views

urlpatterns = [
    path("<int:pk>/notes/", views.notes, name="notes"),
    path("<int:pk>/notes/nouvelle/", views.create, name="note_create"),
    path("<int:pk>/notes/<int:note>/", views.detail, name="note"),
    path("<int:pk>/notes/<int:note>/modifier/", views.edit, name="note_edit"),
    path("<int:pk>/notes/<int:note>/supprimer/", views.delete, name="note_delete"),
    path("<int:pk>/notes/<int:note>/historique/", views.history, name="note_history"),
    path(
        "<int:pk>/notes/<int:note>/historique/<int:revision>/",
        views.revision,
        name="note_revision",
    ),
    path(
        "<int:pk>/notes/<int:note>/historique/<int:revision>/restaurer/",
        views.restore,
        name="note_restore",
    ),
]
