"""Resource leveling (``charter.engine.leveling``) on the 480 PSPLIB j30 instances, against
their proven optimal makespans (``j30opt.sm``, Demeulemeester & Herroelen).

Every schedule is checked by ``_rcpsp_check`` (its own parser, precedence and per-period
capacity) and the run stops at the first violation. For each mode it prints the mean and the
worst gap to the optimum in percent, how many instances reach the optimum, and the seconds per
instance (fast: median of 5 runs of ``level`` per instance, summed over instances and divided by
their number; parsing the file is not timed). Fast mode also reports the reference: the same
serial pass in plain activity-id order (``Rule.ID``, the textbook SGS without a priority rule);
``ratio`` is our mean gap over the reference's. Optimise mode runs with ``--limit`` seconds per
instance and ``--workers`` CP-SAT threads (the built-in sampling search when OR-Tools is not
installed); ``proven`` counts schedules the solver proved optimal.

    python bench/leveling_psplib.py [--modes fast,optimise] [--limit 1.0] [--workers 2]
                                    [--instances 480]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import _rcpsp_check
from _harness import report

from charter.engine.leveling import Mode, Problem, Result, Rule, level
from charter.engine.psplib import parse_optima, read_sm

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "psplib"
NAME = "leveling-j30"


def instances(count: int) -> list[tuple[str, int]]:
    optima = parse_optima((DATA / "j30opt.sm").read_text())
    names = sorted(optima, key=lambda name: tuple(map(int, name[3:].split("_"))))
    return [(name, optima[name]) for name in names[:count]]


def verified(name: str, result: Result) -> int:
    path = DATA / "j30" / f"{name}.sm"
    problems = _rcpsp_check.check(path, dict(result.starts))
    if problems or result.unplaced:
        raise SystemExit(f"{name}: infeasible schedule: {problems[:5]} {result.unplaced[:5]}")
    span = _rcpsp_check.makespan(path, dict(result.starts))
    if span != result.makespan:
        raise SystemExit(f"{name}: makespan {result.makespan} reported, {span} checked")
    return span


def median_s(problem: Problem, rule: Rule, runs: int = 5) -> tuple[float, Result]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = level(problem, rule=rule)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def gap(span: int, optimum: int) -> float:
    if span < optimum:
        raise SystemExit(f"makespan {span} below the proven optimum {optimum}")
    return 100.0 * (span - optimum) / optimum


def fast(cases: list[tuple[str, int, Problem]]) -> None:
    figures: dict[Rule, tuple[list[float], float]] = {}
    for rule in (Rule.LATEST_START, Rule.ID):
        gaps, seconds = [], 0.0
        for name, optimum, problem in cases:
            elapsed, result = median_s(problem, rule)
            seconds += elapsed
            gaps.append(gap(verified(name, result), optimum))
        figures[rule] = (gaps, seconds / len(cases))
    gaps, per = figures[Rule.LATEST_START]
    ref_gaps, ref_per = figures[Rule.ID]
    ours, reference = statistics.mean(gaps), statistics.mean(ref_gaps)
    report(
        NAME,
        mode="fast",
        mean_gap_pct=ours,
        worst_gap_pct=max(gaps),
        optima=f"{sum(g == 0 for g in gaps)}/{len(cases)}",
        s_per_instance=per,
        reference_gap_pct=reference,
        reference_s=ref_per,
        ratio=ours / reference if reference else 1.0,
    )


def optimise(cases: list[tuple[str, int, Problem]], limit: float, workers: int) -> None:
    gaps, proven, seconds, solvers = [], 0, 0.0, set()
    for name, optimum, problem in cases:
        start = time.perf_counter()
        result = level(problem, mode=Mode.OPTIMISE, time_limit=limit, workers=workers)
        seconds += time.perf_counter() - start
        gaps.append(gap(verified(name, result), optimum))
        proven += result.optimal
        solvers.add(result.solver)
    report(
        NAME,
        mode="optimise",
        mean_gap_pct=statistics.mean(gaps),
        worst_gap_pct=max(gaps),
        optima=f"{sum(g == 0 for g in gaps)}/{len(cases)}",
        proven=proven,
        s_per_instance=seconds / len(cases),
        limit_s=limit,
        workers=workers,
        solvers="+".join(sorted(solvers)),
    )


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="fast,optimise")
    parser.add_argument("--limit", type=float, default=1.0, help="seconds per instance")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--instances", type=int, default=480)
    args = parser.parse_args(argv)
    cases = [
        (name, optimum, read_sm(DATA / "j30" / f"{name}.sm"))
        for name, optimum in instances(args.instances)
    ]
    modes = [Mode(mode.strip()) for mode in args.modes.split(",") if mode.strip()]
    for mode in modes:
        if mode is Mode.FAST:
            fast(cases)
        else:
            optimise(cases, args.limit, args.workers)


if __name__ == "__main__":
    main(sys.argv[1:])
