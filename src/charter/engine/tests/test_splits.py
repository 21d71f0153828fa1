import itertools
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charter.engine.plan import PlanLink, PlanTask, schedule_plan
from charter.engine.splits import check, normalised, pauses_between, runs, span, span_at
from charter.engine.tests.test_plan import (
    DAY,
    OFFICE,
    START,
    calendar_of,
    march,
    plan,
    plan_task,
    plans,
)

# The helpers


def test_runs_and_span_of_a_task_split_twice() -> None:
    pauses = ((DAY, 2 * DAY), (2 * DAY, DAY))
    check(3 * DAY, pauses)
    assert span(3 * DAY, pauses) == 6 * DAY
    assert runs(3 * DAY, pauses) == [(0, DAY), (3 * DAY, 4 * DAY), (5 * DAY, 6 * DAY)]
    assert span_at(DAY - 1, pauses) == DAY - 1
    assert span_at(DAY, pauses) == 3 * DAY  # the next work comes after the pause


@pytest.mark.parametrize(
    "pauses",
    [((0, DAY),), ((DAY, DAY),), ((60, 0),), ((120, 10), (60, 10)), ((60, 10), (60, 10))],
    ids=["before any work", "after all of it", "no length", "out of order", "twice at once"],
)
def test_pauses_that_do_not_split_are_refused(pauses: tuple[tuple[int, int], ...]) -> None:
    with pytest.raises(ValueError):
        check(DAY, pauses)


@given(
    st.integers(0, 5 * DAY),
    st.lists(st.tuples(st.integers(-DAY, 6 * DAY), st.integers(-60, DAY)), max_size=5),
)
def test_normalised_pauses_are_valid_and_their_runs_add_up(
    duration: int, raw: list[tuple[int, int]]
) -> None:
    pauses = normalised(duration, raw)
    check(duration, pauses)
    found = runs(duration, pauses)
    assert sum(last - first for first, last in found) == duration
    assert found[-1][1] == span(duration, pauses)
    gaps = [later[0] - earlier[1] for earlier, later in itertools.pairwise(found)]
    assert gaps == [length for _worked, length in pauses]
    assert span_at(duration, pauses) == span(duration, pauses)


@given(
    st.integers(1, 5 * DAY),
    st.lists(st.tuples(st.integers(1, 5 * DAY), st.integers(1, DAY)), max_size=4),
)
def test_pauses_between_the_runs_laid_out_are_the_pauses(
    duration: int, raw: list[tuple[int, int]]
) -> None:
    """On a clock that works every minute, the runs laid from the start give back the pauses."""
    pauses = normalised(duration, raw)
    origin = datetime(2025, 3, 3)
    spans = [
        (origin + timedelta(minutes=first), origin + timedelta(minutes=last))
        for first, last in runs(duration, pauses)
    ]

    def minutes(start: datetime, end: datetime) -> int:
        return int((end - start).total_seconds()) // 60

    assert pauses_between(spans, duration, minutes) == pauses


# Scheduling split tasks


def test_a_split_task_runs_in_segments_and_its_successor_waits_for_the_last() -> None:
    split = plan_task(1, 2 * DAY, pauses=((DAY, 2 * DAY),))
    result = plan([split, plan_task(2, DAY)], [PlanLink(1, 2)])
    dates = result.tasks[1]
    assert dates.segments == ((march(3, 9), march(3, 18)), (march(6, 9), march(6, 18)))
    assert (dates.start, dates.finish, dates.duration) == (march(3, 9), march(6, 18), 2 * DAY)
    assert result.tasks[2].start == march(7, 9)
    assert result.tasks[2].segments == ()


def test_a_split_task_with_progress_keeps_its_done_work_at_the_start() -> None:
    """Half done, status Thursday evening: the work done and its pause stay where they are
    and the rest resumes after the status date."""
    split = plan_task(1, 2 * DAY, pauses=((DAY, DAY),), percent_complete=50, actual_start=START)
    result = plan([split], status_date=march(6, 18))
    assert result.tasks[1].segments == ((march(3, 9), march(3, 18)), (march(7, 9), march(7, 18)))


def test_a_task_done_on_actual_dates_shows_no_segments() -> None:
    done = plan_task(1, DAY, pauses=((240, DAY),), actual_start=START, actual_finish=march(5, 18))
    result = plan([done])
    assert (result.tasks[1].start, result.tasks[1].finish) == (START, march(5, 18))
    assert result.tasks[1].segments == ()


def test_bad_pauses_name_the_task() -> None:
    with pytest.raises(ValueError, match="task 7"):
        plan([plan_task(7, DAY, pauses=((DAY, 60),))])


def _working(calendar_start: datetime, calendar_finish: datetime, task: PlanTask) -> int:
    return calendar_of(task).working_minutes(calendar_start, calendar_finish)


@given(plans(progress=False))
def test_segments_hold_the_work_and_their_gaps_the_pauses(
    plan_: tuple[list[PlanTask], list[PlanLink]],
) -> None:
    tasks, links = plan_
    result = plan(tasks, links)
    for task in tasks:
        segments = result.tasks[task.id].segments
        if not task.pauses or result.tasks[task.id].summary:
            assert segments == ()
            continue
        assert (segments[0][0], segments[-1][1]) == (
            result.tasks[task.id].start,
            result.tasks[task.id].finish,
        )
        assert sum(_working(first, last, task) for first, last in segments) == task.duration
        gaps = [
            _working(earlier[1], later[0], task) for earlier, later in itertools.pairwise(segments)
        ]
        assert gaps == [length for _worked, length in task.pauses]


def test_the_same_split_on_both_paths() -> None:
    """The cpm path (one calendar, no progress) and the general pass agree on segments."""
    tasks = [plan_task(1, 3 * DAY, pauses=((DAY + 60, DAY),)), plan_task(2, DAY)]
    links = [PlanLink(2, 1)]
    fast = schedule_plan(tasks, links, calendar=OFFICE, start=START)
    general = schedule_plan(
        tasks, links, calendar=OFFICE, start=START, status_date=START - timedelta(days=7)
    )
    assert fast.tasks[1].segments == general.tasks[1].segments
    assert fast.tasks[1].segments[1][0] == march(6, 10)
