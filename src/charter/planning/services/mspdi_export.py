"""A project's plan as the engine's MSPDI project (``charter.engine.mspdi``): every task in
plan order with its links, calendar and saved baselines, and the calendars the plan uses.
Dates are naive local times of the site's time zone, as the engine works in
(``planning.adapters``).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from charter.engine.calendar import WorkCalendar
from charter.engine.model import Constraint, LinkType
from charter.engine.mspdi import (
    MspdiBaseline,
    MspdiCalendar,
    MspdiProject,
    MspdiTask,
    PredecessorLink,
)
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

DAYS_FORMAT = 7  # MSPDI DurationFormat / LagFormat 7: days


def plan_as_mspdi(project: Project) -> MspdiProject:
    """Every task in plan order with its links, calendar and saved baselines; the project
    calendar and the task calendars with their exceptions. No resources: Charter has none."""
    tasks = list(Task.objects.filter(project=project).order_by("position", "pk"))
    calendar = project_calendar(project)
    calendar_uids, calendars = _export_calendars(calendar, tasks)
    uids = _task_uids(tasks)
    links = _links_by_successor(project, uids)
    baselines = _baselines_by_task(project)
    work = project_work_calendar(project, tasks)
    finish = to_local(project.finish_date)
    return MspdiProject(
        name=project.name,
        title=project.name,
        start=datetime.datetime.combine(project.start_date, _first_working_time(calendar)),
        finish=finish,
        calendar_uid=calendar_uids[calendar.pk],
        minutes_per_day=MINUTES_PER_DAY,
        calendars=calendars,
        currency_code=project.currency,
        tasks=[
            _export_task(
                task,
                row_id=number,
                uid=uids[task.pk],
                calendar_uid=calendar_uids.get(task.calendar_id) if task.calendar_id else None,
                links=links.get(task.pk, ()),
                baselines=baselines.get(task.pk, ()),
                work=work,
            )
            for number, task in enumerate(tasks, start=1)
        ],
    )


def _first_working_time(calendar: Calendar) -> datetime.time:
    intervals = calendar.intervals
    minute = intervals[0][0] if intervals else 0
    return datetime.time(minute // 60, minute % 60)


def _task_uids(tasks: list[Task]) -> dict[int, int]:
    """Task pk -> MSPDI UID: the UID it was imported with, else a new one above all of them, so
    a plan that came from Microsoft Project goes back with its own UIDs."""
    taken = {task.external_uid for task in tasks if task.external_uid}
    fresh = iter(range(max(taken, default=0) + 1, 2**31))
    uids: dict[int, int] = {}
    used: set[int] = set()
    for task in tasks:
        uid = task.external_uid if task.external_uid and task.external_uid not in used else None
        uids[task.pk] = uid if uid is not None else next(fresh)
        used.add(uids[task.pk])
    return uids


def _export_calendars(
    calendar: Calendar, tasks: list[Task]
) -> tuple[dict[int, int], dict[int, MspdiCalendar]]:
    """The project calendar (UID 1) and the task calendars; calendar pk -> UID and the
    calendars by UID."""
    task_calendars = {task.calendar_id for task in tasks if task.calendar_id} - {calendar.pk}
    others = Calendar.objects.filter(pk__in=task_calendars).order_by("pk")
    rows = [calendar, *others]
    exceptions: dict[int, list[CalendarException]] = defaultdict(list)
    for exception in CalendarException.objects.filter(calendar__in=rows).order_by("day"):
        exceptions[exception.calendar_id].append(exception)
    uids = {row.pk: number for number, row in enumerate(rows, start=1)}
    return uids, {
        uids[row.pk]: _export_calendar(row, uids[row.pk], exceptions[row.pk]) for row in rows
    }


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
