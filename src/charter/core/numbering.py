"""Numbers within a parent (REQ-001 within a project, CR-001 within a project …): the next
number is taken under a lock on the parent row, so two concurrent creates never share one."""

from typing import Any

from django.db import models
from django.db.models import Max, QuerySet


def lock_row(row: models.Model) -> None:
    """SELECT … FOR UPDATE on ``row`` (inside a transaction): writers of what is numbered or
    kept within it are serialised until the transaction ends."""
    type(row)._default_manager.select_for_update().filter(pk=row.pk).values("pk").get()


def next_number(parent: models.Model, numbered: QuerySet[Any]) -> int:
    """Lock ``parent`` and return the number after the highest of ``numbered`` (the rows
    numbered within ``parent``; 1 when there are none). Call inside a transaction."""
    lock_row(parent)
    top = numbered.aggregate(top=Max("number"))["top"]
    return (top or 0) + 1
