"""Administration consoles: admins manage their organisation; operators the organisations."""

from django.urls import include, path

from entente.identity import views as identity_views
from entente.organisations import views, views_operator, views_people, views_structure

app_name = "admin_org"

urlpatterns = [
    path("", views.index, name="index"),
    # people of the admin's organisation
    path("personnes/", views_people.people, name="people"),
    path("personnes/nouvelle/", views_people.person_create, name="person_create"),
    path("personnes/<int:pk>/", views_people.person_detail, name="person_detail"),
    path(
        "personnes/<int:pk>/desactiver/", views_people.person_deactivate, name="person_deactivate"
    ),
    path("personnes/<int:pk>/reactiver/", views_people.person_reactivate, name="person_reactivate"),
    path("personnes/<int:pk>/inviter/", views_people.person_invite, name="person_invite"),
    path("personnes/<int:pk>/deconnecter/", views_people.person_sign_out, name="person_sign_out"),
    # structure: services tree and groups
    path("services/", views_structure.service_tree, name="services"),
    path("services/nouveau/", views_structure.service_create, name="service_create"),
    path("services/<int:pk>/", views_structure.service_edit, name="service_edit"),
    path("services/<int:pk>/supprimer/", views_structure.service_delete, name="service_delete"),
    path("groupes/", views_structure.group_list, name="groups"),
    path("groupes/nouveau/", views_structure.group_create, name="group_create"),
    path("groupes/<int:pk>/", views_structure.group_edit, name="group_edit"),
    path("groupes/<int:pk>/supprimer/", views_structure.group_delete, name="group_delete"),
    # policies of the admin's own organisation
    path("politiques/", views.policies, name="policies"),
    # single sign-on: the organisation's identity provider (entente.identity)
    path("connexion/", identity_views.provider_edit, name="sso"),
    # provisioning: SCIM tokens and CSV import (pages of the provisioning app)
    path("provisionnement/", include("entente.provisioning.console_urls")),
    # operators: organisations of the territory and their administrators
    path("organisations/", views_operator.organisation_list, name="organisations"),
    path("organisations/nouvelle/", views_operator.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views_operator.organisation_edit, name="organisation_edit"),
    path(
        "organisations/<slug:slug>/desactiver/",
        views_operator.organisation_deactivate,
        name="organisation_deactivate",
    ),
    path(
        "organisations/<slug:slug>/activer/",
        views_operator.organisation_activate,
        name="organisation_activate",
    ),
    path(
        "organisations/<slug:slug>/politiques/",
        views.policies,
        name="organisation_policies",
    ),
    path(
        "organisations/<slug:slug>/connexion/",
        identity_views.provider_edit,
        name="organisation_sso",
    ),
    path(
        "organisations/<slug:slug>/admins/",
        views_operator.organisation_admins,
        name="organisation_admins",
    ),
    path(
        "organisations/<slug:slug>/admins/<int:pk>/retirer/",
        views_operator.organisation_admin_revoke,
        name="organisation_admin_revoke",
    ),
]
