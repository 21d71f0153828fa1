"""What a resource costs, and is billed at, on a given day.

A resource's rate history is its ``RateChange`` rows: each applies from its ``effective_from``
day until the next one. Before the first (or without any) the resource's standard rate is the
cost rate and the bill rate is 0. Only managers and administrators (``sees_rates``) see or edit
rates; the services below do not check who asks, the views and API do.
"""

import datetime
from bisect import bisect_right
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS
from charter.core.concurrency import update_versioned
from charter.resources.models import RateChange, Resource

ACTION_LABELS.update(
    {
        "rate_change_added": gettext_lazy("added a rate change to"),
        "rate_change_changed": gettext_lazy("changed a rate change of"),
        "rate_change_deleted": gettext_lazy("deleted a rate change of"),
    }
)

RATE_CHANGE_FIELDS = ("effective_from", "cost_rate", "bill_rate", "currency")
ZERO = Decimal("0.00")


class RateBook:
    """The rate histories of ``resources`` read in one query, for whatever asks for rates on
    many days. On a day the latest change on or before it applies; before the first (or
    without any) the cost rate is the resource's standard rate, the bill rate 0 and the
    currency the resource's."""

    def __init__(self, resources: Iterable[Resource]) -> None:
        self._resources = {resource.pk: resource for resource in resources}
        self._changes: dict[int, list[RateChange]] = {pk: [] for pk in self._resources}
        rows = RateChange.objects.filter(resource_id__in=list(self._resources)).order_by(
            "resource_id", "effective_from"
        )
        for change in rows:
            self._changes[change.resource_id].append(change)
        self._days = {
            pk: [change.effective_from for change in changes]
            for pk, changes in self._changes.items()
        }

    def _change(self, resource: Resource, day: datetime.date) -> RateChange | None:
        days = self._days.get(resource.pk, [])
        index = bisect_right(days, day)
        return self._changes[resource.pk][index - 1] if index else None

    def cost_on(self, resource: Resource, day: datetime.date) -> Decimal:
        change = self._change(resource, day)
        return change.cost_rate if change else resource.standard_rate

    def bill_on(self, resource: Resource, day: datetime.date) -> Decimal:
        change = self._change(resource, day)
        return change.bill_rate if change else ZERO

    def currency_on(self, resource: Resource, day: datetime.date) -> str:
        change = self._change(resource, day)
        return change.currency if change else resource.currency


# ---- the rate history ------------------------------------------------------------------------


def rate_history(resource: Resource) -> list[RateChange]:
    """The resource's rate changes, the latest first."""
    return list(resource.rate_changes.order_by("-effective_from", "-pk"))


def _label(change: RateChange) -> str:
    return (
        f"{change.effective_from:%Y-%m-%d} {change.cost_rate} / {change.bill_rate} "
        f"{change.currency}"
    )


def _save(change: RateChange, save: Any) -> None:
    change.full_clean(exclude=["resource"], validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            save()
    except IntegrityError:
        raise ValidationError(
            {
                "effective_from": _(
                    "“%(name)s” already has a rate change on this day: edit that one."
                )
                % {"name": change.resource}
            }
        ) from None


@transaction.atomic
def add_rate_change(
    resource: Resource,
    *,
    actor: Any,
    effective_from: datetime.date,
    cost_rate: Decimal,
    bill_rate: Decimal = ZERO,
    currency: str = "",
) -> RateChange:
    """Give ``resource`` new rates from ``effective_from`` on. ValidationError (nothing
    written) for negative rates or a second change on the same day."""
    change = RateChange(
        resource=resource,
        effective_from=effective_from,
        cost_rate=cost_rate,
        bill_rate=bill_rate,
        currency=currency or resource.currency,
    )
    _save(change, change.save)
    audit.record(
        change, "rate_change_added", actor=actor, changes={"rates": [None, _label(change)]}
    )
    return change


@transaction.atomic
def update_rate_change(
    change: RateChange, *, actor: Any, expected_version: int, **changes: Any
) -> RateChange:
    """Edit a rate change. StaleEdit (nothing written) if saved since ``expected_version``;
    ValidationError as for adding one."""
    if unknown := set(changes) - set(RATE_CHANGE_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    before = _label(change)
    for name, value in changes.items():
        setattr(change, name, value)
    _save(
        change,
        lambda: update_versioned(
            change, expected_version=expected_version, fields=RATE_CHANGE_FIELDS
        ),
    )
    if before != _label(change):
        audit.record(
            change, "rate_change_changed", actor=actor, changes={"rates": [before, _label(change)]}
        )
    return change


@transaction.atomic
def delete_rate_change(change: RateChange, *, actor: Any) -> None:
    audit.record(
        change, "rate_change_deleted", actor=actor, changes={"rates": [_label(change), None]}
    )
    change.delete()
