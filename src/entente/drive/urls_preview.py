"""Route of file thumbnails (under /documents/, namespace ``drive``)."""

from django.urls import path

from entente.drive import views_preview

urlpatterns = [
    path("apercu/<int:pk>/", views_preview.preview, name="preview"),
]
