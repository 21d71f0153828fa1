"""The verbs of the CRM: create and edit client organisations, with an audit trail."""

from typing import Any

from django.db import transaction

from charter.core import audit
from charter.core.concurrency import update_versioned
from charter.crm.models import Client

CLIENT_FIELDS = ("name", "short_name")


def _check_fields(fields: dict[str, Any]) -> None:
    unknown = set(fields) - set(CLIENT_FIELDS)
    if unknown:
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")


@transaction.atomic
def create_client(*, actor: Any, **fields: Any) -> Client:
    """A new client organisation; ValidationError (nothing written) for a taken or empty name."""
    _check_fields(fields)
    client = Client(**fields)
    client.full_clean()
    client.save()
    audit.record_created(client, CLIENT_FIELDS, actor=actor)
    return client


@transaction.atomic
def update_client(client: Client, *, actor: Any, expected_version: int, **changes: Any) -> Client:
    """Change a client's names.

    Raises StaleEdit (nothing written) if someone saved the client since ``expected_version``,
    ValidationError for invalid values.
    """
    _check_fields(changes)
    before = audit.snapshot(client, CLIENT_FIELDS)
    for name, value in changes.items():
        setattr(client, name, value)
    client.full_clean()
    update_versioned(client, expected_version=expected_version, fields=changes)
    changed = audit.diff(before, audit.snapshot(client, CLIENT_FIELDS))
    if changed:
        audit.record(client, "updated", actor=actor, changes=changed)
    return client
