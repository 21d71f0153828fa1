"""The verbs of timesheets: open a person's week, save its entries, submit it, approve or reject.

Who decides: a submitted sheet is approved or rejected as a whole by the manager of any project
it has hours on (a sheet spanning two managers' projects is decided by whichever of them acts
first), or by an administrator; never by its own author. Approval locks the sheet and applies
its work to the plan: each task's actual start (the first day worked, when unset) and its
percent complete raised towards approved work / planned work (the task's effort, else its
assigned work), capped at 99% (100% stays the team's call) and never lowered; both through
``planning.services.update_task``, then each project changed is rescheduled once. Each entry's
cost is frozen at approval: hours × the cost rate of the person's work resource on the entry's
day, in the currency of that day's rate (``services.rates.RateBook``; none: cost 0).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit, policy
from charter.core.choices import ACTION_LABELS, CHANGE_LABELS
from charter.core.concurrency import update_versioned
from charter.planning.adapters import schedule_project, to_aware
from charter.planning.models import Project, Task
from charter.planning.services.plan import update_task
from charter.resources.choices import ResourceKind, TimesheetStatus
from charter.resources.models import Resource
from charter.resources.models.timesheets import MINUTES_PER_DAY_MAX, Timesheet, TimesheetEntry
from charter.resources.services.pool import MINUTES_PER_HOUR
from charter.resources.services.rates import RateBook

ACTION_LABELS.update(
    {
        "timesheet_saved": gettext_lazy("saved the hours of the timesheet"),
        "timesheet_submitted": gettext_lazy("submitted the timesheet"),
        "timesheet_approved": gettext_lazy("approved the timesheet"),
        "timesheet_rejected": gettext_lazy("rejected the timesheet"),
    }
)
CHANGE_LABELS.update({"hours": gettext_lazy("hours")})

MAX_PROGRESS = 99  # reported work alone never finishes a task
CENT = Decimal("0.01")
NOTE_LENGTH = 500


# ---- reading ---------------------------------------------------------------------------------


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def workable_tasks(user: Any) -> QuerySet[Task]:
    """The tasks ``user`` may book hours on: not summary tasks, of running projects the user
    manages or is on the team of."""
    projects = Project.objects.involving(user).running()
    return Task.objects.filter(project__in=projects.values("pk"), is_summary=False)


def task_choices(user: Any) -> list[Task]:
    """Workable tasks for the "add a row" select: those the user's resource is assigned to
    first, then the rest, each group by project and plan order (one query)."""
    rows = (
        workable_tasks(user)
        .select_related("project")
        .annotate(mine=Sum("assignments__pk", filter=Q(assignments__resource__user=user)))
        .order_by("project__code", "position", "pk")
    )
    tasks: list[Any] = list(rows)
    return [task for task in tasks if task.mine] + [task for task in tasks if not task.mine]


def week_of(user: Any, week_start: datetime.date) -> Timesheet:
    """The sheet of ``user`` for the week starting ``week_start`` (a Monday), made as a
    draft the first time it is asked for."""
    if week_start.isoweekday() != 1:
        raise ValidationError({"week": _("A week starts on a Monday.")})
    sheet, _created = Timesheet.objects.get_or_create(user=user, week_start=week_start)
    return sheet


def entries_of(sheet: Timesheet) -> list[TimesheetEntry]:
    """The sheet's entries with their task and project, in plan order (one query)."""
    return list(
        sheet.entries.select_related("task__project").order_by(
            "task__project__code", "task__position", "task__pk", "day"
        )
    )


def total_minutes(sheet: Timesheet) -> int:
    return sheet.entries.aggregate(total=Sum("minutes"))["total"] or 0


def sheet_totals(sheet_ids: Iterable[int]) -> dict[int, int]:
    """Per sheet: its minutes (one query for a page of sheets)."""
    rows = (
        TimesheetEntry.objects.filter(timesheet__in=list(sheet_ids))
        .values("timesheet")
        .annotate(total=Sum("minutes"))
    )
    return {row["timesheet"]: row["total"] or 0 for row in rows}


def hours_of(minutes: int) -> Decimal:
    return (Decimal(minutes) / MINUTES_PER_HOUR).quantize(CENT)


def projects_of(sheet: Timesheet) -> QuerySet[Project]:
    return Project.objects.filter(tasks__timesheet_entries__timesheet=sheet).distinct()


def may_decide(user: Any, sheet: Timesheet) -> bool:
    """Whether ``user`` may approve or reject ``sheet`` (see the module's docstring)."""
    if not policy.allows(user, "resources.timesheet", "approve") or sheet.user_id == user.pk:
        return False
    if policy.role_of(user) == policy.ADMIN:
        return True
    return projects_of(sheet).filter(manager=user).exists()


def rate_of(user: Any) -> Resource | None:
    """The work resource that is ``user`` (an active one first), whose rate costs the hours."""
    return (
        Resource.objects.filter(user=user, kind=ResourceKind.WORK)
        .order_by("-is_active", "pk")
        .first()
    )


# ---- saving the week -------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One cell of the week: ``minutes`` on ``task`` on ``day``, with a note."""

    task: Any  # a Task or its id
    day: datetime.date
    minutes: int
    note: str = ""


def _row_error(
    errors: dict[str, list[str]], index: int, field: str, row: Row, task: Task | None, message: str
) -> None:
    """Name the row by its number, task and day; the key keeps the 0-based index (the API's
    field path)."""
    what = ", ".join(str(part) for part in (task or row.task, row.day) if part not in (None, ""))
    text = _("Row %(number)d (%(what)s): %(message)s") % {
        "number": index + 1,
        "what": what,
        "message": message,
    }
    errors.setdefault(f"rows.{index}.{field}", []).append(text)


def _task_id(value: Any) -> Any:
    return value.pk if isinstance(value, Task) else value


def _check_rows(sheet: Timesheet, rows: list[Row]) -> list[TimesheetEntry]:
    """The entries ``rows`` describe; ValidationError naming each bad row otherwise."""
    ids = [pk for pk in {_task_id(row.task) for row in rows} if isinstance(pk, int)]
    tasks = workable_tasks(sheet.user).in_bulk(ids)
    errors: dict[str, list[str]] = {}
    seen: set[tuple[int, datetime.date]] = set()
    per_day: dict[datetime.date, int] = defaultdict(int)
    entries = []
    for index, row in enumerate(rows):
        pk = _task_id(row.task)
        task = tasks.get(pk) if isinstance(pk, int) else None

        def fail(field: str, message: str, i: int = index, r: Row = row, t: Any = task) -> None:
            _row_error(errors, i, field, r, t, message)

        if task is None:
            fail("task", _("you cannot book hours on this task."))
        if not isinstance(row.day, datetime.date) or not (
            sheet.week_start <= row.day <= sheet.week_end
        ):
            fail("day", _("the day is not in this week."))
            continue
        if not isinstance(row.minutes, int) or not 0 <= row.minutes <= MINUTES_PER_DAY_MAX:
            fail("minutes", _("hours must be between 0 and 24."))
            continue
        if len(row.note or "") > NOTE_LENGTH:
            fail("note", _("the note is longer than 500 characters."))
        if task is None:
            continue
        if (task.pk, row.day) in seen:
            fail("day", _("this task already has hours on this day."))
            continue
        seen.add((task.pk, row.day))
        per_day[row.day] += row.minutes
        if per_day[row.day] > MINUTES_PER_DAY_MAX:
            fail("minutes", _("a day has no more than 24 hours."))
        if row.minutes or row.note:
            entries.append(
                TimesheetEntry(
                    timesheet=sheet,
                    task=task,
                    day=row.day,
                    minutes=row.minutes,
                    note=(row.note or "").strip(),
                )
            )
    if errors:
        raise ValidationError(errors)
    return entries


def _locked_error(sheet: Timesheet) -> ValidationError:
    if sheet.status == TimesheetStatus.APPROVED:
        return ValidationError(_("This timesheet is approved and locked."), code="locked")
    return ValidationError(
        _("This timesheet was submitted and waits for approval; it cannot be changed now."),
        code="locked",
    )


def _own(sheet: Timesheet, actor: Any) -> None:
    if sheet.user_id != actor.pk:
        raise ValidationError(_("Only its author may change a timesheet."), code="not_owner")


@transaction.atomic
def save_entries(
    sheet: Timesheet, *, actor: Any, expected_version: int, rows: Iterable[Row | Mapping[str, Any]]
) -> Timesheet:
    """Replace the week's entries by ``rows`` (rows without minutes and note are dropped).
    Only the author, only while draft or rejected. ValidationError (nothing written) naming
    each bad row: a task of a project the author is not on, a day outside the week, minutes
    outside 0..1440 or more than 24 hours on a day; StaleEdit if saved since
    ``expected_version``."""
    parsed = [row if isinstance(row, Row) else Row(**row) for row in rows]
    _own(sheet, actor)
    sheet = Timesheet.objects.select_for_update().get(pk=sheet.pk)
    if not sheet.is_editable:
        raise _locked_error(sheet)
    entries = _check_rows(sheet, parsed)
    before = total_minutes(sheet)
    update_versioned(sheet, expected_version=expected_version, fields=())
    sheet.entries.all().delete()
    TimesheetEntry.objects.bulk_create(entries)
    after = sum(entry.minutes for entry in entries)
    if before != after:
        audit.record(
            sheet,
            "timesheet_saved",
            actor=actor,
            changes={"hours": [str(hours_of(before)), str(hours_of(after))]},
        )
    return sheet


@transaction.atomic
def submit(sheet: Timesheet, *, actor: Any, expected_version: int) -> Timesheet:
    """Send the week for approval: only the author, only a draft or rejected sheet with hours
    on it. StaleEdit if saved since ``expected_version``."""
    _own(sheet, actor)
    sheet = Timesheet.objects.select_for_update().get(pk=sheet.pk)
    if not sheet.is_editable:
        raise _locked_error(sheet)
    if not sheet.entries.filter(minutes__gt=0).exists():
        raise ValidationError(_("Enter some hours before submitting the week."), code="empty")
    sheet.status = TimesheetStatus.SUBMITTED
    sheet.submitted_at = timezone.now()
    update_versioned(sheet, expected_version=expected_version, fields=("status", "submitted_at"))
    audit.record(
        sheet,
        "timesheet_submitted",
        actor=actor,
        changes={"hours": [None, str(hours_of(total_minutes(sheet)))]},
    )
    return sheet


def _decidable(sheet: Timesheet, actor: Any) -> Timesheet:
    sheet = Timesheet.objects.select_for_update().get(pk=sheet.pk)
    if sheet.status != TimesheetStatus.SUBMITTED:
        raise ValidationError(
            _("Only a submitted timesheet can be approved or rejected."), code="not_submitted"
        )
    if not may_decide(actor, sheet):
        raise ValidationError(
            _("Only the manager of a project on this timesheet may approve or reject it."),
            code="not_manager",
        )
    return sheet


@dataclass(frozen=True)
class Approval:
    sheet: Timesheet
    cost: Decimal
    currency: str
    has_rate: bool  # False: the person is no resource in the pool, the cost is 0
    tasks_updated: int


@transaction.atomic
def approve(sheet: Timesheet, *, actor: Any, expected_version: int) -> Approval:
    """Approve and lock a submitted sheet; freeze each entry's cost and apply the work to the
    tasks (see the module's docstring). ValidationError unless submitted and ``actor`` may
    decide it; StaleEdit if changed since ``expected_version``."""
    sheet = _decidable(sheet, actor)
    resource = rate_of(sheet.user)
    currency = resource.currency if resource else ""
    book = RateBook([resource] if resource else [])
    entries = list(sheet.entries.all())
    for entry in entries:
        rate = book.cost_on(resource, entry.day) if resource else Decimal(0)
        entry.cost = (hours_of(entry.minutes) * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        entry.currency = book.currency_on(resource, entry.day) if resource else ""
    TimesheetEntry.objects.bulk_update(entries, ["cost", "currency"])
    sheet.status = TimesheetStatus.APPROVED
    sheet.decided_by, sheet.decided_at = actor, timezone.now()
    sheet.rejection_note = ""
    update_versioned(
        sheet,
        expected_version=expected_version,
        fields=("status", "decided_by", "decided_at", "rejection_note"),
    )
    cost = sum((entry.cost or Decimal(0) for entry in entries), Decimal(0))
    audit.record(
        sheet,
        "timesheet_approved",
        actor=actor,
        changes={"hours": [None, str(hours_of(sum(entry.minutes for entry in entries)))]},
    )
    updated = apply_actuals({entry.task_id for entry in entries if entry.minutes}, actor=actor)
    return Approval(sheet, cost, currency, resource is not None, updated)


@transaction.atomic
def reject(sheet: Timesheet, *, actor: Any, expected_version: int, note: str) -> Timesheet:
    """Send a submitted sheet back to its author with ``note`` (required), who may then
    change and resubmit it. Same preconditions as :func:`approve`."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what should be corrected.")})
    sheet = _decidable(sheet, actor)
    sheet.status = TimesheetStatus.REJECTED
    sheet.decided_by, sheet.decided_at = actor, timezone.now()
    sheet.rejection_note = note
    update_versioned(
        sheet,
        expected_version=expected_version,
        fields=("status", "decided_by", "decided_at", "rejection_note"),
    )
    audit.record(sheet, "timesheet_rejected", actor=actor, changes={"rejection_note": [None, note]})
    return sheet


# ---- the work applied to the plan ------------------------------------------------------------


def planned_minutes(task: Task) -> int:
    """The work a task is planned at: its effort, else the work of its assignments."""
    if task.effort_hours:
        return int(task.effort_hours * MINUTES_PER_HOUR)
    return sum(assignment.work for assignment in task.assignments.all())


def approved_work(task_ids: Iterable[int]) -> dict[int, Mapping[str, Any]]:
    """Per task: the approved minutes (all people, all weeks) and the first day worked."""
    rows = (
        TimesheetEntry.objects.filter(
            task__in=list(task_ids), timesheet__status=TimesheetStatus.APPROVED, minutes__gt=0
        )
        .values("task")
        .annotate(minutes=Sum("minutes"), first=Min("day"))
    )
    return {row["task"]: row for row in rows}


def actual_costs(task_ids: Iterable[int]) -> dict[int, Decimal]:
    """Per task: the cost of its approved hours, as frozen at approval."""
    rows = (
        TimesheetEntry.objects.filter(
            task__in=list(task_ids), timesheet__status=TimesheetStatus.APPROVED
        )
        .values("task")
        .annotate(cost=Sum("cost"))
    )
    return {row["task"]: row["cost"] or Decimal(0) for row in rows}


def apply_actuals(task_ids: Iterable[int], *, actor: Any) -> int:
    """Raise the tasks' progress to their approved work (an audit event per task), then
    reschedule each project changed once; returns how many tasks changed."""
    work = approved_work(task_ids)
    tasks = (
        Task.objects.filter(pk__in=list(work))
        .select_related("project")
        .prefetch_related("assignments")
        .order_by("pk")
    )
    changed = 0
    projects: dict[int, Project] = {}
    for task in tasks:
        fields: dict[str, Any] = {}
        done = work[task.pk]
        if task.actual_start is None:
            fields["actual_start"] = to_aware(
                datetime.datetime.combine(done["first"], datetime.time.min)
            )
        planned = planned_minutes(task)
        if planned and task.percent_complete < MAX_PROGRESS:
            percent = min(MAX_PROGRESS, done["minutes"] * 100 // planned)
            if percent > task.percent_complete:
                fields["percent_complete"] = percent
        if fields:
            update_task(
                task, actor=actor, expected_version=task.version, fields=fields, reschedule=False
            )
            projects[task.project_id] = task.project
            changed += 1
    for project in projects.values():
        schedule_project(project)
    return changed
