"""URL map of the platform: the doors listed in ARCHITECTURE.md."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from entente.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("compte/sso/", include("entente.identity.urls")),
    path("compte/", include("entente.accounts.urls")),
    path("compte/", include("allauth.urls")),
    path("admin-org/", include("entente.organisations.urls")),
    path("agenda/", include("entente.calendars.urls")),
    path("documents/", include("entente.drive.urls")),
    path("p/", include("entente.drive.urls_public")),
    path("espaces/", include("entente.spaces.urls")),
    path("annuaire/", include("entente.directory.urls")),
    path("notifications/", include("entente.notifications.urls")),
    path("recherche/", include("entente.search.urls")),
    path("api/", include("entente.api.urls")),
    path("scim/v2/", include("entente.provisioning.urls")),
    path("i18n/js/", core_views.JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("", include("entente.portal.urls")),
]

if settings.E2E_LOGIN_SHORTCUT:
    from entente.accounts.views import e2e_login

    urlpatterns.insert(0, path("__e2e__/login/<int:user_id>/", e2e_login))

handler400 = "entente.core.views.bad_request"
handler403 = "entente.core.views.permission_denied"
handler404 = "entente.core.views.page_not_found"
handler500 = "entente.core.views.server_error"
