"""URLs of spaces, mounted at ``/espaces/`` (namespace ``spaces``)."""

app_name = "spaces"

urlpatterns: list = []
