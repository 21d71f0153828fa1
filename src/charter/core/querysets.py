from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from charter.core import policy


def parent_filter(obj: models.Model) -> Q:
    """Rows pointing at ``obj`` through a (content_type, object_id) pair."""
    return Q(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


class AuditEventQuerySet(models.QuerySet):
    def for_user(self, user: Any, action: str = "view") -> "AuditEventQuerySet":
        """Admins see every event; other staff see all but user administration, except their own."""
        if not policy.allows(user, "core.auditevent", action):
            return self.none()
        if policy.role_of(user) == policy.ADMIN:
            return self.select_related("content_type")
        return self.select_related("content_type").filter(
            ~Q(content_type__app_label="accounts") | Q(actor=user)
        )

    def for_object(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(parent_filter(obj))


class AttachmentQuerySet(models.QuerySet):
    def for_parent(self, parent: models.Model, user: Any) -> "AttachmentQuerySet":
        """Attachments of a parent the caller already resolved through its own ``for_user``."""
        rows = self.filter(parent_filter(parent)).select_related("uploaded_by")
        if policy.role_of(user) == policy.CLIENT:
            rows = rows.filter(client_visible=True)
        return rows


def get_for_user(label: str, pk: Any, user: Any, action: str, *, capability: str) -> models.Model:
    """An object named ``app_label.model`` + pk that the user may ``action``, or Http404.

    ``capability`` is the model flag that opts it into a generic feature
    (``charter_attachable``, ``charter_history``); anything else is 404 like a missing row.
    """
    from django.apps import apps
    from django.http import Http404

    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None
    if not getattr(model, capability, False):
        raise Http404
    try:
        return model._default_manager.for_user(user, action).get(pk=pk)  # type: ignore[attr-defined]
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
