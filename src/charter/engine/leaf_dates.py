"""Leaf tasks' dates by slot, shown as moments, shared by both scheduling passes of
``charter.engine.plan``. As in cpm, slot 2i is leaf i's start and 2i + 1 its finish."""

from dataclasses import dataclass, field
from datetime import datetime

from charter.engine.calendar import WorkCalendar
from charter.engine.model import Constraint, Timing
from charter.engine.plan_model import PlanTask, TaskDates
from charter.engine.splits import runs, span, span_at

type Rule = tuple[Constraint, int] | None  # (constraint, index on the task's calendar)

DATED = frozenset(Constraint) - {Constraint.ASAP, Constraint.ALAP}


def done_on_actuals(task: PlanTask) -> bool:
    return task.actual_finish is not None or (
        task.percent_complete >= 100 and task.actual_start is not None
    )


def worked_span(task: PlanTask) -> int:
    """Working minutes of the task's span behind it: its work done and the pauses in it."""
    return span_at(task.duration * task.percent_complete // 100, task.pauses)


def constraint_rule(task: PlanTask, calendar: WorkCalendar) -> Rule:
    if task.constraint is Constraint.ASAP:
        return None
    if task.constraint_date is None:
        if task.constraint in DATED:
            raise ValueError(f"task {task.id}: a {task.constraint} constraint needs its date")
        return (task.constraint, 0)
    return (task.constraint, calendar.to_index(task.constraint_date))


@dataclass(slots=True)
class LeafDates:
    """The leaves' early and late dates, each an index of the leaf's own calendar."""

    project: WorkCalendar
    calendars: list[WorkCalendar]
    early: list[int]
    late: list[int]
    by_finish: list[bool]  # a zero-length leaf driven by a predecessor's finish
    actual: dict[int, datetime] = field(default_factory=dict)  # slot -> actual date given

    def moment(self, slot: int, *, late: bool = False) -> datetime:
        if not late and slot in self.actual:
            return self.actual[slot]
        i, dates = slot >> 1, self.late if late else self.early
        calendar = self.calendars[i]
        at_finish = self.by_finish[i] if dates[2 * i] == dates[2 * i + 1] else slot & 1
        return calendar.finish_of(dates[slot]) if at_finish else calendar.start_of(dates[slot])

    def shown_at_evening(self, i: int) -> bool:
        """Whether leaf i's finish is shown when its day's work ends: it takes time, or it is a
        zero-length leaf driven by such a finish. A zero-length leaf shown in the morning (at
        the project start, say) drives its successors in the morning too."""
        return self.early[2 * i] != self.early[2 * i + 1] or self.by_finish[i]

    def project_index(self, slot: int, *, late: bool = False) -> int:
        if self.calendars[slot >> 1] is self.project:
            return (self.late if late else self.early)[slot]
        return self.project.to_index(self.moment(slot, late=late))

    def task_dates(self, i: int, task: PlanTask, timing: Timing) -> TaskDates:
        """Leaf i's dates; ``timing`` gives its floats and flags (its dates are not read)."""
        fixed = done_on_actuals(task)
        return TaskDates(
            start=self.moment(2 * i),
            finish=self.moment(2 * i + 1),
            late_start=self.moment(2 * i, late=True),
            late_finish=self.moment(2 * i + 1, late=True),
            total_float=timing.total_float,
            free_float=timing.free_float,
            critical=timing.critical,
            violated=timing.violated,
            summary=False,
            percent_complete=task.percent_complete,
            duration=self.early[2 * i + 1] - self.early[2 * i] if fixed else task.duration,
            segments=() if fixed or not task.pauses else self.segments(i, task),
        )

    def segments(self, i: int, task: PlanTask) -> tuple[tuple[datetime, datetime], ...]:
        """A split leaf's runs of work as moments. Its span is laid from its start up to the
        work done (and the pauses behind it), and back from its finish for the rest: a gap
        left by the status date falls between the two."""
        start, finish = self.early[2 * i], self.early[2 * i + 1]
        total, done = span(task.duration, task.pauses), worked_span(task)
        calendar = self.calendars[i]

        def index(position: int, *, is_start: bool) -> int:
            behind = position < done if is_start else position <= done
            return start + position if behind else finish - (total - position)

        found = [
            (
                calendar.start_of(index(first, is_start=True)),
                calendar.finish_of(index(last, is_start=False)),
            )
            for first, last in runs(task.duration, task.pauses)
        ]
        found[0] = (self.moment(2 * i), found[0][1])
        found[-1] = (found[-1][0], self.moment(2 * i + 1))
        return tuple(found)
