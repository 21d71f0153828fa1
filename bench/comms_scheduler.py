"""The communication plan's scheduler: deciding which occurrences are due, tick by tick.

SIZE plan items with a mix of the rules people use (every working day, weekly, every two
weeks, monthly on the last working day, the first Monday of the month, once), random first
dates in the year, on mainland China's 2026 calendar (public holidays from the ``holidays``
package as days off), are scheduled over a whole year with a tick every hour:

- ours: what charter.comms.scheduler does — each item keeps a cursor (its next occurrence and
  due time; in the database an indexed column, here a heap), a tick takes the due cursors only
  and moves each on with ``engine.recurrence.following``;
- reference: the naive scheduler — at every tick, expand every item's rule
  (``engine.recurrence.between``) over the time since the previous tick.

The naive way costs ticks × items expansions; it is timed on REFERENCE_TICKS ticks spread
over the year and multiplied out to the year's ticks (its cost per tick only grows through
the year, so the sample spread evenly gives a fair figure). Both must decide the same
occurrences on the sampled ticks (checked, outside the timing). Figures: medians of RUNS.

    python bench/comms_scheduler.py [--size 10000] [--runs 3]
"""

import argparse
import heapq
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from itertools import chain

from _harness import report

from charter.engine.recurrence import Occurrence, Recurrence, Shift, WorkingDays, between, following

NAME = "comms-scheduler"
YEAR = 2026
TICK = timedelta(hours=1)
REFERENCE_TICKS = 12
SEND_AT = clock(9, 0)
RULES = [
    ("FREQ=DAILY", Shift.SKIP),
    ("FREQ=WEEKLY;BYDAY=MO", Shift.NEXT),
    ("FREQ=WEEKLY;BYDAY=FR", Shift.PREVIOUS),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", Shift.NEXT),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", Shift.PREVIOUS),
    ("FREQ=MONTHLY;BYDAY=1MO", Shift.NEXT),
    ("", Shift.NEXT),
]

type Plan = list[Recurrence]
type Decision = tuple[int, date]  # item, nominal date


def china(year: int) -> WorkingDays:
    import holidays

    days_off = holidays.country_holidays("CN", years=[year, year + 1])
    return WorkingDays(exceptions=dict.fromkeys(days_off, False))


def make_plan(size: int, seed: int = 7) -> Plan:
    rng = random.Random(seed)
    first = date(YEAR, 1, 1)
    items = []
    for _ in range(size):
        rule, shift = rng.choice(RULES)
        items.append(Recurrence(rule, first + timedelta(days=rng.randrange(365)), shift=shift))
    return items


def ticks() -> list[datetime]:
    start = datetime(YEAR, 1, 1, tzinfo=UTC)
    return [start + TICK * n for n in range(1, 365 * 24 + 1)]


def due_moment(occurrence: Occurrence) -> datetime:
    return datetime.combine(occurrence.on, SEND_AT, tzinfo=UTC)


def ours(
    plan: Plan, calendar: WorkingDays, moments: list[datetime]
) -> list[tuple[datetime, int, date]]:
    """Cursors in a heap: a tick pops the due ones and pushes each one's next occurrence."""
    cursors: list[tuple[datetime, int, Occurrence]] = []
    for index, item in enumerate(plan):
        if (first := following(item, calendar)) is not None:
            cursors.append((due_moment(first), index, first))
    heapq.heapify(cursors)
    decided = []
    for now in moments:
        while cursors and cursors[0][0] <= now:
            due, index, occurrence = heapq.heappop(cursors)
            decided.append((due, index, occurrence.nominal))
            if (after := following(plan[index], calendar, occurrence)) is not None:
                heapq.heappush(cursors, (due_moment(after), index, after))
    return decided


def naive_tick(
    plan: Plan, calendar: WorkingDays, previous: datetime, now: datetime
) -> list[Decision]:
    """Every rule expanded over the days of (previous, now]; those due in that time."""
    decided = []
    for index, item in enumerate(plan):
        for occurrence in between(item, calendar, previous.date(), now.date()):
            if previous < due_moment(occurrence) <= now:
                decided.append((index, occurrence.nominal))
    return decided


def sampled(moments: list[datetime]) -> list[int]:
    step = len(moments) // REFERENCE_TICKS
    return [step * n + step // 2 for n in range(REFERENCE_TICKS)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="plan items")
    parser.add_argument("--runs", type=int, default=3, help="timed runs")
    options = parser.parse_args()

    plan, calendar, moments = make_plan(options.size), china(YEAR), ticks()
    positions = sampled(moments)
    ours_s, reference_s = [], []
    for _ in range(options.runs):
        started = time.perf_counter()
        decided = ours(plan, calendar, moments)
        ours_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        naive = [naive_tick(plan, calendar, moments[n - 1], moments[n]) for n in positions]
        per_tick = (time.perf_counter() - started) / len(positions)
        reference_s.append(per_tick * len(moments))
    windows = [(moments[n - 1], moments[n]) for n in positions]
    in_windows = sorted(
        (index, nominal)
        for due, index, nominal in decided
        if any(start < due <= end for start, end in windows)
    )
    assert sorted(chain.from_iterable(naive)) == in_windows, (
        "the two schedulers decided differently"
    )
    report(
        NAME,
        size=options.size,
        ticks=len(moments),
        occurrences=len(decided),
        ours_s=statistics.median(ours_s),
        reference_s=statistics.median(reference_s),
        ratio=statistics.median(ours_s) / statistics.median(reference_s),
    )


if __name__ == "__main__":
    main()
