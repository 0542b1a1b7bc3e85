"""URLs of spaces, mounted at ``/espaces/`` (namespace ``spaces``)."""

from django.urls import path

from entente.spaces import views, views_members
from entente.spaces.discussion import urls as discussion_urls
from entente.spaces.notes import urls as notes_urls
from entente.spaces.tasks import urls as tasks_urls

app_name = "spaces"

urlpatterns = [
    path("", views.index, name="index"),
    path("nouveau/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/agenda/", views.agenda, name="agenda"),
    path("<int:pk>/membres/", views_members.members, name="members"),
    path("<int:pk>/membres/ajouter/", views_members.add_member, name="add_member"),
    path("<int:pk>/membres/inviter/", views_members.invite_guest, name="invite_guest"),
    path("<int:pk>/membres/<int:membership>/role/", views_members.change_role, name="change_role"),
    path(
        "<int:pk>/membres/<int:membership>/retirer/",
        views_members.remove_member,
        name="remove_member",
    ),
    path("<int:pk>/quitter/", views_members.leave, name="leave"),
    path("<int:pk>/parametres/", views.space_settings, name="settings"),
    path("<int:pk>/archiver/", views.archive, name="archive"),
    path("<int:pk>/activite/", views.activity, name="activity"),
    path("<int:pk>/rejoindre/", views.join, name="join"),
    path("<int:pk>/rejoindre/annuler/", views.cancel_join, name="join_cancel"),
    path(
        "<int:pk>/demandes/<int:join_request>/accepter/",
        views_members.accept_join,
        name="join_accept",
    ),
    path(
        "<int:pk>/demandes/<int:join_request>/refuser/",
        views_members.refuse_join,
        name="join_refuse",
    ),
    *discussion_urls.urlpatterns,
    *tasks_urls.urlpatterns,
    *notes_urls.urlpatterns,
]
