"""Top-level pages: home and the main sections of the navigation."""

from django.urls import path

from entente.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
]
