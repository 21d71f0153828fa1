"""The plan's outline: parents and depths, links on summary tasks expanded to links between
leaf tasks, and summary tasks' dates rolled up from their children (the rules are in
``charter.engine.plan``)."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from charter.engine.calendar import WorkCalendar
from charter.engine.model import Link
from charter.engine.plan_model import PlanLink, PlanTask, TaskDates


@dataclass(frozen=True, slots=True)
class Outline:
    parent: dict[int, int | None]
    children: dict[int, list[int]]
    leaves: dict[int, list[int]]  # task id -> its leaf tasks' ids (itself for a leaf)
    summaries: list[int]  # deepest first

    @classmethod
    def of(cls, tasks: Sequence[PlanTask]) -> "Outline":
        parent: dict[int, int | None] = {}
        for task in tasks:
            if task.id in parent:
                raise ValueError(f"duplicate task id: {task.id}")
            parent[task.id] = task.parent
        children: dict[int, list[int]] = {}
        for task in tasks:
            if task.parent is not None:
                if task.parent not in parent:
                    raise ValueError(f"task {task.id}: its parent {task.parent} is not a task")
                children.setdefault(task.parent, []).append(task.id)
        depth = _depths(parent)
        summaries = sorted(children, key=lambda task_id: -depth[task_id])
        leaves = {task_id: [task_id] for task_id in parent if task_id not in children}
        for summary in summaries:  # deepest first: its children's leaves are known
            leaves[summary] = [leaf for child in children[summary] for leaf in leaves[child]]
        return cls(parent, children, leaves, summaries)

    def contains(self, outer: int, inner: int) -> bool:
        """Whether ``inner`` is ``outer`` or lies below it."""
        at: int | None = inner
        while at is not None and at != outer:
            at = self.parent[at]
        return at == outer


def _depths(parent: dict[int, int | None]) -> dict[int, int]:
    """Each task's outline depth (0 at the top); ValueError on a cycle of parents."""
    depth: dict[int, int] = {}
    for task_id in parent:
        path: dict[int, int] = {}  # task id -> place on the walk up
        at: int | None = task_id
        while at is not None and at not in depth:
            if at in path:
                cycle = [*list(path)[path[at] :], at]
                raise ValueError("the parents form a cycle: " + " → ".join(map(str, cycle)))
            path[at] = len(path)
            at = parent[at]
        above = -1 if at is None else depth[at]
        for steps, walked in enumerate(reversed(path), start=1):
            depth[walked] = above + steps
    return depth


def links_between_leaves(links: Iterable[PlanLink], outline: Outline) -> Iterator[Link]:
    for link in links:
        pred, succ = link.predecessor, link.successor
        for end in (pred, succ):
            if end not in outline.parent:
                raise ValueError(f"a link names an unknown task: {end}")
        on_summary = pred in outline.children or succ in outline.children
        if on_summary and (outline.contains(pred, succ) or outline.contains(succ, pred)):
            raise ValueError(f"the link {pred} → {succ} joins a summary task to its own subtask")
        for leaf_pred in outline.leaves[pred]:
            for leaf_succ in outline.leaves[succ]:
                yield Link(leaf_pred, leaf_succ, link.type, link.lag)


def roll_up(dated: dict[int, TaskDates], outline: Outline, calendar: WorkCalendar) -> None:
    for summary in outline.summaries:  # deepest first: its children are dated
        below = [dated[child] for child in outline.children[summary]]
        start, finish = min(d.start for d in below), max(d.finish for d in below)
        dated[summary] = TaskDates(
            start=start,
            finish=finish,
            late_start=min(d.late_start for d in below),
            late_finish=max(d.late_finish for d in below),
            total_float=min(d.total_float for d in below),
            free_float=min(d.free_float for d in below),
            critical=any(d.critical for d in below),
            violated=any(d.violated for d in below),
            summary=True,
            percent_complete=_weighted_percent(below),
            duration=calendar.working_minutes(start, finish),
        )


def _weighted_percent(below: list[TaskDates]) -> int:
    """Duration-weighted, rounded down (a summary shows 100 only when all of it is done);
    the plain mean when every child takes no time."""
    total = sum(d.duration for d in below)
    if total == 0:
        return sum(d.percent_complete for d in below) // len(below)
    return sum(d.percent_complete * d.duration for d in below) // total
