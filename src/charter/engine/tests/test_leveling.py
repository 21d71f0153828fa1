from collections import defaultdict
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.engine.leveling import (
    Activity,
    Mode,
    Move,
    Precedence,
    Problem,
    Resource,
    Result,
    Rule,
    Unplaceable,
    level,
    start_to_start_lag,
)
from charter.engine.model import CycleError, LinkType
from charter.engine.psplib import parse_optima, read_sm
from charter.engine.tests.shared_data import shared_data

R = 1


def act(id: int, duration: int, units: int = 1, **kw: object) -> Activity:
    return Activity(id=id, duration=duration, demand={R: units} if units else {}, **kw)  # type: ignore[arg-type]


def fs(pred: Activity, succ: Activity, lag: int = 0) -> Precedence:
    return Precedence(pred.id, succ.id, start_to_start_lag(LinkType.FS, lag, pred.duration, 0))


def violations(problem: Problem, result: Result) -> list[str]:
    """Brute force: every precedence, release, run and every period of every resource. An
    activity's periods come from its runs when it has some, and its finish is the end of its
    last run, both worked out here rather than by the engine."""
    found = []
    starts = result.starts
    acts = {a.id: a for a in problem.activities}
    periods: dict[int, list[int]] = {}
    for a_id, start in starts.items():
        a = acts[a_id]
        runs = list(result.runs.get(a_id, [(start, a.duration)]))
        if a_id in result.runs and (len(runs) < 2 or not a.splittable):
            found.append(f"{a_id} has runs without being split or splittable")
        if runs[0][0] != start or sum(length for _at, length in runs) != a.duration:
            found.append(f"{a_id}: runs {runs} do not start at {start} or add up to its duration")
        if len(runs) > 1 and any(length <= 0 for _at, length in runs):
            found.append(f"{a_id}: an empty run")
        if any(at <= prev + length for (prev, length), (at, _l) in pairwise(runs)):
            found.append(f"{a_id}: runs {runs} overlap, touch or go backwards")
        periods[a_id] = [t for at, length in runs for t in range(at, at + length)]
    finish = {a_id: ts[-1] + 1 if ts else starts[a_id] for a_id, ts in periods.items()}
    for link in problem.precedences:
        if link.predecessor in starts and link.successor in starts:
            after = finish[link.predecessor] if link.from_finish else starts[link.predecessor]
            if starts[link.successor] < after + link.lag:
                found.append(f"precedence {link}")
        elif link.successor in starts:
            found.append(f"{link.successor} placed without its predecessor")
    used: dict[tuple[int, int], int] = defaultdict(int)
    for a_id, start in starts.items():
        a = acts[a_id]
        if start < a.release:
            found.append(f"{a_id} before its release")
        if problem.horizon is not None and finish[a_id] > problem.horizon:
            found.append(f"{a_id} past the horizon")
        if result.finish(a) != finish[a_id]:
            found.append(f"{a_id}: Result.finish says {result.finish(a)}, not {finish[a_id]}")
        for r, units in a.demand.items():
            for t in periods[a_id]:
                used[r, t] += units
    resources = {r.id: r for r in problem.resources}
    found += [f"resource {r} period {t}" for (r, t), u in used.items() if u > resources[r].at(t)]
    if result.makespan != max(finish.values(), default=0):
        found.append(f"makespan {result.makespan} is not the latest finish")
    placed_or_not = set(starts) | {u.id for u in result.unplaced}
    if placed_or_not != set(acts) or set(starts) & {u.id for u in result.unplaced}:
        found.append("an activity is both placed and unplaced, or neither")
    return found


def test_two_tasks_competing_for_one_resource() -> None:
    a, b = act(1, 3), act(2, 2)
    problem = Problem([a, b], resources=[Resource(R, 1)])
    result = level(problem)
    # a has less room to slip (latest start 0 against 1): it keeps its start, b waits.
    assert dict(result.starts) == {1: 0, 2: 3}
    assert result.makespan == 5 and result.lower_bound == 3
    assert list(result.moved) == [Move(2, 0, 3)]
    assert not result.unplaced and not result.optimal


def test_a_finish_to_start_lag_is_kept() -> None:
    a, b = act(1, 2, 0), act(2, 2, 0)
    result = level(Problem([a, b], [fs(a, b, lag=1)]))
    assert dict(result.starts) == {1: 0, 2: 3}
    assert result.optimal and not result.moved


def test_link_type_conversions() -> None:
    assert start_to_start_lag(LinkType.FS, 2, 5, 3) == 7
    assert start_to_start_lag(LinkType.SS, -1, 5, 3) == -1
    assert start_to_start_lag(LinkType.FF, 0, 5, 3) == 2
    assert start_to_start_lag(LinkType.SF, 4, 5, 3) == 1


def test_a_negative_start_to_start_lag() -> None:
    a, b = act(1, 3, release=2), act(2, 2)
    problem = Problem([a, b], [Precedence(1, 2, -1)], [Resource(R, 1)])
    fast = level(problem)
    # b may start a period before a: too little to finish first, so it waits for a.
    assert dict(fast.starts) == {1: 2, 2: 5}
    best = level(problem, mode=Mode.OPTIMISE, time_limit=5)
    assert dict(best.starts) == {1: 2, 2: 5} and best.optimal
    # A two-period lead lets b run before a.
    lead = Problem([a, b], [Precedence(1, 2, -2)], [Resource(R, 1)])
    assert dict(level(lead).starts) == {1: 2, 2: 0}
    sampled = level(lead, mode=Mode.OPTIMISE, time_limit=0.5, solver="sampling")
    assert sampled.makespan == 5 and not violations(lead, sampled)


def test_capacity_that_varies_over_time() -> None:
    problem = Problem([act(1, 2)], resources=[Resource(R, 1, availability=[1, 0, 0, 1, 1])])
    result = level(problem)
    assert dict(result.starts) == {1: 3}
    assert list(result.moved) == [Move(1, 0, 3)]


def test_release_dates_hold_and_are_not_moves() -> None:
    a, b = act(1, 2, release=5), act(2, 2, release=6)
    result = level(Problem([a, b], resources=[Resource(R, 1)]))
    assert dict(result.starts) == {1: 5, 2: 7}
    assert list(result.moved) == [Move(2, 6, 7)]


def test_priority_decides_among_equals() -> None:
    low, high = act(1, 2, priority=500), act(2, 2, priority=900)
    result = level(Problem([low, high], resources=[Resource(R, 1)]))
    assert dict(result.starts) == {1: 2, 2: 0}


def test_more_than_capacity_is_reported_never_dropped() -> None:
    big, after, other = act(1, 2, units=3), act(2, 1), act(3, 1)
    problem = Problem([big, after, other], [fs(big, after)], [Resource(R, 2)])
    result = level(problem)
    assert dict(result.starts) == {3: 0}
    reasons = {u.id: (u.reason, u.resource) for u in result.unplaced}
    assert reasons == {1: (Unplaceable.OVER_CAPACITY, R), 2: (Unplaceable.PREDECESSOR, None)}
    optimised = level(problem, mode=Mode.OPTIMISE, time_limit=1)
    assert {u.id for u in optimised.unplaced} == {1, 2} and dict(optimised.starts) == {3: 0}


def test_no_room_before_the_horizon() -> None:
    problem = Problem([act(1, 3), act(2, 3)], resources=[Resource(R, 1)], horizon=5)
    result = level(problem)
    assert dict(result.starts) == {1: 0}
    assert [(u.id, u.reason) for u in result.unplaced] == [(2, Unplaceable.NO_ROOM)]


def test_missed_deadlines_are_reported() -> None:
    a, b, c = act(1, 3), act(2, 3, deadline=4), act(3, 5, 0)
    result = level(Problem([a, b, c], resources=[Resource(R, 1)]))
    assert dict(result.starts) == {1: 3, 2: 0, 3: 0}  # the deadline made b the more urgent
    a2, b2 = act(1, 3, deadline=3), act(2, 3, deadline=4)
    assert level(Problem([a2, b2], resources=[Resource(R, 1)])).late == [2]


def test_a_cycle_is_refused() -> None:
    with pytest.raises(CycleError):
        level(Problem([act(1, 1, 0), act(2, 1, 0)], [Precedence(1, 2, 1), Precedence(2, 1, 1)]))


def test_progress_reports_the_end() -> None:
    seen: list[tuple[float, int]] = []
    a, b, c = act(1, 2), act(2, 2), act(3, 2)
    problem = Problem([a, b, c], [Precedence(1, 3, -5)], [Resource(R, 1)])
    result = level(
        problem, mode=Mode.OPTIMISE, time_limit=1, progress=lambda f, m: seen.append((f, m))
    )
    assert seen and seen[-1] == (1.0, result.makespan)


@st.composite
def problems(draw: st.DrawFn, varying: bool = False, splitting: bool = False) -> Problem:
    """Small random problems; ``splitting`` adds splittable activities and from_finish links."""
    n = draw(st.integers(1, 8))
    caps = [draw(st.integers(1, 4)) for _ in range(2)]
    resources = []
    for k, cap in enumerate(caps):
        listed = draw(st.lists(st.integers(0, cap), max_size=12)) if varying else []
        resources.append(Resource(k, cap, listed))
    activities = []
    for i in range(n):
        demand = {k: draw(st.integers(0, cap)) for k, cap in enumerate(caps)}
        activities.append(
            Activity(
                id=i,
                duration=draw(st.integers(0, 4)),
                demand={k: u for k, u in demand.items() if u},
                release=draw(st.integers(0, 5)),
                priority=draw(st.integers(1, 1000)),
                splittable=splitting and draw(st.booleans()),
            )
        )
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    links = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=8)) if pairs else []
    precedences = [
        Precedence(i, j, draw(st.integers(-3, 5)), splitting and draw(st.booleans()))
        for i, j in links
    ]
    return Problem(activities, precedences, resources)


QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@QUICK
@given(problems())
def test_fast_schedules_are_feasible_and_deterministic(problem: Problem) -> None:
    result = level(problem)
    assert not violations(problem, result)
    assert not result.unplaced  # constant capacity, every demand fits
    assert level(problem) == result
    for rule in Rule:
        assert not violations(problem, level(problem, rule=rule))


@QUICK
@given(problems(varying=True))
def test_varying_capacity_schedules_are_feasible(problem: Problem) -> None:
    assert not violations(problem, level(problem))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.sampled_from(["cp-sat", "sampling"]))
def test_optimised_schedules_are_feasible_and_no_longer(problem: Problem, solver: str) -> None:
    fast = level(problem)
    best = level(problem, mode=Mode.OPTIMISE, time_limit=0.2, solver=solver)
    assert not violations(problem, best)
    assert best.makespan <= fast.makespan
    assert best.makespan >= best.lower_bound


@QUICK
@given(problems())
def test_enough_capacity_moves_nothing(problem: Problem) -> None:
    total = {
        r.id: sum(a.demand.get(r.id, 0) for a in problem.activities) for r in problem.resources
    }
    roomy = Problem(
        problem.activities,
        problem.precedences,
        [Resource(r.id, max(1, total[r.id])) for r in problem.resources],
    )
    for mode in Mode:
        result = level(roomy, mode=mode, time_limit=0.2)
        assert not result.moved and result.optimal
        assert result.makespan == result.lower_bound


@pytest.mark.parametrize("name", ["j301_1", "j301_2", "j305_3", "j3010_7", "j3046_4"])
def test_j30_instances_reach_their_optimum(name: str) -> None:
    data = shared_data("psplib")
    optimum = parse_optima((data / "j30opt.sm").read_text())[name]
    problem = read_sm(data / "j30" / f"{name}.sm")
    assert len(problem.activities) == 32 and len(problem.resources) == 4
    fast = level(problem)
    best = level(problem, mode=Mode.OPTIMISE, time_limit=10)
    assert fast.makespan >= optimum
    assert best.makespan == optimum and best.optimal
    assert not violations(problem, best) and not violations(problem, fast)
