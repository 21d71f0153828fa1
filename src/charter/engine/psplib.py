"""Read PSPLIB single-mode instances (``.sm`` files, Kolisch & Sprecher 1996) into the leveling
engine's ``Problem``, and the table of proven optimal makespans (``j30opt.sm``).

An ``.sm`` file is sections separated by lines of ``*``: ``PRECEDENCE RELATIONS`` (job, modes,
successor count, successors), ``REQUESTS/DURATIONS`` (job, mode, duration, one demand per
resource) and ``RESOURCEAVAILABILITIES`` (one capacity per renewable resource). Jobs are
numbered from 1 (the source) to the last (the sink); every relation is finish-to-start with no
lag. Resource ids in the problem are 1, 2, … in the file's order.
"""

import re
from pathlib import Path

from charter.engine.leveling_model import Activity, Precedence, Problem, Resource


def parse_sm(text: str) -> Problem:
    lines = text.splitlines()
    successors: dict[int, list[int]] = {}
    durations: dict[int, int] = {}
    demands: dict[int, list[int]] = {}
    capacities: list[int] = []
    section = ""
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("PRECEDENCE RELATIONS"):
            section = "precedence"
            continue
        if stripped.startswith("REQUESTS/DURATIONS"):
            section = "requests"
            continue
        if stripped.startswith("RESOURCEAVAILABILITIES"):
            section = "availability"
            continue
        if stripped.startswith("*"):
            section = ""
            continue
        fields = stripped.split()
        if not fields or not all(re.fullmatch(r"-?\d+", f) for f in fields):
            continue
        numbers = [int(f) for f in fields]
        if section == "precedence":
            job, _modes, count, *rest = numbers
            if len(rest) != count:
                raise ValueError(f"job {job}: {count} successors announced, {len(rest)} listed")
            successors[job] = rest
        elif section == "requests":
            job, _mode, duration, *demand = numbers
            durations[job] = duration
            demands[job] = demand
        elif section == "availability":
            capacities = numbers
    if not durations or not capacities:
        raise ValueError("not a PSPLIB single-mode file: no requests or no availabilities")
    resources = [Resource(id=k + 1, capacity=units) for k, units in enumerate(capacities)]
    activities = [
        Activity(
            id=job,
            duration=durations[job],
            demand={k + 1: units for k, units in enumerate(demands[job]) if units},
        )
        for job in sorted(durations)
    ]
    precedences = [
        Precedence(job, successor, durations[job])
        for job in sorted(successors)
        for successor in successors[job]
    ]
    return Problem(activities=activities, precedences=precedences, resources=resources)


def read_sm(path: Path) -> Problem:
    return parse_sm(path.read_text(encoding="ascii", errors="replace"))


def parse_optima(text: str, prefix: str = "j30") -> dict[str, int]:
    """``{"j301_1": 43, …}`` from a PSPLIB optimum table (lines ``parameter instance
    makespan cpu-time``)."""
    optima: dict[str, int] = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 3 and all(f.isdigit() for f in fields[:3]):
            optima[f"{prefix}{fields[0]}_{fields[1]}"] = int(fields[2])
    return optima
