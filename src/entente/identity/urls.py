"""Single sign-on URLs (filled by the identity app)."""

app_name = "identity"
urlpatterns: list = []
