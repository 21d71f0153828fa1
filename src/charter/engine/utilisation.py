"""Resource utilisation per ISO week: the work of each assignment against each resource's capacity.

An assignment's work is spread over its task's working time on the assignment's calendar (a
split task's pauses left out) with a flat contour, as Microsoft Project's default: the minutes
it puts in a week are ``work × working minutes of the task in that week ÷ working minutes of
the whole task``. A resource's capacity in a week is ``max_units × working minutes of its
calendar in that week``.
Arithmetic is exact (fractions), so the weeks of a task add up to its work to the minute.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Container, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Protocol

DAY = timedelta(days=1)
WEEK = timedelta(days=7)


class WorkingTime(Protocol):
    """What the spread needs of a calendar (``charter.engine.calendar.WorkCalendar`` is one)."""

    def working_minutes(self, start: datetime, end: datetime) -> int: ...


class NoWorkingTime:
    """A calendar without a working minute in the range (a WorkCalendar cannot be built)."""

    def working_minutes(self, start: datetime, end: datetime) -> int:
        return 0


@dataclass(frozen=True, slots=True)
class Capacity:
    """A resource: ``max_units`` (1 = one full-time person) on ``calendar``."""

    resource: Hashable
    max_units: Decimal
    calendar: Hashable


@dataclass(frozen=True, slots=True)
class Load:
    """An assignment: ``work`` working minutes of ``resource`` on ``task`` (``start`` to
    ``finish``, naive local time), spread on ``calendar``; a split task puts none in its
    ``gaps`` (the pauses between its segments)."""

    resource: Hashable
    task: Hashable
    start: datetime
    finish: datetime
    work: int
    calendar: Hashable
    gaps: tuple[tuple[datetime, datetime], ...] = ()

    def minutes(self, calendar: "WorkingTime", start: datetime, end: datetime) -> int:
        """The task's working minutes from ``start`` to ``end`` on ``calendar``, its gaps
        left out."""
        minutes = calendar.working_minutes(start, end)
        for gap_start, gap_end in self.gaps:
            first, last = max(start, gap_start), min(end, gap_end)
            if last > first:
                minutes -= calendar.working_minutes(first, last)
        return minutes

    def minutes_by_day(
        self, calendar: "WorkingTime", first: date | None = None, last: date | None = None
    ) -> dict[date, int]:
        """The task's working minutes on each day it has some (from ``first`` to ``last``
        when given)."""
        found: dict[date, int] = {}
        day = max(self.start.date(), first or self.start.date())
        while day <= min(self.finish.date(), last or self.finish.date()):
            start, end = max(self.start, _midnight(day)), min(self.finish, _midnight(day + DAY))
            if end > start and (minutes := self.minutes(calendar, start, end)):
                found[day] = minutes
            day += DAY
        return found


@dataclass(frozen=True, slots=True)
class TaskShare:
    task: Hashable
    minutes: Fraction


@dataclass(frozen=True, slots=True)
class WeekCell:
    """One resource in the week starting Monday ``week``: allocated and capacity in minutes."""

    week: date
    allocated: Fraction
    capacity: Fraction
    tasks: tuple[TaskShare, ...]

    @property
    def ratio(self) -> Fraction | None:
        """allocated ÷ capacity; None when the week has no capacity."""
        return self.allocated / self.capacity if self.capacity else None

    @property
    def over(self) -> bool:
        return self.allocated > self.capacity


@dataclass(frozen=True, slots=True)
class ResourceRow:
    resource: Hashable
    weeks: tuple[WeekCell, ...]

    @property
    def allocated(self) -> Fraction:
        return sum((cell.allocated for cell in self.weeks), Fraction(0))

    @property
    def capacity(self) -> Fraction:
        return sum((cell.capacity for cell in self.weeks), Fraction(0))

    @property
    def over(self) -> bool:
        """Over-allocated in at least one week."""
        return any(cell.over for cell in self.weeks)


def week_of(day: date) -> date:
    """The Monday of the ISO week of ``day``."""
    return day - timedelta(days=day.weekday())


def weeks_from(start: date, count: int) -> tuple[date, ...]:
    """``count`` consecutive ISO weeks (their Mondays), the first the week of ``start``."""
    first = week_of(start)
    return tuple(first + WEEK * n for n in range(count))


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def calendar_range(loads: Sequence[Load], weeks: Sequence[date]) -> tuple[date, date]:
    """The days (first, last) the calendars must cover to spread ``loads`` over ``weeks``: the
    weeks, and every task from its start to its finish."""
    days = [weeks[0], weeks[-1] + timedelta(days=6)]
    for load in loads:
        days += [load.start.date(), load.finish.date()]
    return min(days), max(days)


def spread(load: Load, calendar: WorkingTime, weeks: Sequence[date]) -> dict[date, Fraction]:
    """The minutes of ``load.work`` falling in each of ``weeks`` (sorted Mondays; weeks the task
    does not touch are left out). A task without working time (a milestone, or one lying on a
    holiday) puts all its work in the week it starts."""
    if load.work <= 0:
        return {}
    total = load.minutes(calendar, load.start, load.finish) if load.finish > load.start else 0
    if total <= 0:
        week = week_of(load.start.date())
        index = bisect_left(weeks, week)
        in_range = index < len(weeks) and weeks[index] == week
        return {week: Fraction(load.work)} if in_range else {}
    first = bisect_right(weeks, week_of(load.start.date())) - 1
    last = bisect_right(weeks, week_of(load.finish.date()))
    shares: dict[date, Fraction] = {}
    for week in weeks[max(first, 0) : last]:
        start = max(load.start, _midnight(week))
        end = min(load.finish, _midnight(week + WEEK))
        if end <= start:
            continue
        minutes = load.minutes(calendar, start, end)
        if minutes:
            shares[week] = Fraction(load.work * minutes, total)
    return shares


def capacity(resource: Capacity, calendar: WorkingTime, week: date) -> Fraction:
    """max_units × the calendar's working minutes in the week starting ``week``."""
    minutes = calendar.working_minutes(_midnight(week), _midnight(week + WEEK))
    return Fraction(resource.max_units) * minutes


def utilisation(
    resources: Sequence[Capacity],
    loads: Sequence[Load],
    calendars: Mapping[Hashable, WorkingTime],
    weeks: Sequence[date],
) -> list[ResourceRow]:
    """One row per resource (in the order given), one cell per week of ``weeks`` (Mondays),
    each with the tasks that load it, largest first. ``calendars`` must cover
    ``calendar_range(loads, weeks)``."""
    weeks = sorted(weeks)
    per_cell: dict[tuple[Hashable, date], dict[Hashable, Fraction]] = {}
    for load in loads:
        for week, minutes in spread(load, calendars[load.calendar], weeks).items():
            tasks = per_cell.setdefault((load.resource, week), {})
            tasks[load.task] = tasks.get(load.task, Fraction(0)) + minutes
    rows = []
    for resource in resources:
        calendar = calendars[resource.calendar]
        cells = []
        for week in weeks:
            tasks = per_cell.get((resource.resource, week), {})
            shares = sorted(
                (TaskShare(task, minutes) for task, minutes in tasks.items()),
                key=lambda share: -share.minutes,
            )
            cells.append(
                WeekCell(
                    week=week,
                    allocated=sum(tasks.values(), Fraction(0)),
                    capacity=capacity(resource, calendar, week),
                    tasks=tuple(shares),
                )
            )
        rows.append(ResourceRow(resource.resource, tuple(cells)))
    return rows


def combine(
    key: Hashable,
    rows: Sequence[ResourceRow],
    weeks: Sequence[date],
    *,
    capacity_of: Container[Hashable] | None = None,
) -> ResourceRow:
    """One row adding up ``rows`` (computed over ``weeks``) week by week, e.g. the people of a
    role: every row's allocated minutes and task shares (a task loading two of them counts
    once, with their minutes together, largest first), and the capacity of the rows whose
    resource is in ``capacity_of`` (every row's when None)."""
    weeks = sorted(weeks)
    allocated = {week: Fraction(0) for week in weeks}
    capacity = {week: Fraction(0) for week in weeks}
    tasks: dict[date, dict[Hashable, Fraction]] = {week: {} for week in weeks}
    for row in rows:
        counted = capacity_of is None or row.resource in capacity_of
        for cell in row.weeks:
            allocated[cell.week] += cell.allocated
            if counted:
                capacity[cell.week] += cell.capacity
            for share in cell.tasks:
                week_tasks = tasks[cell.week]
                week_tasks[share.task] = week_tasks.get(share.task, Fraction(0)) + share.minutes
    cells = tuple(
        WeekCell(
            week=week,
            allocated=allocated[week],
            capacity=capacity[week],
            tasks=tuple(
                sorted(
                    (TaskShare(task, minutes) for task, minutes in tasks[week].items()),
                    key=lambda share: -share.minutes,
                )
            ),
        )
        for week in weeks
    )
    return ResourceRow(key, cells)
