"""Tasks of a space, mounted under ``/espaces/<pk>/taches/`` (namespace ``spaces``)."""

from django.urls import path

from entente.spaces.tasks import views

urlpatterns = [
    path("<int:pk>/taches/", views.tasks, name="tasks"),
    path("<int:pk>/taches/tableau/", views.board, name="tasks_board"),
    path("<int:pk>/taches/nouvelle/", views.task_create, name="task_create"),
    path("<int:pk>/taches/listes/nouvelle/", views.list_create, name="task_list_create"),
    path("<int:pk>/taches/listes/<int:list_pk>/", views.list_edit, name="task_list_edit"),
    path(
        "<int:pk>/taches/listes/<int:list_pk>/supprimer/",
        views.list_delete,
        name="task_list_delete",
    ),
    path("<int:pk>/taches/<int:task_pk>/", views.task_detail, name="task_detail"),
    path("<int:pk>/taches/<int:task_pk>/etat/", views.task_status, name="task_status"),
    path("<int:pk>/taches/<int:task_pk>/deplacer/", views.task_move, name="task_move"),
    path("<int:pk>/taches/<int:task_pk>/supprimer/", views.task_delete, name="task_delete"),
]
