"""Audit trail: services call :func:`record` inside their transaction.

The request's IP address reaches services through :data:`request_ip`, set by
``AuditContextMiddleware``, so services keep a plain signature.
"""

import datetime
import decimal
import uuid
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from charter.core.models import AuditEvent

request_ip: ContextVar[str | None] = ContextVar("request_ip", default=None)


def json_value(value: Any) -> Any:
    """A JSON-safe form of a field value, readable in the history view."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [json_value(item) for item in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: json_value(getattr(obj, name)) for name in fields}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value changed."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


def record(
    obj: models.Model,
    action: str,
    *,
    actor: Any,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event about ``obj``; call it inside the service's transaction."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_label=actor.get_username() if is_user else "system",
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=dict(changes or {}),
        ip=request_ip.get(),
    )


def record_created(obj: models.Model, fields: Iterable[str], *, actor: Any) -> AuditEvent:
    """A "created" event whose changes show each field going from nothing to its first value."""
    return record(obj, "created", actor=actor, changes=diff({}, snapshot(obj, fields)))


def readable_by(user: Any, events: Iterable[AuditEvent], model: type[models.Model]) -> list[Any]:
    """``events`` with only the changes ``user`` may read: the fields a model names in
    ``charter_history_private`` (a resource's rates, say) are for managers and admins only.
    In memory: what one page shows, never saved."""
    from charter.core import policy

    private = getattr(model, "charter_history_private", ())
    events = list(events)
    if private and policy.role_of(user) not in policy.MANAGERS:
        for event in events:
            event.changes = {k: v for k, v in event.changes.items() if k not in private}
    return events
