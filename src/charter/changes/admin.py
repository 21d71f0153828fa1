from django.contrib import admin

from charter.changes.models import ChangeRequest
from charter.core.admin import AuditedAdmin


@admin.register(ChangeRequest)
class ChangeRequestAdmin(AuditedAdmin):
    list_display = ["code", "title", "project", "status", "requested_on", "decided_at"]
    list_filter = ["status"]
    search_fields = ["code", "title", "description"]
    raw_id_fields = ["project", "requested_by", "requirements"]
    readonly_fields = ["number", "code", "decided_at", "decided_by", "created_at", "version"]
