"""A parity check against Microsoft Project: ``reschedule_file`` rebuilds an MSPDI plan for
Charter's engine (``plan.schedule_plan``: the project calendar, task and resource calendars),
converts the computed dates back to datetimes and sets them beside the Start/Finish Microsoft
Project stored, for every auto-scheduled task.

Where a task works, as Microsoft Project decides it:

- a task calendar: the task works on it;
- no task calendar, work resources assigned: on their calendar when all of them have the same
  hours; when their hours differ, each assignment is a leaf of its own on its resource's
  calendar, lasting its work at its units, and the task spans them (earliest start, latest
  finish), as Microsoft Project schedules each assignment on its resource calendar;
- otherwise the project calendar.

The engine knows only working minutes, so an elapsed duration is converted to the working
minutes it covers where the task starts, rescheduling until that settles (see ``_leaf_dates``).

Not modelled (``NOT_MODELLED``; ``Comparison.causes`` names the ones a task uses):
- a task calendar together with resource calendars: Microsoft Project works only when both
  allow (their intersection); here the task calendar alone counts. No reference file has one.
- "ignore resource calendars": the reader does not read the flag, so it is taken as off (every
  reference file has it off).
- a task over several resource calendars binds each assignment to its links, so a link into
  its finish (FF, SF) moves only the assignments that would end too early, and a link from its
  start (SS, SF) waits for the latest assignment start, where Microsoft Project moves the task
  as a whole and uses its earliest start;
- elapsed and percentage lags (read as working time), and resource calendars of elapsed and
  manual tasks (those run on the task calendar, else the project calendar);
- progress: actual dates and percent complete are not given to the engine, so every task is
  scheduled as not started (no reference file has progress on an auto-scheduled task);
- splits (gaps in an assignment's remaining work over time): the tasks are given to the engine
  without pauses (the import reads them; no reference file has a split).
"""

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from charter.engine.calendar import WorkCalendar
from charter.engine.model import Constraint, LinkType
from charter.engine.mspdi import (
    MspdiAssignment,
    MspdiProject,
    MspdiTask,
    PredecessorLink,
    read_project,
)
from charter.engine.mspdi_elements import ResourceType
from charter.engine.plan import schedule_plan
from charter.engine.plan_model import PlanLink, PlanTask

type Dates = tuple[datetime, datetime]

NOT_MODELLED: tuple[str, ...] = (
    "a task calendar with resource calendars: the task calendar alone, not their intersection",
    "the ignore-resource-calendars flag: not read, taken as off",
    "links into the finish of or from the start of a task over several resource calendars: "
    "they bind each assignment, not the task as a whole",
    "elapsed and percentage lags: read as working time",
    "resource calendars of elapsed and manual tasks: the task or project calendar instead",
    "progress (actual dates, percent complete): every task is scheduled as not started",
)


@dataclass(frozen=True, slots=True)
class Comparison:
    """One auto-scheduled task: our dates beside Microsoft Project's."""

    uid: int
    id: int
    name: str
    ours_start: datetime
    ours_finish: datetime
    ms_start: datetime | None
    ms_finish: datetime | None
    same_minute: bool  # same working-minute indexes, though maybe shown at another moment
    causes: tuple[str, ...] = field(default=())  # what in the file the engine does not model

    @property
    def matched(self) -> bool:
        return self.ours_start == self.ms_start and self.ours_finish == self.ms_finish


@dataclass(frozen=True, slots=True)
class _Leaf:
    """A leaf of the plan given to the engine: a leaf task, or one assignment of it."""

    id: int  # the task's UID, or a negative id for an assignment
    calendar: str | None  # key into ``Calendars.by_key``; None = the project calendar
    duration: int | None = None  # working minutes; None = the task's duration


def project_calendar(project: MspdiProject) -> WorkCalendar:
    return _work_calendar(project, project.calendar_uid, _calendar_range(project))


def _calendar_range(project: MspdiProject) -> tuple[date, date]:
    """From a month before the earliest date in the file to well past the latest: a year plus
    one calendar day per 4 working hours of all durations summed, so even a single chain of
    every task fits."""
    moments = [project.start, *_task_dates(project.tasks)]
    total_days = sum(max(task.duration, 0) for task in project.tasks) // 60 // 4
    return (
        min(moments).date() - timedelta(days=31),
        max(moments).date() + timedelta(days=total_days + 366),
    )


def _work_calendar(project: MspdiProject, uid: int, span: tuple[date, date]) -> WorkCalendar:
    return WorkCalendar(
        first=span[0],
        last=span[1],
        week=project.calendar_week(uid),
        exceptions=project.calendar_exceptions(uid),
        minutes_per_day=project.minutes_per_day,
    )


def _task_dates(tasks: Iterable[MspdiTask]) -> Iterator[datetime]:
    for task in tasks:
        yield from (m for m in (task.start, task.finish, task.constraint_date) if m is not None)


class Calendars:
    """The file's calendars the plan uses, over one range, keyed by UID for ``schedule_plan``;
    a calendar with the project calendar's hours is the project calendar itself (key None)."""

    def __init__(self, project: MspdiProject) -> None:
        self._file = project
        self._span = _calendar_range(project)
        self.project = _work_calendar(project, project.calendar_uid, self._span)
        self.by_key: dict[str, WorkCalendar] = {}

    def key(self, uid: int | None) -> str | None:
        if uid is None or not _differs(self._file, uid):
            return None
        key = str(uid)
        if key not in self.by_key:
            self.by_key[key] = _work_calendar(self._file, uid, self._span)
        return key

    def of(self, key: str | None) -> WorkCalendar:
        return self.project if key is None else self.by_key[key]


def reschedule_file(path: str | Path) -> list[Comparison]:
    return reschedule(read_project(path))


def reschedule(project: MspdiProject) -> list[Comparison]:
    calendars = Calendars(project)
    children = project.children()
    by_uid = {task.uid: task for task in project.tasks if task.uid != 0}
    leaf_tasks = [task for task in by_uid.values() if not children.get(task.uid)]
    assigned = _work_assignments(project)
    placed = {
        task.uid: _placement(task, assigned.get(task.uid, []), calendars) for task in leaf_tasks
    }
    task_leaves = {uid: _leaves(uid, children) for uid in by_uid}
    plan_leaves = {
        uid: [leaf.id for task_uid in leaves for leaf in placed[task_uid]]
        for uid, leaves in task_leaves.items()
    }
    links = [
        link
        for task in by_uid.values()
        for source in task.links
        if source.predecessor_uid in by_uid
        for link in _plan_links(source, task.uid, plan_leaves)
    ]
    dates = _leaf_task_dates(project, leaf_tasks, placed, links, calendars)
    _roll_up(project.tasks, children, dates)
    return [
        _comparison(
            task,
            dates[task.uid],
            _own_calendar(placed.get(task.uid), calendars),
            project,
            task_leaves[task.uid],
        )
        for task in by_uid.values()
        if not task.manual and task.uid in dates
    ]


def _leaf_task_dates(
    project: MspdiProject,
    leaf_tasks: list[MspdiTask],
    placed: Mapping[int, list[_Leaf]],
    links: list[PlanLink],
    calendars: Calendars,
) -> dict[int, Dates]:
    """Each leaf task's dates as Microsoft Project shows them: the span of its plan leaves, an
    elapsed task lasting its duration in calendar time."""
    shown = _leaf_dates(project, leaf_tasks, placed, links, calendars)
    calendar_of = {
        leaf.id: calendars.of(leaf.calendar) for leaves in placed.values() for leaf in leaves
    }
    shown = _finishes_at_predecessor_starts(shown, links, calendar_of, calendars.project)
    dates = {uid: _span(shown[leaf.id] for leaf in leaves) for uid, leaves in placed.items()}
    for task in leaf_tasks:
        if task.elapsed and not task.manual:
            start = dates[task.uid][0]
            dates[task.uid] = (start, start + timedelta(minutes=task.duration))
    return dates


def _work_assignments(project: MspdiProject) -> dict[int, list[tuple[MspdiAssignment, int]]]:
    """Task UID -> its assignments of work resources with a calendar, each with that UID."""
    calendar_of = {
        resource.uid: resource.calendar_uid
        for resource in project.resources
        if resource.type is ResourceType.WORK and resource.calendar_uid in project.calendars
    }
    result: dict[int, list[tuple[MspdiAssignment, int]]] = {}
    for assignment in project.assignments:
        calendar = calendar_of.get(assignment.resource_uid)
        if calendar is not None:
            result.setdefault(assignment.task_uid, []).append((assignment, calendar))
    return result


def _placement(
    task: MspdiTask, assigned: list[tuple[MspdiAssignment, int]], calendars: Calendars
) -> list[_Leaf]:
    """The plan leaves standing for leaf task ``task`` (rules: module docstring)."""
    if task.calendar_uid is not None or task.manual or task.elapsed or not assigned:
        return [_Leaf(task.uid, calendars.key(task.calendar_uid))]
    keys = [calendars.key(calendar_uid) for _, calendar_uid in assigned]
    if len(set(keys)) == 1:
        return [_Leaf(task.uid, keys[0])]
    return [
        _Leaf(-1 - assignment.uid, key, _assignment_duration(assignment, task))
        for (assignment, _), key in zip(assigned, keys, strict=True)
    ]


def _assignment_duration(assignment: MspdiAssignment, task: MspdiTask) -> int:
    """Its work at its units (fixed units), or the task's duration when either is 0."""
    if assignment.units <= 0 or assignment.work <= 0:
        return task.duration
    return round(assignment.work / assignment.units)


def _own_calendar(leaves: list[_Leaf] | None, calendars: Calendars) -> WorkCalendar:
    """The calendar a task's dates are indexes of: its one leaf's, else the project's."""
    if leaves is None or len(leaves) != 1:
        return calendars.project
    return calendars.of(leaves[0].calendar)


def _leaf_dates(
    project: MspdiProject,
    leaf_tasks: list[MspdiTask],
    placed: Mapping[int, list[_Leaf]],
    links: list[PlanLink],
    calendars: Calendars,
) -> dict[int, Dates]:
    """The plan leaves' (start, finish) as ``schedule_plan`` shows them.

    An elapsed duration is calendar time, so its length in working minutes depends on where
    the task starts: schedule, measure each elapsed task's working minutes from its start,
    and schedule again until nothing moves. A start depends only on predecessors, so this
    settles after at most one round per elapsed task on a chain (plus one to confirm)."""
    working: dict[int, int] = {}
    for _ in range(sum(task.elapsed for task in leaf_tasks) + 2):
        tasks = [
            _plan_task(task, leaf, calendars.of(leaf.calendar), working.get(task.uid))
            for task in leaf_tasks
            for leaf in placed[task.uid]
        ]
        result = schedule_plan(
            tasks,
            links,
            calendar=calendars.project,
            start=project.start,
            calendars=calendars.by_key,
        )
        measured = {
            task.uid: _elapsed_working_minutes(
                task, result.tasks[task.uid].start, calendars.of(placed[task.uid][0].calendar)
            )
            for task in leaf_tasks
            if task.elapsed and not task.manual
        }
        if measured == working:
            break
        working = measured
    return {task_id: (dates.start, dates.finish) for task_id, dates in result.tasks.items()}


def _plan_task(
    task: MspdiTask, leaf: _Leaf, calendar: WorkCalendar, working: int | None
) -> PlanTask:
    """``working``: the working minutes an elapsed duration covers where the task now starts."""
    if task.manual and task.start is not None and task.finish is not None:
        # A manual task stays where the user put it; it drives its successors from there.
        span = max(calendar.working_minutes(task.start, task.finish), 0)
        return PlanTask(leaf.id, None, span, Constraint.MSO, task.start, leaf.calendar)
    duration = leaf.duration
    if duration is None:
        duration = task.duration if working is None else working
    # A constraint without its date (ALAP included) is read as ASAP.
    constraint = Constraint.ASAP if task.constraint_date is None else task.constraint
    return PlanTask(
        leaf.id, None, max(duration, 0), constraint, task.constraint_date, leaf.calendar
    )


def _elapsed_working_minutes(task: MspdiTask, start: datetime, calendar: WorkCalendar) -> int:
    begins = calendar.start_of(calendar.to_index(start))
    return calendar.working_minutes(begins, begins + timedelta(minutes=task.duration))


def _finishes_at_predecessor_starts(
    shown: dict[int, Dates],
    links: list[PlanLink],
    calendar_of: Mapping[int, WorkCalendar],
    project: WorkCalendar,
) -> dict[int, Dates]:
    """One index is two moments at a break, and ``schedule_plan`` shows a finish when work
    stopped (17:00); Microsoft Project shows a finish driven by a predecessor's start (SF)
    at that start (08:00 the next day)."""
    result = dict(shown)
    for link in links:
        start, finish = result[link.successor]
        if link.type is not LinkType.SF or start == finish:
            continue
        calendar = calendar_of[link.successor]
        bound = _shifted(shown[link.predecessor][0], link.lag, project)
        if calendar.to_index(bound) == calendar.to_index(finish):
            result[link.successor] = (start, calendar.start_of(calendar.to_index(finish)))
    return result


def _shifted(moment: datetime, lag: int, project: WorkCalendar) -> datetime:
    """``moment`` moved by ``lag`` working minutes of the project calendar, held to its range."""
    if lag == 0:
        return moment
    index = min(max(project.to_index(moment) + lag, 0), project.total_minutes)
    return project.start_of(index)


def _span(dates: Iterable[Dates]) -> Dates:
    starts, finishes = zip(*dates, strict=True)
    return min(starts), max(finishes)


def _leaves(uid: int, children: dict[int, list[int]]) -> list[int]:
    below = children.get(uid)
    if not below:
        return [uid]
    return [leaf for child in below for leaf in _leaves(child, children)]


def _plan_links(
    link: PredecessorLink, successor: int, leaves: dict[int, list[int]]
) -> Iterator[PlanLink]:
    """A link to or from a summary task (or a task over several assignments) binds each of
    its leaves."""
    lag = link.lag_minutes
    for predecessor in leaves[link.predecessor_uid]:
        for follower in leaves[successor]:
            yield PlanLink(predecessor, follower, link.type, lag)


def _roll_up(
    tasks: list[MspdiTask],
    children: dict[int, list[int]],
    dates: dict[int, Dates],
) -> None:
    # Deepest summaries first, so a summary's children are dated before it.
    for task in sorted(tasks, key=lambda t: -t.outline_level):
        below = [dates[uid] for uid in children.get(task.uid, ()) if uid in dates]
        if below:
            dates[task.uid] = _span(below)


def _comparison(
    task: MspdiTask,
    ours: Dates,
    calendar: WorkCalendar,
    project: MspdiProject,
    leaves: list[int],
) -> Comparison:
    same_minute = (
        task.start is not None
        and task.finish is not None
        and calendar.to_index(task.start) == calendar.to_index(ours[0])
        and calendar.to_index(task.finish) == calendar.to_index(ours[1])
    )
    return Comparison(
        uid=task.uid,
        id=task.id,
        name=task.name,
        ours_start=ours[0],
        ours_finish=ours[1],
        ms_start=task.start,
        ms_finish=task.finish,
        same_minute=same_minute,
        causes=tuple(_causes(task, project, leaves)),
    )


def _causes(task: MspdiTask, project: MspdiProject, leaves: list[int]) -> Iterator[str]:
    """Unmodelled features of ``task``, or for a summary those of its leaf tasks."""
    if leaves == [task.uid]:
        yield from unmodelled_features(task, project)
        return
    by_uid = {other.uid: other for other in project.tasks}
    for leaf in leaves:
        for cause in unmodelled_features(by_uid[leaf], project):
            yield f"task {by_uid[leaf].id}: {cause}"


def unmodelled_features(task: MspdiTask, project: MspdiProject) -> Iterator[str]:
    """What about ``task`` the import cannot give the engine: a likely cause of a mismatch."""
    if task.elapsed:
        yield "elapsed duration"
    if any(link.elapsed_lag for link in task.links):
        yield "elapsed lag"
    if any(link.percent_lag for link in task.links):
        yield "percentage lag"
    own = task.calendar_uid
    others = {uid for uid in task.resource_calendar_uids if uid != own}
    if own is not None and any(_differs(project, uid, own) for uid in others):
        yield f"task calendar {own} with resource calendars {sorted(others)} (only the task's)"


def _differs(project: MspdiProject, calendar_uid: int, other: int | None = None) -> bool:
    """Whether calendar ``calendar_uid`` has other hours than ``other`` (the project calendar
    by default)."""
    other = project.calendar_uid if other is None else other
    return project.calendar_week(calendar_uid) != project.calendar_week(
        other
    ) or project.calendar_exceptions(calendar_uid) != project.calendar_exceptions(other)
