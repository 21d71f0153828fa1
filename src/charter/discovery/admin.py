from django.contrib import admin

from charter.core.admin import AuditedAdmin
from charter.discovery.models import Requirement


@admin.register(Requirement)
class RequirementAdmin(AuditedAdmin):
    list_display = ("code", "title", "project", "opportunity", "type", "priority", "status")
    list_filter = ("type", "priority", "status", "latent_need")
    search_fields = ("code", "title", "description")
    raw_id_fields = ("project", "opportunity", "owner")
