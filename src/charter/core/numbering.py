"""Numbers within a parent (REQ-001 within a project, CR-001 within a project …): the next
number is taken under a lock on the parent row, so two concurrent creates never share one."""

from typing import Any

from django.db import models
from django.db.models import Max, QuerySet

from charter.core.concurrency import lock_row


def next_number(parent: models.Model, numbered: QuerySet[Any]) -> int:
    """Lock ``parent`` and return the number after the highest of ``numbered`` (the rows
    numbered within ``parent``; 1 when there are none). Call inside a transaction."""
    lock_row(parent)
    top = numbered.aggregate(top=Max("number"))["top"]
    return (top or 0) + 1
