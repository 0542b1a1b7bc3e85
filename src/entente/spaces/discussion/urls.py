"""Discussion of a space, mounted under ``/espaces/<pk>/discussion/`` (namespace ``spaces``)."""

from django.urls import path

from entente.spaces.discussion import views

urlpatterns = [
    path("<int:pk>/discussion/", views.threads, name="threads"),
    path("<int:pk>/discussion/nouvelle/", views.new_thread, name="thread_create"),
    path("<int:pk>/discussion/<int:thread>/", views.thread, name="thread"),
    path("<int:pk>/discussion/<int:thread>/repondre/", views.reply, name="thread_reply"),
    path("<int:pk>/discussion/<int:thread>/epingler/", views.pin_thread, name="thread_pin"),
    path("<int:pk>/discussion/<int:thread>/clore/", views.lock_thread, name="thread_lock"),
    path("<int:pk>/discussion/<int:thread>/renommer/", views.rename_thread, name="thread_rename"),
    path("<int:pk>/discussion/<int:thread>/supprimer/", views.delete_thread, name="thread_delete"),
    path("<int:pk>/discussion/messages/<int:post>/modifier/", views.edit_post, name="post_edit"),
    path(
        "<int:pk>/discussion/messages/<int:post>/supprimer/", views.delete_post, name="post_delete"
    ),
]
