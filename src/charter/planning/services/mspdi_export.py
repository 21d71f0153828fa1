"""A project's plan as the engine's MSPDI project (``charter.engine.mspdi``): every task in
plan order with its links, calendar and saved baselines, the resources assigned to the tasks
with their assignments, and the calendars the plan and those resources use. Dates are naive
local times of the site's time zone, as the engine works in (``planning.adapters``).

A split task goes as Microsoft Project keeps one: in its assignments' remaining work over time,
a period of work per segment and a period without work for each pause between. A split task
without assignments has nowhere to carry its split, so it goes as one stretch of work from its
start to its finish (Microsoft Project would keep it in an "unassigned" assignment).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise
from typing import Protocol

from charter.engine.calendar import WorkCalendar
from charter.engine.model import Constraint, LinkType
from charter.engine.mspdi import (
    MspdiAssignment,
    MspdiBaseline,
    MspdiCalendar,
    MspdiProject,
    MspdiResource,
    MspdiTask,
    PredecessorLink,
    WorkPeriod,
)
from charter.engine.mspdi_elements import ResourceType
from charter.engine.splits import normalised, runs
from charter.planning.adapters import project_calendar, project_work_calendar, to_local
from charter.planning.models import (
    MINUTES_PER_DAY,
    BaselineTask,
    Calendar,
    CalendarException,
    Dependency,
    Project,
    Task,
)
from charter.planning.models.calendars import parse_hours
from charter.resources.choices import TIME_BASED, ResourceKind
from charter.resources.models import Assignment, Resource

DAYS_FORMAT = 7  # MSPDI DurationFormat / LagFormat 7: days
# MSPDI has no equipment type: equipment is worked in time like people, so it goes as Type 1.
RESOURCE_TYPES = {
    ResourceKind.WORK: ResourceType.WORK,
    ResourceKind.EQUIPMENT: ResourceType.WORK,
    ResourceKind.MATERIAL: ResourceType.MATERIAL,
    ResourceKind.COST: ResourceType.COST,
}


def plan_as_mspdi(project: Project) -> MspdiProject:
    """Every task in plan order with its links, calendar and saved baselines; the resources
    assigned to them and every assignment; the project calendar, the task calendars and the
    resources' calendars with their exceptions."""
    tasks = list(Task.objects.filter(project=project).order_by("position", "pk"))
    assignments = list(
        Assignment.objects.filter(task__project=project)
        .select_related("resource")
        .order_by("task__position", "pk")
    )
    resources = sorted({a.resource for a in assignments}, key=lambda r: (r.name, r.pk))
    calendar = project_calendar(project)
    calendars = _export_calendars(calendar, tasks, resources)
    uids = _uids(tasks)
    resource_uids = _uids(resources)
    links = _links_by_successor(project, uids)
    baselines = _baselines_by_task(project)
    work = project_work_calendar(project, tasks)
    finish = to_local(project.finish_date)
    return MspdiProject(
        name=project.name,
        title=project.name,
        start=datetime.datetime.combine(project.start_date, _first_working_time(calendar)),
        finish=finish,
        calendar_uid=calendars.uids[calendar.pk],
        minutes_per_day=MINUTES_PER_DAY,
        calendars=calendars.calendars,
        currency_code=project.currency,
        tasks=[
            _export_task(
                task,
                row_id=number,
                uid=uids[task.pk],
                calendar_uid=calendars.uids.get(task.calendar_id) if task.calendar_id else None,
                links=links.get(task.pk, ()),
                baselines=baselines.get(task.pk, ()),
                work=work,
            )
            for number, task in enumerate(tasks, start=1)
        ],
        resources=[
            _export_resource(
                resource,
                row_id=number,
                uid=resource_uids[resource.pk],
                calendar_uid=calendars.resource_uids.get(resource.pk),
            )
            for number, resource in enumerate(resources, start=1)
        ],
        assignments=_export_assignments(assignments, tasks, uids, resource_uids),
    )


def _first_working_time(calendar: Calendar) -> datetime.time:
    intervals = calendar.intervals
    minute = intervals[0][0] if intervals else 0
    return datetime.time(minute // 60, minute % 60)


class _Exchanged(Protocol):
    pk: int
    external_uid: int | None


def _uids(rows: Sequence[_Exchanged]) -> dict[int, int]:
    """Row pk -> MSPDI UID: the UID it was imported with, else a new one above all of them, so
    a plan that came from Microsoft Project goes back with its own UIDs."""
    taken = {row.external_uid for row in rows if row.external_uid}
    fresh = iter(range(max(taken, default=0) + 1, 2**31))
    uids: dict[int, int] = {}
    used: set[int] = set()
    for row in rows:
        uid = row.external_uid if row.external_uid and row.external_uid not in used else None
        uids[row.pk] = uid if uid is not None else next(fresh)
        used.add(uids[row.pk])
    return uids


@dataclass(frozen=True)
class _Calendars:
    uids: dict[int, int]  # Charter calendar pk -> UID
    resource_uids: dict[int, int]  # work resource pk -> the UID of its resource calendar
    calendars: dict[int, MspdiCalendar]  # by UID


def _export_calendars(
    calendar: Calendar, tasks: list[Task], resources: list[Resource]
) -> _Calendars:
    """The project calendar (UID 1), the task calendars, the calendars resources work on, and
    for each work resource its resource calendar as Microsoft Project keeps one: built on the
    calendar it works on (the project calendar when it has none), changing nothing."""
    workers = [resource for resource in resources if resource.kind in TIME_BASED]
    rows = _charter_calendars(calendar, tasks, workers)
    exceptions: dict[int, list[CalendarException]] = defaultdict(list)
    for exception in CalendarException.objects.filter(calendar__in=rows).order_by("day"):
        exceptions[exception.calendar_id].append(exception)
    uids = {row.pk: number for number, row in enumerate(rows, start=1)}
    calendars = {
        uids[row.pk]: _export_calendar(row, uids[row.pk], exceptions[row.pk]) for row in rows
    }
    resource_uids = {resource.pk: len(rows) + n for n, resource in enumerate(workers, start=1)}
    for resource in workers:
        uid = resource_uids[resource.pk]
        base = uids[resource.calendar_id or calendar.pk]
        calendars[uid] = MspdiCalendar(uid, resource.name, base, week={}, exceptions={})
    return _Calendars(uids, resource_uids, calendars)


def _charter_calendars(
    calendar: Calendar, tasks: list[Task], resources: list[Resource]
) -> list[Calendar]:
    """The project calendar, then the task calendars, then the resources' (each once)."""
    task_ids = sorted({task.calendar_id for task in tasks if task.calendar_id} - {calendar.pk})
    resource_ids = sorted(
        {resource.calendar_id for resource in resources if resource.calendar_id}
        - {calendar.pk, *task_ids}
    )
    by_pk = Calendar.objects.in_bulk([*task_ids, *resource_ids])
    return [calendar, *(by_pk[pk] for pk in [*task_ids, *resource_ids])]


def _export_calendar(
    calendar: Calendar, uid: int, exceptions: Iterable[CalendarException]
) -> MspdiCalendar:
    usual = tuple(calendar.intervals)
    weekdays = set(calendar.weekdays)
    return MspdiCalendar(
        uid=uid,
        name=calendar.name,
        base_uid=None,
        week={day: usual if day in weekdays else () for day in range(7)},
        exceptions={
            row.day: (tuple(parse_hours(row.hours)) if row.hours else usual) if row.working else ()
            for row in exceptions
        },
    )


def _export_resource(
    resource: Resource, *, row_id: int, uid: int, calendar_uid: int | None
) -> MspdiResource:
    return MspdiResource(
        uid=uid,
        id=row_id,
        name=resource.name,
        type=RESOURCE_TYPES[ResourceKind(resource.kind)],
        initials=resource.initials,
        max_units=resource.max_units,
        standard_rate=resource.standard_rate,
        calendar_uid=calendar_uid,
        email=resource.email,
    )


def _export_assignments(
    assignments: list[Assignment],
    tasks: list[Task],
    task_uids: dict[int, int],
    resource_uids: dict[int, int],
) -> list[MspdiAssignment]:
    """Each assignment with its units and work, over its task's dates; on a split task, with
    its work over time."""
    rows = {task.pk: task for task in tasks}
    uids = _uids(assignments)
    return [
        MspdiAssignment(
            uid=uids[assignment.pk],
            task_uid=task_uids[assignment.task_id],
            resource_uid=resource_uids[assignment.resource_id],
            units=assignment.units,
            work=assignment.work,
            start=to_local(rows[assignment.task_id].start),
            finish=to_local(rows[assignment.task_id].finish),
            remaining_work=_split_work(rows[assignment.task_id], assignment.work),
        )
        for assignment in assignments
    ]


def _split_work(task: Task, work: int) -> tuple[WorkPeriod, ...]:
    """``work`` over a split task's segments, in proportion to their working minutes, with a
    period without work for each pause between them; nothing for a task that is not split."""
    segments = [(to_local(start), to_local(finish)) for start, finish in task.segment_moments]
    if len(segments) < 2:
        return ()
    periods: list[WorkPeriod] = []
    for (start, finish), share in zip(
        segments, _shares(work, _segment_weights(task, segments)), strict=True
    ):
        if periods:
            periods.append((periods[-1][1], start, 0))
        periods.append((start, finish, share))
    return tuple(periods)


def _segment_weights(
    task: Task, segments: list[tuple[datetime.datetime, datetime.datetime]]
) -> list[int]:
    """Each segment's working minutes: the task's runs of work (``charter.engine.splits``), or
    the segments' lengths in time should its pauses no longer give one run per segment."""
    worked = [
        last - first for first, last in runs(task.duration, normalised(task.duration, task.pauses))
    ]
    if len(worked) == len(segments):
        return worked
    return [int((finish - start).total_seconds()) for start, finish in segments]


def _shares(total: int, weights: list[int]) -> list[int]:
    """``total`` in whole minutes in proportion to ``weights``, adding up to it exactly."""
    marks = [total * part // sum(weights) for part in accumulate(weights, initial=0)]
    return [after - before for before, after in pairwise(marks)]


def _links_by_successor(project: Project, uids: dict[int, int]) -> dict[int, list[PredecessorLink]]:
    links: dict[int, list[PredecessorLink]] = defaultdict(list)
    rows = Dependency.objects.filter(project=project).order_by("pk")
    for predecessor, successor, kind, lag in rows.values_list(
        "predecessor_id", "successor_id", "type", "lag"
    ):
        links[successor].append(
            PredecessorLink(uids[predecessor], LinkType(kind), lag * 10, DAYS_FORMAT)
        )
    return links


def _baselines_by_task(project: Project) -> dict[int, list[MspdiBaseline]]:
    baselines: dict[int, list[MspdiBaseline]] = defaultdict(list)
    rows = BaselineTask.objects.filter(baseline__project=project).order_by("baseline__number", "pk")
    for row in rows.values("task_id", "baseline__number", "start", "finish", "duration", "cost"):
        baselines[row["task_id"]].append(
            MspdiBaseline(
                number=row["baseline__number"],
                start=to_local(row["start"]),
                finish=to_local(row["finish"]),
                duration=row["duration"],
                cost=row["cost"],
            )
        )
    return baselines


def _export_task(
    task: Task,
    *,
    row_id: int,
    uid: int,
    calendar_uid: int | None,
    links: Iterable[PredecessorLink],
    baselines: Iterable[MspdiBaseline],
    work: WorkCalendar,
) -> MspdiTask:
    start, finish = to_local(task.start), to_local(task.finish)
    return MspdiTask(
        uid=uid,
        id=row_id,
        name=task.name,
        outline_level=task.outline_level,
        summary=task.is_summary,
        milestone=task.is_milestone,
        manual=False,
        duration=_exported_duration(task, start, finish, work),
        duration_format=DAYS_FORMAT,
        start=start,
        finish=finish,
        constraint=Constraint(task.constraint_type),
        constraint_date=to_local(task.constraint_date),
        calendar_uid=calendar_uid,
        links=tuple(links),
        wbs=task.wbs,
        outline_number=task.wbs,
        priority=task.priority,
        percent_complete=task.percent_complete,
        actual_start=to_local(task.actual_start),
        actual_finish=to_local(task.actual_finish),
        notes=task.notes,
        baselines=tuple(baselines),
    )


def _exported_duration(
    task: Task,
    start: datetime.datetime | None,
    finish: datetime.datetime | None,
    work: WorkCalendar,
) -> int:
    """A summary task's duration is the working time its dates span (on the project calendar,
    as Microsoft Project measures it); a milestone has none."""
    if task.is_milestone:
        return 0
    if not task.is_summary or start is None or finish is None:
        return task.duration
    try:
        return max(work.working_minutes(start, finish), 0)
    except ValueError:  # dates outside the calendar's range: keep what is stored
        return task.duration
