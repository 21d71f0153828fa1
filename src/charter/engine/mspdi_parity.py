"""A parity check against Microsoft Project: ``reschedule_file`` rebuilds an MSPDI plan for
Charter's engine (one ``WorkCalendar`` for the project calendar, ``cpm.schedule``), converts the
computed dates back to datetimes and sets them beside the Start/Finish Microsoft Project stored,
for every auto-scheduled task.

The engine knows only working minutes, so an elapsed duration is converted to the working
minutes it covers where the task starts, rescheduling until that settles (see
``_early_dates``). Elapsed and percentage lags, task calendars and resource calendars are not
modelled: tasks using them are compared all the same, and ``Comparison.causes`` names them.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from charter.engine.calendar import WorkCalendar
from charter.engine.cpm import schedule
from charter.engine.model import Constraint, Link, LinkType, Task
from charter.engine.mspdi import (
    MspdiError,
    MspdiProject,
    MspdiTask,
    PredecessorLink,
    read_project,
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


def project_calendar(project: MspdiProject) -> WorkCalendar:
    """The project calendar, indexed from a month before the earliest date in the file to well
    past the latest: a year plus one calendar day per 4 working hours of all durations summed,
    so even a single chain of every task fits."""
    moments = [project.start, *_task_dates(project.tasks)]
    total_days = sum(max(task.duration, 0) for task in project.tasks) // 60 // 4
    return WorkCalendar(
        first=min(moments).date() - timedelta(days=31),
        last=max(moments).date() + timedelta(days=total_days + 366),
        week=project.calendar_week(project.calendar_uid),
        exceptions=project.calendar_exceptions(project.calendar_uid),
        minutes_per_day=project.minutes_per_day,
    )


def _task_dates(tasks: Iterable[MspdiTask]) -> Iterator[datetime]:
    for task in tasks:
        yield from (m for m in (task.start, task.finish, task.constraint_date) if m is not None)


def reschedule_file(path: str | Path) -> list[Comparison]:
    return reschedule(read_project(path))


def reschedule(project: MspdiProject) -> list[Comparison]:
    calendar = project_calendar(project)
    children = project.children()
    by_uid = {task.uid: task for task in project.tasks if task.uid != 0}
    leaves = {uid: _leaves(uid, children) for uid in by_uid}
    leaf_tasks = [task for task in by_uid.values() if not children.get(task.uid)]
    links = [
        link
        for task in by_uid.values()
        for source in task.links
        if source.predecessor_uid in by_uid
        for link in _engine_links(source, task.uid, leaves)
    ]
    early = _early_dates(leaf_tasks, links, calendar, calendar.to_index(project.start))
    into: dict[int, list[Link]] = {}
    for link in links:
        into.setdefault(link.successor, []).append(link)
    dates = {
        task.uid: _moments(early[task.uid], into.get(task.uid, []), early, calendar)
        for task in leaf_tasks
    }
    for task in leaf_tasks:
        if task.elapsed and not task.manual:
            start = dates[task.uid][0]
            dates[task.uid] = (start, start + timedelta(minutes=task.duration))
    _roll_up(project.tasks, children, dates)
    return [
        _comparison(task, dates[task.uid], calendar, project, leaves[task.uid])
        for task in by_uid.values()
        if not task.manual and task.uid in dates
    ]


def _early_dates(
    leaf_tasks: list[MspdiTask], links: list[Link], calendar: WorkCalendar, project_start: int
) -> dict[int, tuple[int, int]]:
    """Early (start, finish) indexes of the leaf tasks.

    An elapsed duration is calendar time, so its length in working minutes depends on where
    the task starts: schedule, measure each elapsed task's working minutes from its start,
    and schedule again until nothing moves. A start depends only on predecessors, so this
    settles after at most one round per elapsed task on a chain (plus one to confirm)."""
    working: dict[int, int] = {}
    for _ in range(sum(task.elapsed for task in leaf_tasks) + 2):
        engine_tasks = [_engine_task(task, calendar, working.get(task.uid)) for task in leaf_tasks]
        timings = schedule(engine_tasks, links, project_start=project_start)
        early = {uid: (timings[uid].early_start, timings[uid].early_finish) for uid in timings}
        measured = {
            task.uid: _elapsed_working_minutes(task, early[task.uid][0], calendar)
            for task in leaf_tasks
            if task.elapsed and not task.manual
        }
        if measured == working:
            break
        working = measured
    return early


def _elapsed_working_minutes(task: MspdiTask, start: int, calendar: WorkCalendar) -> int:
    begins = calendar.start_of(start)
    return calendar.working_minutes(begins, begins + timedelta(minutes=task.duration))


def _moments(
    dates: tuple[int, int],
    into: list[Link],
    early: dict[int, tuple[int, int]],
    calendar: WorkCalendar,
) -> tuple[datetime, datetime]:
    """A task's working-minute dates as the moments Microsoft Project shows.

    One index is two moments at a break: a start is shown when work resumes (08:00) and a
    finish when work stopped (17:00), except where a link ties the date to the other kind of
    date: a finish driven by a predecessor's start (SF) is shown at that start, and a milestone
    driven by a predecessor's finish (FS, FF) at that finish."""
    start, finish = dates
    if start == finish:
        by_finish = any(
            link.type.value[0] == "F" and early[link.predecessor][1] + link.lag == start
            for link in into
        )
        moment = calendar.finish_of(start) if by_finish else calendar.start_of(start)
        return moment, moment
    sf_driven = any(
        link.type is LinkType.SF and early[link.predecessor][0] + link.lag == finish
        for link in into
    )
    shown_finish = calendar.start_of(finish) if sf_driven else calendar.finish_of(finish)
    return calendar.start_of(start), shown_finish


def _leaves(uid: int, children: dict[int, list[int]]) -> list[int]:
    below = children.get(uid)
    if not below:
        return [uid]
    return [leaf for child in below for leaf in _leaves(child, children)]


def _engine_task(task: MspdiTask, calendar: WorkCalendar, working: int | None) -> Task:
    """``working``: the working minutes an elapsed duration covers where the task now starts."""
    if task.manual and task.start is not None and task.finish is not None:
        # A manual task stays where the user put it; it drives its successors from there.
        span = max(calendar.working_minutes(task.start, task.finish), 0)
        return Task(task.uid, span, Constraint.MSO, calendar.to_index(task.start))
    duration = max(task.duration if working is None else working, 0)
    if task.constraint in (Constraint.ASAP, Constraint.ALAP) or task.constraint_date is None:
        constraint = Constraint.ASAP if task.constraint_date is None else task.constraint
        return Task(task.uid, duration, constraint)
    return Task(task.uid, duration, task.constraint, calendar.to_index(task.constraint_date))


def _engine_links(
    link: PredecessorLink, successor: int, leaves: dict[int, list[int]]
) -> Iterator[Link]:
    """A link to or from a summary task binds each of its leaf tasks."""
    lag = link.lag_minutes
    for predecessor in leaves[link.predecessor_uid]:
        for follower in leaves[successor]:
            yield Link(predecessor, follower, link.type, lag)


def _roll_up(
    tasks: list[MspdiTask],
    children: dict[int, list[int]],
    dates: dict[int, tuple[datetime, datetime]],
) -> None:
    # Deepest summaries first, so a summary's children are dated before it.
    for task in sorted(tasks, key=lambda t: -t.outline_level):
        below = [dates[uid] for uid in children.get(task.uid, ()) if uid in dates]
        if below:
            dates[task.uid] = (min(s for s, _ in below), max(f for _, f in below))


def _comparison(
    task: MspdiTask,
    ours: tuple[datetime, datetime],
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
    if task.calendar_uid is not None and task.calendar_uid != project.calendar_uid:
        yield f"task calendar {task.calendar_uid}"
    own = {uid for uid in task.resource_calendar_uids if _differs(project, uid)}
    if own:
        yield f"resource calendars {sorted(own)}"


def _differs(project: MspdiProject, calendar_uid: int) -> bool:
    """Whether resource calendar ``calendar_uid`` has other hours than the project calendar."""
    try:
        return project.calendar_week(calendar_uid) != project.calendar_week(
            project.calendar_uid
        ) or project.calendar_exceptions(calendar_uid) != project.calendar_exceptions(
            project.calendar_uid
        )
    except MspdiError:
        return True
