"""Optimistic concurrency for :class:`charter.core.models.VersionedModel` rows."""

from collections.abc import Iterable

from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.core.models import VersionedModel


class StaleEdit(Exception):
    """The row changed since the editor loaded it; nothing was written."""

    def __init__(self, obj: VersionedModel, expected_version: int) -> None:
        self.obj = obj
        self.expected_version = expected_version
        super().__init__(
            _(
                "Someone else saved this record after you opened it, so your changes were not "
                "saved. Reload the page to see the latest version, then make your changes again."
            )
        )


def update_versioned(obj: VersionedModel, *, expected_version: int, fields: Iterable[str]) -> None:
    """Write ``fields`` of ``obj`` only if the stored version is still ``expected_version``.

    A compare-and-set in one UPDATE statement, so two concurrent editors cannot both win.
    Raises :class:`StaleEdit` (and writes nothing) when the version moved on.
    """
    now = timezone.now()
    values = {name: getattr(obj, name) for name in fields}
    updated = (
        type(obj)
        ._default_manager.filter(pk=obj.pk, version=expected_version)
        .update(**values, version=F("version") + 1, updated_at=now)
    )
    if updated != 1:
        raise StaleEdit(obj, expected_version)
    obj.version = expected_version + 1
    obj.updated_at = now


def etag(obj: VersionedModel) -> str:
    return f'"{obj.version}"'


def version_from_if_match(header: str) -> int | None:
    """The version named by an If-Match header (``"3"`` or ``W/"3"``), or None if unreadable."""
    value = header.strip().removeprefix("W/").strip('"')
    return int(value) if value.isdigit() else None


def lock_row(row: models.Model) -> None:
    """SELECT … FOR UPDATE on ``row`` (inside a transaction): its writers are serialised until
    the transaction ends. Read what the decision depends on again after it."""
    type(row)._default_manager.select_for_update().filter(pk=row.pk).values("pk").get()
