from django.contrib import admin

from charter.core.admin import AuditedAdmin
from charter.planning.models import (
    Project,
    ProjectTemplate,
    TemplateChecklistItem,
    TemplateCommunication,
    TemplatePhase,
    TemplateRisk,
)


class TemplatePhaseInline(admin.TabularInline):
    model = TemplatePhase
    extra = 0


class TemplateCommunicationInline(admin.TabularInline):
    model = TemplateCommunication
    extra = 0


class TemplateRiskInline(admin.TabularInline):
    model = TemplateRisk
    extra = 0


class TemplateChecklistInline(admin.TabularInline):
    model = TemplateChecklistItem
    extra = 0


@admin.register(ProjectTemplate)
class ProjectTemplateAdmin(AuditedAdmin):
    """Tasks are edited in the app's template editor; the back office shows the rest."""

    list_display = ["name", "language", "is_default", "created_at"]
    list_filter = ["language", "is_default"]
    search_fields = ["name", "description"]
    readonly_fields = ["created_at", "version", "updated_at"]
    inlines = [
        TemplatePhaseInline,
        TemplateCommunicationInline,
        TemplateRiskInline,
        TemplateChecklistInline,
    ]


@admin.register(Project)
class ProjectAdmin(AuditedAdmin):
    """Projects are created by converting a won deal; here only their header is corrected."""

    list_display = ["code", "name", "client", "manager", "status", "start_date", "budget"]
    list_filter = ["status"]
    search_fields = ["code", "name", "client__name"]
    list_select_related = ["client", "manager"]
    autocomplete_fields = ["client"]
    raw_id_fields = ["opportunity", "manager", "created_by"]
    filter_horizontal = ["members"]
    readonly_fields = ["code", "created_at", "version", "updated_at"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
