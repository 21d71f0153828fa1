"""Resource leveling: start activities so that no resource is ever asked for more units than
it has in a period, keeping every precedence, and finish as early as possible.

``level(problem)`` is the fast mode: one pass of the serial schedule-generation scheme in a
fixed, Microsoft-Project-like order. Among the activities whose predecessors are all placed
it takes the one with the smallest latest start (the least room to slip), then the earliest
start, then the higher priority, then the smaller id, and starts it at the first period from
which every resource it needs has enough units free for its whole duration. It is
deterministic, moves nothing that needs no moving (with enough capacity every activity keeps
its earliest start) and costs little more than one scan per placed activity.

``level(problem, mode=Mode.OPTIMISE, time_limit=…)`` searches for a shorter makespan,
starting from the fast schedule: with OR-Tools CP-SAT when it is installed (an exact solver
that proves optimality when it can), otherwise with forward-backward justification and
randomised priority sampling from a fixed seed. Either way the best schedule found is
left-shifted (every activity as early as the others allow) and returned; when it is no shorter
than the fast schedule, the fast schedule itself is returned. ``progress(fraction, makespan)``
is called as better schedules are found and once at the end with fraction 1.0.

When any activity is ``splittable``, both modes also run the preemptive serial pass
(``charter.engine.leveling_split``: the same order, splittable activities interrupted where a
resource is short) and return the better of it and their schedule of whole activities: the one
placing more activities, then the smaller makespan, then the earlier finishes in total, then
the unsplit one. (Splitting in one
greedy pass is not always shorter: a run taken early can block a window another activity
needed.) A proof of the solver then covers unsplit schedules
only, so ``optimal`` means the makespan meets the lower bound.

Model and conversions of link types: ``charter.engine.leveling_model``.
"""

import random
import time
from collections.abc import Callable, Sequence

from charter.engine import leveling_cp
from charter.engine.leveling_model import (
    Activity,
    Mode,
    Move,
    Precedence,
    Problem,
    Resource,
    Result,
    Rule,
    Unplaceable,
    Unplaced,
    start_to_start_lag,
)
from charter.engine.leveling_sgs import (
    UNPLACED,
    Compiled,
    Failure,
    Key,
    Starts,
    backward,
    compile_problem,
    left_shift,
    makespan,
    rule_keys,
    serial,
)
from charter.engine.leveling_split import Runs, finishes, serial_split

__all__ = [
    "Activity",
    "Mode",
    "Move",
    "Precedence",
    "Problem",
    "Resource",
    "Result",
    "Rule",
    "Unplaceable",
    "Unplaced",
    "level",
    "start_to_start_lag",
]

type Progress = Callable[[float, int], None]

SOLVERS = ("auto", "cp-sat", "sampling")


def level(
    problem: Problem,
    *,
    mode: Mode = Mode.FAST,
    rule: Rule = Rule.LATEST_START,
    time_limit: float = 1.0,
    progress: Progress | None = None,
    workers: int = 1,
    seed: int = 0,
    solver: str = "auto",
) -> Result:
    """Level ``problem``. ``rule`` orders the fast pass (see ``Rule``). The optimise mode
    stops after ``time_limit`` seconds (sooner when it proves the schedule optimal); CP-SAT
    runs ``workers`` threads with ``seed`` (one worker is deterministic). ``solver`` is
    "auto" (CP-SAT if installed), "cp-sat" or "sampling" (the built-in search)."""
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {', '.join(SOLVERS)}")
    began = time.perf_counter()
    c = compile_problem(problem)
    keys = rule_keys(c, rule)
    splitting = any(c.splittable)
    starts, failed = serial(c, keys)
    if mode is Mode.FAST:
        result = _result(c, starts, {}, failed, mode, proven=False, solver="sgs")
    else:
        best, proven, used = _optimise(
            c, starts, failed, began, time_limit, workers, seed, solver, progress
        )
        result = _result(c, best, {}, failed, mode, proven=proven and not splitting, solver=used)
    if splitting:
        split = _split_result(c, keys, mode)
        if _rank(c, split) < _rank(c, result):
            result = split
    if progress is not None and mode is Mode.OPTIMISE:
        progress(1.0, result.makespan)
    return result


def _optimise(
    c: Compiled,
    starts: Starts,
    failed: dict[int, Failure],
    began: float,
    time_limit: float,
    workers: int,
    seed: int,
    solver: str,
    progress: Progress | None,
) -> tuple[Starts, bool, str]:
    """The optimise mode's search from the fast schedule ``starts``, every activity whole:
    the best starts, whether they are proven optimal and what found them."""
    fast_makespan = makespan(c, starts)
    if fast_makespan <= c.lower_bound or all(s == UNPLACED for s in starts):
        return starts, False, "sgs"
    remaining = max(0.0, time_limit - (time.perf_counter() - began))
    if solver == "cp-sat" or (solver == "auto" and leveling_cp.available()):
        found, proven = leveling_cp.solve(
            c, starts, time_limit=remaining, workers=workers, seed=seed, progress=progress
        )
        used = "cp-sat"
    else:
        found, proven = _sample(c, starts, failed, remaining, seed, progress), False
        used = "sampling"
    found = left_shift(c, found)
    if makespan(c, found) < fast_makespan:
        return found, proven, used
    return starts, proven, "sgs"


def _split_result(c: Compiled, keys: Sequence[Key], mode: Mode) -> Result:
    starts, runs, failed = serial_split(c, keys)
    return _result(c, starts, runs, failed, mode, proven=False, solver="sgs-split")


def _rank(c: Compiled, result: Result) -> tuple[int, int, int]:
    """Smaller is better: fewer activities left unplaced, then the shorter makespan, then the
    earlier finishes in total."""
    starts = [result.starts.get(activity_id, UNPLACED) for activity_id in c.ids]
    runs = {i: list(result.runs[a]) for i, a in enumerate(c.ids) if a in result.runs}
    total = sum(finish for finish in finishes(c, starts, runs) if finish != UNPLACED)
    return len(result.unplaced), result.makespan, total


def _result(
    c: Compiled,
    starts: Starts,
    runs: Runs,
    failed: dict[int, Failure],
    mode: Mode,
    *,
    proven: bool,
    solver: str,
) -> Result:
    n = len(c.ids)
    finish = finishes(c, starts, runs)
    placed = {c.ids[i]: starts[i] for i in range(n) if starts[i] != UNPLACED}
    moved = sorted(
        (Move(c.ids[i], c.early[i], starts[i]) for i in range(n) if starts[i] > c.early[i]),
        key=lambda move: move.id,
    )
    unplaced = sorted(
        (
            Unplaced(c.ids[i], reason, c.resource_ids[r] if r >= 0 else None)
            for i, (reason, r) in failed.items()
        ),
        key=lambda u: u.id,
    )
    late = sorted(
        c.ids[i]
        for i in range(n)
        if starts[i] != UNPLACED
        and (deadline := c.deadline[i]) is not None
        and finish[i] > deadline
    )
    span = max([0, *finish])
    return Result(
        starts=placed,
        makespan=span,
        moved=moved,
        unplaced=unplaced,
        optimal=proven or (not failed and span == c.lower_bound),
        mode=mode,
        lower_bound=c.lower_bound,
        late=late,
        solver=solver,
        runs={c.ids[i]: tuple(found) for i, found in sorted(runs.items())},
    )


def _sample(
    c: Compiled,
    starts: Starts,
    failed: dict[int, Failure],
    time_limit: float,
    seed: int,
    progress: Progress | None,
) -> Starts:
    """The built-in search: forward-backward justification of the fast schedule, then of
    schedules from randomly perturbed latest-start orders (a fixed seed), until the time limit
    or the lower bound. Only schedules that place as many activities as the fast one count."""
    began = time.perf_counter()
    best, best_span = starts, makespan(c, starts)
    if failed:  # justification needs every activity placed; keep the fast schedule
        return best
    rng = random.Random(seed)
    spread = max(1.0, 0.25 * c.lower_bound)
    candidate = starts
    while True:
        candidate = _justify(c, candidate)
        span = makespan(c, candidate)
        if span < best_span:
            best, best_span = candidate, span
            if progress is not None:
                done = min(1.0, (time.perf_counter() - began) / max(time_limit, 1e-9))
                progress(done, best_span)
        if best_span <= c.lower_bound or time.perf_counter() - began >= time_limit:
            return best
        keys = [
            (round((c.late[i] + rng.random() * spread) * 1000), c.early[i], c.ids[i])
            for i in range(len(c.ids))
        ]
        candidate, lost = serial(c, keys)
        if lost:
            candidate = best


def _justify(c: Compiled, starts: Starts) -> Starts:
    """Forward-backward improvement: right-justify, then left-justify, while it helps."""
    span = makespan(c, starts)
    for _round in range(4):
        late = backward(c, starts, span)
        if late is None:
            return starts
        keys = [(late[i], c.ids[i]) for i in range(len(c.ids))]
        forward, lost = serial(c, keys)
        if lost or makespan(c, forward) >= span:
            return starts
        starts, span = forward, makespan(c, forward)
    return starts
