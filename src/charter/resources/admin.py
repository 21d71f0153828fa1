from django.contrib import admin

from charter.core.admin import AuditedAdmin
from charter.resources.models import Assignment, Resource


@admin.register(Resource)
class ResourceAdmin(AuditedAdmin):
    list_display = ["name", "kind", "user", "max_units", "standard_rate", "currency", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "email"]
    raw_id_fields = ["user", "calendar"]
    readonly_fields = ["created_at", "version", "updated_at"]


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdmin):
    list_display = ["task", "resource", "units", "work"]
    raw_id_fields = ["task", "resource"]
    readonly_fields = ["version", "updated_at"]
