from django.contrib import admin

from charter.core.admin import AuditedAdmin
from charter.crm.models import Client


@admin.register(Client)
class ClientAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "created_at"]
    search_fields = ["name", "short_name"]
    readonly_fields = ["created_at", "version", "updated_at"]
