from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.engine.cpm import Schedule, reschedule, schedule
from charter.engine.model import Constraint, CycleError, Link, LinkType, Task, Timing

FS, SS, FF, SF = LinkType.FS, LinkType.SS, LinkType.FF, LinkType.SF
HARD = {Constraint.MSO, Constraint.MFO, Constraint.SNLT, Constraint.FNLT}


def dates(result: Schedule, task_id: int) -> tuple[int, int, int, int]:
    t = result[task_id]
    return t.early_start, t.early_finish, t.late_start, t.late_finish


# Hand-checked networks. Dates are (ES, EF, LS, LF).


def test_finish_to_start_with_a_lag_and_a_lead() -> None:
    tasks = [Task(1, 10), Task(2, 20), Task(3, 5)]
    result = schedule(tasks, [Link(1, 2, FS, 5), Link(2, 3, FS, -3)])
    assert [dates(result, i) for i in (1, 2, 3)] == [(0, 10, 0, 10), (15, 35, 15, 35), (32, 37) * 2]
    assert result.finish == 37
    assert all(result[i].critical and result[i].free_float == 0 for i in (1, 2, 3))
    assert result.critical_paths() == [[1, 2, 3]]


def test_start_to_start_with_a_lag() -> None:
    result = schedule([Task(1, 10), Task(2, 3)], [Link(1, 2, SS, 2)])
    assert dates(result, 2) == (2, 5, 7, 10)
    assert (result[2].total_float, result[2].free_float, result[2].critical) == (5, 5, False)
    # B's late start 7 would let A start at 5, but A must still finish by the project finish.
    assert dates(result, 1) == (0, 10, 0, 10)


def test_finish_to_finish_with_a_lag() -> None:
    result = schedule([Task(1, 10), Task(2, 6)], [Link(1, 2, FF, 4)])
    assert dates(result, 2) == (8, 14, 8, 14)
    assert dates(result, 1) == (0, 10, 0, 10)
    assert result.critical_paths() == [[1, 2]]


def test_start_to_finish_with_a_lead() -> None:
    tasks = [Task(1, 10, Constraint.SNET, 20), Task(2, 4)]
    result = schedule(tasks, [Link(1, 2, SF, -5)])
    assert dates(result, 2) == (11, 15, 26, 30)  # finishes 5 before A starts, at the latest
    assert dates(result, 1) == (20, 30, 20, 30)
    assert result[1].free_float == 0
    assert result[2].free_float == 15


def test_start_to_finish_cannot_start_before_the_project() -> None:
    result = schedule([Task(1, 10), Task(2, 5)], [Link(1, 2, SF, 3)], project_start=100)
    assert dates(result, 2) == (100, 105, 105, 110)
    assert dates(result, 1) == (100, 110, 100, 110)


def test_milestones_take_no_time() -> None:
    tasks = [Task(1, 10), Task(2, 0), Task(3, 5)]
    result = schedule(tasks, [Link(1, 2), Link(2, 3)])
    assert dates(result, 2) == (10, 10, 10, 10)
    assert dates(result, 3) == (10, 15, 10, 15)


def test_free_float_is_the_least_slack_of_the_outgoing_links() -> None:
    tasks = [Task(1, 5), Task(2, 8), Task(3, 10), Task(4, 30)]
    result = schedule(tasks, [Link(1, 3), Link(2, 3)])
    assert (result[1].free_float, result[1].total_float) == (3, 15)  # 3 waits for 2 anyway
    assert (result[2].free_float, result[2].total_float) == (0, 12)
    assert (result[3].free_float, result[3].total_float) == (12, 12)  # up to the finish, 30
    assert result.critical_paths() == [[4]]


def test_project_finish_given() -> None:
    later = schedule([Task(1, 10)], [], project_finish=15)
    earlier = schedule([Task(1, 10)], [], project_finish=8)
    assert (later[1].total_float, later[1].free_float, later[1].critical) == (5, 5, False)
    assert (earlier[1].total_float, earlier[1].critical, earlier.finish) == (-2, True, 8)


# Constraints


def test_start_and_finish_no_earlier_than_push_early_dates() -> None:
    tasks = [Task(1, 5, Constraint.SNET, 10), Task(2, 5, Constraint.FNET, 20)]
    result = schedule(tasks, [])
    assert dates(result, 1) == (10, 15, 15, 20)
    assert dates(result, 2) == (15, 20, 15, 20)


def test_start_no_later_than_caps_late_dates() -> None:
    tasks = [Task(1, 10), Task(2, 5, Constraint.SNLT, 20), Task(3, 40)]
    result = schedule(tasks, [Link(1, 2)])
    assert dates(result, 2) == (10, 15, 20, 25)
    assert dates(result, 1) == (0, 10, 10, 20)
    assert not result[2].violated


def test_finish_no_later_than_caps_late_dates() -> None:
    tasks = [Task(1, 10), Task(2, 5, Constraint.FNLT, 18), Task(3, 40)]
    result = schedule(tasks, [Link(1, 2)])
    assert dates(result, 2) == (10, 15, 13, 18)
    assert not result[2].violated


@pytest.mark.parametrize(
    ("constraint", "at", "late"),
    [(Constraint.SNLT, 5, (5, 10)), (Constraint.FNLT, 12, (7, 12))],
)
def test_a_violated_deadline_keeps_logic_dates_and_shows_negative_float(
    constraint: Constraint, at: int, late: tuple[int, int]
) -> None:
    result = schedule([Task(1, 10), Task(2, 5, constraint, at)], [Link(1, 2)])
    assert dates(result, 2) == (10, 15, *late)
    assert result[2].violated and result[2].critical
    assert result[1].total_float == result[2].total_float < 0
    assert not result[1].violated  # the conflict is the constrained task's


def test_must_start_on_pins_the_task() -> None:
    result = schedule([Task(1, 10), Task(2, 5, Constraint.MSO, 15)], [Link(1, 2)])
    assert dates(result, 2) == (15, 20, 15, 20)
    assert result[2].critical and not result[2].violated
    assert result[1].total_float == 5


def test_must_finish_on_pins_the_task() -> None:
    tasks = [Task(1, 10), Task(2, 5, Constraint.MFO, 30), Task(3, 50)]
    result = schedule(tasks, [Link(1, 2)])
    assert dates(result, 2) == (25, 30, 25, 30)
    assert result[2].total_float == 0 and not result[2].violated


@pytest.mark.parametrize(("constraint", "at"), [(Constraint.MSO, 5), (Constraint.MFO, 8)])
def test_a_must_date_that_logic_forbids_is_not_moved_but_flagged(
    constraint: Constraint, at: int
) -> None:
    result = schedule([Task(1, 10), Task(2, 5, constraint, at)], [Link(1, 2)])
    assert dates(result, 2)[:2] == (10, 15)
    assert result[2].violated
    assert result[2].total_float < 0


def test_a_must_start_before_the_project_start_is_violated() -> None:
    result = schedule([Task(1, 5, Constraint.MSO, 3)], [], project_start=10)
    assert dates(result, 1)[:2] == (10, 15)
    assert result[1].violated


def test_as_late_as_possible_takes_its_late_dates_and_pushes_successors() -> None:
    tasks = [Task(1, 5, Constraint.ALAP), Task(2, 10), Task(3, 30), Task(4, 5, Constraint.ALAP)]
    result = schedule(tasks, [Link(1, 2)])
    assert dates(result, 1) == (15, 20, 15, 20)
    assert dates(result, 2) == (20, 30, 20, 30)
    assert dates(result, 4) == (25, 30, 25, 30)
    assert all(result[i].critical for i in (1, 2, 3, 4))
    assert result.finish == 30


def test_as_late_as_possible_pushes_through_a_finish_link_and_down_the_chain() -> None:
    tasks = [Task(1, 5, Constraint.ALAP), Task(2, 10), Task(3, 4), Task(4, 30)]
    links = [Link(1, 2, FF), Link(2, 3)]
    result = schedule(tasks, links)
    # Logic alone: A 0-5, B 0-10, C 10-14; C's late finish is the project finish, 30.
    assert dates(result, 1) == (21, 26, 21, 26)
    assert dates(result, 2) == (16, 26, 16, 26)  # B finishes no earlier than A now does
    assert dates(result, 3) == (26, 30, 26, 30)
    assert reschedule(result, [4], tasks, links) == result


def test_dated_constraint_without_a_date_is_refused() -> None:
    with pytest.raises(ValueError, match="task 1: a MSO constraint needs its date"):
        schedule([Task(1, 5, Constraint.MSO)], [])


# Bad input


def test_a_cycle_names_its_tasks_in_order() -> None:
    tasks = [Task(i, 1) for i in range(5)]
    links = [Link(0, 1), Link(1, 2), Link(2, 3, SS), Link(3, 1, FF), Link(3, 4)]
    with pytest.raises(CycleError) as raised:
        schedule(tasks, links)
    cycle = raised.value.tasks
    assert sorted(cycle) == [1, 2, 3]
    start = cycle.index(1)
    assert cycle[start:] + cycle[:start] == [1, 2, 3]
    assert (
        "1 → 2 → 3 → 1" in str(raised.value)
        or "2 → 3 → 1 → 2" in str(raised.value)
        or ("3 → 1 → 2 → 3" in str(raised.value))
    )


def test_a_task_linked_to_itself_is_a_cycle() -> None:
    with pytest.raises(CycleError, match="7 → 7"):
        schedule([Task(7, 1)], [Link(7, 7)])


def test_a_link_to_an_unknown_task_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown task: 9"):
        schedule([Task(1, 1)], [Link(1, 9)])


def test_the_first_unknown_task_in_link_order_is_named() -> None:
    with pytest.raises(ValueError, match="unknown task: 9"):
        schedule([Task(1, 1)], [Link(1, 9), Link(8, 1)])
    with pytest.raises(ValueError, match="unknown task: 8"):
        schedule([Task(1, 1)], [Link(8, 1), Link(1, 9)])


def test_duplicate_ids_and_negative_durations_are_refused() -> None:
    with pytest.raises(ValueError, match=r"duplicate task ids: \[1\]"):
        schedule([Task(1, 1), Task(1, 2)], [])
    with pytest.raises(ValueError, match="negative duration"):
        schedule([Task(1, -1)], [])


def test_the_schedule_is_a_mapping_in_task_order() -> None:
    result = schedule([Task(3, 1), Task(1, 2)], [Link(3, 1)])
    assert list(result) == [3, 1] and len(result) == 2 and 4 not in result
    assert result == {3: Timing(0, 1, 0, 1, 0, 0, True), 1: Timing(1, 3, 1, 3, 0, 0, True)}
    assert schedule([], []).finish == 0


def test_schedule_order_is_the_task_list_where_the_links_allow() -> None:
    tasks = [Task(1, 5), Task(2, 5), Task(3, 5), Task(4, 5)]
    result = schedule(tasks, [Link(1, 4), Link(2, 4), Link(2, 3)])
    assert result.critical_paths() == [[1, 2, 3, 4]]


def test_links_that_point_back_in_the_task_list() -> None:
    tasks = [Task(4, 1), Task(3, 2), Task(2, 3), Task(1, 4), Task(5, 20)]
    links = [Link(1, 2), Link(2, 3, SS, 1), Link(3, 4, FF)]
    result = schedule(tasks, links)
    assert [dates(result, i)[:2] for i in (1, 2, 3, 4)] == [(0, 4), (4, 7), (5, 7), (6, 7)]
    assert result.critical_paths() == [[5]]
    longer = [*tasks[:3], Task(1, 20), tasks[4]]
    assert reschedule(result, [1], longer, links) == schedule(longer, links)


def test_parallel_critical_chains_are_separate_paths() -> None:
    tasks = [Task(1, 5), Task(2, 5), Task(3, 4), Task(4, 6), Task(5, 1)]
    result = schedule(tasks, [Link(1, 2), Link(3, 4), Link(2, 5, FS, -1)])
    assert result.critical_paths() == [[1, 2, 5], [3, 4]]


def test_reschedule_follows_a_longer_task() -> None:
    tasks = [Task(1, 10), Task(2, 5, Constraint.ALAP), Task(3, 5), Task(4, 30)]
    links = [Link(1, 3), Link(2, 3)]
    before = schedule(tasks, links)
    longer = [replace(tasks[0], duration=40), *tasks[1:]]
    after = reschedule(before, [1], longer, links)
    assert after == schedule(longer, links)
    assert dates(after, 3) == (40, 45, 40, 45)
    assert dates(after, 2) == (35, 40, 35, 40)
    assert dates(before, 1) == (0, 10, 15, 25)  # the previous schedule is untouched


def test_reschedule_with_other_tasks_or_links_schedules_them_all() -> None:
    before = schedule([Task(1, 10), Task(2, 5)], [], project_start=4)
    added = [Task(1, 10), Task(2, 5), Task(3, 20)]
    assert reschedule(before, [3], added, []) == schedule(added, [], project_start=4)
    linked = [Link(1, 2)]
    assert reschedule(before, [1], added[:2], linked) == schedule(
        added[:2], linked, project_start=4
    )


# Properties on random networks


@st.composite
def networks(draw: st.DrawFn, constraints: bool = True) -> tuple[list[Task], list[Link]]:
    """Up to 12 tasks with distinct ids in a random order and links that follow a hidden
    topological order, so there is no cycle."""
    size = draw(st.integers(1, 12))
    ids = draw(st.permutations(range(100, 100 + size)))
    kinds = st.sampled_from(list(Constraint)) if constraints else st.just(Constraint.ASAP)
    tasks = [
        Task(task_id, draw(st.integers(0, 20)), kind, draw(st.integers(0, 60)))
        for task_id, kind in zip(
            ids, draw(st.lists(kinds, min_size=size, max_size=size)), strict=True
        )
    ]
    pairs = [(a, b) for a in range(size) for b in range(a + 1, size)]
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=2 * size)) if pairs else []
    links = [
        Link(ids[a], ids[b], draw(st.sampled_from(list(LinkType))), draw(st.integers(-10, 10)))
        for a, b in chosen
    ]
    shuffled = draw(st.permutations(tasks))
    return list(shuffled), links


def cross_slack(result: Schedule, link: Link) -> int:
    """How much later the link's successor end could be, on early dates, and still hold."""
    pred, succ = result[link.predecessor], result[link.successor]
    pred_end = pred.early_finish if link.type[0] == "F" else pred.early_start
    succ_end = succ.early_finish if link.type[1] == "F" else succ.early_start
    return succ_end - pred_end - link.lag


@given(networks())
def test_every_link_holds_on_early_and_late_dates(network: tuple[list[Task], list[Link]]) -> None:
    tasks, links = network
    result = schedule(tasks, links, project_start=3)
    for link in links:
        assert cross_slack(result, link) >= 0
        pred, succ = result[link.predecessor], result[link.successor]
        pred_end = pred.late_finish if link.type[0] == "F" else pred.late_start
        succ_end = succ.late_finish if link.type[1] == "F" else succ.late_start
        assert succ_end >= pred_end + link.lag
    for task in tasks:
        t = result[task.id]
        assert t.early_start >= 3
        assert t.early_finish - t.early_start == t.late_finish - t.late_start == task.duration
        assert t.late_finish <= result.finish


@given(networks())
def test_without_a_violation_floats_are_sound(network: tuple[list[Task], list[Link]]) -> None:
    tasks, links = network
    result = schedule(tasks, links)
    if any(t.violated for t in result.values()):
        return
    for t in result.values():
        assert t.early_start <= t.late_start
        assert 0 <= t.free_float <= t.total_float
    for link in links:
        assert result[link.predecessor].free_float <= cross_slack(result, link)
    assert any(t.critical and t.early_finish == result.finish for t in result.values())


@given(networks())
def test_every_early_start_is_driven(network: tuple[list[Task], list[Link]]) -> None:
    """No task could start earlier: the project start, a link, its constraint or (ALAP) its
    late start holds it exactly where it is."""
    tasks, links = network
    result = schedule(tasks, links, project_start=2)
    for task in tasks:
        t = result[task.id]
        drivers = {2} | {
            t.early_start - cross_slack(result, link) for link in links if link.successor == task.id
        }
        if task.constraint in (Constraint.SNET, Constraint.MSO):
            drivers.add(task.constraint_at)  # type: ignore[arg-type]
        if task.constraint in (Constraint.FNET, Constraint.MFO):
            drivers.add(task.constraint_at - task.duration)  # type: ignore[operator]
        if task.constraint is Constraint.ALAP:
            drivers.add(t.late_start)
        assert t.early_start == max(drivers)


@given(networks(constraints=False))
def test_float_is_zero_exactly_on_chains_from_start_to_finish(
    network: tuple[list[Task], list[Link]],
) -> None:
    tasks, links = network
    result = schedule(tasks, links)
    driving = [link for link in links if cross_slack(result, link) == 0]
    ends = {i for i, t in result.items() if t.early_finish == result.finish}
    starts = {i for i, t in result.items() if t.early_start == 0}
    assert {i for i, t in result.items() if t.critical} == reach(ends, driving, backwards=True)
    critical = {i for i, t in result.items() if t.critical}
    assert critical <= reach(starts & critical, driving, backwards=False)
    assert sorted(i for path in result.critical_paths() for i in path) == sorted(critical)


def reach(seeds: set[int], links: list[Link], *, backwards: bool) -> set[int]:
    found, todo = set(seeds), list(seeds)
    while todo:
        here = todo.pop()
        for link in links:
            there, nxt = (
                (link.successor, link.predecessor)
                if backwards
                else (
                    link.predecessor,
                    link.successor,
                )
            )
            if there == here and nxt not in found:
                found.add(nxt)
                todo.append(nxt)
    return found


@given(networks(), st.data())
def test_adding_a_lag_never_shortens_the_project(
    network: tuple[list[Task], list[Link]], data: st.DataObject
) -> None:
    tasks, links = network
    if not links:
        return
    index = data.draw(st.integers(0, len(links) - 1))
    more = [*links]
    more[index] = replace(links[index], lag=links[index].lag + data.draw(st.integers(1, 30)))
    assert schedule(tasks, more).finish >= schedule(tasks, links).finish


@settings(max_examples=300)
@given(networks(), st.data())
def test_reschedule_equals_a_full_schedule(
    network: tuple[list[Task], list[Link]], data: st.DataObject
) -> None:
    tasks, links = network
    fixed = data.draw(st.none() | st.integers(0, 200))
    before = schedule(tasks, links, project_finish=fixed)
    changed = data.draw(st.lists(st.integers(0, len(tasks) - 1), max_size=3))
    new_tasks = [*tasks]
    for i in changed:
        new_tasks[i] = replace(
            tasks[i],
            duration=data.draw(st.integers(0, 30)),
            constraint=data.draw(st.sampled_from(list(Constraint))),
        )
    after = reschedule(before, [tasks[i].id for i in changed], new_tasks, links)
    full = schedule(new_tasks, links, project_finish=fixed)
    assert after == full
    assert after.finish == full.finish
    assert after.critical_paths() == full.critical_paths()
