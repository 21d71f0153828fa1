"""What an owner does to one occurrence of a communication plan item ahead of its time (edit,
skip, restore, send now), what is coming up and what was missed; the item's dates come from
``charter.comms.plan``."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.comms.models import (
    CommunicationItem,
    CommunicationKind,
    CommunicationOccurrence,
    OccurrenceStatus,
)
from charter.comms.plan import (
    CALENDAR_HORIZON,
    occurs_at,
    recurrence_of,
    refresh_cursor,
    set_cursor,
    working_days,
)
from charter.comms.templating import check
from charter.core import audit
from charter.engine import recurrence
from charter.engine.recurrence import Occurrence, WorkingDays

# ---- occurrences -----------------------------------------------------------------------------


def _window(
    item: CommunicationItem, calendar: WorkingDays, first: datetime.date, last: datetime.date
) -> Iterator[Occurrence]:
    for occurrence in recurrence.occurrences(recurrence_of(item), calendar):
        if occurrence.on > last:
            return
        if occurrence.on >= first:
            yield occurrence


def is_ahead(item: CommunicationItem, nominal_on: datetime.date) -> bool:
    """Whether the scheduler has still to reach the item's occurrence named ``nominal_on``:
    the item is switched on and its cursor is at or before that date."""
    return (
        item.is_active and item.next_nominal_on is not None and nominal_on >= item.next_nominal_on
    )


def is_actionable(item: CommunicationItem, row: "CommunicationOccurrence | Upcoming") -> bool:
    """Whether its owner can still act on the occurrence (edit its words, skip it, send it
    now): it is planned and still ahead."""
    return row.status == OccurrenceStatus.PLANNED and is_ahead(item, row.nominal_on)


def can_send(item: CommunicationItem, row: "CommunicationOccurrence | Upcoming") -> bool:
    """Whether its owner can send the occurrence now: ahead of its time, or late when it was
    missed, while the item is switched on (a meeting's time has passed once it is missed)."""
    if row.status == OccurrenceStatus.MISSED:
        return item.is_active and item.kind != CommunicationKind.MEETING
    return is_actionable(item, row)


@dataclass(frozen=True)
class Upcoming:
    """An occurrence in a window: from the rule, with its row when one exists."""

    item: CommunicationItem
    nominal_on: datetime.date
    on: datetime.date
    due_at: datetime.datetime
    row: CommunicationOccurrence | None

    @property
    def status(self) -> str:
        return self.row.status if self.row else OccurrenceStatus.PLANNED

    @property
    def edited(self) -> bool:
        return bool(self.row and (self.row.subject or self.row.body))

    @property
    def actionable(self) -> bool:
        """Still ahead of the scheduler: it can be edited, skipped or sent now."""
        return is_actionable(self.item, self)


def upcoming(
    queryset: QuerySet[CommunicationItem], first: datetime.date, last: datetime.date
) -> list[Upcoming]:
    """Every occurrence of the ``queryset``'s items on ``first``..``last`` — planned and
    handled (sent, skipped, missed) — in date order. Rows: one query; calendars: one per
    project."""
    items = list(queryset.select_related("project", "owner", "robot", "template"))
    rows = {
        (row.item_id, row.nominal_on): row
        for row in CommunicationOccurrence.objects.filter(
            item__in=items, on__range=(first, last)
        ).order_by()
    }
    calendars: dict[int, WorkingDays] = {}
    found = []
    for item in items:
        if item.project_id not in calendars:
            calendars[item.project_id] = working_days(item.project, first, last)
        planned = _window(item, calendars[item.project_id], first, last) if item.is_active else ()
        for occurrence in planned:
            row = rows.pop((item.pk, occurrence.nominal), None)
            if row is None and not is_ahead(item, occurrence.nominal):
                continue  # before the schedule began: never planned, so neither sent nor missed
            found.append(_upcoming(item, occurrence.nominal, occurrence.on, row))
    by_pk = {item.pk: item for item in items}
    for (item_pk, nominal), row in rows.items():  # handled under an older schedule
        found.append(_upcoming(by_pk[item_pk], nominal, row.on, row))
    return sorted(found, key=lambda o: (o.due_at, o.item.pk))


def _upcoming(
    item: CommunicationItem,
    nominal: datetime.date,
    on: datetime.date,
    row: CommunicationOccurrence | None,
) -> Upcoming:
    due_at = row.due_at if row else occurs_at(item, on)
    return Upcoming(item, nominal, on, due_at, row)


def missed(
    items: QuerySet[CommunicationItem], *, since: datetime.date
) -> list[CommunicationOccurrence]:
    """Missed occurrences of ``items`` from ``since`` on, newest first, each marked
    ``sendable`` when its owner may still send it late (``can_send``)."""
    rows = list(
        CommunicationOccurrence.objects.filter(
            item__in=items, status=OccurrenceStatus.MISSED, on__gte=since
        )
        .select_related("item__project")
        .order_by("-due_at", "-pk")
    )
    for row in rows:
        row.sendable = can_send(row.item, row)  # type: ignore[attr-defined]
    return rows


def planned_occurrence(item: CommunicationItem, nominal_on: datetime.date) -> Occurrence:
    """The occurrence of ``item`` named ``nominal_on`` if the scheduler has not reached it;
    ValidationError otherwise (a date the rule does not have, or one already handled)."""
    if not is_ahead(item, nominal_on) or item.next_nominal_on is None:
        raise ValidationError(_("This occurrence is no longer ahead; it cannot be changed."))
    calendar = working_days(item.project, nominal_on, nominal_on + recurrence.LONGEST_SEARCH)
    start = Occurrence(item.next_nominal_on, item.next_on or item.next_nominal_on)
    if nominal_on == start.nominal:
        return start
    for occurrence in recurrence.occurrences(recurrence_of(item), calendar, after=start):
        if occurrence.nominal == nominal_on:
            return occurrence
        if occurrence.nominal > nominal_on:
            break
    raise ValidationError(_("The plan item has no occurrence on that date."))


def occurrence_of(
    item: CommunicationItem, nominal_on: datetime.date
) -> CommunicationOccurrence | None:
    """The occurrence's row, or an unsaved one for a date still ahead; None when the item has
    no such occurrence (or one the scheduler passed without a row)."""
    row = CommunicationOccurrence.objects.filter(item=item, nominal_on=nominal_on).first()
    if row is not None:
        return row
    try:
        occurrence = planned_occurrence(item, nominal_on)
    except ValidationError:
        return None
    return CommunicationOccurrence(
        item=item,
        nominal_on=occurrence.nominal,
        on=occurrence.on,
        due_at=occurs_at(item, occurrence.on),
    )


def locked_row(
    item: CommunicationItem, nominal_on: datetime.date, status: str
) -> CommunicationOccurrence | None:
    """The occurrence's row, locked, if it has ``status``."""
    return (
        CommunicationOccurrence.objects.select_for_update()
        .filter(item=item, nominal_on=nominal_on, status=status)
        .first()
    )


def occurrence_row(
    item: CommunicationItem, occurrence: Occurrence, *, lock: bool = True
) -> CommunicationOccurrence:
    """The occurrence's row, made (planned) when missing, locked when ``lock``."""
    rows = CommunicationOccurrence.objects.select_for_update() if lock else None
    row, _created = (rows or CommunicationOccurrence.objects).get_or_create(
        item=item,
        nominal_on=occurrence.nominal,
        defaults={"on": occurrence.on, "due_at": occurs_at(item, occurrence.on)},
    )
    return row


def locked_item(item: CommunicationItem) -> CommunicationItem:
    return CommunicationItem.objects.select_for_update().select_related("project").get(pk=item.pk)


@transaction.atomic
def edit_occurrence(
    item: CommunicationItem,
    nominal_on: datetime.date,
    *,
    actor: Any,
    subject: str,
    body: str,
) -> CommunicationOccurrence:
    """Words of their own for one occurrence (empty: the template's). ValidationError when it
    is no longer ahead or the words cannot be read."""
    item = locked_item(item)
    row = occurrence_row(item, planned_occurrence(item, nominal_on))
    subject, body = subject.strip(), body.strip()
    errors = {}
    for name, value in (("subject", subject), ("body", body)):
        try:
            check(value)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(row, ("subject", "body"))
    row.subject, row.body = subject, body
    row.save(update_fields=["subject", "body"])
    changes = audit.diff(before, audit.snapshot(row, ("subject", "body")))
    audit.record(item, "occurrence_edited", actor=actor, changes={"date": str(row.on), **changes})
    return row


@transaction.atomic
def skip_occurrence(
    item: CommunicationItem, nominal_on: datetime.date, *, actor: Any
) -> CommunicationOccurrence:
    """Send nothing that time; the scheduler moves on to the next occurrence."""
    item = locked_item(item)
    row = occurrence_row(item, planned_occurrence(item, nominal_on))
    mark_handled(
        row,
        OccurrenceStatus.SKIPPED,
        actor=actor,
        outcome=_("Skipped by %(name)s.") % {"name": actor},
    )
    advance_past(item, row)
    audit.record(item, "occurrence_skipped", actor=actor, changes={"date": str(row.on)})
    return row


@transaction.atomic
def restore_occurrence(
    item: CommunicationItem, nominal_on: datetime.date, *, actor: Any
) -> CommunicationOccurrence:
    """Undo a skip while the occurrence is still ahead."""
    item = locked_item(item)
    row = locked_row(item, nominal_on, OccurrenceStatus.SKIPPED)
    if row is None or row.due_at <= timezone.now():
        raise ValidationError(_("Only a skipped occurrence still ahead can be restored."))
    row.status, row.outcome, row.acted_by, row.acted_at = OccurrenceStatus.PLANNED, "", None, None
    row.save(update_fields=["status", "outcome", "acted_by", "acted_at"])
    refresh_cursor(item, now=timezone.now())
    item.save(update_fields=["next_nominal_on", "next_on", "next_due_at"])
    audit.record(item, "occurrence_restored", actor=actor, changes={"date": str(row.on)})
    return row


def mark_handled(row: CommunicationOccurrence, status: str, *, actor: Any, outcome: str) -> None:
    row.status, row.outcome = status, outcome
    row.acted_by, row.acted_at = (actor if getattr(actor, "pk", None) else None), timezone.now()
    row.save(update_fields=["status", "outcome", "acted_by", "acted_at", "meeting"])


def advance_past(item: CommunicationItem, row: CommunicationOccurrence) -> None:
    """Move the cursor on when ``row`` is the occurrence it points at."""
    if item.next_nominal_on == row.nominal_on:
        calendar = working_days(item.project, row.on, row.on + CALENDAR_HORIZON)
        set_cursor(
            item,
            recurrence.following(recurrence_of(item), calendar, Occurrence(row.nominal_on, row.on)),
        )
        item.save(update_fields=["next_nominal_on", "next_on", "next_due_at"])
