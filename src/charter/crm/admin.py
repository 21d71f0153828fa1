from django.contrib import admin

from charter.core.admin import AuditedAdmin, ReadOnlyAdmin
from charter.crm.models import Client, Contact, ExternalId, Tag


@admin.register(Client)
class ClientAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "lifecycle", "industry", "region", "owner", "created_at"]
    list_filter = ["lifecycle", "size", "tags"]
    search_fields = ["name", "short_name", "uscc", "region", "industry"]
    list_select_related = ["owner"]
    filter_horizontal = ["tags"]
    readonly_fields = ["created_at", "version", "updated_at"]


@admin.register(Contact)
class ContactAdmin(AuditedAdmin):
    list_display = ["name", "client", "title", "email", "mobile", "decision_role"]
    list_filter = ["decision_role", "preferred_channel"]
    search_fields = ["name", "email", "mobile", "title", "client__name"]
    list_select_related = ["client"]
    autocomplete_fields = ["client"]
    readonly_fields = ["created_at", "version", "updated_at"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(ExternalId)
class ExternalIdAdmin(ReadOnlyAdmin):
    """Written by imports and CRM connectors; shown here for support, not edited."""

    list_display = ["system", "external_id", "content_type", "object_id"]
    list_filter = ["system", "content_type"]
    search_fields = ["external_id", "object_id"]
