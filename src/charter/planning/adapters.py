"""Where planning uses the engine: load a project's plan into ``charter.engine.plan`` in one pass,
schedule it, and write the computed dates back.

The engine works in naive local time on working calendars; the database stores aware datetimes.
A plan is scheduled in the site's time zone (``TIME_ZONE``, CHARTER_TIME_ZONE), the zone its
calendars' hours are meant in.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import overload
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from charter.engine.calendar import Interval, WorkCalendar
from charter.engine.model import Constraint, LinkType
from charter.engine.plan import PlanLink, PlanSchedule, PlanTask, TaskDates, schedule_plan
from charter.engine.splits import normalised
from charter.planning.models import Calendar, CalendarException, Dependency, Project, Task
from charter.planning.models.calendars import parse_hours
from charter.resources.choices import TIME_BASED
from charter.resources.models import Assignment

SCHEDULED_FIELDS = [
    "start",
    "finish",
    "late_start",
    "late_finish",
    "total_float",
    "free_float",
    "is_critical",
    "constraint_violated",
    "segments",
]
# A summary task's duration and % complete are not entered: they roll up from the tasks under it.
ROLLED_UP_FIELDS = ["duration", "percent_complete", "effort_hours"]
INPUT_FIELDS = [
    "pk",
    "parent_id",
    "duration",
    "is_milestone",
    "constraint_type",
    "constraint_date",
    "calendar_id",
    "percent_complete",
    "effort_hours",
    "actual_start",
    "actual_finish",
    "pauses",
]
# The calendars are built over 3 years first, and larger ranges only for plans that need them;
# a plan longer than the last is a data error, not a plan.
RANGE_YEARS = (3, 12, 48, 192)


class PlanTooLong(ValueError):
    """The plan runs past what any calendar range we build can hold."""


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@overload
def to_local(moment: datetime.datetime) -> datetime.datetime: ...


@overload
def to_local(moment: None) -> None: ...


@overload
def to_local(moment: datetime.datetime | None) -> datetime.datetime | None: ...


def to_local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """An aware database datetime as the naive local moment the engine works in."""
    if moment is None:
        return None
    return timezone.localtime(moment, local_zone()).replace(tzinfo=None, second=0, microsecond=0)


def to_aware(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(tzinfo=local_zone())


@dataclass(frozen=True)
class LoadedPlan:
    """A project's plan as the engine takes it, plus the rows to write back to."""

    project: Project
    rows: dict[int, Task]
    tasks: list[PlanTask]
    links: list[PlanLink]
    calendars: dict[int | None, Calendar]  # None: the project calendar


def project_calendar(project: Project) -> Calendar:
    if project.calendar_id:
        return project.calendar
    # Imported here: the planning services import this module to schedule what they change.
    from charter.planning.services.calendars import default_calendar

    return default_calendar()


def work_calendar(calendar: Calendar, first: datetime.date, last: datetime.date) -> WorkCalendar:
    """The engine's calendar of ``calendar`` over ``first``..``last``: its working weekdays and
    hours, days off, and working days with their own hours or the usual ones. One query (the
    exceptions in the range). ValueError when the range has no working time."""
    return _engine_calendar(calendar, first, last, calendar_exceptions([calendar], first, last))


def calendar_exceptions(
    calendars: Iterable[Calendar], first: datetime.date, last: datetime.date
) -> dict[int, dict[datetime.date, tuple[Interval, ...]]]:
    """Each calendar's exceptions in ``first``..``last`` as engine intervals (empty: a day
    off; a working day without hours of its own has the usual ones); one query for all."""
    by_pk = {calendar.pk: calendar for calendar in calendars}
    found: dict[int, dict[datetime.date, tuple[Interval, ...]]] = {pk: {} for pk in by_pk}
    rows = CalendarException.objects.filter(
        calendar_id__in=list(by_pk), day__range=(first, last)
    ).values_list("calendar_id", "day", "working", "hours")
    usual = {pk: tuple(calendar.intervals) for pk, calendar in by_pk.items()}
    for calendar_id, day, working, hours in rows:
        found[calendar_id][day] = (
            (tuple(parse_hours(hours)) if hours else usual[calendar_id]) if working else ()
        )
    return found


def work_calendars(
    calendars: Iterable[Calendar], first: datetime.date, last: datetime.date
) -> dict[int, WorkCalendar | None]:
    """:func:`work_calendar` of each calendar, by pk, in one query; None for a calendar with
    no working time in the range."""
    calendars = list(calendars)
    exceptions = calendar_exceptions(calendars, first, last)
    built: dict[int, WorkCalendar | None] = {}
    for calendar in calendars:
        try:
            built[calendar.pk] = _engine_calendar(calendar, first, last, exceptions)
        except ValueError:
            built[calendar.pk] = None
    return built


def _engine_calendar(
    calendar: Calendar,
    first: datetime.date,
    last: datetime.date,
    exceptions: dict[int, dict[datetime.date, tuple[Interval, ...]]],
) -> WorkCalendar:
    usual = tuple(calendar.intervals)
    weekdays = set(calendar.weekdays)
    week = [usual if weekday in weekdays else () for weekday in range(7)]
    return WorkCalendar(first, last, week, exceptions[calendar.pk])


def project_work_calendar(project: Project, tasks: Iterable[Task]) -> WorkCalendar:
    """The project calendar as the engine's, over the span of ``tasks`` (with a margin): what
    baseline variances in working days are measured with."""
    moments = [
        to_local(moment)
        for task in tasks
        for moment in (task.start, task.finish)
        if moment is not None
    ]
    days = [moment.date() for moment in moments if moment is not None]
    first = min([project.start_date, *days]) - datetime.timedelta(days=366)
    last = max([project.start_date, *days]) + datetime.timedelta(days=366)
    return work_calendar(project_calendar(project), first, last)


def load_plan(project: Project, *, for_update: bool = False) -> LoadedPlan:
    """The plan in a constant number of queries: tasks, links, the resource calendars of the
    tasks, the calendars (their exceptions: one more query when the plan is scheduled)."""
    rows = Task.objects.filter(project=project).only(*INPUT_FIELDS, *SCHEDULED_FIELDS)
    if for_update:
        rows = rows.select_for_update().order_by("pk")
    tasks = {row.pk: row for row in rows}
    links = Dependency.objects.filter(project=project).values_list(
        "predecessor_id", "successor_id", "type", "lag"
    )
    own_calendars = {row.pk: row.calendar_id for row in tasks.values() if row.calendar_id}
    worked_on = _resource_calendars(project, set(tasks) - set(own_calendars))
    task_calendars = {**worked_on, **own_calendars}
    calendar_ids = set(task_calendars.values())
    calendars: dict[int | None, Calendar] = {
        calendar.pk: calendar for calendar in Calendar.objects.filter(pk__in=calendar_ids)
    }
    calendars[None] = project_calendar(project)
    return LoadedPlan(
        project=project,
        rows=tasks,
        tasks=[_plan_task(row, task_calendars.get(row.pk)) for row in tasks.values()],
        links=[PlanLink(p, s, LinkType(kind), lag) for p, s, kind, lag in links],
        calendars=calendars,
    )


def _resource_calendars(project: Project, without_own: set[int]) -> dict[int, int]:
    """Task id → the calendar its time-based resources (people and equipment) share, for
    tasks without a calendar of their own: MS Project schedules a task with resources on
    their calendars. A task whose resources work different hours stays on the project
    calendar (MS Project would schedule each assignment on its own resource's hours; Charter
    schedules a task as one whole)."""
    rows = Assignment.objects.filter(
        task__project=project, task_id__in=without_own, resource__kind__in=TIME_BASED
    ).values_list("task_id", "resource__calendar_id")
    shared: dict[int, set[int | None]] = {}
    for task_id, calendar_id in rows:
        shared.setdefault(task_id, set()).add(calendar_id)
    return {
        task_id: calendar_ids.pop()
        for task_id, calendar_ids in shared.items()
        if len(calendar_ids) == 1 and None not in calendar_ids
    }


def _plan_task(row: Task, calendar_id: int | None) -> PlanTask:
    """The row as the engine takes it; pauses the task's duration no longer holds (it was
    shortened since leveling split it, say) are left out."""
    duration = 0 if row.is_milestone else row.duration
    return PlanTask(
        id=row.pk,
        parent=row.parent_id,
        duration=duration,
        constraint=Constraint(row.constraint_type),
        constraint_date=to_local(row.constraint_date),
        calendar=str(calendar_id) if calendar_id else None,
        percent_complete=row.percent_complete,
        actual_start=to_local(row.actual_start),
        actual_finish=to_local(row.actual_finish),
        milestone=row.is_milestone,
        pauses=normalised(duration, row.pauses),
    )


def run(plan: LoadedPlan) -> PlanSchedule:
    """Schedule ``plan``; the calendars' range grows until the plan fits in it."""
    start = plan.project.start_date
    status = plan.project.status_date
    first = min([start, *_dates_in(plan.tasks)]) - datetime.timedelta(days=7)
    for years in RANGE_YEARS:
        last = first + datetime.timedelta(days=366 * years)
        try:
            return _schedule(plan, first, last, status)
        except ValueError as error:
            if "outside" not in str(error):  # the calendar's range error; others are real
                raise
    raise PlanTooLong(f"the plan runs past {RANGE_YEARS[-1]} years from {first}")


def _built[K](
    rows: Mapping[K, Calendar], first: datetime.date, last: datetime.date
) -> dict[K, WorkCalendar]:
    """Each calendar of ``rows`` as the engine's, keys kept, in one query for every calendar's
    exceptions; ValueError when one has no working time."""
    exceptions = calendar_exceptions(rows.values(), first, last)
    return {key: _engine_calendar(row, first, last, exceptions) for key, row in rows.items()}


def _engine_calendars(
    plan: LoadedPlan, first: datetime.date, last: datetime.date
) -> tuple[WorkCalendar, dict[str, WorkCalendar]]:
    """The project calendar and the tasks' calendars by ``PlanTask.calendar`` key."""
    calendars = _built(plan.calendars, first, last)
    project_calendar = calendars.pop(None)
    return project_calendar, {str(key): calendar for key, calendar in calendars.items()}


def task_calendars(
    plan: LoadedPlan, task_ids: Iterable[int], first: datetime.date, last: datetime.date
) -> dict[int, WorkCalendar]:
    """Task id → the calendar each of ``task_ids`` is scheduled on (its own, its resources',
    else the project's) over ``first``..``last``, in one query. ValueError when one of them
    has no working time in the range."""
    wanted = set(task_ids)
    keys = {task.id: int(task.calendar) if task.calendar else None for task in plan.tasks}
    built = _built({keys[pk]: plan.calendars[keys[pk]] for pk in wanted}, first, last)
    return {pk: built[keys[pk]] for pk in wanted}


def _schedule(
    plan: LoadedPlan, first: datetime.date, last: datetime.date, status: datetime.date | None
) -> PlanSchedule:
    # ValueError (a calendar without working time) reaches run().
    project_calendar, by_key = _engine_calendars(plan, first, last)
    start = project_calendar.start_of(
        project_calendar.to_index(
            datetime.datetime.combine(plan.project.start_date, datetime.time())
        )
    )
    return schedule_plan(
        [
            _in_working_time(task, by_key.get(task.calendar or "", project_calendar))
            for task in plan.tasks
        ],
        plan.links,
        calendar=project_calendar,
        start=start,
        calendars=by_key,
        status_date=_status_moment(project_calendar, status),
    )


def _in_working_time(task: PlanTask, calendar: WorkCalendar) -> PlanTask:
    """Actual dates entered as days (midnight, 23:59) moved onto working time: an actual start
    to when work begins that day, an actual finish to when it ends, as MS Project does."""
    if task.actual_start is None and task.actual_finish is None:
        return task
    start, finish = task.actual_start, task.actual_finish
    return replace(
        task,
        actual_start=start and calendar.start_of(calendar.to_index(start)),
        actual_finish=finish and calendar.finish_of(calendar.to_index(finish)),
    )


def _status_moment(
    calendar: WorkCalendar, status: datetime.date | None
) -> datetime.datetime | None:
    """The end of the status date's working day: work on that day counts as done."""
    if status is None:
        return None
    next_morning = datetime.datetime.combine(status + datetime.timedelta(days=1), datetime.time())
    return calendar.finish_of(calendar.to_index(next_morning))


def _dates_in(tasks: Iterable[PlanTask]) -> Iterable[datetime.date]:
    for task in tasks:
        for moment in (task.constraint_date, task.actual_start, task.actual_finish):
            if moment is not None:
                yield moment.date()


def write_back(plan: LoadedPlan, result: PlanSchedule) -> int:
    """Store the computed dates; returns how many tasks changed."""
    efforts = _summary_efforts(plan.rows, result)
    changed = [
        row for row in plan.rows.values() if _apply(row, result.tasks[row.pk], efforts.get(row.pk))
    ]
    Task.objects.bulk_update(changed, [*SCHEDULED_FIELDS, *ROLLED_UP_FIELDS], batch_size=500)
    Project.objects.filter(pk=plan.project.pk).update(
        finish_date=to_aware(result.finish), scheduled_at=timezone.now()
    )
    plan.project.finish_date = to_aware(result.finish)
    return len(changed)


def _summary_efforts(rows: dict[int, Task], result: PlanSchedule) -> dict[int, Decimal | None]:
    """Each summary task's effort: the sum over the tasks under it (None when none has one)."""
    efforts: dict[int, Decimal | None] = {
        pk: None for pk, dates in result.tasks.items() if dates.summary
    }
    for pk, row in rows.items():
        if row.effort_hours is None or result.tasks[pk].summary:
            continue
        parent = row.parent_id
        while parent is not None:
            efforts[parent] = (efforts[parent] or Decimal(0)) + row.effort_hours
            parent = rows[parent].parent_id
    return efforts


def _apply(row: Task, dates: TaskDates, effort: Decimal | None) -> bool:
    values = (
        to_aware(dates.start),
        to_aware(dates.finish),
        to_aware(dates.late_start),
        to_aware(dates.late_finish),
        dates.total_float,
        dates.free_float,
        dates.critical,
        dates.violated,
        [
            [to_aware(start).isoformat(), to_aware(finish).isoformat()]
            for start, finish in dates.segments
        ],
    )
    fields = SCHEDULED_FIELDS
    if dates.summary:
        values = (*values, dates.duration, dates.percent_complete, effort)
        fields = [*SCHEDULED_FIELDS, *ROLLED_UP_FIELDS]
    if values == tuple(getattr(row, field) for field in fields):
        return False
    for field, value in zip(fields, values, strict=True):
        setattr(row, field, value)
    return True


def schedule_project(project: Project) -> PlanSchedule:
    """Reschedule ``project`` and store the dates. Runs in the caller's transaction (services
    call it last); the task rows are locked in pk order so two reschedules do not interleave."""
    with transaction.atomic():
        plan = load_plan(project, for_update=True)
        result = run(plan)
        write_back(plan, result)
    return result
