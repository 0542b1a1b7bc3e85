"""Single sign-on URLs, under /compte/sso/ (the console page lives under /admin-org/connexion/)."""

from django.urls import path

from entente.identity import views

app_name = "identity"

urlpatterns = [
    # the redirect URI to declare at the provider: /compte/sso/org-<slug>/callback/
    path("<str:provider_id>/callback/", views.callback, name="callback"),
    # sign-out: relay to the provider's end_session_endpoint, then back here
    path("fin-de-session/", views.end_session, name="end_session"),
    path("deconnexion/", views.signed_out, name="signed_out"),
]
