"""The preemptive serial schedule-generation scheme: the serial SGS of ``leveling_sgs`` in the
same order, except that a splittable activity may be interrupted where a resource it needs is
short (Microsoft Project's "leveling can create splits in remaining work").

A splittable activity with demand starts at the first period from its bound in which every
resource it needs has enough units free, and takes from there the first ``duration`` such
periods: consecutive ones while they last, so it splits only where something blocks it. Each
run costs one window scan (the longest run that fits from its first period) and one search
for the next period that fits, not a step per period. Every other activity is placed whole, as
the serial SGS places it. Bounds from ``from_finish`` precedences count the predecessor's real
finish, the period after its last run.
"""

from collections.abc import Iterable, Iterator, Sequence

from charter.engine.leveling_model import Unplaceable
from charter.engine.leveling_sgs import (
    UNPLACED,
    Compiled,
    Demand,
    Failure,
    Key,
    Starts,
    earliest,
    grow,
    in_key_order,
    place_contiguous,
    short_resource,
    take,
)

type Run = tuple[int, int]  # (first period, length)
type Runs = dict[int, list[Run]]  # activity index: its runs, for split activities only


def serial_split(c: Compiled, keys: Sequence[Key]) -> tuple[Starts, Runs, dict[int, Failure]]:
    """One preemptive serial SGS pass in the order of ``keys``: the starts, the runs of the
    activities it splits and, for each activity it could not place, why."""
    rows = c.fresh()
    starts = [UNPLACED] * len(c.ids)
    finish = [UNPLACED] * len(c.ids)
    runs: Runs = {}

    def place(i: int, bound: int) -> Failure | None:
        for p, lag in c.finish_links[i]:
            bound = max(bound, finish[p] + lag)
        needs = c.demand[i]
        if not (c.splittable[i] and needs):
            failure = place_contiguous(c, rows, starts, i, bound)
            if failure is None:
                finish[i] = starts[i] + c.duration[i]
            return failure
        short = short_resource(c, i)
        if short >= 0:
            return (Unplaceable.OVER_CAPACITY, short)
        found = _collect(c, rows, needs, bound, c.duration[i])
        if found is None:
            return (Unplaceable.NO_ROOM, -1)
        for at, length in found:
            take(c, rows, needs, at, length)
        starts[i] = found[0][0]
        finish[i] = run_end(found)
        if len(found) > 1:
            runs[i] = found
        return None

    failed = in_key_order(c, keys, starts, place)
    return starts, runs, failed


def _collect(c: Compiled, rows: list[list[int]], needs: Demand, t: int, d: int) -> list[Run] | None:
    """The first ``d`` periods from ``t`` in which ``needs`` fits, as runs; ``None`` when they
    do not all lie before the horizon."""
    found: list[Run] = []
    while d:
        at = earliest(c, rows, needs, t, 1, c.horizon - d)
        if at is None:
            return None
        end = _fits_until(c, rows, needs, at, at + d)
        found.append((at, end - at))
        d -= end - at
        t = end
    return found


def _fits_until(c: Compiled, rows: list[list[int]], needs: Demand, t: int, end: int) -> int:
    """The first period in ``t .. end - 1`` where ``needs`` does not fit, or ``end``; ``needs``
    fits in period ``t``."""
    for r, q in needs:
        row = rows[r]
        if len(row) < end:
            grow(c, rows, r, end)
        if min(row[t:end]) < q:
            end = next(p for p in range(t, end) if row[p] < q)
    return end


def finishes(c: Compiled, starts: Starts, runs: Runs) -> list[int]:
    """Every activity's real finish (the period after its last run), ``UNPLACED`` for those
    without a start."""
    return [
        UNPLACED
        if start == UNPLACED
        else (run_end(runs[i]) if i in runs else start + c.duration[i])
        for i, start in enumerate(starts)
    ]


def run_end(runs: Sequence[Run]) -> int:
    """The period after the last of ``runs``."""
    first, length = runs[-1]
    return first + length


def periods_of(runs: Iterable[Run]) -> Iterator[int]:
    """Every period of ``runs``."""
    for first, length in runs:
        yield from range(first, first + length)


def runs_from_periods(periods: Iterable[int]) -> list[Run]:
    """Sorted distinct ``periods`` as runs of consecutive ones."""
    found: list[Run] = []
    for period in periods:
        if found and sum(found[-1]) == period:
            found[-1] = (found[-1][0], found[-1][1] + 1)
        else:
            found.append((period, 1))
    return found
