"""Django admin (operators only) for organisations, domains and policies."""

from django.contrib import admin

from entente.organisations.models import MailDomain, Organisation, Policy


class MailDomainInline(admin.TabularInline):
    model = MailDomain
    extra = 0


class PolicyInline(admin.StackedInline):
    model = Policy
    can_delete = False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "siren", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug", "siren"]
    inlines = [MailDomainInline, PolicyInline]
