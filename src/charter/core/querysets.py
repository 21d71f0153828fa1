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

    def get_for_user(self, pk: Any, user: Any) -> Any:
        """The attachment if the user may see its parent (clients: only shared files), or 404."""
        from django.http import Http404

        attachment: Any = self.select_related("content_type").filter(pk=pk).first()
        model = attachment.content_type.model_class() if attachment is not None else None
        if attachment is None or model is None:
            raise Http404
        parent = get_for_user(
            model._meta.label_lower,
            attachment.object_id,
            user,
            "view",
            capability="charter_attachable",
        )
        if not self.for_parent(parent, user).filter(pk=attachment.pk).exists():
            raise Http404
        return attachment


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
        return model._default_manager.for_user(user, action).get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_by_reference(reference: str, user: Any, action: str, *, capability: str) -> models.Model:
    """Like :func:`get_for_user` for a reference ``app_label.model:pk`` (``crm.client:7``).

    A reference that is not of that form is a ValidationError; one naming nothing the user may
    see is Http404.
    """
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    label, separator, pk = reference.partition(":")
    if not separator or "." not in label or not pk:
        raise ValidationError(
            _("Name the object as app_label.model:id, for example crm.client:7."), code="reference"
        )
    return get_for_user(label, pk, user, action, capability=capability)
