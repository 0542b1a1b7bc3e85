"""Django admin (operators only) for people."""

from django.contrib import admin

from entente.accounts.models import User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "first_name",
        "last_name",
        "organisation",
        "status",
        "is_org_admin",
        "is_active",
    ]
    list_filter = ["status", "is_org_admin", "is_operator", "is_active", "organisation"]
    search_fields = ["email", "first_name", "last_name"]
    exclude = ["password", "user_permissions", "groups"]
    readonly_fields = ["last_login", "date_joined", "deactivated_at", "invited_at"]
