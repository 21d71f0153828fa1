"""The leveling engine's working parts: the problem compiled to indexed lists, the
precedence-only dates, the serial schedule-generation scheme (SGS) forwards and backwards, and
the left shift. ``charter.engine.leveling`` puts them together.

Resource use is kept as one list per resource of the units still free in each period. Finding
where an activity fits scans its window resource by resource and, on a period that is short,
jumps past the *last* short period of the window, so a placement costs about one window scan
per obstacle rather than one per period.
"""

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from charter.engine.leveling_model import (
    PRIORITY_MAX,
    PRIORITY_MIN,
    Problem,
    Rule,
    Unplaceable,
)
from charter.engine.model import CycleError

type Key = tuple[int, ...]
type Demand = list[tuple[int, int]]  # (resource index, units), units > 0
type Starts = list[int]  # -1: not placed
type Failure = tuple[Unplaceable, int]  # why, and the resource index at fault or -1

UNPLACED = -1


@dataclass(slots=True)
class Compiled:
    """A ``Problem`` as lists indexed by position (activity ``ids[i]`` is index ``i``)."""

    ids: list[int]
    duration: list[int]
    release: list[int]
    priority: list[int]
    deadline: list[int | None]
    demand: list[Demand]
    successors: list[list[tuple[int, int]]]  # (index, start-to-start lag)
    predecessors: list[list[tuple[int, int]]]
    finish_links: list[list[tuple[int, int]]]  # per successor: (predecessor, from_finish lag)
    splittable: list[bool]
    topological: list[int]
    capacity: list[list[int]]  # per resource: units per period, grown on demand to `horizon`
    constant: list[int]  # per resource: units per period after its availability list
    peak: list[int]  # per resource: the most units it ever has before the horizon
    resource_ids: list[int]
    horizon: int
    early: list[int]  # precedence-only earliest starts
    late: list[int]  # latest starts used for the priority order
    lower_bound: int  # makespan of the precedence network alone

    def fresh(self) -> list[list[int]]:
        """A profile of free units to place activities in."""
        return [list(row) for row in self.capacity]


def compile_problem(problem: Problem) -> Compiled:
    activities = list(problem.activities)
    ids = [a.id for a in activities]
    index = {activity_id: i for i, activity_id in enumerate(ids)}
    if len(index) != len(ids):
        raise ValueError("activity ids must be unique")
    resource_index = {r.id: k for k, r in enumerate(problem.resources)}
    if len(resource_index) != len(problem.resources):
        raise ValueError("resource ids must be unique")
    demand: list[Demand] = []
    for a in activities:
        if a.duration < 0 or a.release < 0:
            raise ValueError(f"activity {a.id}: duration and release must not be negative")
        if not PRIORITY_MIN <= a.priority <= PRIORITY_MAX:
            raise ValueError(f"activity {a.id}: priority must be 1-1000")
        needs: Demand = []
        for resource_id, units in sorted(a.demand.items()):
            if resource_id not in resource_index:
                raise ValueError(f"activity {a.id} demands unknown resource {resource_id}")
            if units < 0:
                raise ValueError(f"activity {a.id}: demand must not be negative")
            if units and a.duration:
                needs.append((resource_index[resource_id], units))
        demand.append(needs)
    n = len(ids)
    duration = [a.duration for a in activities]
    successors: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    predecessors: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    finish_links: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for link in problem.precedences:
        if link.predecessor not in index or link.successor not in index:
            raise ValueError(f"precedence {link} names an unknown activity")
        p, s = index[link.predecessor], index[link.successor]
        lag = link.lag
        if link.from_finish:  # exact while p runs unsplit; the split pass also reads the raw link
            finish_links[s].append((p, lag))
            lag += duration[p]
        successors[p].append((s, lag))
        predecessors[s].append((p, lag))
    topological = _topological(ids, successors, predecessors)
    release = [a.release for a in activities]
    early = list(release)
    for j in topological:
        for i, lag in predecessors[j]:
            early[j] = max(early[j], early[i] + lag)
    lower_bound = max((early[i] + duration[i] for i in range(n)), default=0)
    late = [lower_bound - duration[i] for i in range(n)]
    for i in reversed(topological):
        deadline = activities[i].deadline
        if deadline is not None:
            late[i] = min(late[i], deadline - duration[i])
        for j, lag in successors[i]:
            late[i] = min(late[i], late[j] - lag)
    for i, a in enumerate(activities):
        if a.late_start is not None:
            late[i] = a.late_start
    listed = max((len(r.availability) for r in problem.resources), default=0)
    horizon = problem.horizon
    if horizon is None:
        positive = sum(max(0, link.lag) for link in problem.precedences)
        horizon = max(release, default=0) + listed + sum(duration) + positive
    constant = [r.capacity for r in problem.resources]
    capacity = [list(r.availability[:horizon]) for r in problem.resources]
    start_length = min(horizon, max(listed, lower_bound + 1))
    for row, units in zip(capacity, constant, strict=True):
        row.extend([units] * (start_length - len(row)))
    peak = [
        max(max(row, default=0), units if horizon > len(r.availability) else 0)
        for row, units, r in zip(capacity, constant, problem.resources, strict=True)
    ]
    return Compiled(
        ids=ids,
        duration=duration,
        release=release,
        priority=[a.priority for a in activities],
        deadline=[a.deadline for a in activities],
        demand=demand,
        successors=successors,
        predecessors=predecessors,
        finish_links=finish_links,
        splittable=[a.splittable for a in activities],
        topological=topological,
        capacity=capacity,
        constant=constant,
        peak=peak,
        resource_ids=[r.id for r in problem.resources],
        horizon=horizon,
        early=early,
        late=late,
        lower_bound=lower_bound,
    )


def _topological(
    ids: list[int],
    successors: list[list[tuple[int, int]]],
    predecessors: list[list[tuple[int, int]]],
) -> list[int]:
    waiting = [len(p) for p in predecessors]
    order = [i for i, count in enumerate(waiting) if count == 0]
    for i in order:  # grows while it is read
        for j, _lag in successors[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                order.append(j)
    if len(order) == len(ids):
        return order
    # Walk backwards through unplaced predecessors until a node repeats: that is a cycle.
    node = next(i for i, count in enumerate(waiting) if count > 0)
    seen: dict[int, int] = {}
    path: list[int] = []
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = next(p for p, _lag in predecessors[node] if waiting[p] > 0)
    cycle = path[seen[node] :][::-1]
    raise CycleError([ids[i] for i in cycle])


def rule_keys(c: Compiled, rule: Rule) -> list[Key]:
    """Per activity, the sort key of ``rule`` (smaller goes first)."""
    n = len(c.ids)
    if rule is Rule.ID:
        return [(c.ids[i],) for i in range(n)]
    if rule is Rule.LATEST_START:
        primary = c.late
    elif rule is Rule.LATEST_FINISH:
        primary = [c.late[i] + c.duration[i] for i in range(n)]
    else:
        primary = [c.late[i] - c.early[i] for i in range(n)]
    return [(primary[i], c.early[i], -c.priority[i], c.ids[i]) for i in range(n)]


def grow(c: Compiled, rows: list[list[int]], r: int, end: int) -> None:
    """Extend resource ``r``'s rows (the base capacity and ``rows``) to at least ``end``."""
    base = c.capacity[r]
    target = min(c.horizon, max(end, 2 * len(base)))
    if len(base) < target:
        base.extend([c.constant[r]] * (target - len(base)))
    row = rows[r]
    if row is not base and len(row) < len(base):
        row.extend(base[len(row) :])


def earliest(
    c: Compiled, rows: list[list[int]], needs: Demand, t: int, d: int, last: int
) -> int | None:
    """The earliest start in ``t .. last`` where ``needs`` fits for ``d`` periods."""
    while t <= last:
        end = t + d
        for r, q in needs:
            row = rows[r]
            if len(row) < end:
                grow(c, rows, r, end)
            if min(row[t:end]) < q:
                p = end - 1
                while row[p] >= q:
                    p -= 1
                t = p + 1
                break
        else:
            return t
    return None


def latest(
    c: Compiled, rows: list[list[int]], needs: Demand, t: int, d: int, first: int
) -> int | None:
    """The latest start in ``first .. t`` where ``needs`` fits for ``d`` periods."""
    while t >= first:
        end = t + d
        for r, q in needs:
            row = rows[r]
            if len(row) < end:
                grow(c, rows, r, end)
            if min(row[t:end]) < q:
                p = t
                while row[p] >= q:
                    p += 1
                t = p - d
                break
        else:
            return t
    return None


def take(
    c: Compiled, rows: list[list[int]], needs: Demand, start: int, d: int, sign: int = 1
) -> None:
    """Use (``sign`` 1) or give back (-1) ``needs`` over ``start .. start + d - 1``."""
    end = start + d
    for r, q in needs:
        row = rows[r]
        if len(row) < end:
            grow(c, rows, r, end)
        units = q * sign
        row[start:end] = [free - units for free in row[start:end]]


def serial(c: Compiled, keys: Sequence[Key]) -> tuple[Starts, dict[int, Failure]]:
    """One forward serial SGS: repeatedly take the eligible activity (every predecessor
    placed) with the smallest key and start it at its earliest resource-feasible period.
    Returns the starts and, for each activity that could not be placed, why."""
    rows = c.fresh()
    starts = [UNPLACED] * len(c.ids)

    def place(i: int, bound: int) -> Failure | None:
        return place_contiguous(c, rows, starts, i, bound)

    return starts, in_key_order(c, keys, starts, place)


def in_key_order(
    c: Compiled,
    keys: Sequence[Key],
    starts: Starts,
    place: Callable[[int, int], Failure | None],
) -> dict[int, Failure]:
    """The serial SGS's order: repeatedly take the eligible activity (every predecessor
    placed) with the smallest key and ``place(i, bound)`` it, ``bound`` being its release and
    its start-to-start lags from its predecessors' ``starts``. ``place`` sets ``starts[i]`` or
    returns why it cannot; an activity with an unplaced predecessor fails without a call.
    Returns the failures."""
    failed: dict[int, Failure] = {}
    waiting = [len(p) for p in c.predecessors]
    heap = [(keys[i], i) for i in range(len(c.ids)) if waiting[i] == 0]
    heapq.heapify(heap)
    release, predecessors, successors = c.release, c.predecessors, c.successors
    while heap:
        _key, i = heapq.heappop(heap)
        bound = release[i]
        blocked = False
        for p, lag in predecessors[i]:
            if starts[p] == UNPLACED:
                blocked = True
                break
            bound = max(bound, starts[p] + lag)
        failure = (Unplaceable.PREDECESSOR, -1) if blocked else place(i, bound)
        if failure is not None:
            failed[i] = failure
        for j, _lag in successors[i]:
            waiting[j] -= 1
            if waiting[j] == 0:
                heapq.heappush(heap, (keys[j], j))
    return failed


def short_resource(c: Compiled, i: int) -> int:
    """A resource index of which activity ``i`` needs more than it ever has, or -1."""
    return next((r for r, q in c.demand[i] if q > c.peak[r]), -1)


def place_contiguous(
    c: Compiled, rows: list[list[int]], starts: Starts, i: int, bound: int
) -> Failure | None:
    """Start activity ``i`` at the earliest period from ``bound`` where it fits for its whole
    duration and take its units from ``rows``; or say why it cannot."""
    d, needs = c.duration[i], c.demand[i]
    if not needs:
        if bound + d > c.horizon:
            return (Unplaceable.NO_ROOM, -1)
        starts[i] = bound
        return None
    short = short_resource(c, i)
    if short >= 0:
        return (Unplaceable.OVER_CAPACITY, short)
    at = earliest(c, rows, needs, bound, d, c.horizon - d)
    if at is None:
        return (Unplaceable.NO_ROOM, -1)
    starts[i] = at
    take(c, rows, needs, at, d)
    return None


def backward(c: Compiled, starts: Starts, finish: int) -> Starts | None:
    """A backward serial SGS: activities taken by latest finish in ``starts`` first, each
    placed as late as it fits before ``finish`` and its placed successors. Releases are not
    enforced (the forward pass that follows restores them); ``None`` when something does not
    fit (capacity that varies over time can do that)."""
    n = len(c.ids)
    rows = c.fresh()
    late = [UNPLACED] * n
    waiting = [len(s) for s in c.successors]
    heap = [(-(starts[i] + c.duration[i]), -c.ids[i], i) for i in range(n) if waiting[i] == 0]
    heapq.heapify(heap)
    while heap:
        _f, _id, i = heapq.heappop(heap)
        d = c.duration[i]
        bound = finish - d
        for j, lag in c.successors[i]:
            bound = min(bound, late[j] - lag)
        if c.demand[i]:
            at = latest(c, rows, c.demand[i], bound, d, 0)
            if at is None:
                return None
            take(c, rows, c.demand[i], at, d)
        elif bound < 0:
            return None
        else:
            at = bound
        late[i] = at
        for p, _lag in c.predecessors[i]:
            waiting[p] -= 1
            if waiting[p] == 0:
                heapq.heappush(heap, (-(starts[p] + c.duration[p]), -c.ids[p], p))
    return late


def makespan(c: Compiled, starts: Starts) -> int:
    return max((s + d for s, d in zip(starts, c.duration, strict=True) if s != UNPLACED), default=0)


def left_shift(c: Compiled, starts: Starts) -> Starts:
    """Move every activity of a feasible schedule as early as it fits, the others staying
    put, until none moves. Nothing ever moves later, so the result stays feasible and its
    makespan never grows."""
    starts = list(starts)
    rows = c.fresh()
    placed = [i for i in range(len(starts)) if starts[i] != UNPLACED]
    for i in placed:
        take(c, rows, c.demand[i], starts[i], c.duration[i])
    moved = True
    while moved:
        moved = False
        for i in sorted(placed, key=lambda k: (starts[k], c.ids[k])):
            bound = c.release[i]
            for p, lag in c.predecessors[i]:
                bound = max(bound, starts[p] + lag)
            if bound >= starts[i]:
                continue
            d, needs = c.duration[i], c.demand[i]
            take(c, rows, needs, starts[i], d, -1)
            at = earliest(c, rows, needs, bound, d, starts[i])
            assert at is not None  # its own start still fits
            take(c, rows, needs, at, d)
            if at < starts[i]:
                starts[i] = at
                moved = True
    return starts
