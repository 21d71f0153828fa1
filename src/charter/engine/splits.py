"""Split tasks: work interrupted by pauses, as Microsoft Project's splits.

A task's pauses are ``(worked, length)`` pairs in working minutes of the task's own calendar:
after ``worked`` minutes of its work the task stops for ``length`` working minutes, then goes
on. Pauses are relative to the task's start, so they move with the task when it is
rescheduled. A split task's span (start to finish, in working minutes) is its duration plus
its pauses.

A pause is valid when ``0 < worked < duration``, ``length > 0`` and the pauses come in strictly
increasing ``worked`` order: a pause before any work or after all of it would move the start or
the finish and is not a split. ``normalised`` drops the pauses that no longer fit (the duration
was shortened since, say) for callers that take stored data as it is.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from itertools import pairwise

type Pause = tuple[int, int]  # (work done before it, its length), working minutes
type Pauses = tuple[Pause, ...]


def check(duration: int, pauses: Sequence[Pause]) -> None:
    """ValueError unless ``pauses`` are valid for a task of ``duration`` (module docstring)."""
    worked_before = 0
    for worked, length in pauses:
        if not worked_before < worked < duration:
            raise ValueError(
                f"a pause after {worked} minutes of work does not split a task of {duration} "
                "minutes, or the pauses are out of order"
            )
        if length <= 0:
            raise ValueError(f"a pause must last some time, not {length} minutes")
        worked_before = worked


def normalised(duration: int, pauses: Iterable[Sequence[int]]) -> Pauses:
    """The valid pauses among ``pauses``, in order; two pauses after the same work add up."""
    merged: dict[int, int] = {}
    for worked, length in pauses:
        if 0 < worked < duration and length > 0:
            merged[worked] = merged.get(worked, 0) + length
    return tuple(sorted(merged.items()))


def span(duration: int, pauses: Sequence[Pause]) -> int:
    """Working minutes from start to finish: the work and its pauses."""
    return duration + sum(length for _worked, length in pauses)


def span_at(worked: int, pauses: Sequence[Pause]) -> int:
    """Working minutes of the span behind ``worked`` minutes of work: the work and the pauses
    met on the way, one that starts just then too (the next work comes after it)."""
    return worked + sum(length for before, length in pauses if before <= worked)


def runs(duration: int, pauses: Sequence[Pause]) -> list[tuple[int, int]]:
    """The task's runs of work as (first, last) minutes of its span, from 0 to
    ``span(duration, pauses)``: one more run than pauses."""
    found, at, worked_before = [], 0, 0
    for worked, length in pauses:
        found.append((at, at + worked - worked_before))
        at += worked - worked_before + length
        worked_before = worked
    found.append((at, at + duration - worked_before))
    return found


def pauses_between(
    spans: Sequence[tuple[datetime, datetime]],
    duration: int,
    minutes: Callable[[datetime, datetime], int],
    origin: datetime | None = None,
) -> Pauses:
    """The pauses of a task of ``duration`` that works in ``spans`` (sorted, apart): each
    stretch between two spans that holds working time, with the work before it counted from
    ``origin`` (the first span's start when None). ``minutes(start, end)`` measures working
    time on the task's calendar. The inverse of laying ``runs`` on a calendar."""
    if not spans:
        return ()
    start = spans[0][0] if origin is None else origin
    found: list[Pause] = []
    paused = 0
    for (_first, stop), (resume, _last) in pairwise(spans):
        if (length := minutes(stop, resume)) > 0:
            found.append((minutes(start, stop) - paused, length))
            paused += length
    return normalised(duration, found)
