"""Public links, mounted at ``/p/`` (namespace ``public_link``): no account needed."""

from django.urls import path

from entente.drive import views_public

app_name = "public_link"

urlpatterns = [
    path("<str:token>/", views_public.open_link, name="open"),
    path("<str:token>/dossier/<int:pk>/", views_public.folder, name="folder"),
    path("<str:token>/fichier/<int:pk>/", views_public.download, name="download"),
    path("<str:token>/apercu/<int:pk>/", views_public.preview, name="preview"),
    path("<str:token>/zip/", views_public.zip_folder, name="zip"),
    path("<str:token>/deposer/", views_public.drop, name="drop"),
]
