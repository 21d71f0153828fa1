"""Scheduling a whole plan: summary tasks, progress against a status date and task calendars,
in datetimes, on top of the working-minute engine in ``cpm``.

``schedule_plan`` takes plain dataclasses and returns every task's dates (see its docstring).

Dates, in and out, are naive datetimes in the calendars' local time, as ``WorkCalendar`` takes
them (it refuses aware ones): the adapter converts from and to the project's time zone. Every
calendar must cover every date the plan reaches; a date outside raises the calendar's ValueError.

Rules beyond those of ``cpm`` (links, constraints, ALAP, floats, which apply unchanged):

- Outline. A task some task names as ``parent`` is a summary; a summary without children is a
  leaf task. Only leaf tasks are scheduled; a summary spans its children (earliest start, latest
  finish, earliest late start, latest late finish), its floats are the least of its children's,
  it is critical or violated when a child is, its duration is the project-calendar working time
  it spans and its percent complete is its children's, weighted by their durations. A summary's
  own duration, constraint, calendar and progress are ignored.
- Links on summaries. A link to or from a summary binds each of its leaf tasks: every leaf of the
  predecessor to every leaf of the successor. On the finish side that is exactly Microsoft
  Project's "the summary's span"; on the start side (SS, SF from a summary) the successor waits
  for the latest leaf start, where Microsoft Project uses the earliest. A link between a summary
  and a task inside it is refused. A cycle raises ``CycleError`` naming leaf tasks.
- Progress. A task is done with an actual finish or at 100 %: with actual dates it stays on them
  (start = actual start, or the actual finish less its duration), ignoring its links in and its
  constraint; at 100 % without actual dates it is scheduled by logic. A task with an actual start
  (or above 0 %) has started: the actual start is fixed (links into its start no longer move it,
  nor does its constraint), the work done (duration × percent) follows it and, with a status
  date, the remaining work resumes no earlier than the status date, leaving a gap (the task is
  split). A task not started starts no earlier than the status date. Links into a started task's
  finish (FF, SF) still hold. Done tasks are never critical. This is Microsoft Project's
  "reschedule uncompleted work to start after the status date", without resources.
- Calendars. A task works on its own calendar: its dates are indexes of that calendar, its
  constraint date is read on it. Lags are project-calendar working time. Across calendars a link
  is judged on the successor's calendar: the predecessor's date (a moment) is moved by the lag on
  the project calendar and the successor's date must not be earlier in the successor's working
  time (a finish in its non-working time just before the bound counts as met). Floats are given
  in project-calendar working minutes; a task is critical when it has no float on its own calendar.
- Splits. A task's ``pauses`` (``charter.engine.splits``) interrupt its work: its span is
  its duration plus its pauses, and its ``segments`` are its runs of work. With progress, the
  work done (and the pauses in it) follows the start and the rest precedes the finish. A task
  done on actual dates keeps them and shows no segments.
- A zero-length task is shown when the work before it ends (the evening before, not the next
  morning) if a predecessor's finish drives it, else when work begins. ``milestone`` is for
  display only: a zero duration is what makes a task take no time.

When every task uses the project calendar and there is neither a status date nor an actual date
nor a task at 100 %, ``cpm.schedule`` does the work. Otherwise the general pass does
(``charter.engine.general_pass``): the same integer arithmetic, each task in its own calendar's
working minutes, converting a date through a moment only where a link joins two calendars (or
carries a lag off the project calendar), so it stays O(tasks + links) calendar operations. The
outline (summaries, links on them, roll-up) is in ``charter.engine.outline``.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from types import MappingProxyType

from charter.engine.calendar import WorkCalendar
from charter.engine.cpm import schedule
from charter.engine.general_pass import GeneralPass
from charter.engine.leaf_dates import LeafDates, constraint_rule
from charter.engine.model import Link, Task
from charter.engine.outline import Outline, links_between_leaves, roll_up
from charter.engine.plan_model import PlanLink, PlanSchedule, PlanTask, TaskDates
from charter.engine.splits import check, span

NO_CALENDARS: Mapping[str, WorkCalendar] = MappingProxyType({})


def schedule_plan(
    tasks: Sequence[PlanTask],
    links: Sequence[PlanLink],
    *,
    calendar: WorkCalendar,
    start: datetime,
    calendars: Mapping[str, WorkCalendar] = NO_CALENDARS,
    status_date: datetime | None = None,
) -> PlanSchedule:
    """Schedule the plan from ``start`` on the project ``calendar`` (rules: module docstring).

    Raises ``CycleError`` for a cycle of links (leaf ids) and ``ValueError`` for a duplicate
    id, a parent not in ``tasks`` or a cycle of parents, a link to an unknown task or between a
    summary and its own subtask, an unknown calendar key, a negative duration, a percent
    outside 0..100, a dated constraint without its date, or a date outside a calendar."""
    outline = Outline.of(tasks)
    leaf_links = list(links_between_leaves(links, outline))
    leaves = [task for task in tasks if task.id not in outline.children]
    own = [_calendar_of(task, calendar, calendars) for task in leaves]
    if status_date is None and all(
        cal is calendar and not _has_progress(task) for task, cal in zip(leaves, own, strict=True)
    ):
        dated, paths = _by_cpm(leaves, leaf_links, calendar, start)
    else:
        plan = GeneralPass(leaves, leaf_links, own, calendar, start, status_date)
        dated, paths = plan.dated(), plan.critical_paths()
    paths = _chronological(paths, dated, leaves)
    roll_up(dated, outline, calendar)
    finish = max((dated[task.id].finish for task in leaves), default=start)
    earliest = min((dated[task.id].start for task in leaves), default=start)
    by_input_order = {task.id: dated[task.id] for task in tasks}
    return PlanSchedule(by_input_order, min(start, earliest), finish, paths)


def _chronological(
    paths: list[list[int]], dated: Mapping[int, TaskDates], leaves: list[PlanTask]
) -> list[list[int]]:
    """Each group of critical leaves by start (then finish, then input order), the groups by
    their first leaf: the same order whichever path scheduled them."""
    position = {task.id: i for i, task in enumerate(leaves)}

    def when(task_id: int) -> tuple[datetime, datetime, int]:
        return dated[task_id].start, dated[task_id].finish, position[task_id]

    return sorted((sorted(path, key=when) for path in paths), key=lambda path: when(path[0]))


def _calendar_of(
    task: PlanTask, project: WorkCalendar, calendars: Mapping[str, WorkCalendar]
) -> WorkCalendar:
    """The leaf's calendar, checking its percent complete and pauses on the way."""
    if not 0 <= task.percent_complete <= 100:
        raise ValueError(f"task {task.id}: percent complete {task.percent_complete} not in 0..100")
    try:
        check(task.duration, task.pauses)
    except ValueError as error:
        raise ValueError(f"task {task.id}: {error}") from None
    if task.calendar is None:
        return project
    try:
        return calendars[task.calendar]
    except KeyError:
        raise ValueError(f"task {task.id}: no calendar {task.calendar!r} is given") from None


def _has_progress(task: PlanTask) -> bool:
    actual = task.actual_start is not None or task.actual_finish is not None
    return actual or task.percent_complete >= 100


def _by_cpm(
    leaves: list[PlanTask], links: list[Link], calendar: WorkCalendar, start: datetime
) -> tuple[dict[int, TaskDates], list[list[int]]]:
    """The common case, one calendar and no progress: ``cpm.schedule`` in project minutes."""
    engine_tasks = [_engine_task(task, calendar) for task in leaves]
    result = schedule(engine_tasks, links, project_start=calendar.to_index(start))
    timings = [result[task.id] for task in leaves]
    dates = LeafDates(
        project=calendar,
        calendars=[calendar] * len(leaves),
        early=[date for t in timings for date in (t.early_start, t.early_finish)],
        late=[date for t in timings for date in (t.late_start, t.late_finish)],
        by_finish=[False] * len(leaves),
    )
    _mark_driven_by_finish(dates, links, {task.id: i for i, task in enumerate(leaves)})
    by_id = {
        task.id: dates.task_dates(i, task, timing)
        for i, (task, timing) in enumerate(zip(leaves, timings, strict=True))
    }
    return by_id, result.critical_paths()


def _mark_driven_by_finish(dates: LeafDates, links: list[Link], position: dict[int, int]) -> None:
    """Flag the zero-length leaves a predecessor's finish shown in the evening drives; repeated
    until nothing changes, so a chain of milestones takes its first one's time of day."""
    early, changed = dates.early, True
    while changed:
        changed = False
        for link in links:
            succ, pred = position[link.successor], position[link.predecessor]
            if dates.by_finish[succ] or link.type[0] != "F":
                continue
            zero_length = early[2 * succ] == early[2 * succ + 1]
            driven = early[2 * pred + 1] + link.lag == early[2 * succ]
            if zero_length and driven and dates.shown_at_evening(pred):
                dates.by_finish[succ] = changed = True


def _engine_task(task: PlanTask, calendar: WorkCalendar) -> Task:
    length = span(task.duration, task.pauses)
    rule = constraint_rule(task, calendar)
    return Task(task.id, length) if rule is None else Task(task.id, length, *rule)
