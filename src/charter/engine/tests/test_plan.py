from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.engine.calendar import WorkCalendar
from charter.engine.cpm import schedule
from charter.engine.model import Constraint, CycleError, Link, LinkType, Task
from charter.engine.plan import PlanLink, PlanSchedule, PlanTask, TaskDates, schedule_plan
from charter.engine.splits import normalised
from charter.engine.splits import span as split_span

FS, SS, FF, SF = LinkType.FS, LinkType.SS, LinkType.FF, LinkType.SF
DAY = 480  # 09:00–12:00 and 13:00–18:00
FIRST, LAST = date(2025, 1, 1), date(2026, 12, 31)
OFFICE = WorkCalendar.standard(FIRST, LAST)
SIX_DAYS = WorkCalendar.standard(FIRST, LAST, workdays=(0, 1, 2, 3, 4, 5))
# Wednesday 5 March 2025 is a holiday on this calendar only.
WITH_HOLIDAY = WorkCalendar.standard(FIRST, LAST, holidays=[date(2025, 3, 5)])
CALENDARS = {"six": SIX_DAYS, "holiday": WITH_HOLIDAY}


def march(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in March 2025: the 3rd is a Monday, the 8th a Saturday."""
    return datetime(2025, 3, day, hour, minute)


START = march(3, 9)


def plan(
    tasks: list[PlanTask], links: Sequence[PlanLink] = (), status_date: datetime | None = None
) -> PlanSchedule:
    return schedule_plan(
        tasks, links, calendar=OFFICE, start=START, calendars=CALENDARS, status_date=status_date
    )


def span(result: PlanSchedule, task_id: int) -> tuple[datetime, datetime]:
    return result.tasks[task_id].start, result.tasks[task_id].finish


def plan_task(task_id: int, duration: int, parent: int | None = None, **fields: object) -> PlanTask:
    return PlanTask(task_id, parent, duration, **fields)  # type: ignore[arg-type]


# Summary tasks


def test_a_summary_rolls_up_its_children() -> None:
    tasks = [
        plan_task(10, 0),  # summary
        plan_task(11, 2 * DAY, 10, percent_complete=50),
        plan_task(20, 0, 10),  # nested summary
        plan_task(12, DAY, 20),
        plan_task(13, 5 * DAY),
    ]
    result = plan(tasks, [PlanLink(11, 12)])
    summary, nested = result.tasks[10], result.tasks[20]
    assert span(result, 10) == (march(3, 9), march(5, 18))
    assert (summary.late_start, summary.late_finish) == (march(5, 9), march(7, 18))
    assert summary.summary and not result.tasks[11].summary
    assert summary.duration == 3 * DAY
    assert summary.percent_complete == 50 * 2 * DAY // (3 * DAY)  # 33: weighted by duration
    assert (summary.total_float, summary.free_float, summary.critical) == (2 * DAY, 0, False)
    assert nested == replace(result.tasks[12], summary=True)
    assert result.critical_paths == [[13]]
    assert list(result.tasks) == [10, 11, 20, 12, 13]


def test_a_summary_is_critical_when_a_child_is() -> None:
    result = plan([plan_task(1, 0), plan_task(2, DAY, 1), plan_task(3, 2 * DAY, 1)])
    assert result.tasks[1].critical and result.tasks[1].total_float == 0
    assert not result.tasks[2].critical and result.tasks[2].total_float == DAY


def test_a_summary_without_children_is_a_leaf() -> None:
    result = plan(
        [plan_task(1, DAY), plan_task(2, DAY, 1), plan_task(3, 0), plan_task(4, DAY)],
        [PlanLink(3, 4)],
    )
    assert not result.tasks[3].summary
    assert span(result, 3) == (START, START)
    assert span(result, 4) == (march(3, 9), march(3, 18))


def test_a_link_from_a_summary_waits_for_all_its_leaves() -> None:
    tasks = [plan_task(1, 0), plan_task(2, DAY, 1), plan_task(3, 2 * DAY, 1), plan_task(4, DAY)]
    result = plan(tasks, [PlanLink(1, 4)])
    assert span(result, 4) == (march(5, 9), march(5, 18))
    assert result.critical_paths == [[3, 4]]


def test_a_link_to_a_summary_holds_back_each_leaf() -> None:
    tasks = [
        plan_task(1, DAY),
        plan_task(5, 0),
        plan_task(6, DAY, 5),
        plan_task(7, 0, 5),
        plan_task(8, DAY, 7),
    ]
    result = plan(tasks, [PlanLink(1, 5, FS, 60)])
    assert span(result, 6) == span(result, 8) == (march(4, 10), march(5, 10))
    assert span(result, 5) == (march(4, 10), march(5, 10))


def test_a_start_link_from_a_summary_waits_for_its_latest_leaf_start() -> None:
    # Documented: stricter than Microsoft Project, which uses the summary's (earliest) start.
    tasks = [plan_task(1, 0), plan_task(2, DAY, 1), plan_task(3, DAY, 1), plan_task(4, DAY)]
    result = plan(tasks, [PlanLink(2, 3), PlanLink(1, 4, SS)])
    assert span(result, 4) == (march(4, 9), march(4, 18))


def test_a_link_between_a_summary_and_its_own_subtask_is_refused() -> None:
    tasks = [plan_task(1, 0), plan_task(2, 0, 1), plan_task(3, DAY, 2)]
    with pytest.raises(ValueError, match="joins a summary task to its own subtask"):
        plan(tasks, [PlanLink(3, 1)])
    with pytest.raises(ValueError, match="joins a summary task to its own subtask"):
        plan(tasks, [PlanLink(2, 2)])


def test_outline_errors_name_the_tasks() -> None:
    with pytest.raises(ValueError, match="task 2: its parent 9 is not a task"):
        plan([plan_task(1, DAY), plan_task(2, DAY, 9)])
    with pytest.raises(ValueError, match=r"the parents form a cycle: (1 → 2 → 1|2 → 1 → 2)"):
        plan([plan_task(1, DAY, 2), plan_task(2, DAY, 1), plan_task(3, DAY, 1)])
    with pytest.raises(ValueError, match="duplicate task id: 1"):
        plan([plan_task(1, DAY), plan_task(1, DAY)])
    with pytest.raises(ValueError, match="unknown task: 5"):
        plan([plan_task(1, DAY)], [PlanLink(1, 5)])


def test_a_cycle_through_a_summary_names_its_leaves() -> None:
    tasks = [plan_task(1, 0), plan_task(2, DAY, 1), plan_task(3, DAY)]
    with pytest.raises(CycleError) as raised:
        plan(tasks, [PlanLink(1, 3), PlanLink(3, 2)])
    assert sorted(raised.value.tasks) == [2, 3]
    with pytest.raises(CycleError):  # the general path finds it too
        plan(tasks, [PlanLink(1, 3), PlanLink(3, 2)], status_date=START)


def test_bad_task_fields_are_refused() -> None:
    with pytest.raises(ValueError, match="no calendar 'night' is given"):
        plan([plan_task(1, DAY, calendar="night")])
    with pytest.raises(ValueError, match=r"percent complete 101 not in 0\.\.100"):
        plan([plan_task(1, DAY, percent_complete=101)])
    with pytest.raises(ValueError, match="negative duration"):
        plan([plan_task(1, -1, calendar="six")])
    with pytest.raises(ValueError, match="task 1: a MSO constraint needs its date"):
        plan([plan_task(1, DAY, constraint=Constraint.MSO, calendar="six")])
    with pytest.raises(ValueError, match="task 1: its actual finish is before its actual start"):
        plan([plan_task(1, DAY, actual_start=march(4, 9), actual_finish=march(3, 12))])


# Progress around a status date: Wednesday 5 March 09:00, two days into the plan


STATUS = march(5, 9)


def test_a_done_task_keeps_its_actual_dates_and_drives_its_successors() -> None:
    done = plan_task(
        1, 2 * DAY, actual_start=march(3, 9), actual_finish=march(4, 12), percent_complete=100
    )
    tasks = [done, plan_task(2, DAY), plan_task(3, DAY)]
    links = [PlanLink(1, 2), PlanLink(1, 3, SS, DAY)]
    without_status = plan(tasks, links)
    assert span(without_status, 1) == (march(3, 9), march(4, 12))
    assert without_status.tasks[1].duration == DAY + 3 * 60  # the actual duration
    assert span(without_status, 2) == (march(4, 13), march(5, 12))
    assert span(without_status, 3) == (march(4, 9), march(4, 18))
    with_status = plan(tasks, links, status_date=STATUS)
    assert span(with_status, 1) == (march(3, 9), march(4, 12))
    assert span(with_status, 2) == span(with_status, 3) == (march(5, 9), march(5, 18))
    assert not with_status.tasks[1].critical  # done work is no longer critical


def test_a_done_task_ignores_its_predecessors() -> None:
    tasks = [plan_task(1, 3 * DAY), plan_task(2, DAY, actual_finish=march(4, 18))]
    result = plan(tasks, [PlanLink(1, 2)], status_date=STATUS)
    assert span(result, 2) == (march(4, 9), march(4, 18))  # its start: the finish less a day
    assert span(result, 1) == (march(5, 9), march(7, 18))  # not started: from the status date


def test_an_actual_start_before_the_project_start_is_kept() -> None:
    friday_before = datetime(2025, 2, 28, 9)
    result = plan([plan_task(1, DAY, actual_start=friday_before)], status_date=STATUS)
    assert span(result, 1) == (friday_before, march(5, 18))  # all its work after the status date
    assert result.start == friday_before


def test_a_started_task_resumes_its_remaining_work_at_the_status_date() -> None:
    started = plan_task(1, 2 * DAY, actual_start=march(3, 9), percent_complete=25)
    result = plan([started, plan_task(2, DAY)], [PlanLink(1, 2)], status_date=STATUS)
    # 240 minutes done on Monday, 720 left from Wednesday 09:00: a day and 4 hours.
    assert span(result, 1) == (march(3, 9), march(6, 14))
    assert result.tasks[1].duration == 2 * DAY
    assert span(result, 2) == (march(6, 14), march(7, 14))
    contiguous = plan([started, plan_task(2, DAY)], [PlanLink(1, 2)])
    assert span(contiguous, 1) == (march(3, 9), march(4, 18))


def test_a_started_task_ignores_links_into_its_start_but_not_its_finish() -> None:
    started = plan_task(3, DAY, actual_start=march(3, 9), percent_complete=50)
    tasks = [plan_task(1, 3 * DAY), plan_task(2, 4 * DAY), started]
    links = [PlanLink(1, 3), PlanLink(2, 3, FF)]
    assert span(plan(tasks, links), 3) == (march(3, 9), march(6, 18))  # held by 2's finish
    # With a status date, 2 has not started: it runs from the 5th to Monday the 10th.
    assert span(plan(tasks, links, status_date=STATUS), 3) == (march(3, 9), march(10, 18))


def test_a_task_started_by_percent_alone_starts_by_logic() -> None:
    tasks = [
        plan_task(1, DAY, actual_start=march(3, 9), percent_complete=100),
        plan_task(2, 2 * DAY, percent_complete=50),
    ]
    result = plan(tasks, [PlanLink(1, 2)], status_date=STATUS)
    # Starts Tuesday after 1, a day of work done by Wednesday; the rest from the status date.
    assert span(result, 2) == (march(4, 9), march(5, 18))
    late_status = plan(tasks, [PlanLink(1, 2)], status_date=march(7, 9))
    assert span(late_status, 2) == (march(4, 9), march(7, 18))  # split: the 4th, then the 7th


def test_a_task_not_started_waits_for_the_status_date() -> None:
    tasks = [
        plan_task(1, DAY),
        plan_task(2, DAY, constraint=Constraint.MSO, constraint_date=march(4, 9)),
    ]
    result = plan(tasks, status_date=STATUS)
    assert span(result, 1) == (march(5, 9), march(5, 18))
    assert span(result, 2) == (march(5, 9), march(5, 18))
    assert result.tasks[2].violated  # it can no longer start on the 4th
    assert not plan(tasks).tasks[2].violated


def test_percent_complete_rolls_up_by_duration() -> None:
    tasks = [
        plan_task(1, 0),
        plan_task(2, 3 * DAY, 1, actual_start=march(3, 9), percent_complete=100),
        plan_task(3, DAY, 1),
    ]
    result = plan(tasks, [PlanLink(2, 3)], status_date=STATUS)
    assert span(result, 2) == (march(3, 9), march(5, 18))
    assert result.tasks[1].percent_complete == 75
    assert result.start == START and result.finish == march(6, 18)


# Task calendars


def test_a_task_on_a_six_day_calendar_works_saturday() -> None:
    tasks = [
        plan_task(
            1, 3 * DAY, calendar="six", constraint=Constraint.SNET, constraint_date=march(6, 9)
        ),
        plan_task(2, DAY),
        plan_task(3, DAY, calendar="six"),
        plan_task(4, 4 * DAY),
        plan_task(5, DAY, calendar="six"),
    ]
    links = [PlanLink(1, 2), PlanLink(1, 3), PlanLink(4, 5)]
    result = plan(tasks, links)
    assert span(result, 1) == (march(6, 9), march(8, 18))  # Thursday to Saturday
    assert span(result, 2) == (march(10, 9), march(10, 18))  # the office waits for Monday
    assert span(result, 3) == (march(10, 9), march(10, 18))  # Sunday is off on both
    assert span(result, 5) == (march(7, 9), march(7, 18))  # after Thursday: Friday
    assert result.finish == march(10, 18)


def test_a_lag_is_office_time_and_the_successor_follows_its_own_calendar() -> None:
    tasks = [plan_task(1, 4 * DAY), plan_task(2, DAY, calendar="six"), plan_task(3, DAY)]
    result = plan(tasks, [PlanLink(1, 2, FS, DAY), PlanLink(1, 3, FS, DAY)])
    assert span(result, 1) == (march(3, 9), march(6, 18))
    # The lag runs Friday; the six-day task starts Saturday, the office one Monday.
    assert span(result, 2) == (march(8, 9), march(8, 18))
    assert span(result, 3) == (march(10, 9), march(10, 18))


def test_a_holiday_on_a_task_calendar_splits_only_that_task() -> None:
    tasks = [
        plan_task(
            1, 2 * DAY, calendar="holiday", constraint=Constraint.SNET, constraint_date=march(4, 9)
        ),
        plan_task(2, 2 * DAY, constraint=Constraint.SNET, constraint_date=march(4, 9)),
        plan_task(3, 0, calendar="holiday"),
    ]
    result = plan(tasks, [PlanLink(1, 3)])
    assert span(result, 1) == (march(4, 9), march(6, 18))  # skips Wednesday
    assert span(result, 2) == (march(4, 9), march(5, 18))
    assert span(result, 3) == (march(6, 18), march(6, 18))  # shown at the finish before it
    assert result.tasks[1].critical and not result.tasks[2].critical
    assert result.tasks[2].total_float == DAY


def test_floats_across_calendars_are_office_minutes() -> None:
    # Saturday work is slack the office does not see: task 1 may slip within Saturday.
    tasks = [
        plan_task(1, 60, calendar="six", constraint=Constraint.SNET, constraint_date=march(8, 9)),
        plan_task(2, DAY),
        plan_task(3, 6 * DAY),
    ]
    result = plan(tasks, [PlanLink(1, 2)])
    assert span(result, 1) == (march(8, 9), march(8, 10))
    assert result.tasks[1].late_finish == march(8, 18)
    assert result.tasks[1].total_float == 0 and not result.tasks[1].critical
    assert span(result, 2) == (march(10, 9), march(10, 18))


def test_a_status_date_on_a_task_calendar() -> None:
    tasks = [plan_task(1, DAY, calendar="holiday"), plan_task(2, DAY, calendar="six")]
    result = plan(tasks, status_date=march(4, 18))
    assert span(result, 1) == (march(6, 9), march(6, 18))
    assert span(result, 2) == (march(5, 9), march(5, 18))


def test_milestones_show_at_the_finish_that_drives_them() -> None:
    tasks = [plan_task(1, 5 * DAY), plan_task(2, 0), plan_task(3, 0)]
    result = plan(tasks, [PlanLink(1, 2)])
    assert span(result, 2) == (march(7, 18), march(7, 18))  # not Monday 09:00
    assert span(result, 3) == (START, START)
    assert plan([], []) == PlanSchedule({}, START, START, [])


@pytest.mark.parametrize("status", [None, START], ids=["cpm", "general pass"])
def test_a_milestone_after_a_milestone_at_the_start_shows_in_the_morning_too(
    status: datetime | None,
) -> None:
    """Nothing worked before the first milestone, so nothing ends the evening before."""
    tasks = [plan_task(1, 0), plan_task(2, 0), plan_task(3, 0), plan_task(4, DAY)]
    chain = [PlanLink(1, 2), PlanLink(2, 3), PlanLink(4, 1)]
    result = plan(tasks[:3], chain[:2], status_date=status)
    assert [span(result, n) for n in (1, 2, 3)] == [(START, START)] * 3
    after_work = plan(tasks, chain, status_date=status)  # now a day's work drives the chain
    assert [after_work.tasks[n].start for n in (1, 2, 3)] == [march(3, 18)] * 3


# Properties on random plans


@st.composite
def plans(
    draw: st.DrawFn,
    *,
    outline: bool = True,
    calendars: tuple[str | None, ...] = (None, "six", "holiday"),
    progress: bool = False,
) -> tuple[list[PlanTask], list[PlanLink]]:
    """Up to 10 tasks, some summaries, and links that follow a hidden order of the leaves
    (and never join a summary to its own subtask), so there is no cycle."""
    size = draw(st.integers(1, 10))
    parents: list[int | None] = [None]
    for k in range(1, size):
        parents.append(draw(st.none() | st.integers(0, k - 1)) if outline else None)
    tasks = [draw(tasks_at(k, parent, calendars, progress)) for k, parent in enumerate(parents)]
    leaves = _leaves_by_task(parents)
    pairs = [
        (a, b)
        for a in range(size)
        for b in range(size)
        if max(leaves[a]) < min(leaves[b]) and not _within(parents, a, b)
    ]
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=2 * size)) if pairs else []
    links = [
        PlanLink(a, b, draw(st.sampled_from(list(LinkType))), draw(st.integers(-600, 600)))
        for a, b in chosen
    ]
    return draw(st.permutations(tasks)), links


@st.composite
def tasks_at(
    draw: st.DrawFn,
    k: int,
    parent: int | None,
    calendars: tuple[str | None, ...],
    progress: bool,
) -> PlanTask:
    constraint = draw(st.sampled_from(list(Constraint)))
    at = OFFICE.to_index(START) + draw(st.integers(0, 6 * DAY))
    duration = draw(st.integers(0, 2 * DAY))
    some_pauses = st.lists(st.tuples(st.integers(1, 2 * DAY), st.integers(1, DAY)), max_size=2)
    task = PlanTask(
        k,
        parent,
        duration,
        constraint,
        OFFICE.start_of(at),
        draw(st.sampled_from(calendars)),
        pauses=normalised(duration, draw(some_pauses)),
    )
    if not progress:
        return task
    percent = draw(st.sampled_from([0, 0, 40, 100]))
    actual_start = OFFICE.start_of(at - 2 * DAY) if percent and draw(st.booleans()) else None
    actual_finish = None
    if percent == 100 and actual_start is not None and draw(st.booleans()):
        actual_finish = OFFICE.finish_of(at - DAY)
    return replace(
        task, percent_complete=percent, actual_start=actual_start, actual_finish=actual_finish
    )


def _leaves_by_task(parents: list[int | None]) -> list[list[int]]:
    """Each task's leaf positions (itself for a leaf); a parent comes before its children."""
    has_children = {parent for parent in parents if parent is not None}
    leaves: list[list[int]] = [[] if k in has_children else [k] for k in range(len(parents))]
    for k in reversed(range(len(parents))):
        parent = parents[k]
        if parent is not None:
            leaves[parent] = leaves[k] + leaves[parent]
    return leaves


def _within(parents: list[int | None], a: int, b: int) -> bool:
    """Whether one of ``a``, ``b`` is the other or below it."""

    def ancestors(k: int) -> set[int]:
        found, at = {k}, parents[k]
        while at is not None:
            found.add(at)
            at = parents[at]
        return found

    return a in ancestors(b) or b in ancestors(a)


def summaries(tasks: list[PlanTask]) -> set[int]:
    return {task.parent for task in tasks if task.parent is not None}


def calendar_of(task: PlanTask) -> WorkCalendar:
    return OFFICE if task.calendar is None else CALENDARS[task.calendar]


def end(dates: TaskDates, side: str) -> datetime:
    return dates.start if side == "S" else dates.finish


def leaf_links(tasks: list[PlanTask], links: list[PlanLink]) -> list[tuple[PlanLink, int, int]]:
    """Each link with the leaves it binds."""
    children: dict[int, list[int]] = {}
    for task in tasks:
        if task.parent is not None:
            children.setdefault(task.parent, []).append(task.id)

    def leaves(task_id: int) -> list[int]:
        below = children.get(task_id, [])
        return [leaf for child in below for leaf in leaves(child)] if below else [task_id]

    return [
        (link, a, b)
        for link in links
        for a in leaves(link.predecessor)
        for b in leaves(link.successor)
    ]


@settings(max_examples=300)
@given(plans(progress=True), st.booleans())
def test_every_link_holds_on_the_successors_calendar(
    plan_: tuple[list[PlanTask], list[PlanLink]], with_status: bool
) -> None:
    tasks, links = plan_
    status = march(4, 13) if with_status else None
    result = plan(tasks, links, status_date=status)
    by_id = {task.id: task for task in tasks}
    for link, pred, succ in leaf_links(tasks, links):
        if by_id[succ].actual_start is not None or by_id[succ].actual_finish is not None:
            continue  # actual dates are facts, whatever the links say
        calendar = calendar_of(by_id[succ])
        pred_end = end(result.tasks[pred], link.type[0])
        bound = OFFICE.add_working(pred_end, link.lag)
        succ_end = end(result.tasks[succ], link.type[1])
        assert calendar.to_index(succ_end) >= calendar.to_index(bound), (link, pred, succ)
    for task in tasks:
        dates = result.tasks[task.id]
        if task.id not in summaries(tasks) and task.actual_start is None:
            assert dates.start >= START
            if status is not None and task.percent_complete == 0:
                assert calendar_of(task).to_index(dates.start) >= calendar_of(task).to_index(status)
        if task.actual_start is not None and task.id not in summaries(tasks):
            assert dates.start == task.actual_start


@given(plans(progress=True))
def test_a_summary_spans_exactly_its_children(plan_: tuple[list[PlanTask], list[PlanLink]]) -> None:
    tasks, links = plan_
    result = plan(tasks, links, status_date=STATUS)
    for summary in summaries(tasks):
        below = [result.tasks[t.id] for t in tasks if t.parent == summary]
        dates = result.tasks[summary]
        assert dates.summary
        assert dates.start == min(d.start for d in below)
        assert dates.finish == max(d.finish for d in below)
        assert dates.total_float == min(d.total_float for d in below)
        assert dates.critical == any(d.critical for d in below)
    assert result.finish == max(d.finish for d in result.tasks.values())


@given(plans(outline=False, calendars=(None,)))
def test_one_calendar_without_progress_agrees_with_cpm(
    plan_: tuple[list[PlanTask], list[PlanLink]],
) -> None:
    tasks, links = plan_
    result = plan(tasks, links)
    start = OFFICE.to_index(START)
    engine = schedule(
        [
            Task(
                t.id,
                split_span(t.duration, t.pauses),
                t.constraint,
                OFFICE.to_index(t.constraint_date),  # type: ignore[arg-type]
            )
            for t in tasks
        ],
        [Link(link.predecessor, link.successor, link.type, link.lag) for link in links],
        project_start=start,
    )
    assert sorted(map(sorted, result.critical_paths)) == sorted(
        map(sorted, engine.critical_paths())
    )
    assert OFFICE.to_index(result.finish) == engine.finish
    for task in tasks:
        ours, theirs = result.tasks[task.id], engine[task.id]
        assert [OFFICE.to_index(moment) for moment in (ours.start, ours.finish)] == [
            theirs.early_start,
            theirs.early_finish,
        ]
        assert [OFFICE.to_index(m) for m in (ours.late_start, ours.late_finish)] == [
            theirs.late_start,
            theirs.late_finish,
        ]
        assert (ours.total_float, ours.free_float) == (theirs.total_float, theirs.free_float)
        assert (ours.critical, ours.violated) == (theirs.critical, theirs.violated)


@settings(max_examples=200)
@given(plans(calendars=(None, "copy")))
def test_the_general_pass_on_one_calendar_equals_the_cpm_path(
    plan_: tuple[list[PlanTask], list[PlanLink]],
) -> None:
    """A task calendar equal to the project calendar, but another object, takes the general
    pass through moments: it must give exactly what cpm gives."""
    tasks, links = plan_
    copy = WorkCalendar.standard(FIRST, LAST)
    general = schedule_plan(tasks, links, calendar=OFFICE, start=START, calendars={"copy": copy})
    plain = [replace(task, calendar=None) for task in tasks]
    fast = schedule_plan(plain, links, calendar=OFFICE, start=START)
    assert general == fast


@given(plans(progress=True), st.data())
def test_adding_a_lag_never_makes_the_project_finish_earlier(
    plan_: tuple[list[PlanTask], list[PlanLink]], data: st.DataObject
) -> None:
    tasks, links = plan_
    if not links:
        return
    index = data.draw(st.integers(0, len(links) - 1))
    more = [*links]
    more[index] = replace(links[index], lag=links[index].lag + data.draw(st.integers(1, 600)))
    status = data.draw(st.none() | st.just(STATUS))
    assert (
        plan(tasks, more, status_date=status).finish
        >= plan(tasks, links, status_date=status).finish
    )
