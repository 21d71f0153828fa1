from django.contrib import admin

from charter.comms.models import ChatRobot, CommunicationItem, OutboxMessage
from charter.core.admin import AuditedAdmin


@admin.register(CommunicationItem)
class CommunicationItemAdmin(admin.ModelAdmin):
    list_display = ["content", "project", "audience", "frequency", "channel", "owner"]
    list_filter = ["channel"]
    search_fields = ["content", "audience", "project__code", "project__name"]
    list_select_related = ["project", "owner"]
    raw_id_fields = ["project", "owner"]


@admin.register(ChatRobot)
class ChatRobotAdmin(AuditedAdmin):
    """Robots are set up in the app; the back office never shows their address or secret."""

    list_display = ["name", "kind", "project", "client", "is_active", "last_test_ok"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    raw_id_fields = ["project", "client", "created_by"]
    exclude = ["webhook_url", "secret"]
    readonly_fields = ["last_tested_at", "last_test_ok", "last_test_answer", "version"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """What was sent, to be looked at; the worker sends, nobody edits."""

    list_display = ["key", "channel", "status", "attempts", "next_attempt_at", "last_answer"]
    list_filter = ["channel", "status"]
    search_fields = ["key", "subject"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
