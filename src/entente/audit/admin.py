"""Django admin (operators only): the audit log, read-only."""

from django.contrib import admin

from entente.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "kind",
        "actor_label",
        "organisation",
        "target_label",
        "ip_address",
    ]
    list_filter = ["kind", "organisation"]
    search_fields = ["actor_label", "target_label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
