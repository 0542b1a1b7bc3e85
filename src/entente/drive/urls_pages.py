"""Routes of the documents pages (included under /documents/ in the ``drive`` namespace): the
browser of each drive and folder, a file's page, sharing, « Partagé avec moi », the trash, and
the actions of these pages."""

from django.urls import path

from entente.drive import views, views_items, views_sharing

urlpatterns = [
    path("", views.home, name="home"),
    path("dossier/<int:pk>/", views.folder, name="folder"),
    path("fichier/<int:pk>/", views_items.file_page, name="file"),
    path("partages/", views.shared, name="shared"),
    path("corbeille/", views.trash, name="trash"),
    path("espace/<int:space_id>/", views.space, name="space"),
    path("organisation/", views.organisation, name="organisation"),
    # actions on items
    path("dossier/<int:pk>/nouveau-dossier/", views_items.new_folder, name="new_folder"),
    path("dossier/<int:pk>/selection/", views_items.bulk, name="bulk"),
    path("elements/<int:pk>/renommer/", views_items.rename, name="rename"),
    path("elements/<int:pk>/corbeille/", views_items.delete, name="delete"),
    path("deplacer/", views_items.pick, name="pick"),
    path("fichier/<int:pk>/nouvelle-version/", views_items.new_version, name="new_version"),
    path("versions/<int:pk>/restaurer/", views_items.restore_version, name="restore_version"),
    # sharing
    path("elements/<int:pk>/acces/", views_sharing.node_access, name="node_access"),
    path("elements/<int:pk>/partager/", views_sharing.share, name="share"),
    path("elements/<int:pk>/inviter/", views_sharing.invite_guest, name="invite_guest"),
    path("acces/<int:pk>/droit/", views_sharing.share_role, name="share_role"),
    path("acces/<int:pk>/retirer/", views_sharing.unshare, name="unshare"),
    # trash
    path("corbeille/restaurer/", views.restore, name="restore"),
    path("corbeille/<int:pk>/supprimer/", views.purge, name="purge"),
    path("corbeille/vider/", views.empty_trash, name="empty_trash"),
]
