"""The general pass of ``charter.engine.plan``: leaf tasks on their own calendars and with
progress against a status date (the rules and the method are in that module's docstring)."""

from dataclasses import dataclass
from datetime import datetime
from typing import NoReturn

from charter.engine.calendar import WorkCalendar
from charter.engine.cpm import schedule
from charter.engine.leaf_dates import (
    LeafDates,
    Rule,
    constraint_rule,
    done_on_actuals,
    worked_span,
)
from charter.engine.model import Constraint, Link, Task, Timing
from charter.engine.plan_model import PlanTask, TaskDates
from charter.engine.splits import span

type LinkEnd = tuple[int, int, int]  # (predecessor slot, successor slot, lag), slots as cpm's

UNBOUNDED = -(1 << 62)


@dataclass(frozen=True, slots=True)
class _Work:
    """How one leaf's early dates follow from the bounds its links set (own-calendar indexes)."""

    duration: int  # the span: work and pauses
    rule: Rule  # None once the task has an actual start
    floor: int  # earliest start: the project start, and the status date until the task starts
    fixed_start: int | None  # the actual start (done: else the actual finish less the duration)
    fixed_finish: int | None  # done on actual dates: the finish
    worked: int  # minutes of the span behind it: work done and pauses in it
    resume: int  # the remaining work starts no earlier: the status date, else UNBOUNDED
    done: bool

    @classmethod
    def of(
        cls, task: PlanTask, calendar: WorkCalendar, start: datetime, status: datetime | None
    ) -> "_Work":
        percent = task.percent_complete
        if task.duration < 0:
            raise ValueError(f"task {task.id} has a negative duration ({task.duration})")
        duration = span(task.duration, task.pauses)
        actual = None if task.actual_start is None else calendar.to_index(task.actual_start)
        if done_on_actuals(task):
            return cls._done(task, calendar, actual)
        started = actual is not None or percent > 0
        floor = calendar.to_index(start)
        if status is not None and not started:
            floor = max(floor, calendar.to_index(status))
        resume = UNBOUNDED
        if status is not None and started and percent < 100:
            resume = calendar.to_index(status)
        rule = None if actual is not None else constraint_rule(task, calendar)
        return cls(duration, rule, floor, actual, None, worked_span(task), resume, percent >= 100)

    @classmethod
    def _done(cls, task: PlanTask, calendar: WorkCalendar, actual: int | None) -> "_Work":
        duration = span(task.duration, task.pauses)
        if task.actual_finish is None:
            assert actual is not None  # the caller's condition
            start, finish = actual, actual + duration
        else:
            finish = calendar.to_index(task.actual_finish)
            start = max(finish - duration, 0) if actual is None else actual
            if finish < start:
                raise ValueError(f"task {task.id}: its actual finish is before its actual start")
        return cls(finish - start, None, start, start, finish, finish - start, UNBOUNDED, True)

    def early(self, start_bound: int, finish_bound: int, late_start: int | None) -> tuple[int, int]:
        """(start, finish) after links that bind its start and finish no earlier than the
        bounds; ``late_start`` places an ALAP task."""
        if self.fixed_start is not None and self.fixed_finish is not None:
            return self.fixed_start, self.fixed_finish
        start = self.fixed_start
        if start is None:
            start = max(self.floor, start_bound, finish_bound - self.duration)
            if self.rule is not None:
                start = _constrained_start(self.rule, start, self.duration, late_start)
        finish = max(start + self.worked, self.resume) + self.duration - self.worked
        return start, max(finish, finish_bound)


class GeneralPass:
    """The leaves scheduled by the general pass, in topological order."""

    def __init__(
        self,
        leaves: list[PlanTask],
        links: list[Link],
        calendars: list[WorkCalendar],
        project: WorkCalendar,
        start: datetime,
        status: datetime | None,
    ) -> None:
        self.leaves = leaves
        self.project = project
        self.work = [
            _Work.of(task, calendar, start, status)
            for task, calendar in zip(leaves, calendars, strict=True)
        ]
        self.into, self.out = _link_ends(leaves, links)
        self.order = self._order(links)
        size = 2 * len(leaves)
        self.dates = LeafDates(project, calendars, [0] * size, [0] * size, [False] * len(leaves))
        for i, task in enumerate(leaves):
            for slot, actual in ((2 * i, task.actual_start), (2 * i + 1, task.actual_finish)):
                if actual is not None:
                    self.dates.actual[slot] = actual
        self._forward(alap=False)
        self.finish = max((self.dates.moment(2 * i + 1) for i in self.order), default=start)
        self._backward()
        if any(work.rule is not None and work.rule[0] is Constraint.ALAP for work in self.work):
            self._forward(alap=True)
        self.finish_index = project.to_index(self.finish)
        self.timings = [self._timing(i) for i in range(len(leaves))]

    def dated(self) -> dict[int, TaskDates]:
        return {
            task.id: self.dates.task_dates(i, task, self.timings[i])
            for i, task in enumerate(self.leaves)
        }

    def critical_paths(self) -> list[list[int]]:
        """cpm's grouping: critical leaves joined by links without slack."""
        critical = {i for i in self.order if self.timings[i].critical}
        group_of = {i: i for i in critical}
        for i in critical:
            for end in self.out[i]:
                if end[1] >> 1 in critical and self._slack(end) == 0:
                    group_of[_root(group_of, i)] = _root(group_of, end[1] >> 1)
        groups: dict[int, list[int]] = {}
        for i in self.order:
            if i in critical:
                groups.setdefault(_root(group_of, i), []).append(self.leaves[i].id)
        return list(groups.values())

    def _order(self, links: list[Link]) -> list[int]:
        waiting = [len(ends) for ends in self.into]
        order = [i for i, count in enumerate(waiting) if count == 0]
        for i in order:  # grows while we walk it
            for _pred_slot, succ_slot, _lag in self.out[i]:
                waiting[succ_slot >> 1] -= 1
                if not waiting[succ_slot >> 1]:
                    order.append(succ_slot >> 1)
        if len(order) < len(waiting):
            _raise_cycle(self.leaves, links)
        return order

    def _forward(self, *, alap: bool) -> None:
        early, late, by_finish = self.dates.early, self.dates.late, self.dates.by_finish
        for i in self.order:
            start_bound = finish_bound = from_finish = UNBOUNDED
            for pred_slot, succ_slot, lag in self.into[i]:
                bound = self._carry(pred_slot, succ_slot, lag, late=False)
                if succ_slot & 1:
                    finish_bound = max(finish_bound, bound)
                else:
                    start_bound = max(start_bound, bound)
                if pred_slot & 1 and self.dates.shown_at_evening(pred_slot >> 1):
                    from_finish = max(from_finish, bound)
            late_start = late[2 * i] if alap else None
            start, finish = self.work[i].early(start_bound, finish_bound, late_start)
            early[2 * i], early[2 * i + 1] = start, finish
            by_finish[i] = start == finish == from_finish

    def _backward(self) -> None:
        early, late, calendars = self.dates.early, self.dates.late, self.dates.calendars
        distinct = {id(calendar): calendar for calendar in calendars}
        finish_on = {key: calendar.to_index(self.finish) for key, calendar in distinct.items()}
        for i in reversed(self.order):
            length = early[2 * i + 1] - early[2 * i]
            finish = finish_on[id(calendars[i])]
            for pred_slot, succ_slot, lag in self.out[i]:
                bound = self._carry(succ_slot, pred_slot, -lag, late=True)
                finish = min(finish, bound if pred_slot & 1 else bound + length)
            rule = self.work[i].rule
            if rule is not None:
                finish = _constrained_finish(rule, finish, length)
            late[2 * i], late[2 * i + 1] = finish - length, finish

    def _carry(self, source: int, target: int, lag: int, *, late: bool) -> int:
        """Slot ``source``'s date moved by ``lag`` project minutes, as an index of the calendar
        of slot ``target``'s task: plain addition when both are on one calendar that the lag
        does not leave."""
        calendars = self.dates.calendars
        source_calendar, target_calendar = calendars[source >> 1], calendars[target >> 1]
        if source_calendar is target_calendar and (lag == 0 or source_calendar is self.project):
            return (self.dates.late if late else self.dates.early)[source] + lag
        moment = self.dates.moment(source, late=late)
        return target_calendar.to_index(self._shift(moment, lag) if lag else moment)

    def _shift(self, moment: datetime, lag: int) -> datetime:
        """``add_working`` on the project calendar, held to its range: a bound beyond it is
        weaker than the project's start or finish anyway."""
        index = min(max(self.project.to_index(moment) + lag, 0), self.project.total_minutes)
        return self.project.finish_of(index) if lag > 0 else self.project.start_of(index)

    def _slack(self, end: LinkEnd) -> int:
        """How much later the link's successor end is than the link asks, in project minutes."""
        pred_slot, succ_slot, lag = end
        return self.dates.project_index(succ_slot) - lag - self.dates.project_index(pred_slot)

    def _timing(self, i: int) -> Timing:
        dates, work = self.dates, self.work[i]
        start, finish = dates.early[2 * i], dates.early[2 * i + 1]
        total = dates.project_index(2 * i, late=True) - dates.project_index(2 * i)
        slacks = [self._slack(end) for end in self.out[i]]
        return Timing(
            early_start=start,
            early_finish=finish,
            late_start=dates.late[2 * i],
            late_finish=dates.late[2 * i + 1],
            total_float=total,
            free_float=min(self.finish_index - dates.project_index(2 * i + 1), total, *slacks),
            critical=dates.late[2 * i] <= start and not work.done,
            violated=_violates(work.rule, start, finish),
        )


def _link_ends(
    leaves: list[PlanTask], links: list[Link]
) -> tuple[list[list[LinkEnd]], list[list[LinkEnd]]]:
    """Per leaf, its links from predecessors and to successors, as slots."""
    position = {task.id: i for i, task in enumerate(leaves)}
    into: list[list[LinkEnd]] = [[] for _ in leaves]
    out: list[list[LinkEnd]] = [[] for _ in leaves]
    for link in links:
        pred, succ = position[link.predecessor], position[link.successor]
        end = (2 * pred + (link.type[0] == "F"), 2 * succ + (link.type[1] == "F"), link.lag)
        out[pred].append(end)
        into[succ].append(end)
    return into, out


def _raise_cycle(leaves: list[PlanTask], links: list[Link]) -> NoReturn:
    """cpm finds and names the cycle, as it does on the fast path."""
    schedule([Task(task.id, 0) for task in leaves], links)
    raise AssertionError("cpm scheduled links that form a cycle")


def _root(group_of: dict[int, int], i: int) -> int:
    while group_of[i] != i:
        group_of[i] = group_of[group_of[i]]
        i = group_of[i]
    return i


def _constrained_start(
    rule: tuple[Constraint, int], start: int, length: int, late: int | None
) -> int:
    kind, at = rule
    if kind is Constraint.ALAP:
        return start if late is None else max(start, late)
    if kind is Constraint.SNET or kind is Constraint.MSO:
        return max(start, at)
    if kind is Constraint.FNET or kind is Constraint.MFO:
        return max(start, at - length)
    return start


def _constrained_finish(rule: tuple[Constraint, int], finish: int, length: int) -> int:
    kind, at = rule
    if kind is Constraint.SNLT or kind is Constraint.MSO:
        return min(finish, at + length)
    if kind is Constraint.FNLT or kind is Constraint.MFO:
        return min(finish, at)
    return finish


def _violates(rule: Rule, start: int, finish: int) -> bool:
    if rule is None:
        return False
    kind, at = rule
    return (
        (kind is Constraint.MSO and start != at)
        or (kind is Constraint.MFO and finish != at)
        or (kind is Constraint.SNLT and start > at)
        or (kind is Constraint.FNLT and finish > at)
    )
