"""Where resources use the leveling engine (``charter.engine.leveling``): load one plan, or every
running plan that shares a resource with it, into an engine ``Problem`` in working-day periods of
the project calendar, run it, and describe what would change.

The mapping, in the engine's words:

- a period is one working day of the project calendar, counted from the earliest day the plans
  read start on; a task's duration is its working minutes in whole working days (480 a day);
- a resource's availability is ``max_units × 100`` on the days its own calendar works (the
  project calendar when it has none) and 0 on its days off; an assignment's demand is
  ``units × 100``. Only resources worked in time (people and equipment) are leveled;
- summary tasks are not activities (their links pass to the tasks under them); tasks without
  assignments are activities without demand, so chains of links stay whole;
- tasks that are started or finished, must start or finish on a date (MSO, MFO), lie outside the
  date range asked for, or belong to a plan the user may not change keep their dates: their
  remaining scheduled use is taken out of the resources' availability;
- a task's release is the latest of its current start, the project start or status date and a
  "start/finish no earlier than" constraint: leveling only ever delays;
- ``late_start`` is the task's late start from the calendar-aware schedule, so tasks with float
  are delayed first; priority (1–1000) breaks ties, the project's priority first across projects.

What a proposal shows and writes is read from the result in ``resources.leveling_proposal``.

Splitting. With ``Options.split`` every movable task of two days or more is splittable: the
engine may stop it where a resource it needs is short and resume it later, and links from a
task's finish (FS, FF) wait for its real finish. Without it a task needs its resources for a
whole run of working days, and a movable task that is split now is proposed joined again, as
Microsoft Project clears leveling splits before it levels. A task that keeps its dates is read
as it runs now, its segments included.
"""

import datetime
import hashlib
import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from charter.engine.leveling import (
    Activity,
    Mode,
    Precedence,
    Problem,
    Resource,
    Result,
    level,
    start_to_start_lag,
)
from charter.engine.leveling_split import Run, periods_of, run_end, runs_from_periods
from charter.engine.model import LinkType
from charter.planning.adapters import project_calendar, to_local
from charter.planning.choices import TaskConstraint
from charter.planning.models import MINUTES_PER_DAY, Calendar, Dependency, Project, Task
from charter.planning.models.calendars import CalendarException
from charter.resources.choices import TIME_BASED, LevelingScope
from charter.resources.models import Assignment
from charter.resources.models import Resource as PoolResource

FIXED_CONSTRAINTS = {TaskConstraint.MSO, TaskConstraint.MFO}
MAX_DAYS = 366 * 30  # a calendar without working days is an error, not an endless loop
TASK_FIELDS = (
    "pk",
    "project_id",
    "parent_id",
    "name",
    "wbs",
    "position",
    "is_summary",
    "is_milestone",
    "duration",
    "priority",
    "percent_complete",
    "actual_start",
    "actual_finish",
    "constraint_type",
    "constraint_date",
    "start",
    "finish",
    "late_start",
    "version",
    "segments",
)


class NoWorkingDays(ValueError):
    """The project calendar has no working day in the range leveling needs."""


@dataclass(frozen=True)
class Options:
    scope: str = LevelingScope.PROJECT
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    split: bool = False

    def in_range(self, day: datetime.date) -> bool:
        return (self.date_from is None or day >= self.date_from) and (
            self.date_to is None or day <= self.date_to
        )


@dataclass
class Loaded:
    """Plans as the engine takes them, with what is needed to read its answer."""

    project: Project
    projects: dict[int, Project]
    days: list[datetime.date]  # period → working day of the project calendar
    tasks: dict[int, Task]  # every task read, summaries too
    movable: set[int]
    start: dict[int, int]  # task id → its current start period (non-summary tasks)
    current: dict[int, list[Run]]  # task id → the runs it has now (non-summary tasks)
    duration: dict[int, int]  # task id → working days
    demand: dict[int, dict[int, int]]  # task id → resource id → units × 100
    fixed_use: dict[int, dict[int, int]]  # resource id → period → units × 100 used by fixed tasks
    capacity: dict[int, list[int]]  # resource id → availability per period, before fixed use
    resources: dict[int, PoolResource]
    resource_names: dict[int, list[str]]  # task id → names of its leveled resources
    hours: tuple[int, int]  # the project calendar's usual day: first and last working minute
    problem: Problem = field(default_factory=lambda: Problem(()))

    def period_of(self, day: datetime.date) -> int:
        """The first working day on or after ``day``."""
        return bisect_left(self.days, day)

    def day_of(self, period: int) -> datetime.date:
        return self.days[min(period, len(self.days) - 1)]


def scope_projects(project: Project, *, actor: Any, scope: str) -> tuple[list[Project], set[int]]:
    """The projects read and the ids of those whose tasks may move. Across projects: every
    running project with a resource worked in time (a person or equipment) in common with
    ``project``; those ``actor`` may not see keep their dates."""
    if scope != LevelingScope.ACROSS:
        return [project], {project.pk}
    shared = Assignment.objects.filter(task__project=project, resource__kind__in=TIME_BASED).values(
        "resource_id"
    )
    others = (
        Project.objects.running()
        .filter(tasks__assignments__resource_id__in=shared)
        .exclude(pk=project.pk)
        .distinct()
        .order_by("pk")
    )
    projects = [project, *others]
    visible = set(
        Project.objects.for_user(actor)
        .filter(pk__in=[p.pk for p in projects])
        .values_list("pk", flat=True)
    )
    return projects, visible | {project.pk}


def fingerprint(project_ids: Iterable[int]) -> str:
    """A digest of what leveling reads from the plans: tasks (version and dates), links and
    assignments. Rescheduling, editing a task, a link or an assignment changes it."""
    ids = sorted(set(project_ids))
    digest = hashlib.sha256()
    for row in (
        Task.objects.filter(project_id__in=ids)
        .order_by("pk")
        .values_list("pk", "version", "start", "finish", "constraint_type", "constraint_date")
    ):
        digest.update(repr(row).encode())
    for row in (
        Dependency.objects.filter(project_id__in=ids)
        .order_by("pk")
        .values_list("pk", "predecessor_id", "successor_id", "type", "lag")
    ):
        digest.update(repr(row).encode())
    for row in (
        Assignment.objects.filter(task__project_id__in=ids)
        .order_by("pk")
        .values_list("pk", "version", "resource_id", "units")
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _working(
    calendar: Calendar, first: datetime.date, last: datetime.date | None = None
) -> Callable[[datetime.date], bool]:
    """Whether ``calendar`` works on a day from ``first`` (to ``last``): its working weekdays
    and its exceptions, read in one query."""
    rows = CalendarException.objects.filter(calendar=calendar, day__gte=first)
    if last is not None:
        rows = rows.filter(day__lte=last)
    exceptions = dict(rows.values_list("day", "working"))
    weekdays = set(calendar.weekdays)
    return lambda day: exceptions.get(day, day.weekday() in weekdays)


def _dates(first: datetime.date, last: datetime.date) -> Iterator[datetime.date]:
    for offset in range((last - first).days + 1):
        yield first + datetime.timedelta(days=offset)


def _working_days(
    calendar: Calendar, first: datetime.date, last: datetime.date, spare: int
) -> list[datetime.date]:
    """The working days of ``calendar`` from ``first`` to ``last``, then ``spare`` more."""
    works = _working(calendar, first)
    days = [day for day in _dates(first, last) if works(day)]
    day, wanted = last, len(days) + spare
    for _ in range(MAX_DAYS):
        if len(days) >= wanted:
            return days
        day += datetime.timedelta(days=1)
        if works(day):
            days.append(day)
    raise NoWorkingDays(calendar.name)


def _days(minutes: int) -> int:
    """Whole working days, rounded up: a task of a day and a half takes two; a lag rounds
    towards a later successor (a lead of half a day counts as none)."""
    return math.ceil(minutes / MINUTES_PER_DAY)


def _local_day(moment: datetime.datetime | None) -> datetime.date | None:
    local = to_local(moment)
    return local.date() if local is not None else None


def _is_done(task: Task) -> bool:
    return task.actual_finish is not None or task.percent_complete >= 100


def _is_started(task: Task) -> bool:
    return task.actual_start is not None or task.percent_complete > 0


def _priorities(projects: dict[int, Project], tasks: Iterable[Task], across: bool) -> dict:
    """Task id → engine priority: the task's own within a project; across projects, the rank of
    (project priority, task priority) spread over 1–1000."""
    tasks = list(tasks)
    if not across:
        return {task.pk: task.priority for task in tasks}
    keys = sorted({(projects[task.project_id].priority, task.priority) for task in tasks})
    if len(keys) <= 1:
        return {task.pk: 500 for task in tasks}
    rank = {key: 1 + index * 999 // (len(keys) - 1) for index, key in enumerate(keys)}
    return {task.pk: rank[(projects[task.project_id].priority, task.priority)] for task in tasks}


def load(project: Project, *, actor: Any, options: Options) -> Loaded:
    """The plans of ``options.scope`` as a leveling problem, in a constant number of queries
    per project calendar and resource calendar."""
    projects, movable_projects = scope_projects(project, actor=actor, scope=options.scope)
    by_pk = {p.pk: p for p in projects}
    tasks = {
        task.pk: task
        for task in Task.objects.filter(project_id__in=by_pk)
        .only(*TASK_FIELDS)
        .order_by("project_id", "position", "pk")
    }
    leaves = {
        pk: task for pk, task in tasks.items() if not task.is_summary and task.start is not None
    }
    assignments = list(
        Assignment.objects.filter(task_id__in=leaves, resource__kind__in=TIME_BASED)
        .select_related("resource")
        .order_by("task_id", "pk")
    )
    resources = {a.resource_id: a.resource for a in assignments}
    demand: dict[int, dict[int, int]] = {pk: {} for pk in leaves}
    names: dict[int, list[str]] = {pk: [] for pk in leaves}
    for a in assignments:
        demand[a.task_id][a.resource_id] = int(a.units * 100)
        names[a.task_id].append(a.resource.name)
    duration = {pk: 0 if task.is_milestone else _days(task.duration) for pk, task in leaves.items()}

    starts = {pk: _local_day(task.start) for pk, task in leaves.items()}
    finishes = {pk: _local_day(task.finish) for pk, task in leaves.items()}
    origin = min([project.start_date, *(d for d in starts.values() if d is not None)])
    links = list(
        Dependency.objects.filter(project_id__in=by_pk).values_list(
            "predecessor_id", "successor_id", "type", "lag"
        )
    )
    latest = max([origin, *(d for d in finishes.values() if d is not None)])
    spare = sum(duration.values()) + sum(max(0, _days(lag)) for *_, lag in links) + 2
    calendar = project_calendar(project)
    # Enough periods to hold the current plans plus every task and lag back to back after them.
    days = _working_days(calendar, origin, latest, spare)
    loaded = Loaded(
        project=project,
        projects=by_pk,
        days=days,
        tasks=tasks,
        movable=set(),
        start={},
        current={},
        duration=duration,
        demand=demand,
        fixed_use={},
        capacity={},
        resources=resources,
        resource_names=names,
        hours=_usual_hours(calendar),
    )
    loaded.start = {pk: loaded.period_of(day) for pk, day in starts.items() if day is not None}
    loaded.current = {pk: _current_runs(loaded, task) for pk, task in leaves.items()}
    loaded.capacity = _capacity(resources, calendar, days)

    def may_move(task: Task) -> bool:
        return (
            task.project_id in movable_projects
            and not _is_started(task)
            and not _is_done(task)
            and task.constraint_type not in FIXED_CONSTRAINTS
            and options.in_range(starts[task.pk] or origin)
        )

    loaded.movable = {pk for pk, task in leaves.items() if may_move(task)}
    base = {p.pk: loaded.period_of(_base_day(p)) for p in projects}
    _take_fixed_use(loaded, leaves, base)
    release = {
        pk: max(loaded.start[pk], base[leaves[pk].project_id], _constraint_release(loaded, task))
        for pk, task in leaves.items()
        if pk in loaded.movable
    }
    precedences = _precedences(loaded, tasks, leaves, links, release, split=options.split)
    priority = _priorities(
        by_pk, (leaves[pk] for pk in loaded.movable), options.scope == LevelingScope.ACROSS
    )
    activities = [
        Activity(
            id=pk,
            duration=duration[pk],
            demand={r: units for r, units in demand[pk].items() if units > 0},
            release=release[pk],
            deadline=_deadline(loaded, leaves[pk]),
            priority=priority[pk],
            late_start=_late_start(loaded, leaves[pk]),
            splittable=options.split and duration[pk] > 1,
        )
        for pk in sorted(loaded.movable)
    ]
    available = [
        Resource(
            id=rid,
            capacity=0,
            availability=_minus(loaded.capacity[rid], loaded.fixed_use.get(rid, {})),
        )
        for rid in sorted(resources)
    ]
    loaded.problem = Problem(activities, precedences, available, horizon=len(days))
    return loaded


def _usual_hours(calendar: Calendar) -> tuple[int, int]:
    intervals = calendar.intervals or [(0, 24 * 60)]
    return intervals[0][0], intervals[-1][1]


def _base_day(project: Project) -> datetime.date:
    """Remaining work starts after the status date, or at the project start without one."""
    if project.status_date is not None:
        return max(project.start_date, project.status_date + datetime.timedelta(days=1))
    return project.start_date


def _capacity(
    resources: dict[int, PoolResource], calendar: Calendar, days: list[datetime.date]
) -> dict[int, list[int]]:
    calendar_ids = {r.calendar_id for r in resources.values() if r.calendar_id}
    calendars = {c.pk: c for c in Calendar.objects.filter(pk__in=calendar_ids)}
    works = {}
    for pk, own in calendars.items():
        working = _working(own, days[0], days[-1])
        works[pk] = [working(day) for day in days]
    every_day = [True] * len(days)
    return {
        rid: [
            int(r.max_units * 100) if working else 0
            for working in works.get(r.calendar_id or 0, every_day)
        ]
        for rid, r in resources.items()
    }


def _current_runs(loaded: Loaded, task: Task) -> list[Run]:
    """The working days ``task`` takes now: its segments when it is split; else a started
    task from its start to its finish (a gap left by the status date included), an unstarted
    one its duration from its start."""
    if task.segments:
        days = set()
        for start, finish in task.segment_moments:
            days.update(range(loaded.period_of(_day(start)), loaded.period_of(_day(finish)) + 1))
        return runs_from_periods(sorted(days))
    first = loaded.start[task.pk]
    finish = _local_day(task.finish)
    if _is_started(task) and finish is not None:
        return [(first, loaded.period_of(finish) - first + 1)]
    return [(first, loaded.duration[task.pk])]


def _day(moment: datetime.datetime) -> datetime.date:
    return to_local(moment).date()


def _take_fixed_use(loaded: Loaded, leaves: dict[int, Task], base: dict[int, int]) -> None:
    """What tasks that keep their dates use: an unstarted one all its runs, a started one
    what remains after the status date, a finished one nothing."""
    for pk, task in leaves.items():
        if pk in loaded.movable or _is_done(task) or not loaded.demand[pk]:
            continue
        after = base[task.project_id] if _is_started(task) else 0
        for rid, units in loaded.demand[pk].items():
            use = loaded.fixed_use.setdefault(rid, {})
            for period in periods_of(loaded.current[pk]):
                if period >= after:
                    use[period] = use.get(period, 0) + units


def _minus(capacity: list[int], use: dict[int, int]) -> list[int]:
    return [max(0, units - use.get(period, 0)) for period, units in enumerate(capacity)]


def _constraint_release(loaded: Loaded, task: Task) -> int:
    day = _local_day(task.constraint_date)
    if day is None:
        return 0
    if task.constraint_type == TaskConstraint.SNET:
        return loaded.period_of(day)
    if task.constraint_type == TaskConstraint.FNET:
        return max(0, loaded.period_of(day) - loaded.duration[task.pk] + 1)
    return 0


def _deadline(loaded: Loaded, task: Task) -> int | None:
    day = _local_day(task.constraint_date)
    if day is None:
        return None
    if task.constraint_type == "SNLT":
        return loaded.period_of(day) + 1 + loaded.duration[task.pk]
    if task.constraint_type == "FNLT":
        return loaded.period_of(day) + 1
    return None


def _late_start(loaded: Loaded, task: Task) -> int | None:
    day = _local_day(task.late_start)
    return loaded.period_of(day) if day is not None else None


def _link_gap(
    kind: LinkType, lag: int, predecessor: int, successor: int, *, split: bool
) -> tuple[int, bool]:
    """A link as the engine's (lag, from_finish): from the predecessor's finish for FS and FF
    when ``split`` (tasks may be split, or the predecessor keeps its dates and its real finish
    is known), else a start-to-start lag."""
    if split and kind in (LinkType.FS, LinkType.FF):
        return (lag if kind is LinkType.FS else lag - successor), True
    return start_to_start_lag(kind, lag, predecessor, successor), False


def _precedences(
    loaded: Loaded,
    tasks: dict[int, Task],
    leaves: dict[int, Task],
    links: list[tuple[int, int, str, int]],
    release: dict[int, int],
    *,
    split: bool,
) -> list[Precedence]:
    """Links among movable tasks; a link from a task that keeps its dates raises its
    successor's release instead, from its start or its real finish. A summary's links pass
    to the tasks under it."""
    under: dict[int, list[int]] = {}
    for pk in leaves:
        parent = tasks[pk].parent_id
        while parent is not None:
            under.setdefault(parent, []).append(pk)
            parent = tasks[parent].parent_id

    def ends(pk: int, side: str, predecessor: bool) -> list[int]:
        if pk in leaves:
            return [pk]
        inner = under.get(pk, [])
        if not inner:
            return []
        # A summary's finish is its last task's finish and its start its first task's start:
        # "after the summary finishes" holds for every task under it; for the other sides
        # the task that decides it now stands in.
        if side == ("F" if predecessor else "S"):
            return inner
        if side == "S":
            return [min(inner, key=lambda t: loaded.start[t])]
        return [max(inner, key=lambda t: run_end(loaded.current[t]))]

    seen: dict[tuple[int, int, bool], int] = {}
    for pred, succ, kind, lag in links:
        for p in ends(pred, kind[0], True):
            for s in ends(succ, kind[1], False):
                if p == s or s not in loaded.movable:
                    continue
                movable = p in loaded.movable
                gap, from_finish = _link_gap(
                    LinkType(kind),
                    _days(lag),
                    loaded.duration[p],
                    loaded.duration[s],
                    split=split or not movable,
                )
                if movable:
                    seen[(p, s, from_finish)] = max(seen.get((p, s, from_finish), gap), gap)
                else:
                    now = loaded.current[p]
                    release[s] = max(release[s], (run_end(now) if from_finish else now[0][0]) + gap)
    return [
        Precedence(p, s, gap, from_finish=from_finish)
        for (p, s, from_finish), gap in sorted(seen.items())
    ]


def solve(
    loaded: Loaded,
    *,
    mode: str,
    time_limit: float,
    progress: Callable[[float, int], None] | None = None,
) -> Result:
    return level(
        loaded.problem, mode=Mode(mode), time_limit=time_limit, progress=progress, workers=1
    )
