"""Resource leveling (``charter.engine.leveling``, fast mode) on a large generated plan: 10,000
activities, 200 resources, two years of daily periods.

The plan comes from a fixed seed: activities in short chains (1-6 long, finish-to-start, now
and then a lag or an extra link to an activity up to 200 places earlier), each chain released
on a random day of the two years, durations 1-20 days, 1-3 resources per activity at 1-3 units.
Each resource's capacity is the same quantile of its own unleveled daily load, the quantile
found by bisection so that about 30 % of the activities are over-allocated at their earliest
starts (``over_pct`` is the share reached). The horizon is four years.

The reference is the same serial schedule-generation scheme, written the plain way in this
file: the eligible set is a list searched for its smallest key at every step, and an
activity's start is found by trying one period after another, checking every period of the
window against a dictionary of used units. It computes its own earliest and latest starts and
must give exactly our starts (checked outside the timing); ``_rcpsp_check.check_plan`` then
verifies precedence and capacity per period. Figures are medians of ``--runs`` runs.

The second line (``leveling-scale-split``) levels the same plan with every activity
splittable, its finish-to-start links measured from the predecessor's real finish
(``from_finish``), against the same reference time; ``split`` counts the activities it
interrupts. ``_rcpsp_check.check_plan`` verifies that schedule too, runs and all.

    python bench/leveling_scale.py [--runs 3] [--size 10000] [--resources 200]
"""

import argparse
import random
import statistics
import sys
import time
from dataclasses import replace

import _rcpsp_check
from _harness import report

from charter.engine.leveling import Activity, Precedence, Problem, Resource, level

SEED = 11
NAME = "leveling-scale"
DAYS = 2 * 365


def generate(size: int, resources: int, over: float = 0.30, seed: int = SEED) -> Problem:
    rng = random.Random(seed)
    shapes = []
    links: list[Precedence] = []
    durations: list[int] = []
    chain_start = 0
    for a in range(size):
        duration = rng.randint(1, 20)
        durations.append(duration)
        if a == chain_start or rng.random() < 0.25:  # a new chain
            chain_start = a
            release = rng.randrange(DAYS - 60)
        else:
            release = 0
            links.append(Precedence(a - 1, a, durations[a - 1] + rng.choice([0, 0, 0, 1, 2])))
            if a > 200 and rng.random() < 0.1:
                earlier = rng.randrange(a - 200, a - 1)
                links.append(Precedence(earlier, a, durations[earlier]))
        picked = rng.sample(range(resources), rng.randint(1, 3))
        shapes.append((duration, release, {r: rng.randint(1, 3) for r in picked}))
    early = [release for _d, release, _demand in shapes]
    for link in links:  # links only go forwards: one pass in id order
        early[link.successor] = max(early[link.successor], early[link.predecessor] + link.lag)
    capacities = _capacities(shapes, early, resources, over)
    activities = [
        Activity(id=a, duration=d, demand=demand, release=release)
        for a, (d, release, demand) in enumerate(shapes)
    ]
    return Problem(
        activities=activities,
        precedences=links,
        resources=[Resource(id=r, capacity=capacities[r]) for r in range(resources)],
        horizon=4 * 365,
    )


def _load(shapes: list, early: list[int], resources: int) -> list[list[int]]:
    load = [[0] * (DAYS + 400) for _ in range(resources)]
    for (d, _release, demand), start in zip(shapes, early, strict=True):
        for r, units in demand.items():
            row = load[r]
            for t in range(start, start + d):
                row[t] += units
    return load


def over_share(shapes: list, early: list[int], load: list[list[int]], cap: list[int]) -> float:
    over = sum(
        any(max(load[r][start : start + d]) > cap[r] for r in demand)
        for (d, _release, demand), start in zip(shapes, early, strict=True)
    )
    return over / len(shapes)


def _capacities(shapes: list, early: list[int], resources: int, target: float) -> list[int]:
    load = _load(shapes, early, resources)
    peaks = [max(units for _d, _r, demand in shapes for units in demand.values())] * resources
    busy = [sorted(v for v in row if v) for row in load]

    def at(q: float) -> list[int]:
        return [
            max(peaks[r], row[min(len(row) - 1, int(q * len(row)))] if row else 0)
            for r, row in enumerate(busy)
        ]

    low, high = 0.0, 1.0
    for _ in range(30):
        mid = (low + high) / 2
        if over_share(shapes, early, load, at(mid)) > target:
            low = mid
        else:
            high = mid
    return at(high)


def reference(problem: Problem) -> dict[int, int]:
    """The serial SGS the plain way (see the module docstring); same order, same starts."""
    acts = {a.id: a for a in problem.activities}
    preds: dict[int, list[tuple[int, int]]] = {a: [] for a in acts}
    succs: dict[int, list[tuple[int, int]]] = {a: [] for a in acts}
    for link in problem.precedences:
        preds[link.successor].append((link.predecessor, link.lag))
        succs[link.predecessor].append((link.successor, link.lag))
    order, waiting = [], {a: len(p) for a, p in preds.items()}
    ready = [a for a, n in waiting.items() if n == 0]
    while ready:
        a = ready.pop()
        order.append(a)
        for s, _lag in succs[a]:
            waiting[s] -= 1
            if waiting[s] == 0:
                ready.append(s)
    es = {a: acts[a].release for a in acts}
    for a in order:
        for p, lag in preds[a]:
            es[a] = max(es[a], es[p] + lag)
    finish = max(es[a] + acts[a].duration for a in acts)
    ls = {a: finish - acts[a].duration for a in acts}
    for a in reversed(order):
        for s, lag in succs[a]:
            ls[a] = min(ls[a], ls[s] - lag)
    capacity = {r.id: r.capacity for r in problem.resources}
    used: dict[tuple[int, int], int] = {}
    starts: dict[int, int] = {}
    waiting = {a: len(p) for a, p in preds.items()}
    eligible = [a for a, n in waiting.items() if n == 0]
    while eligible:
        a = min(eligible, key=lambda x: (ls[x], es[x], -acts[x].priority, x))
        eligible.remove(a)
        act = acts[a]
        t = max([act.release] + [starts[p] + lag for p, lag in preds[a]])
        while not all(
            used.get((r, p), 0) + units <= capacity[r]
            for r, units in act.demand.items()
            for p in range(t, t + act.duration)
        ):
            t += 1
        starts[a] = t
        for r, units in act.demand.items():
            for p in range(t, t + act.duration):
                used[r, p] = used.get((r, p), 0) + units
        for s, _lag in succs[a]:
            waiting[s] -= 1
            if waiting[s] == 0:
                eligible.append(s)
    return starts


def splittable(problem: Problem) -> Problem:
    """``problem`` with every activity splittable and every link from the real finish (the
    generated links are finish-to-start: their lag is the predecessor's duration plus a gap)."""
    durations = {a.id: a.duration for a in problem.activities}
    return replace(
        problem,
        activities=[replace(a, splittable=True) for a in problem.activities],
        precedences=[
            replace(link, lag=link.lag - durations[link.predecessor], from_finish=True)
            for link in problem.precedences
        ],
    )


def median_s(call, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--resources", type=int, default=200)
    args = parser.parse_args(argv)
    problem = generate(args.size, args.resources)
    result = level(problem)
    if result.unplaced:
        raise SystemExit(f"unplaced: {result.unplaced[:5]}")
    ours_starts = dict(result.starts)
    if reference(problem) != ours_starts:
        raise SystemExit("the reference SGS and ours disagree")
    problems = _rcpsp_check.check_plan(
        {a.id: a.duration for a in problem.activities},
        {a.id: dict(a.demand) for a in problem.activities},
        [(link.predecessor, link.successor, link.lag) for link in problem.precedences],
        {r.id: r.capacity for r in problem.resources},
        ours_starts,
        {a.id: a.release for a in problem.activities},
    )
    if problems:
        raise SystemExit(f"infeasible schedule: {problems[:5]}")
    early = {move.id: move.old_start for move in result.moved}
    shapes = [(a.duration, a.release, dict(a.demand)) for a in problem.activities]
    starts0 = [early.get(a.id, ours_starts[a.id]) for a in problem.activities]
    load = _load(shapes, starts0, args.resources)
    over = over_share(shapes, starts0, load, [r.capacity for r in problem.resources])
    ours = median_s(lambda: level(problem), args.runs)
    theirs = median_s(lambda: reference(problem), args.runs)
    report(
        NAME,
        size=args.size,
        resources=args.resources,
        over_pct=100 * over,
        moved=len(result.moved),
        makespan=result.makespan,
        ours_s=ours,
        reference_s=theirs,
        ratio=ours / theirs,
    )
    split_problem = splittable(problem)
    split_result = level(split_problem)
    problems = _rcpsp_check.check_plan(
        {a.id: a.duration for a in split_problem.activities},
        {a.id: dict(a.demand) for a in split_problem.activities},
        [(link.predecessor, link.successor, link.lag) for link in split_problem.precedences],
        {r.id: r.capacity for r in split_problem.resources},
        dict(split_result.starts),
        {a.id: a.release for a in split_problem.activities},
        runs={a: list(pieces) for a, pieces in split_result.runs.items()},
        from_finish=True,
    )
    if problems:
        raise SystemExit(f"infeasible split schedule: {problems[:5]}")
    split_s = median_s(lambda: level(split_problem), args.runs)
    report(
        f"{NAME}-split",
        size=args.size,
        resources=args.resources,
        over_pct=100 * over,
        moved=len(split_result.moved),
        split=len(split_result.runs),
        makespan=split_result.makespan,
        ours_s=split_s,
        reference_s=theirs,
        ratio=split_s / theirs,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
