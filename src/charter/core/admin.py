from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import F
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from charter.core import audit
from charter.core.models import Attachment, AuditEvent


class AuditedAdmin(admin.ModelAdmin):
    """Back-office edits of versioned records move the version on and are audited.

    The version bump makes an edit form open in the app at the same time report a stale save
    instead of overwriting what was saved here.
    """

    audit_exclude = frozenset({"password", "version", "updated_at"})

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        fields = self._audited_fields(obj, form)
        before = audit.snapshot(type(obj)._default_manager.get(pk=obj.pk), fields) if change else {}
        if change:
            obj.version = F("version") + 1
            obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)
        if change:
            obj.refresh_from_db(fields=["version"])
        changes = audit.diff(before, audit.snapshot(obj, fields))
        audit.record(obj, "updated" if change else "created", actor=request.user, changes=changes)

    def _audited_fields(self, obj: models.Model, form: ModelForm) -> list[str]:
        concrete = {field.name for field in obj._meta.concrete_fields}
        return [name for name in form.changed_data if name in concrete - self.audit_exclude]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services: the back office may look, never touch."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_label", "action", "content_type", "object_repr", "ip"]
    list_filter = ["action", "content_type"]
    search_fields = ["actor_label", "object_repr", "object_id"]
    date_hierarchy = "created_at"
    list_select_related = ["content_type"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "content_type",
        "object_id",
        "size",
        "client_visible",
        "uploaded_by",
        "uploaded_at",
    ]
    list_filter = ["client_visible", "content_type"]
    search_fields = ["name", "description", "sha256"]
    list_select_related = ["content_type", "uploaded_by"]
    exclude = ["file"]  # downloads go through the permission-checked view, not a media URL
