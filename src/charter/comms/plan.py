"""The communication plan's verbs: items (what is sent, to whom, on which dates) and what an
owner does to one occurrence ahead of time (edit, skip, restore, send now). Sending itself is
charter.comms.scheduler's; this module decides the dates.

An item's occurrences come from its rule (charter.engine.recurrence) on the project calendar's
working days, at ``send_time`` in the item's time zone. An occurrence has a row only once
someone acted on it or the scheduler handled it; ``upcoming`` merges the rule's dates with
those rows.
"""

import datetime
import zoneinfo
from collections.abc import Iterable, Iterator
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
    RobotKind,
)
from charter.comms.templating import check
from charter.core import audit
from charter.core.concurrency import update_versioned
from charter.crm.choices import Channel
from charter.discovery.choices import CampaignStatus
from charter.engine import recurrence
from charter.engine.recurrence import Occurrence, Recurrence, RuleError, Shift, WorkingDays
from charter.planning.adapters import project_calendar
from charter.planning.models import Project

ITEM_FIELDS = (
    "kind",
    "content",
    "audience",
    "frequency",
    "rule",
    "channel",
    "template",
    "robot",
    "campaign",
    "starts_on",
    "ends_on",
    "send_time",
    "time_zone",
    "shift",
    "meeting_minutes",
    "location",
    "is_active",
    "client_visible",
    "essential",
    "owner",
    "order",
)
SCHEDULE_FIELDS = ("rule", "starts_on", "ends_on", "send_time", "time_zone", "shift", "kind")
ROBOT_CHANNELS = {
    Channel.WECOM: RobotKind.WECOM,
    Channel.DINGTALK: RobotKind.DINGTALK,
    Channel.FEISHU: RobotKind.FEISHU,
    Channel.SLACK: RobotKind.SLACK,
}
# Meeting invitations go out this long before the meeting; every other kind at its time.
MEETING_NOTICE = datetime.timedelta(days=2)
# Holiday data is read this far ahead of an occurrence; later days count by weekday only.
CALENDAR_HORIZON = datetime.timedelta(days=800)
HANDLED = (OccurrenceStatus.SENT, OccurrenceStatus.SKIPPED, OccurrenceStatus.MISSED)


# ---- dates -----------------------------------------------------------------------------------


def recurrence_of(item: CommunicationItem) -> Recurrence:
    return Recurrence(item.rule, item.starts_on, item.ends_on, Shift(item.shift))


def working_days(project: Project, first: datetime.date, last: datetime.date) -> WorkingDays:
    """The project calendar's working days with its exceptions in ``first``..``last``
    (widened by the engine's search range); one query, two when the default calendar is used."""
    calendar = project_calendar(project)
    rows = calendar.exceptions.filter(
        day__range=(first - recurrence.LONGEST_SEARCH, last + recurrence.LONGEST_SEARCH)
    ).values_list("day", "working")
    return WorkingDays(frozenset(calendar.weekdays), dict(rows))


def occurs_at(item: CommunicationItem, on: datetime.date) -> datetime.datetime:
    """The moment an occurrence on ``on`` is due: the item's time of day in its time zone."""
    zone = zoneinfo.ZoneInfo(item.time_zone)
    return datetime.datetime.combine(on, item.send_time, tzinfo=zone)


def acts_at(item: CommunicationItem, on: datetime.date) -> datetime.datetime:
    """When the scheduler handles it: at its time, or ``MEETING_NOTICE`` before a meeting."""
    moment = occurs_at(item, on)
    return moment - MEETING_NOTICE if item.kind == CommunicationKind.MEETING else moment


def first_after(
    item: CommunicationItem,
    calendar: WorkingDays,
    moment: datetime.datetime,
    *,
    handled: set[datetime.date] = frozenset(),  # type: ignore[assignment]
) -> Occurrence | None:
    """The item's first occurrence due at or after ``moment`` whose nominal date is not in
    ``handled``."""
    for occurrence in recurrence.occurrences(recurrence_of(item), calendar):
        if occurs_at(item, occurrence.on) >= moment and occurrence.nominal not in handled:
            return occurrence
    return None


def set_cursor(item: CommunicationItem, occurrence: Occurrence | None) -> None:
    """Point the scheduler at ``occurrence`` (nothing more to do when None); not saved."""
    item.next_nominal_on = occurrence.nominal if occurrence else None
    item.next_on = occurrence.on if occurrence else None
    item.next_due_at = acts_at(item, occurrence.on) if occurrence else None


def refresh_cursor(item: CommunicationItem, *, now: datetime.datetime) -> None:
    """The cursor on the first occurrence from ``now`` on that nobody handled (none while the
    item is switched off); not saved. Occurrences before ``now`` were never planned under this
    schedule, so none is missed."""
    start = max(item.starts_on, timezone.localdate(now) - datetime.timedelta(days=1))
    calendar = working_days(item.project, start, start + CALENDAR_HORIZON)
    handled = set(item.occurrences.filter(status__in=HANDLED).values_list("nominal_on", flat=True))
    ahead = item.pk and item.is_active
    set_cursor(item, first_after(item, calendar, now, handled=handled) if ahead else None)


# ---- items -----------------------------------------------------------------------------------


def _check(item: CommunicationItem, contacts: list[Any], colleagues: list[Any]) -> None:
    """Everything an item needs to send: a readable rule and dates in order, recipients from
    the project's client, the robot, campaign and template its type and channel ask for."""
    errors: dict[str, str] = {}
    try:
        recurrence.parse_rule(item.rule, item.starts_on) if item.rule.strip() else None
    except RuleError as error:
        errors["rule"] = _("This rule cannot be used: %(reason)s") % {"reason": error}
    if item.ends_on and item.starts_on and item.ends_on < item.starts_on:
        errors["ends_on"] = _("The last date comes before the first.")
    client_id = item.project.client_id
    if strangers := [str(c) for c in contacts if c.client_id != client_id]:
        errors["contacts"] = _("Not contacts of %(client)s: %(names)s.") % {
            "client": item.project.client,
            "names": ", ".join(strangers),
        }
    errors.update(_channel_errors(item))
    if item.template_id and item.template.kind != item.kind:  # type: ignore[union-attr]
        errors["template"] = _("This template is written for another type of message.")
    if errors:
        raise ValidationError(errors)


def _channel_errors(item: CommunicationItem) -> dict[str, str]:
    robot_kind = ROBOT_CHANNELS.get(Channel(item.channel))
    if item.kind == CommunicationKind.MEETING and item.channel != Channel.EMAIL:
        return {"channel": _("Meeting invitations are sent by e-mail.")}
    if item.kind == CommunicationKind.SURVEY:
        if item.campaign is None or item.campaign.project_id != item.project_id:
            return {"campaign": _("Choose a questionnaire campaign of this project.")}
        if item.campaign.status == CampaignStatus.CLOSED:
            return {"campaign": _("This campaign is closed.")}
    if robot_kind is not None and item.kind != CommunicationKind.SURVEY:
        robot = item.robot
        if robot is None:
            return {"robot": _("Choose the chat robot this item posts to.")}
        if robot.kind != robot_kind:
            return {"robot": _("This robot is not a %(kind)s robot.") % {"kind": robot_kind.label}}
        if robot.project_id not in (None, item.project_id) or robot.client_id not in (
            None,
            item.project.client_id,
        ):
            return {"robot": _("This robot belongs to another project or client.")}
    return {}


def _names(contacts: Iterable[Any], colleagues: Iterable[Any]) -> dict[str, list[str]]:
    return {
        "contacts": sorted(str(c) for c in contacts),
        "colleagues": sorted(str(u) for u in colleagues),
    }


@transaction.atomic
def create_item(
    project: Project,
    *,
    actor: Any,
    contacts: Iterable[Any] = (),
    colleagues: Iterable[Any] = (),
    **fields: Any,
) -> CommunicationItem:
    """A new plan item (``ITEM_FIELDS``) with its recipients; the scheduler's cursor is set on
    its first occurrence from now on. ValidationError (nothing written) per :func:`_check`."""
    if unknown := set(fields) - set(ITEM_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not settable here")
    contacts, colleagues = list(contacts), list(colleagues)
    item = CommunicationItem(project=project, **fields)
    item.content = (item.content or "").strip()
    item.full_clean(exclude=["project", "template", "robot", "campaign", "owner"])
    _check(item, contacts, colleagues)
    item.save()
    item.contacts.set(contacts)
    item.colleagues.set(colleagues)
    refresh_cursor(item, now=timezone.now())
    item.save(update_fields=["next_nominal_on", "next_on", "next_due_at"])
    created = audit.diff({}, {**audit.snapshot(item, ITEM_FIELDS), **_names(contacts, colleagues)})
    audit.record(item, "created", actor=actor, changes=created)
    return item


@transaction.atomic
def update_item(
    item: CommunicationItem,
    *,
    actor: Any,
    expected_version: int,
    contacts: Iterable[Any] | None = None,
    colleagues: Iterable[Any] | None = None,
    **changes: Any,
) -> CommunicationItem:
    """Change an item. A new schedule (rule, dates, time, type, switched on) moves the cursor to
    its first occurrence from now on, and drops edits made for dates the new rule no longer
    has. StaleEdit if saved since ``expected_version``; ValidationError as for creating."""
    if unknown := set(changes) - set(ITEM_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    old_contacts, old_colleagues = list(item.contacts.all()), list(item.colleagues.all())
    before = {**audit.snapshot(item, ITEM_FIELDS), **_names(old_contacts, old_colleagues)}
    for name, value in changes.items():
        setattr(item, name, value)
    item.content = (item.content or "").strip()
    contacts = old_contacts if contacts is None else list(contacts)
    colleagues = old_colleagues if colleagues is None else list(colleagues)
    item.full_clean(exclude=["project", "template", "robot", "campaign", "owner"])
    _check(item, contacts, colleagues)
    after = {**audit.snapshot(item, ITEM_FIELDS), **_names(contacts, colleagues)}
    changed = audit.diff(before, after)
    if set(changed) & {*SCHEDULE_FIELDS, "is_active"}:
        refresh_cursor(item, now=timezone.now())
        _drop_stale_edits(item)
    update_versioned(
        item,
        expected_version=expected_version,
        fields=(*ITEM_FIELDS, "next_nominal_on", "next_on", "next_due_at"),
    )
    item.contacts.set(contacts)
    item.colleagues.set(colleagues)
    if changed:
        audit.record(item, "updated", actor=actor, changes=changed)
    return item


def _drop_stale_edits(item: CommunicationItem) -> None:
    planned = item.occurrences.filter(status=OccurrenceStatus.PLANNED)
    edited = set(planned.values_list("nominal_on", flat=True))
    if not edited:
        return
    calendar = working_days(item.project, item.starts_on, max(edited))
    kept = set()
    for occurrence in recurrence.occurrences(recurrence_of(item), calendar):
        if occurrence.nominal > max(edited):
            break
        kept.add(occurrence.nominal)
    planned.filter(nominal_on__in=edited - kept).delete()


def _window(
    item: CommunicationItem, calendar: WorkingDays, first: datetime.date, last: datetime.date
) -> Iterator[Occurrence]:
    for occurrence in recurrence.occurrences(recurrence_of(item), calendar):
        if occurrence.on > last:
            return
        if occurrence.on >= first:
            yield occurrence


@transaction.atomic
def delete_item(item: CommunicationItem, *, actor: Any) -> None:
    """Remove the item; what it already sent stays in the message log."""
    audit.record(item, "deleted", actor=actor, changes={"content": [item.content, None]})
    item.delete()


# ---- occurrences -----------------------------------------------------------------------------


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
