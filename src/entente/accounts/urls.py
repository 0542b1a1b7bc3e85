"""Account URLs of Entente (allauth's own are mounted beside them under /compte/)."""

from django.urls import path

from entente.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("invitation/<str:uidb64>/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
