"""SCIM 2.0 URLs, one base per organisation: /scim/v2/<org-slug>/ (RFC 7644 §3.2).

Paths are matched with or without a trailing slash, and with a doubled slash after the base
(clients configured with ``…/scim/v2/valmont/`` often add ``/Users`` to it): a SCIM client's
POST must never meet a redirect.
"""

from django.urls import re_path

from entente.provisioning.scim import views

app_name = "provisioning"

ORG = r"^(?P<slug>[-a-zA-Z0-9_]+)"
SEP = r"/+"
END = r"/?$"

urlpatterns = [
    re_path(ORG + r"/$", views.unknown, name="root"),
    re_path(ORG + SEP + r"ServiceProviderConfig" + END, views.service_provider_config),
    re_path(ORG + SEP + r"ResourceTypes" + END, views.resource_types),
    re_path(ORG + SEP + r"ResourceTypes/(?P<name>[^/]+)" + END, views.resource_types),
    re_path(ORG + SEP + r"Schemas" + END, views.schema_list),
    re_path(ORG + SEP + r"Schemas/(?P<urn>[^/]+)" + END, views.schema_list),
    re_path(ORG + SEP + r"Users/\.search" + END, views.user_search),
    re_path(ORG + SEP + r"Users" + END, views.user_list, name="users"),
    re_path(ORG + SEP + r"Users/(?P<pk>[^/]+)" + END, views.user_detail, name="user"),
    re_path(ORG + SEP + r"Groups/\.search" + END, views.group_search),
    re_path(ORG + SEP + r"Groups" + END, views.group_list, name="groups"),
    re_path(ORG + SEP + r"Groups/(?P<pk>[^/]+)" + END, views.group_detail, name="group"),
    re_path(ORG + r"(?:/(?P<rest>.*))?$", views.unknown),
]
