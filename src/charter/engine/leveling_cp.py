"""The optimise mode's solver: Google OR-Tools CP-SAT, when it is installed.

The model: one interval per placed activity, its start between its precedence-only earliest
start and the makespan of the fast schedule (which is the hint, so the solver starts from a
solution it can only improve); one cumulative constraint per resource whose capacity is the
resource's peak, with fixed "blocker" intervals eating the difference in periods that have
less (calendars, leave); every precedence as ``start_j >= start_i + lag``; minimise the
latest finish. ``available()`` tells whether OR-Tools can be imported; the engine falls back
to its own search when it cannot.
"""

import importlib.util
import time
from collections.abc import Callable

from charter.engine.leveling_sgs import UNPLACED, Compiled, Starts, grow

type Progress = Callable[[float, int], None]


def available() -> bool:
    return importlib.util.find_spec("ortools") is not None


def _disjunctive_cliques(c: Compiled, users: list[int], rows: list[list[int]]) -> list[list[int]]:
    """Groups of activities no two of which can ever run together (their demands on some
    resource add up to more than its peak): a redundant no-overlap constraint per group
    prunes far more than the cumulative constraints alone. Greedy cliques, largest demand
    first, of three activities or more."""
    peak = [max(row, default=0) for row in rows]
    need = {i: dict(c.demand[i]) for i in users}

    def clash(a: int, b: int) -> bool:
        return any(q + need[b].get(r, 0) > peak[r] for r, q in need[a].items())

    order = sorted(users, key=lambda i: (-max(q / max(peak[r], 1) for r, q in c.demand[i]), i))
    cliques: list[list[int]] = []
    for seed in order:
        clique = [seed]
        for other in order:
            if other != seed and all(clash(other, member) for member in clique):
                clique.append(other)
        if len(clique) >= 3 and sorted(clique) not in cliques:
            cliques.append(sorted(clique))
    return cliques


def solve(
    c: Compiled,
    hint: Starts,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    progress: Progress | None,
) -> tuple[Starts, bool]:
    """The best schedule CP-SAT finds within ``time_limit`` seconds, never worse than
    ``hint`` (a feasible schedule), and whether the solver proved it optimal."""
    from ortools.sat.python import cp_model

    placed = [i for i, s in enumerate(hint) if s != UNPLACED]
    upper = max(hint[i] + c.duration[i] for i in placed) if placed else 0
    model = cp_model.CpModel()
    start: dict[int, cp_model.IntVar] = {}
    intervals: dict[int, cp_model.IntervalVar] = {}
    makespan = model.new_int_var(c.lower_bound, upper, "makespan")
    for i in placed:
        d = c.duration[i]
        s = model.new_int_var(c.early[i], upper - d, f"s{i}")
        start[i] = s
        if c.demand[i]:
            intervals[i] = model.new_fixed_size_interval_var(s, d, f"x{i}")
        model.add(makespan >= s + d)
        model.add_hint(s, hint[i])
    model.add_hint(makespan, upper)
    for i in placed:
        for j, lag in c.successors[i]:
            if j in start:
                model.add(start[j] >= start[i] + lag)
    rows = c.fresh()
    for r in range(len(c.resource_ids)):
        users = [(i, q) for i in placed for k, q in c.demand[i] if k == r]
        if not users:
            continue
        if len(rows[r]) < upper:
            grow(c, rows, r, upper)
        row = rows[r][:upper]
        peak = max(row)
        boxes = [intervals[i] for i, _q in users]
        sizes = [q for _i, q in users]
        t = 0
        while t < upper:
            end = t
            while end < upper and row[end] == row[t]:
                end += 1
            if row[t] < peak:
                boxes.append(model.new_fixed_size_interval_var(t, end - t, f"b{r}_{t}"))
                sizes.append(peak - row[t])
            t = end
        model.add_cumulative(boxes, sizes, peak)
    for clique in _disjunctive_cliques(c, [i for i in placed if i in intervals], rows):
        model.add_no_overlap([intervals[i] for i in clique])
    model.minimize(makespan)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    began = time.perf_counter()

    class Report(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if progress is not None:
                done = min(1.0, (time.perf_counter() - began) / max(time_limit, 1e-9))
                progress(done, int(self.objective_value))

    status = solver.solve(model, Report())
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return list(hint), False
    best = list(hint)
    for i, s in start.items():
        best[i] = int(solver.value(s))
    found = max((best[i] + c.duration[i] for i in placed), default=0)
    if found > upper:  # cannot happen (the domain stops at `upper`); keep the hint if it did
        return list(hint), False
    return best, status == cp_model.OPTIMAL
