"""The critical-path scheduler (``charter.engine.cpm``): time per project size, a long chain, and
the incremental reschedule.

Projects are generated from a fixed seed: ~1.6 links per task to tasks up to 60 places earlier,
all four link types, lags and leads, 5% constrained tasks (every constraint kind), milestones.
The reference is a straightforward CPM on networkx (``topological_sort``, then loops over each
node's predecessors and successors) computing the same early and late dates by the same rules,
in the same process; its dates must equal ours (checked outside the timing). ``ours_s`` is
``schedule()`` — the four dates of every task and the project finish, what the reference
computes; ``timings_s`` adds reading every ``Timing`` (floats, critical, violated) from the
result. The incremental cases change one duration in the 10,000-task plan and time
``reschedule`` against a full ``schedule``, after checking that both give the same result:
``cpm-incremental`` changes a task off the critical path, ``cpm-incremental-critical`` one on
it. A longer critical task moves the project finish, and every late date hangs on the finish,
so that reschedule re-runs the whole backward pass (and the forward pass from the changed task
on): expect a good part of a full pass there, not the few percent of the first case.
Figures are medians.

    python bench/cpm.py [--runs 7]
"""

import argparse
import random
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import replace

import networkx as nx
from _harness import report

from charter.engine.cpm import Schedule, reschedule, schedule
from charter.engine.model import Constraint, Link, LinkType, Task

SEED = 5
NAME = "cpm"
DAY = 480  # working minutes
LINK_TYPES = [LinkType.FS] * 14 + [LinkType.SS] * 3 + [LinkType.FF] * 2 + [LinkType.SF]
DATED = [c for c in Constraint if c not in (Constraint.ASAP, Constraint.ALAP)]

type Dates = dict[int, tuple[int, int, int, int]]  # id -> (ES, EF, LS, LF)


def generate(size: int, seed: int = SEED) -> tuple[list[Task], list[Link]]:
    rng = random.Random(seed)
    tasks = [_task(rng, task_id) for task_id in range(size)]
    links: list[Link] = []
    for successor in range(1, size):
        count = 1 + (rng.random() < 0.6) + (rng.random() < 0.05) - (rng.random() < 0.05)
        window = range(max(0, successor - 60), successor)
        for predecessor in rng.sample(window, min(count, len(window))):
            lag = rng.choice([0, 0, 0, DAY, 2 * DAY, -DAY // 2, 60])
            links.append(Link(predecessor, successor, rng.choice(LINK_TYPES), lag))
    return tasks, links


def _task(rng: random.Random, task_id: int) -> Task:
    duration = 0 if rng.random() < 0.05 else rng.randint(1, 20) * DAY // 2
    if rng.random() >= 0.05:
        return Task(task_id, duration)
    if rng.random() < 1 / 7:
        return Task(task_id, duration, Constraint.ALAP)
    # Roughly where the task lands, give or take: some constraints hold, some are violated.
    at = max(0, task_id * DAY // 8 + rng.randint(-20, 20) * DAY)
    return Task(task_id, duration, rng.choice(DATED), at)


def chain(size: int) -> tuple[list[Task], list[Link]]:
    tasks = [Task(task_id, (task_id % 5 + 1) * DAY) for task_id in range(size)]
    links = [Link(task_id - 1, task_id) for task_id in range(1, size)]
    return tasks, links


def reference(tasks: list[Task], links: list[Link]) -> Dates:
    """CPM the textbook way on a networkx graph, with the engine's rules."""
    graph = nx.DiGraph()
    graph.add_nodes_from((task.id, {"task": task}) for task in tasks)
    graph.add_edges_from((link.predecessor, link.successor, {"link": link}) for link in links)
    order = list(nx.topological_sort(graph))
    early = _reference_forward(graph, order, None)
    finish = max(ef for _es, ef in early.values())
    late: dict[int, tuple[int, int]] = {}
    for node in reversed(order):
        task = graph.nodes[node]["task"]
        lf = finish
        for succ in graph.successors(node):
            link = graph.edges[node, succ]["link"]
            ls_s, lf_s = late[succ]
            bound = {"FS": ls_s, "SS": ls_s + task.duration, "FF": lf_s}.get(
                link.type, lf_s + task.duration
            )
            lf = min(lf, bound - link.lag)
        if task.constraint in (Constraint.SNLT, Constraint.MSO):
            lf = min(lf, task.constraint_at + task.duration)
        elif task.constraint in (Constraint.FNLT, Constraint.MFO):
            lf = min(lf, task.constraint_at)
        late[node] = (lf - task.duration, lf)
    if any(task.constraint is Constraint.ALAP for task in tasks):
        early = _reference_forward(graph, order, late)
    return {node: (*early[node], *late[node]) for node in order}


def _reference_forward(graph: nx.DiGraph, order: list[int], late: dict | None) -> dict:
    early: dict[int, tuple[int, int]] = {}
    for node in order:
        task = graph.nodes[node]["task"]
        es = 0
        for pred in graph.predecessors(node):
            link = graph.edges[pred, node]["link"]
            es_p, ef_p = early[pred]
            bound = {"FS": ef_p, "SS": es_p, "FF": ef_p - task.duration}.get(
                link.type, es_p - task.duration
            )
            es = max(es, bound + link.lag)
        if task.constraint in (Constraint.SNET, Constraint.MSO):
            es = max(es, task.constraint_at)
        elif task.constraint in (Constraint.FNET, Constraint.MFO):
            es = max(es, task.constraint_at - task.duration)
        elif task.constraint is Constraint.ALAP and late is not None:
            es = max(es, late[node][0])
        early[node] = (es, es + task.duration)
    return early


def dates_of(result: Schedule) -> Dates:
    return {
        task_id: (t.early_start, t.early_finish, t.late_start, t.late_finish)
        for task_id, t in result.items()
    }


def median_s(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def check_equal(label: str, ours: Mapping[int, object], theirs: Mapping[int, object]) -> None:
    if ours != theirs:
        wrong = next(task_id for task_id in ours if ours[task_id] != theirs.get(task_id))
        raise SystemExit(f"{label}: task {wrong} ours {ours[wrong]} reference {theirs[wrong]}")


def against_reference(name: str, tasks: list[Task], links: list[Link], runs: int) -> None:
    check_equal(name, dates_of(schedule(tasks, links)), reference(tasks, links))
    ours = median_s(lambda: schedule(tasks, links), runs)
    with_timings = median_s(lambda: dict(schedule(tasks, links)), runs)
    theirs = median_s(lambda: reference(tasks, links), max(3, runs // 2))
    report(
        name,
        size=len(tasks),
        links=len(links),
        ours_s=ours,
        reference_s=theirs,
        ratio=ours / theirs,
        timings_s=with_timings,
    )


def incremental(name: str, size: int, runs: int, *, critical: bool) -> None:
    tasks, links = generate(size)
    previous = schedule(tasks, links)
    changed_id = _driving_task(tasks, links, previous) if critical else size // 2
    changed = _longer(tasks, changed_id)
    full = schedule(changed, links)
    again = reschedule(previous, [changed_id], changed, links)
    check_equal(name, again, full)
    print(f"# {name} check: reschedule == schedule for all {size} tasks", flush=True)
    ours = median_s(lambda: reschedule(previous, [changed_id], changed, links), runs * 3)
    full_s = median_s(lambda: schedule(changed, links), runs)
    report(
        name,
        size=size,
        task=changed_id,
        ours_s=ours,
        full_s=full_s,
        ratio=ours / full_s,
        finish_moved=full.finish != previous.finish,
    )


def _longer(tasks: list[Task], task_id: int) -> list[Task]:
    """``tasks`` (generated: ids are positions) with the task one day longer."""
    changed = [*tasks]
    changed[task_id] = replace(tasks[task_id], duration=tasks[task_id].duration + DAY)
    return changed


def _driving_task(tasks: list[Task], links: list[Link], result: Schedule) -> int:
    """The task nearest the middle of the plan whose day more moves the project finish. Zero
    float alone does not tell: an ALAP task and the tasks it pushes have none either."""
    middle = len(tasks) // 2
    no_float = [task.id for task in tasks if result[task.id].total_float == 0]
    nearest = sorted(no_float, key=lambda task_id: abs(task_id - middle))
    return next(i for i in nearest if schedule(_longer(tasks, i), links).finish > result.finish)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each")
    options = parser.parse_args()
    for size in (1_000, 10_000, 100_000):
        against_reference(NAME, *generate(size), options.runs)
    against_reference(f"{NAME}-chain", *chain(10_000), options.runs)
    incremental(f"{NAME}-incremental", 10_000, options.runs, critical=False)
    incremental(f"{NAME}-incremental-critical", 10_000, options.runs, critical=True)


if __name__ == "__main__":
    main()
