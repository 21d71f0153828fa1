import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from charter.core.choices import ACTION_LABELS, CHANGE_LABELS
from charter.core.querysets import AttachmentQuerySet, AuditEventQuerySet


class VersionedModel(models.Model):
    """An editable record with optimistic concurrency: every saved edit raises ``version``.

    Write edits with :func:`charter.core.concurrency.update_versioned`, never a bare ``save()``.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """Who did what to which object, when and from where; written by services only."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=255)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_label or '-'} {self.action} {self.object_repr}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    def change_rows(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) for the history view, with the model's field names."""
        model = self.content_type.model_class()
        rows = []
        for name, values in self.changes.items():
            old, new = values if isinstance(values, list) and len(values) == 2 else (None, values)
            field = model_field(model, name)
            label = str(field.verbose_name) if field else change_label(name)
            rows.append((label, display_value(old, field), display_value(new, field)))
        return rows


def model_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    try:
        field = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def change_label(name: str) -> str:
    """The label of a change key that is not a model field."""
    return str(CHANGE_LABELS.get(name, name.replace("_", " ")))


def display_value(value: object, field: models.Field | None = None) -> str:
    """A recorded value as people read it: a choice's label, yes/no, a list joined."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(display_value(item, field) for item in value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def attachment_path(instance: "Attachment", filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file attached to any attachable object; downloaded only through a permission check."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    parent = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    mime_type = models.CharField(_("type"), max_length=127)
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=255, blank=True)
    client_visible = models.BooleanField(
        _("visible to the client"),
        default=False,
        help_text=_("Client users of this client can see and download the file."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.name
