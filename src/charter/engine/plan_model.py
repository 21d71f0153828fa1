"""The plan's input and output dataclasses for ``charter.engine.plan.schedule_plan``; the
rules they follow are in that module's docstring."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from charter.engine.model import Constraint, LinkType
from charter.engine.splits import Pauses


@dataclass(frozen=True, slots=True)
class PlanTask:
    id: int
    parent: int | None  # summary task id, None at the top level
    duration: int  # working minutes (leaf tasks; ignored for summaries)
    constraint: Constraint = Constraint.ASAP
    constraint_date: datetime | None = None
    calendar: str | None = None  # key into ``calendars``; None = the project calendar
    percent_complete: int = 0  # 0..100 (leaf tasks)
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    milestone: bool = False
    pauses: Pauses = ()  # splits (``charter.engine.splits``), on the task's calendar


@dataclass(frozen=True, slots=True)
class PlanLink:
    predecessor: int
    successor: int
    type: LinkType = LinkType.FS
    lag: int = 0  # working minutes of the project calendar; negative = lead


@dataclass(frozen=True, slots=True)
class TaskDates:
    start: datetime
    finish: datetime
    late_start: datetime
    late_finish: datetime
    total_float: int  # working minutes (project calendar)
    free_float: int
    critical: bool
    violated: bool  # a hard constraint could not be met
    summary: bool
    percent_complete: int  # rolled up for summaries (duration-weighted, like MS Project)
    duration: int  # working minutes (summaries: from their rolled-up dates)
    segments: tuple[tuple[datetime, datetime], ...] = ()  # a split task's runs of work


@dataclass(frozen=True, slots=True)
class PlanSchedule:
    tasks: Mapping[int, TaskDates]  # every task, in input order
    start: datetime  # the project start, or an earlier actual start
    finish: datetime
    critical_paths: list[list[int]]  # leaf ids, each group by start, groups by first start
