"""Account URLs of Entente (allauth's own are mounted beside them under /compte/)."""

from django.urls import path

from entente.accounts import mfa, sessions, views, views_app_passwords

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("invitation/<str:uidb64>/<str:token>/", views.accept_invitation, name="accept_invitation"),
    # second factor and sessions (allauth's own pages are under 2fa/ and sessions/)
    path("securite/double-authentification/", mfa.enrol, name="mfa_enrol"),
    # matched before allauth's path of the same shape: its removal of a key, guarded
    path("2fa/webauthn/keys/<int:pk>/remove/", mfa.remove_webauthn, name="mfa_remove_webauthn"),
    path("sessions/<int:pk>/fermer/", sessions.end_session, name="session_end"),
    path(
        "mots-de-passe-application/",
        views_app_passwords.app_passwords,
        name="app_passwords",
    ),
    path(
        "mots-de-passe-application/nouveau/",
        views_app_passwords.app_password_create,
        name="app_password_create",
    ),
    path(
        "mots-de-passe-application/<int:pk>/revoquer/",
        views_app_passwords.app_password_revoke,
        name="app_password_revoke",
    ),
]
