"""Public links, mounted at ``/p/`` (namespace ``public_link``): no account needed."""

app_name = "public_link"

urlpatterns: list = []
