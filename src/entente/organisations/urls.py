"""Administration consoles: an organisation's admins manage its people; operators its organisations."""

from django.urls import path

from entente.organisations import views

app_name = "admin_org"

urlpatterns = [
    path("", views.index, name="index"),
]
