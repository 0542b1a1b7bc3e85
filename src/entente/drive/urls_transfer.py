"""Routes of bytes in and out of documents (under /documents/, namespace ``drive``): downloads,
folder archives, the plain upload form and the resumable upload protocol (also through an upload
link)."""

from django.urls import path

from entente.drive import views_transfer

urlpatterns = [
    path("telecharger/<int:pk>/", views_transfer.download, name="download"),
    path(
        "versions/<int:pk>/telecharger/",
        views_transfer.version_download,
        name="version_download",
    ),
    path("dossier/<int:pk>/zip/", views_transfer.zip_folder, name="zip"),
    path("dossier/<int:pk>/envoyer/", views_transfer.upload_form, name="upload_form"),
    path("envois/", views_transfer.upload_create, name="uploads"),
    path("envois/<uuid:pk>/", views_transfer.upload_detail, name="upload"),
    path("depot/<str:token>/envois/", views_transfer.link_upload_create, name="link_uploads"),
    path(
        "depot/<str:token>/envois/<uuid:pk>/",
        views_transfer.link_upload_detail,
        name="link_upload",
    ),
]
