"""The tasks, links and baselines of an MSPDI file (``charter.engine.mspdi``) as rows of a
project's plan, and the :class:`ImportReport` of what the file holds that Charter does not
carry as it was (elapsed durations and lags turned into working time, links that cannot be
kept). Charter keeps durations and lags in working minutes, so an elapsed duration, an elapsed
lag and a percentage lag are converted on the file's own calendars. The file's resources and
assignments become rows in ``mspdi_import_resources``.

A task's splits are read from its assignments' remaining work over time, as Microsoft Project
keeps them: a stretch without work between periods of work that holds working time on the
calendar the task works on is a pause (``charter.engine.splits``). Scheduling the imported plan
then lays out its segments.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from charter.engine.calendar import WorkCalendar
from charter.engine.model import Constraint
from charter.engine.mspdi import (
    MspdiBaseline,
    MspdiProject,
    MspdiResource,
    MspdiTask,
    PredecessorLink,
    WorkPeriod,
)
from charter.engine.splits import Pauses, pauses_between
from charter.planning.adapters import to_aware
from charter.planning.models import (
    BASELINE_SLOTS,
    MINUTES_PER_DAY,
    Baseline,
    BaselineTask,
    Calendar,
    Dependency,
    Project,
    Task,
)
from charter.planning.services.baselines import slot_name

MINUTES_PER_CALENDAR_DAY = 24 * 60
CALENDAR_MARGIN = datetime.timedelta(days=31)


@dataclass
class ImportReport:
    """What an import created, and every line of the file it could not carry as it was."""

    tasks: int = 0
    links: int = 0
    calendars: int = 0
    baselines: int = 0
    resources: int = 0
    assignments: int = 0
    not_mapped: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "tasks": self.tasks,
            "links": self.links,
            "calendars": self.calendars,
            "baselines": self.baselines,
            "resources": self.resources,
            "assignments": self.assignments,
        }


class _FileTime:
    """Working time on the file's own calendars, to turn elapsed durations and manually placed
    tasks into working minutes the way Microsoft Project laid them out."""

    def __init__(self, source: MspdiProject) -> None:
        self.source = source
        moments = [source.start, *_file_moments(source)]
        self.first = min(moments).date() - CALENDAR_MARGIN
        self.last = max(moments).date() + CALENDAR_MARGIN
        self._calendars: dict[int, WorkCalendar] = {}

    def working_minutes(
        self, calendar_uid: int | None, start: datetime.datetime, finish: datetime.datetime
    ) -> int:
        uid = self.source.calendar_uid if calendar_uid is None else calendar_uid
        if uid not in self._calendars:
            self._calendars[uid] = WorkCalendar(
                self.first,
                self.last,
                self.source.calendar_week(uid),
                self.source.calendar_exceptions(uid),
            )
        return max(self._calendars[uid].working_minutes(start, finish), 0)

    def work_calendar_uid(self, task: MspdiTask) -> int | None:
        """The calendar the task's work is laid on: its own, else the one its resources
        share, else (None) the project calendar, as Charter schedules it."""
        shared = set(task.resource_calendar_uids)
        if task.calendar_uid is None and len(shared) == 1:
            return shared.pop()
        return task.calendar_uid


def _file_moments(source: MspdiProject) -> Iterator[datetime.datetime]:
    for task in source.tasks:
        for moment in (task.start, task.finish, task.constraint_date):
            if moment is not None:
                yield moment
    for assignment in source.assignments:
        for start, finish, _work in assignment.remaining_work:
            yield from (start, finish)


def _label(task: MspdiTask) -> str:
    return f"{task.uid} “{task.name}”"


def _days(minutes: int) -> str:
    return f"{(Decimal(minutes) / MINUTES_PER_DAY).quantize(Decimal('0.001')).normalize():f}"


@dataclass(frozen=True)
class _Timing:
    duration: int
    constraint: Constraint
    constraint_date: datetime.datetime | None


def _timing(
    task: MspdiTask, source: MspdiProject, time: _FileTime, report: ImportReport
) -> _Timing:
    """Duration (working minutes) and constraint of ``task`` as Charter schedules it."""
    constraint, constraint_date = task.constraint, task.constraint_date
    if constraint in (Constraint.ASAP, Constraint.ALAP):
        constraint_date = None
    elif constraint_date is None:
        report.not_mapped.append(
            _(
                "Task %(task)s has a constraint without a date: it is imported as “as soon as "
                "possible”."
            )
            % {"task": _label(task)}
        )
        constraint = Constraint.ASAP
    if task.milestone:
        return _Timing(0, constraint, constraint_date)
    if task.manual and task.start and task.finish and not task.summary:
        # The reader's warning says its dates are kept: pin it where the file placed it.
        span = time.working_minutes(task.calendar_uid, task.start, task.finish)
        return _Timing(span, Constraint.MSO, task.start)
    duration = max(task.duration, 0)
    if task.elapsed and not task.summary:
        duration = _elapsed_duration(task, source, time)
        report.not_mapped.append(
            _(
                "Task %(task)s has an elapsed duration: it is imported as the working time it "
                "spans, %(days)s d."
            )
            % {"task": _label(task), "days": _days(duration)}
        )
    return _Timing(duration, constraint, constraint_date)


def _elapsed_duration(task: MspdiTask, source: MspdiProject, time: _FileTime) -> int:
    if task.start is not None and task.finish is not None:
        return time.working_minutes(task.calendar_uid, task.start, task.finish)
    return round(task.duration * source.minutes_per_day / MINUTES_PER_CALENDAR_DAY)


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    return None if moment is None else to_aware(moment)


def _task_row(
    project: Project,
    task: MspdiTask,
    *,
    parent: Task | None,
    order: int,
    calendar: Calendar | None,
    timing: _Timing,
    pauses: Pauses,
) -> Task:
    actual_start, actual_finish = _aware(task.actual_start), _aware(task.actual_finish)
    if actual_start and actual_finish and actual_finish < actual_start:
        actual_finish = actual_start
    return Task(
        project=project,
        parent=parent,
        order=order,
        name=task.name[:200],
        is_milestone=task.milestone,
        duration=timing.duration,
        priority=min(max(task.priority, 1), 1000),
        percent_complete=min(max(task.percent_complete, 0), 100),
        actual_start=actual_start or (actual_finish if actual_finish else None),
        actual_finish=actual_finish,
        constraint_type=timing.constraint.value,
        constraint_date=_aware(timing.constraint_date),
        calendar=calendar,
        notes=task.notes,
        external_uid=task.uid if task.uid >= 0 else None,
        pauses=[list(pause) for pause in pauses],
    )


def _remaining_work(source: MspdiProject) -> dict[int, list[WorkPeriod]]:
    """Task UID -> the remaining work periods of all its assignments."""
    found: dict[int, list[WorkPeriod]] = defaultdict(list)
    for assignment in source.assignments:
        found[assignment.task_uid].extend(assignment.remaining_work)
    return found


def _pauses(task: MspdiTask, periods: list[WorkPeriod], duration: int, time: _FileTime) -> Pauses:
    """The splits of ``task`` in working minutes of the calendar it works on: each stretch
    between its periods of work that holds working time. A manually scheduled or elapsed task
    keeps its span as its duration (``_timing``), so it has none."""
    worked = _joined(sorted((start, finish) for start, finish, work in periods if work > 0))
    if task.manual or task.elapsed or task.summary or len(worked) < 2:
        return ()
    calendar = time.work_calendar_uid(task)
    # The work done (before the remaining work) counts from the task's start.
    origin = min(worked[0][0], task.start or worked[0][0])

    def minutes(start: datetime.datetime, end: datetime.datetime) -> int:
        return time.working_minutes(calendar, start, end)

    return pauses_between(worked, duration, minutes, origin)


def _joined(
    spans: list[tuple[datetime.datetime, datetime.datetime]],
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """Sorted spans with those that overlap or touch joined into one."""
    joined: list[tuple[datetime.datetime, datetime.datetime]] = []
    for start, finish in spans:
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], finish))
        else:
            joined.append((start, finish))
    return joined


def outline_parents(tasks: list[MspdiTask]) -> dict[int, int | None]:
    """Task UID -> the UID of its summary task: the nearest task above it one outline level up."""
    parents: dict[int, int | None] = {}
    above: list[MspdiTask] = []
    for task in tasks:
        while above and above[-1].outline_level >= task.outline_level:
            above.pop()
        parents[task.uid] = above[-1].uid if above else None
        above.append(task)
    return parents


def _depths(parents: dict[int, int | None]) -> dict[int, int]:
    depths: dict[int, int] = {}
    for uid, parent in parents.items():  # a summary task comes before its children
        depths[uid] = 0 if parent is None else depths[parent] + 1
    return depths


def import_tasks(
    project: Project,
    source: MspdiProject,
    tasks: list[MspdiTask],
    parents: dict[int, int | None],
    calendars: dict[int, Calendar],
    report: ImportReport,
) -> dict[int, Task]:
    """Tasks by UID, created level by level so a summary task has its pk before its children
    need it."""
    time = _FileTime(source)
    work = _remaining_work(source)
    depths = _depths(parents)
    rows: dict[int, Task] = {}
    order_of: dict[int | None, int] = defaultdict(int)
    for level in sorted(set(depths.values())):
        batch = []
        for task in (t for t in tasks if depths[t.uid] == level):
            parent_uid = parents[task.uid]
            order_of[parent_uid] += 1
            timing = _timing(task, source, time, report)
            rows[task.uid] = _task_row(
                project,
                task,
                parent=rows[parent_uid] if parent_uid is not None else None,
                order=order_of[parent_uid],
                calendar=calendars[task.calendar_uid] if task.calendar_uid is not None else None,
                timing=timing,
                pauses=_pauses(task, work.get(task.uid, []), timing.duration, time),
            )
            batch.append(rows[task.uid])
        Task.objects.bulk_create(batch, batch_size=500)
    report.tasks = len(rows)
    return rows


def _is_ancestor(parents: dict[int, int | None], ancestor: int, uid: int) -> bool:
    current = parents.get(uid)
    while current is not None:
        if current == ancestor:
            return True
        current = parents.get(current)
    return False


def import_links(
    project: Project,
    source: MspdiProject,
    tasks: list[MspdiTask],
    parents: dict[int, int | None],
    rows: dict[int, Task],
    report: ImportReport,
) -> None:
    links: dict[tuple[int, int], Dependency] = {}
    for task in tasks:
        for link in task.links:
            problem = _link_problem(link, task, parents, links, rows)
            if problem:
                report.not_mapped.append(problem)
                continue
            predecessor, successor = rows[link.predecessor_uid], rows[task.uid]
            links[predecessor.pk, successor.pk] = Dependency(
                project=project,
                predecessor=predecessor,
                successor=successor,
                type=link.type.value,
                lag=_lag(link, task, predecessor, source, report),
            )
    Dependency.objects.bulk_create(links.values(), batch_size=1000)
    report.links = len(links)


def _link_problem(
    link: PredecessorLink,
    task: MspdiTask,
    parents: dict[int, int | None],
    links: dict[tuple[int, int], Dependency],
    rows: dict[int, Task],
) -> str | None:
    """Why a link of the file is left out, or None to import it."""
    names = {"task": _label(task), "uid": link.predecessor_uid}
    if link.predecessor_uid not in rows or link.predecessor_uid == task.uid:
        return (
            _(
                "A link into task %(task)s comes from task %(uid)d, which is not in the plan: "
                "not imported."
            )
            % names
        )
    if (rows[link.predecessor_uid].pk, rows[task.uid].pk) in links:
        return (
            _("Task %(task)s is linked to task %(uid)d twice: only the first link is imported.")
            % names
        )
    if _is_ancestor(parents, link.predecessor_uid, task.uid) or _is_ancestor(
        parents, task.uid, link.predecessor_uid
    ):
        return (
            _(
                "Task %(task)s is linked to task %(uid)d, its own summary task or a task inside "
                "it: such a link has no meaning and is not imported."
            )
            % names
        )
    return None


def _lag(
    link: PredecessorLink,
    task: MspdiTask,
    predecessor: Task,
    source: MspdiProject,
    report: ImportReport,
) -> int:
    """The lag in working minutes. MSPDI gives a percentage lag in percent of the predecessor's
    duration, any other in tenths of a minute (an elapsed one in calendar time)."""
    if link.percent_lag:
        lag = round(predecessor.duration * link.lag_tenths / 100)
        message = _(
            "The link into task %(task)s has a lag in percent of its predecessor's duration: "
            "it is imported as %(days)s d of working time."
        )
    elif link.elapsed_lag:
        lag = round(link.lag_tenths / 10 * source.minutes_per_day / MINUTES_PER_CALENDAR_DAY)
        message = _(
            "The link into task %(task)s has an elapsed lag: it is imported as %(days)s d of "
            "working time."
        )
    else:
        return link.lag_minutes
    report.not_mapped.append(message % {"task": _label(task), "days": _days(lag)})
    return lag


def import_baselines(
    project: Project,
    tasks: list[MspdiTask],
    rows: dict[int, Task],
    *,
    actor: Any,
    report: ImportReport,
) -> None:
    by_number: dict[int, list[tuple[Task, MspdiBaseline]]] = defaultdict(list)
    for task in tasks:
        for baseline in task.baselines:
            if 0 <= baseline.number < BASELINE_SLOTS:
                by_number[baseline.number].append((rows[task.uid], baseline))
    saved_by = actor if getattr(actor, "is_authenticated", False) else None
    for number, entries in sorted(by_number.items()):
        starts = [b.start for _task, b in entries if b.start is not None]
        finishes = [b.finish for _task, b in entries if b.finish is not None]
        header = Baseline.objects.create(
            project=project,
            number=number,
            name=slot_name(number),
            start=_aware(min(starts, default=None)),
            finish=_aware(max(finishes, default=None)),
            saved_by=saved_by,
        )
        BaselineTask.objects.bulk_create(
            (
                BaselineTask(
                    baseline=header,
                    task=task,
                    start=_aware(baseline.start),
                    finish=_aware(baseline.finish),
                    duration=max(baseline.duration or 0, 0),
                    cost=baseline.cost or Decimal(0),
                )
                for task, baseline in entries
            ),
            batch_size=1000,
        )
    report.baselines = len(by_number)


# Microsoft Project keeps a nameless resource with UID 0 in every file: not one of the plan's.
PLACEHOLDER_RESOURCE_UID = 0


def file_resources(source: MspdiProject) -> list[MspdiResource]:
    """The resources of the file, without Microsoft Project's placeholder."""
    return [resource for resource in source.resources if resource.uid != PLACEHOLDER_RESOURCE_UID]
