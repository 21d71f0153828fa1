"""Critical-path scheduling in integer working minutes: forward and backward pass over the four
link types with lags and leads, constraints, floats, and an incremental reschedule.

``schedule`` returns a :class:`Schedule`, a read-only ``Mapping[int, Timing]`` from task id to
its :class:`~charter.engine.model.Timing`, plus ``finish`` and ``critical_paths()``. The passes
compute the four dates of every task into flat lists; a ``Timing`` (with its floats and the
violation flag) is built when it is read, because building 10,000 frozen dataclasses costs more
than the scheduling itself. For the same reason the links are held as columns of ints, not as
an object per link.

Schedule order is a topological order that keeps the task list's order wherever the links
allow it: for a list in which every link points forward, it is the list itself.

Rules (the project has one calendar, so everything is integer arithmetic):

- Every link is ``succ.<side> >= pred.<side> + lag``; the first letter of the link type names
  the predecessor's side (Start/Finish), the second the successor's. A negative lag is a lead.
- No task starts before ``project_start``; no late finish is after the project finish
  (``max`` early finish unless ``project_finish`` is given).
- SNET/FNET push early dates. MSO/MFO pin the task: early dates no earlier, late dates no later
  than the constraint. SNLT/FNLT cap the late dates. A hard constraint (MSO/MFO/SNLT/FNLT) that
  logic or the project start does not allow is not enforced: the task keeps its logic-driven
  dates and ``violated`` is set; the conflict shows as negative float.
- ALAP tasks are placed at their late dates after the backward pass (as MS Project does), and
  their successors follow them. Placed late, an ALAP task has no float left, so it is critical.
- Total float is ``LS - ES``; free float is the least slack any outgoing link leaves (early
  dates on both ends), never more than ``finish - EF`` nor than the total float; critical means
  total float ``<= 0``.
"""

import heapq
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import accumulate
from operator import attrgetter

from charter.engine.model import Constraint, CycleError, Link, LinkType, Task, Timing

# Dates live in flat lists, two slots per task position i: [2i] is the start, [2i + 1] the
# finish. A link end is one such slot, so a link of any type is just "slot >= slot + lag".
type Slots = list[int]
type Rule = tuple[Constraint, int] | None  # (constraint, at) or None for ASAP

NEEDS_DATE = frozenset(Constraint) - {Constraint.ASAP, Constraint.ALAP}
# A link type's slot offsets: 1 where its predecessor's (FROM) or successor's (TO) end is the
# finish. The type's first letter names the predecessor's side, the second the successor's.
FROM_FINISH = {link_type: int(link_type[0] == "F") for link_type in LinkType}
TO_FINISH = {link_type: int(link_type[1] == "F") for link_type in LinkType}
PREDECESSOR, SUCCESSOR = attrgetter("predecessor"), attrgetter("successor")
LINK_TYPE, LAG = attrgetter("type"), attrgetter("lag")


@dataclass(frozen=True, slots=True)
class _Links:
    """Links grouped by the task at one of their ends: task i's links are at indexes
    ``first[i]`` up to ``first[i + 1]`` of the columns, in the order they were given. Durations
    stay out of it, so a reschedule can change them."""

    first: list[int]
    pred_slot: list[int]
    succ_slot: list[int]
    lag: list[int]

    def of(self, i: int) -> range:
        return range(self.first[i], self.first[i + 1])


def _grouped(
    by: list[int], task_count: int, pred_slot: list[int], succ_slot: list[int], lag: list[int]
) -> _Links:
    """The links (one column entry each) grouped by ``by``, the position of their task."""
    order = sorted(range(len(by)), key=by.__getitem__)  # stable: given order within a task
    counts = [0] * (task_count + 1)
    for i in by:
        counts[i + 1] += 1
    return _Links(
        list(accumulate(counts)),
        list(map(pred_slot.__getitem__, order)),
        list(map(succ_slot.__getitem__, order)),
        list(map(lag.__getitem__, order)),
    )


@dataclass(frozen=True, slots=True)
class _Network:
    """The tasks and links by position; built once, shared by a schedule and its reschedules."""

    ids: list[int]
    position: dict[int, int]
    durations: list[int]
    rules: list[Rule]
    out: _Links  # grouped by predecessor
    indegree: list[int]  # per task, how many links come from predecessors
    order: list[int]  # positions in schedule order
    link_count: int
    alap: list[int]  # positions of the ALAP tasks
    ranks: list[int]  # position -> index in ``order``; filled on first use by ``rank()``
    incoming: list[_Links]  # the links grouped by successor; filled on first use by ``into()``

    def into(self) -> _Links:
        # The full passes need only ``out``; reschedules and the cycle report need both.
        if not self.incoming:
            out = self.out
            by_successor = [slot >> 1 for slot in out.succ_slot]
            grouped = _grouped(by_successor, len(self.ids), out.pred_slot, out.succ_slot, out.lag)
            self.incoming.append(grouped)
        return self.incoming[0]

    def rank(self) -> list[int]:
        # Only incremental passes need it; a plain schedule does not pay for it.
        if not self.ranks:
            self.ranks.extend([0] * len(self.order))
            for index, position in enumerate(self.order):
                self.ranks[position] = index
        return self.ranks


class Schedule(Mapping[int, Timing]):
    """The result of :func:`schedule`: task id -> ``Timing``, plus ``finish`` (the project
    finish) and ``critical_paths()``. Immutable; equal to any mapping with the same timings."""

    __slots__ = ("_early", "_late", "_logic", "_net", "finish", "fixed_finish", "start")

    def __init__(
        self,
        net: _Network,
        dates: tuple[int, int, int | None],
        logic: Slots,
        early: Slots,
        late: Slots,
    ) -> None:
        self._net = net
        self.start, self.finish, self.fixed_finish = dates  # fixed: the project_finish given
        self._logic = logic  # early dates before ALAP placement (they set the finish)
        self._early = early
        self._late = late

    def __getitem__(self, task_id: int) -> Timing:
        i = self._net.position[task_id]
        early, late = self._early, self._late
        es, ef, ls, lf = early[2 * i], early[2 * i + 1], late[2 * i], late[2 * i + 1]
        total = ls - es
        return Timing(
            early_start=es,
            early_finish=ef,
            late_start=ls,
            late_finish=lf,
            total_float=total,
            free_float=self._free_float(i, min(self.finish - ef, total)),
            critical=total <= 0,
            violated=_violates(self._net.rules[i], es, ef),
        )

    def __iter__(self) -> Iterator[int]:
        return iter(self._net.ids)

    def __len__(self) -> int:
        return len(self._net.ids)

    def _link_slacks(self, i: int) -> Iterator[tuple[int, int]]:
        """(successor position, slack) of each link from task i, on early dates."""
        early, links = self._early, self._net.out
        for k in links.of(i):
            succ_slot = links.succ_slot[k]
            yield succ_slot >> 1, early[succ_slot] - links.lag[k] - early[links.pred_slot[k]]

    def _free_float(self, i: int, limit: int) -> int:
        return min([limit, *(slack for _j, slack in self._link_slacks(i))])

    def critical_paths(self) -> list[list[int]]:
        """The critical tasks, grouped by the zero-slack links between them: each list is one
        connected group in schedule order (a plain chain unless critical branches run in
        parallel). Groups come in the order of their first task."""
        net = self._net
        critical = {i for i in net.order if self._late[2 * i] <= self._early[2 * i]}
        group_of = {i: i for i in critical}
        for i in critical:
            for j, slack in self._link_slacks(i):
                if slack == 0 and j in critical:
                    group_of[_root(group_of, i)] = _root(group_of, j)
        groups: dict[int, list[int]] = {}
        for i in net.order:
            if i in critical:
                groups.setdefault(_root(group_of, i), []).append(net.ids[i])
        return list(groups.values())


def _root(group_of: dict[int, int], i: int) -> int:
    while group_of[i] != i:
        group_of[i] = group_of[group_of[i]]
        i = group_of[i]
    return i


def _violates(rule: Rule, es: int, ef: int) -> bool:
    if rule is None:
        return False
    kind, at = rule
    if kind is Constraint.MSO:
        return es != at
    if kind is Constraint.MFO:
        return ef != at
    if kind is Constraint.SNLT:
        return es > at
    if kind is Constraint.FNLT:
        return ef > at
    return False


def schedule(
    tasks: Sequence[Task],
    links: Sequence[Link],
    *,
    project_start: int = 0,
    project_finish: int | None = None,
) -> Schedule:
    """Schedule ``tasks`` under ``links`` (see the module docstring for the rules).

    Raises ``CycleError`` (the ids on one cycle, in order) when the links form a cycle, and
    ``ValueError`` for a link to an unknown task, a duplicate task id, a negative duration or
    a dated constraint without its date."""
    net = _build(tasks, links)
    logic = [project_start] * (2 * len(net.ids))
    _first_pass(net, logic)
    if len(net.order) < len(net.ids):
        raise CycleError([net.ids[i] for i in _cycle(net)])
    finish = (
        project_finish if project_finish is not None else max(logic[1::2], default=project_start)
    )
    late = [0] * len(logic)
    _backward(net, late, finish)
    early = logic
    if net.alap:
        early = logic.copy()
        _place_alap(net, early, late)
    return Schedule(net, (project_start, finish, project_finish), logic, early, late)


def reschedule(
    previous: Schedule,
    changed_task_ids: Iterable[int],
    tasks: Sequence[Task],
    links: Sequence[Link],
) -> Schedule:
    """What ``schedule(tasks, links)`` returns, with the project start and ``project_finish``
    of ``previous``, recomputing only the tasks a change can reach.

    Precondition: ``links`` are the links ``previous`` was scheduled with and only the tasks in
    ``changed_task_ids`` changed (duration or constraint), in place. Link changes need a full
    ``schedule``; a different number of tasks or a changed task at another place falls back
    to one."""
    net = previous._net
    changed = [net.position.get(task_id, -1) for task_id in set(changed_task_ids)]
    same_shape = len(tasks) == len(net.ids) and len(links) == net.link_count
    if not same_shape or any(i < 0 or tasks[i].id != net.ids[i] for i in changed):
        start, finish = previous.start, previous.fixed_finish
        return schedule(tasks, links, project_start=start, project_finish=finish)
    return _reschedule(previous, _with_tasks(net, [tasks[i] for i in changed], changed), changed)


def _build(tasks: Sequence[Task], links: Sequence[Link]) -> _Network:
    ids = [task.id for task in tasks]
    position = {task_id: i for i, task_id in enumerate(ids)}
    if len(position) != len(ids):
        duplicates = sorted(task_id for task_id, count in Counter(ids).items() if count > 1)
        raise ValueError(f"duplicate task ids: {duplicates}")
    rules = [_rule(task) for task in tasks]
    out, indegree = _link_ends(links, position)
    alap = [i for i, rule in enumerate(rules) if rule is not None and _is_alap(rule)]
    durations = [task.duration for task in tasks]
    return _Network(ids, position, durations, rules, out, indegree, [], len(links), alap, [], [])


def _link_ends(links: Sequence[Link], position: dict[int, int]) -> tuple[_Links, list[int]]:
    """The links grouped by predecessor, and each task's count of incoming links. Column by
    column, so that most of the work runs in ``map`` and ``sorted`` rather than in a loop of
    ours; the links grouped by successor are built only when needed."""
    at = position.__getitem__
    try:
        preds = list(map(at, map(PREDECESSOR, links)))
        succs = list(map(at, map(SUCCESSOR, links)))
    except KeyError:
        ends = (end for link in links for end in (link.predecessor, link.successor))
        missing = next(end for end in ends if end not in position)
        raise ValueError(f"a link names an unknown task: {missing}") from None
    types = list(map(LINK_TYPE, links))
    pred_slot = [2 * pred + FROM_FINISH[kind] for pred, kind in zip(preds, types, strict=True)]
    succ_slot = [2 * succ + TO_FINISH[kind] for succ, kind in zip(succs, types, strict=True)]
    indegree = [0] * len(position)
    for succ in succs:
        indegree[succ] += 1
    out = _grouped(preds, len(position), pred_slot, succ_slot, list(map(LAG, links)))
    return out, indegree


def _rule(task: Task) -> Rule:
    if task.duration < 0:
        raise ValueError(f"task {task.id} has a negative duration ({task.duration})")
    if task.constraint is Constraint.ASAP:
        return None
    if task.constraint in NEEDS_DATE and task.constraint_at is None:
        raise ValueError(f"task {task.id}: a {task.constraint} constraint needs its date")
    return (task.constraint, task.constraint_at if task.constraint_at is not None else 0)


def _is_alap(rule: Rule) -> bool:
    return rule is not None and rule[0] is Constraint.ALAP


def _first_pass(net: _Network, early: Slots) -> None:
    """Kahn's topological sort and the forward pass in one walk: a task is dated as soon as
    its last predecessor is. Until then, its two slots in ``early`` hold the latest bound its
    dated predecessors' links put on its start and finish (``early`` comes in filled with the
    project start). Fills ``net.order``; tasks on or behind a cycle are left out.

    The walk scans the positions: a task ready when the scan reaches it is dated there, one
    that gets ready after the scan passed it is dated at once. So the order follows the task
    list wherever the links allow, and the lists are read mostly in sequence, which keeps the
    time per task of a large plan near that of a small one (a queue of ready tasks jumps all
    over the plan)."""
    links, durations, rules, order = net.out, net.durations, net.rules, net.order
    first, pred_slots, succ_slots, lags = links.first, links.pred_slot, links.succ_slot, links.lag
    waiting = net.indegree.copy()
    passed: list[int] = []  # ready tasks behind the scan
    for scanned in range(len(waiting)):
        if waiting[scanned]:
            continue
        i = scanned
        while True:  # the scanned task, then those its links make ready behind the scan
            order.append(i)
            duration = durations[i]
            es = early[2 * i]
            by_finish = early[2 * i + 1] - duration
            if by_finish > es:
                es = by_finish
            rule = rules[i]
            if rule is not None:
                es = _constrained_start(rule, es, duration)
            early[2 * i] = es
            early[2 * i + 1] = es + duration
            for k in range(first[i], first[i + 1]):
                bound = early[pred_slots[k]] + lags[k]
                succ_slot = succ_slots[k]
                if bound > early[succ_slot]:
                    early[succ_slot] = bound
                j = succ_slot >> 1
                waiting[j] -= 1
                if not waiting[j] and j < scanned:
                    passed.append(j)
            if not passed:
                break
            i = passed.pop()


def _cycle(net: _Network) -> list[int]:
    """One cycle among the tasks the topological sort could not reach, in link order. Each of
    them has such a predecessor, so walking back from any of them must loop."""
    dated, into = set(net.order), net.into()
    i = next(i for i in range(len(net.ids)) if i not in dated)
    walked: dict[int, int] = {}
    while i not in walked:
        walked[i] = len(walked)
        preds = (into.pred_slot[k] >> 1 for k in into.of(i))
        i = next(pred for pred in preds if pred not in dated)
    back = list(walked)[walked[i] :]
    return back[:1] + back[:0:-1]


def _constrained_start(rule: tuple[Constraint, int], es: int, duration: int) -> int:
    kind, at = rule
    if kind is Constraint.SNET or kind is Constraint.MSO:
        return max(es, at)
    if kind is Constraint.FNET or kind is Constraint.MFO:
        return max(es, at - duration)
    return es


def _constrained_finish(rule: tuple[Constraint, int], lf: int, duration: int) -> int:
    kind, at = rule
    if kind is Constraint.SNLT or kind is Constraint.MSO:
        return min(lf, at + duration)
    if kind is Constraint.FNLT or kind is Constraint.MFO:
        return min(lf, at)
    return lf


def _early_start(net: _Network, early: Slots, i: int, start: int, late: Slots | None) -> int:
    """Task i's early start from its predecessors' dates, the project start, its constraint
    and, when ``late`` is given and the task is ALAP, its late start."""
    es, duration, rule, into = start, net.durations[i], net.rules[i], net.into()
    for k in into.of(i):
        by_finish = duration if into.succ_slot[k] & 1 else 0
        es = max(es, early[into.pred_slot[k]] + into.lag[k] - by_finish)
    if rule is None:
        return es
    if rule[0] is Constraint.ALAP and late is not None:
        return max(es, late[2 * i])
    return _constrained_start(rule, es, duration)


def _late_finish(net: _Network, late: Slots, i: int, finish: int) -> int:
    """Task i's late finish from its successors' late dates, the project finish and its
    constraint."""
    lf, duration, rule, out = finish, net.durations[i], net.rules[i], net.out
    for k in out.of(i):
        by_start = 0 if out.pred_slot[k] & 1 else duration
        lf = min(lf, late[out.succ_slot[k]] - out.lag[k] + by_start)
    return lf if rule is None else _constrained_finish(rule, lf, duration)


def _backward(net: _Network, late: Slots, finish: int) -> None:
    links, durations, rules = net.out, net.durations, net.rules
    first, pred_slots, succ_slots, lags = links.first, links.pred_slot, links.succ_slot, links.lag
    for i in reversed(net.order):
        # Inlined _late_finish: this loop runs once per task, and a call each time is slow.
        lf, duration = finish, durations[i]
        for k in range(first[i], first[i + 1]):
            bound = late[succ_slots[k]] - lags[k]
            if not pred_slots[k] & 1:  # the link holds this task's start
                bound += duration
            if bound < lf:
                lf = bound
        rule = rules[i]
        if rule is not None:
            lf = _constrained_finish(rule, lf, duration)
        late[2 * i] = lf - duration
        late[2 * i + 1] = lf


def _place_alap(net: _Network, early: Slots, late: Slots) -> None:
    """Move the ALAP tasks to their late starts and, in topological order, every task their
    links then push later. Dates only grow here, so a task's new start is the most of its old
    one and what its moved predecessors ask: no walk back over its links from predecessors."""
    rank, durations, out = net.rank(), net.durations, net.out
    asked = {i: late[2 * i] for i in net.alap}  # task -> the earliest start asked of it
    heap = [(rank[i], i) for i in asked]
    heapq.heapify(heap)
    while heap:
        _, i = heapq.heappop(heap)
        es = asked.pop(i)
        if es <= early[2 * i]:
            continue
        early[2 * i], early[2 * i + 1] = es, es + durations[i]
        for k in out.of(i):
            succ_slot = out.succ_slot[k]
            j = succ_slot >> 1
            by_finish = durations[j] if succ_slot & 1 else 0
            start = early[out.pred_slot[k]] + out.lag[k] - by_finish
            if j not in asked:
                asked[j] = start
                heapq.heappush(heap, (rank[j], j))
            elif start > asked[j]:
                asked[j] = start


def _propagate_forward(
    net: _Network, early: Slots, seeds: Iterable[int], start: int, late: Slots | None
) -> None:
    """Recompute the seeds' early dates and, in topological order, those of every task whose
    predecessors' dates changed."""
    rank, durations, out = net.rank(), net.durations, net.out
    queued = set(seeds)
    heap = [(rank[i], i) for i in queued]
    heapq.heapify(heap)
    while heap:
        _, i = heapq.heappop(heap)
        es = _early_start(net, early, i, start, late)
        ef = es + durations[i]
        if early[2 * i] == es and early[2 * i + 1] == ef:
            continue
        early[2 * i], early[2 * i + 1] = es, ef
        for k in out.of(i):
            j = out.succ_slot[k] >> 1
            if j not in queued:
                queued.add(j)
                heapq.heappush(heap, (rank[j], j))


def _propagate_backward(net: _Network, late: Slots, seeds: Iterable[int], finish: int) -> set[int]:
    """Recompute the seeds' late dates and, in reverse topological order, those of every task
    whose successors' late dates changed; returns the tasks whose late dates changed."""
    rank, durations, into = net.rank(), net.durations, net.into()
    queued = set(seeds)
    heap = [(-rank[i], i) for i in queued]
    heapq.heapify(heap)
    moved = set()
    while heap:
        _, i = heapq.heappop(heap)
        lf = _late_finish(net, late, i, finish)
        ls = lf - durations[i]
        if late[2 * i] == ls and late[2 * i + 1] == lf:
            continue
        late[2 * i], late[2 * i + 1] = ls, lf
        moved.add(i)
        for k in into.of(i):
            j = into.pred_slot[k] >> 1
            if j not in queued:
                queued.add(j)
                heapq.heappush(heap, (-rank[j], j))
    return moved


def _with_tasks(net: _Network, tasks: list[Task], positions: list[int]) -> _Network:
    durations, rules = net.durations.copy(), net.rules.copy()
    for task, i in zip(tasks, positions, strict=True):
        durations[i], rules[i] = task.duration, _rule(task)
    changed = set(positions)
    alap = [i for i in net.alap if i not in changed]
    alap += [i for i in positions if _is_alap(rules[i])]
    return replace(net, durations=durations, rules=rules, alap=alap)


def _reschedule(previous: Schedule, net: _Network, changed: list[int]) -> Schedule:
    start, fixed_finish = previous.start, previous.fixed_finish
    logic = previous._logic.copy()
    _propagate_forward(net, logic, changed, start, None)
    finish = fixed_finish if fixed_finish is not None else max(logic[1::2], default=start)
    late = previous._late.copy()
    if finish == previous.finish:
        moved = _propagate_backward(net, late, changed, finish)
        alap_moved = [i for i in net.alap if i in moved]
    else:  # every late date hangs on the project finish
        _backward(net, late, finish)
        alap_moved = net.alap
    early = logic
    if net.alap:
        early = previous._early.copy()
        _propagate_forward(net, early, [*changed, *alap_moved], start, late)
    return Schedule(net, (start, finish, fixed_finish), logic, early, late)
