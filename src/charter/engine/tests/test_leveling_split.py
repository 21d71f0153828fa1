from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from charter.engine.leveling import (
    Activity,
    Mode,
    Move,
    Precedence,
    Problem,
    Resource,
    Result,
    Unplaceable,
    level,
)
from charter.engine.tests.test_leveling import QUICK, R, act, problems, violations

HOLE = Resource(R, 1, availability=[1, 1, 0, 1, 1])  # nothing to work with in period 2
ROOMY_HORIZON = 200  # more than enough for any problem of the `problems` strategy


def splittable(problem: Problem, flag: bool = True) -> Problem:
    return replace(problem, activities=[replace(a, splittable=flag) for a in problem.activities])


def test_a_capacity_hole_splits_a_splittable_activity() -> None:
    whole = Problem([act(1, 4)], resources=[HOLE])
    assert dict(level(whole).starts) == {1: 3} and not level(whole).runs
    result = level(splittable(whole))
    assert dict(result.starts) == {1: 0}
    assert result.runs == {1: ((0, 2), (3, 2))}
    assert result.makespan == 5 and result.finish(act(1, 4)) == 5
    assert not result.moved and not result.optimal and result.solver == "sgs-split"
    assert not violations(splittable(whole), result)


def test_a_long_low_urgency_activity_works_around_a_short_urgent_one() -> None:
    long, short = act(1, 3, late_start=10, splittable=True), act(2, 1, release=1)
    result = level(Problem([long, short], resources=[Resource(R, 1)]))
    assert dict(result.starts) == {1: 0, 2: 1}
    assert result.runs == {1: ((0, 1), (2, 2))} and result.makespan == 4
    unsplit = level(Problem([replace(long, splittable=False), short], resources=[Resource(R, 1)]))
    assert dict(unsplit.starts) == {1: 2, 2: 1} and unsplit.makespan == 5


def test_a_finish_link_waits_for_the_real_finish_and_a_start_link_does_not() -> None:
    split = act(1, 4, splittable=True)
    after, beside = act(2, 1, 0), act(3, 1, 0)
    links = [Precedence(1, 2, 0, from_finish=True), Precedence(1, 3, 1)]
    problem = Problem([split, after, beside], links, [HOLE])
    result = level(problem)
    # The start-to-start lag d + 0 = 4 would let `after` start before `split` ends at 5.
    assert dict(result.starts) == {1: 0, 2: 5, 3: 1}
    assert result.finish(split) == 5 and result.finish(after) == 6
    assert list(result.moved) == [Move(2, 4, 5)]
    assert not violations(problem, result)


def test_a_non_splittable_activity_is_never_split() -> None:
    whole, split = act(1, 3), act(2, 3, late_start=10, splittable=True)
    hole = Resource(R, 1, availability=[1, 1, 0, 1, 1, 1])
    problem = Problem([whole, split], resources=[hole])
    result = level(problem)
    assert dict(result.starts) == {1: 3, 2: 0}
    assert result.runs == {2: ((0, 2), (6, 1))}
    assert not violations(problem, result)


def test_why_an_activity_is_not_placed() -> None:
    big, after = act(1, 2, units=2, splittable=True), act(2, 1, splittable=True)
    gappy = Resource(R, 1, availability=[1, 0, 1, 0, 1, 0, 0])
    spread, last = act(3, 3, splittable=True), act(4, 1, release=5, splittable=True)
    links = [Precedence(1, 2, 0, from_finish=True)]
    problem = Problem([big, after, spread, last], links, [gappy], horizon=7)
    result = level(problem)
    reasons = {u.id: (u.reason, u.resource) for u in result.unplaced}
    assert reasons == {
        1: (Unplaceable.OVER_CAPACITY, R),
        2: (Unplaceable.PREDECESSOR, None),
        4: (Unplaceable.NO_ROOM, None),
    }
    assert dict(result.starts) == {3: 0} and result.runs == {3: ((0, 1), (2, 1), (4, 1))}
    # Whole, `spread` finds no three free periods in a row either.
    assert {u.id for u in level(splittable(problem, False)).unplaced} == {1, 2, 3, 4}


def test_optimise_returns_the_split_schedule_when_it_places_more() -> None:
    problem = Problem([act(1, 3, splittable=True)], resources=[HOLE], horizon=5)
    result = level(problem, mode=Mode.OPTIMISE, time_limit=1)
    assert result.solver == "sgs-split" and result.runs == {1: ((0, 2), (3, 1))}
    assert not result.unplaced and result.makespan == 4


def test_optimise_returns_the_split_schedule_when_it_is_shorter() -> None:
    problem = splittable(Problem([act(1, 4)], resources=[HOLE]))
    result = level(problem, mode=Mode.OPTIMISE, time_limit=1)
    assert result == replace(level(problem), mode=Mode.OPTIMISE)


@pytest.mark.parametrize("solver", ["cp-sat", "sampling"])
def test_optimise_returns_the_whole_schedule_when_it_is_shorter(solver: str) -> None:
    first, wide, then = act(1, 3), act(2, 2, units=2), act(3, 1)
    links = [Precedence(2, 3, 0, from_finish=True)]
    problem = splittable(Problem([first, wide, then], links, [Resource(R, 2)]))
    assert level(problem).makespan == 6
    best = level(problem, mode=Mode.OPTIMISE, time_limit=2, solver=solver)
    assert dict(best.starts) == {1: 2, 2: 0, 3: 2} and not best.runs
    assert best.makespan == 5 and best.solver == solver
    # A solver's proof covers whole schedules only: with splits allowed it proves nothing.
    assert not best.optimal


def test_fast_mode_keeps_whole_tasks_when_splitting_would_finish_later() -> None:
    """A run taken early can block the window another activity needs: the split pass alone
    finishes at 10 here, the whole tasks at 9."""
    early = act(0, 3, release=1, splittable=True)
    wide, wider = act(2, 2, units=2), act(3, 4, units=2, release=2)
    result = level(Problem([early, wide, wider], resources=[Resource(R, 2)]))
    assert result.makespan == 9 and result.solver == "sgs" and not result.runs


@QUICK
@given(problems(varying=True, splitting=True))
def test_allowing_splits_never_gives_a_worse_fast_schedule(problem: Problem) -> None:
    whole = Problem(
        [replace(a, splittable=False) for a in problem.activities],
        problem.precedences,
        problem.resources,
        problem.horizon,
    )
    split, kept = level(problem), level(whole)
    assert (len(split.unplaced), split.makespan) <= (len(kept.unplaced), kept.makespan)


@QUICK
@given(problems(varying=True, splitting=True))
def test_split_schedules_are_feasible_and_deterministic(problem: Problem) -> None:
    result = level(problem)
    assert not violations(problem, result)
    assert level(problem) == result


@QUICK
@given(problems(splitting=True))
def test_with_constant_capacity_every_activity_is_placed(problem: Problem) -> None:
    assert not level(problem).unplaced


@QUICK
@given(problems(varying=True, splitting=True), st.sampled_from(["cp-sat", "sampling"]))
def test_optimised_split_schedules_are_feasible_and_no_worse(problem: Problem, solver: str) -> None:
    fast = level(problem)
    best = level(problem, mode=Mode.OPTIMISE, time_limit=0.1, solver=solver)
    assert not violations(problem, best)
    assert rank(best) <= rank(fast)
    assert best.makespan >= best.lower_bound or best.unplaced


@QUICK
@given(problems(splitting=True))
def test_enough_capacity_moves_and_splits_nothing(problem: Problem) -> None:
    roomy = replace(
        problem,
        resources=[
            Resource(r.id, max(1, sum(a.demand.get(r.id, 0) for a in problem.activities)))
            for r in problem.resources
        ],
    )
    for mode in Mode:
        result = level(roomy, mode=mode, time_limit=0.1)
        assert not result.moved and not result.runs and result.optimal
        assert result.makespan == result.lower_bound


@QUICK
@given(problems(varying=True, splitting=True))
def test_unsplit_finish_links_are_start_links_of_duration_plus_lag(problem: Problem) -> None:
    # One horizon for both: their defaults count positive lags differently.
    whole = replace(splittable(problem, False), horizon=ROOMY_HORIZON)
    durations = {a.id: a.duration for a in problem.activities}
    converted = replace(
        whole,
        precedences=[
            Precedence(p.predecessor, p.successor, p.lag + durations[p.predecessor])
            if p.from_finish
            else p
            for p in problem.precedences
        ],
    )
    assert level(whole) == level(converted)


def rank(result: Result) -> tuple[int, int]:
    return len(result.unplaced), result.makespan


def test_an_activity_without_demand_is_never_split() -> None:
    free = Activity(1, 3, splittable=True)
    result = level(Problem([free, act(2, 2)], resources=[HOLE]))
    assert dict(result.starts) == {1: 0, 2: 0} and not result.runs
