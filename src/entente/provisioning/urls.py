"""SCIM 2.0 URLs, one base per organisation: /scim/v2/<org-slug>/ (filled by the provisioning app)."""

app_name = "provisioning"
urlpatterns: list = []
