"""An independent schedule checker for PSPLIB single-mode instances: it reads the ``.sm`` file
with its own small parser (nothing from ``charter``) and checks that a schedule starts every
job, keeps every finish-to-start precedence and never uses more of a resource than its
capacity in any period. ``check(path, starts)`` returns the list of violations (empty when the
schedule is feasible) and ``makespan(path, starts)`` the latest finish."""

from pathlib import Path


def read(
    path: Path,
) -> tuple[dict[int, int], dict[int, list[int]], dict[int, list[int]], list[int]]:
    """(duration per job, demands per job, successors per job, capacities)."""
    durations: dict[int, int] = {}
    demands: dict[int, list[int]] = {}
    successors: dict[int, list[int]] = {}
    capacities: list[int] = []
    part = ""
    for raw in path.read_text(errors="replace").splitlines():
        line = raw.strip()
        for title in ("PRECEDENCE RELATIONS", "REQUESTS/DURATIONS", "RESOURCEAVAILABILITIES"):
            if line.startswith(title):
                part = title
        if line.startswith("*"):
            part = ""
        cells = line.split()
        if not cells or not all(cell.isdigit() for cell in cells):
            continue
        values = list(map(int, cells))
        if part == "PRECEDENCE RELATIONS":
            successors[values[0]] = values[3 : 3 + values[2]]
        elif part == "REQUESTS/DURATIONS":
            durations[values[0]] = values[2]
            demands[values[0]] = values[3:]
        elif part == "RESOURCEAVAILABILITIES":
            capacities = values
    return durations, demands, successors, capacities


def makespan(path: Path, starts: dict[int, int]) -> int:
    durations = read(path)[0]
    return max(starts[job] + durations[job] for job in durations)


def check(path: Path, starts: dict[int, int]) -> list[str]:
    durations, demands, successors, capacities = read(path)
    problems = [f"job {job} has no start" for job in durations if job not in starts]
    if problems:
        return problems
    problems += [f"job {job} starts before 0" for job in durations if starts[job] < 0]
    for job, after in successors.items():
        for succ in after:
            if starts[succ] < starts[job] + durations[job]:
                problems.append(f"job {succ} starts at {starts[succ]} before job {job} ends")
    end = max(starts[job] + durations[job] for job in durations)
    for k, capacity in enumerate(capacities):
        used = [0] * (end + 1)
        for job, duration in durations.items():
            for period in range(starts[job], starts[job] + duration):
                used[period] += demands[job][k]
        problems += [
            f"resource {k + 1} period {t}: {units} used of {capacity}"
            for t, units in enumerate(used)
            if units > capacity
        ]
    return problems


def check_plan(
    durations: dict[int, int],
    demands: dict[int, dict[int, int]],
    links: list[tuple[int, int, int]],
    capacities: dict[int, int],
    starts: dict[int, int],
    releases: dict[int, int] | None = None,
    *,
    runs: dict[int, list[tuple[int, int]]] | None = None,
    from_finish: bool = False,
) -> list[str]:
    """The same checks for a plan given as plain data: ``links`` are (predecessor, successor,
    lag) from the predecessor's start, or from its finish (``from_finish``); ``capacities``
    constant units per period. An activity in ``runs`` works in those (first period, length)
    runs: in order, apart, from its start, adding up to its duration; its finish is the end of
    the last one."""
    problems = [f"activity {a} has no start" for a in durations if a not in starts]
    if problems:
        return problems
    worked = {a: (runs or {}).get(a, [(starts[a], d)]) for a, d in durations.items()}
    for a, pieces in worked.items():
        ends = [first + length for first, length in pieces]
        apart = all(end < later for end, (later, _n) in zip(ends, pieces[1:], strict=False))
        if pieces[0][0] != starts[a] or not apart or sum(n for _f, n in pieces) != durations[a]:
            problems.append(f"activity {a}: runs {pieces}")
    for a, release in (releases or {}).items():
        if starts[a] < release:
            problems.append(f"activity {a} starts at {starts[a]} before its release {release}")
    for pred, succ, lag in links:
        bound = (sum(worked[pred][-1]) if from_finish else starts[pred]) + lag
        if starts[succ] < bound:
            problems.append(f"activity {succ} starts {starts[succ]} < {bound}")
    used: dict[int, dict[int, int]] = {r: {} for r in capacities}
    for a, pieces in worked.items():
        for r, units in demands[a].items():
            row = used[r]
            for first, length in pieces:
                for period in range(first, first + length):
                    row[period] = row.get(period, 0) + units
    for r, row in used.items():
        problems += [
            f"resource {r} period {t}: {units} used of {capacities[r]}"
            for t, units in sorted(row.items())
            if units > capacities[r]
        ]
    return problems
