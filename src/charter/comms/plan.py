"""The communication plan's verbs on items (what is sent, to whom, on which dates) and the
dates themselves; what an owner does to one occurrence is in ``charter.comms.occurrences``.
Sending itself is charter.comms.scheduler's.

An item's occurrences come from its rule (charter.engine.recurrence) on the project calendar's
working days, at ``send_time`` in the item's time zone. An occurrence has a row only once
someone acted on it or the scheduler handled it; ``upcoming`` merges the rule's dates with
those rows.
"""

import datetime
import zoneinfo
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.comms.models import (
    CommunicationItem,
    CommunicationKind,
    OccurrenceStatus,
    RobotKind,
)
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


@transaction.atomic
def delete_item(item: CommunicationItem, *, actor: Any) -> None:
    """Remove the item; what it already sent stays in the message log."""
    audit.record(item, "deleted", actor=actor, changes={"content": [item.content, None]})
    item.delete()
