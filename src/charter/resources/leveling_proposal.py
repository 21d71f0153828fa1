"""What a leveled plan proposes, read from the engine's ``Result`` on a ``leveling.Loaded``:
the moves (dates before and after, the segments of a task leveling splits or joins again),
the over-allocations before and after, and the pauses applying the moves writes.

Leveling works in whole working days of the project calendar; a proposed segment starts when
that calendar's usual day begins and ends when it ends (the first keeps the task's start time).
"""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from charter.engine.calendar import WorkCalendar
from charter.engine.leveling import Result
from charter.engine.leveling_split import Run, periods_of, run_end
from charter.engine.splits import pauses_between
from charter.planning.adapters import load_plan, task_calendars, to_aware, to_local
from charter.planning.models import Task
from charter.resources.leveling import Loaded

CALENDAR_MARGIN = datetime.timedelta(days=366)


def over_allocations(loaded: Loaded, runs: Mapping[int, Sequence[Run]]) -> int:
    """How many (resource, working day) pairs ask for more than the resource has, with the
    movable tasks on ``runs`` (where they run now when it has none)."""
    use = {rid: dict(periods) for rid, periods in loaded.fixed_use.items()}
    for pk in loaded.movable:
        for rid, units in loaded.demand[pk].items():
            periods = use.setdefault(rid, {})
            for period in periods_of(runs.get(pk, loaded.current[pk])):
                periods[period] = periods.get(period, 0) + units
    return sum(
        1
        for rid, periods in use.items()
        for period, units in periods.items()
        if units > (loaded.capacity[rid][period] if period < len(loaded.days) else 0)
    )


def _shifted(moment: datetime.datetime, loaded: Loaded, delay: int) -> datetime.datetime:
    """``moment`` moved ``delay`` working days later on the project calendar, same time of day."""
    local = to_local(moment)
    period = loaded.period_of(local.date())
    target = loaded.day_of(period + delay)
    return to_aware(datetime.datetime.combine(target, local.time()))


def _at(loaded: Loaded, period: int, minute: int) -> datetime.datetime:
    """Working day ``period`` at ``minute`` of the day."""
    midnight = datetime.datetime.combine(loaded.day_of(period), datetime.time())
    return to_aware(midnight + datetime.timedelta(minutes=minute))


def _segments(
    loaded: Loaded, runs: Sequence[Run], start: datetime.datetime, finish: datetime.datetime
) -> list[list[str]]:
    """A split task's runs as [start, finish] moments; empty when it runs in one piece."""
    if len(runs) < 2:
        return []
    begins, ends = loaded.hours
    moments = [
        [_at(loaded, first, begins), _at(loaded, first + length - 1, ends)]
        for first, length in runs
    ]
    moments[0][0], moments[-1][1] = start, finish
    return [[first.isoformat(), last.isoformat()] for first, last in moments]


def leveled_runs(loaded: Loaded, result: Result) -> dict[int, list[Run]]:
    """Each placed movable task's runs in ``result``."""
    activities = {activity.id: activity for activity in loaded.problem.activities}
    return {
        pk: list(result.runs_of(activities[pk])) for pk in loaded.movable if pk in result.starts
    }


def _move(loaded: Loaded, task: Task, runs: list[Run]) -> tuple[dict[str, Any], datetime.datetime]:
    """A task's move as the proposal stores it, and its new finish."""
    delay = runs[0][0] - loaded.start[task.pk]
    start = _shifted(task.start, loaded, delay)
    if len(runs) == 1 and not task.segments:
        finish = _shifted(task.finish, loaded, delay)
    else:
        finish = _at(loaded, run_end(runs) - 1, loaded.hours[1])
    move = {
        "task_id": task.pk,
        "project_id": task.project_id,
        "project_code": loaded.projects[task.project_id].code,
        "wbs": task.wbs,
        "name": task.name,
        "version": task.version,
        "resources": loaded.resource_names[task.pk],
        "start_before": task.start.isoformat(),
        "finish_before": task.finish.isoformat(),
        "start_after": start.isoformat(),
        "finish_after": finish.isoformat(),
        "snet": loaded.day_of(runs[0][0]).isoformat(),
        "delay_days": delay,
        "segments_after": _segments(loaded, runs, start, finish),
        "split_before": bool(task.segments),
    }
    return move, finish


def describe(loaded: Loaded, result: Result) -> dict[str, Any]:
    """The proposal's result as JSON: moves (before and after, with the segments of a task
    leveling splits), unplaced tasks with reasons, the proposal project's finish before and
    after, over-allocations before and after."""
    moves = []
    finishes: dict[int, datetime.datetime] = {}
    after = leveled_runs(loaded, result)
    for pk in sorted(after, key=lambda t: (loaded.tasks[t].project_id, loaded.tasks[t].position)):
        runs, now = after[pk], loaded.current[pk]
        if runs != now:
            move, finishes[pk] = _move(loaded, loaded.tasks[pk], runs)
            moves.append(move)
    unplaced = [
        {
            "task_id": u.id,
            "project_id": loaded.tasks[u.id].project_id,
            "wbs": loaded.tasks[u.id].wbs,
            "name": loaded.tasks[u.id].name,
            "reason": str(u.reason),
            "resource": loaded.resources[u.resource].name if u.resource in loaded.resources else "",
        }
        for u in result.unplaced
    ]
    own = [
        pk
        for pk, task in loaded.tasks.items()
        if task.project_id == loaded.project.pk and pk in loaded.start and task.finish
    ]
    finish_before = max((loaded.tasks[pk].finish for pk in own), default=None)
    finish_after = max((finishes.get(pk, loaded.tasks[pk].finish) for pk in own), default=None)
    return {
        "projects": sorted(loaded.projects),
        "activities": len(loaded.movable),
        "moves": moves,
        "unplaced": unplaced,
        "finish_before": finish_before.isoformat() if finish_before else None,
        "finish_after": finish_after.isoformat() if finish_after else None,
        "over_before": over_allocations(loaded, {}),
        "over_after": over_allocations(loaded, after),
        "optimal": result.optimal,
        "solver": result.solver,
        "makespan_days": result.makespan,
    }


def proposed_pauses(
    moves: Sequence[Mapping[str, Any]], tasks: Mapping[int, Task]
) -> dict[int, list[list[int]]]:
    """Task id → the pauses applying ``moves`` gives a task leveling splits, or joins again
    (then none): the working minutes, on the task's own calendar, of its segments' days and
    of the days between them. ValueError when that calendar has no working time around them."""
    changing = [move for move in moves if move.get("segments_after") or move.get("split_before")]
    by_project: dict[int, list[Mapping[str, Any]]] = {}
    for move in changing:
        by_project.setdefault(tasks[move["task_id"]].project_id, []).append(move)
    pauses: dict[int, list[list[int]]] = {}
    for project_moves in by_project.values():
        days = {
            move["task_id"]: [
                (_local_date(first), _local_date(last))
                for first, last in move.get("segments_after", ())
            ]
            for move in project_moves
        }
        every_day = [day for runs in days.values() for run in runs for day in run]
        if not every_day:
            pauses.update({pk: [] for pk in days})
            continue
        plan = load_plan(tasks[next(iter(days))].project)
        calendars = task_calendars(
            plan, days, min(every_day) - CALENDAR_MARGIN, max(every_day) + CALENDAR_MARGIN
        )
        for pk, runs in days.items():
            pauses[pk] = _pauses(runs, calendars[pk], tasks[pk].duration) if runs else []
    return pauses


def _local_date(moment: str) -> datetime.date:
    return datetime.datetime.fromisoformat(moment).date()


def _pauses(
    runs: Sequence[tuple[datetime.date, datetime.date]], calendar: WorkCalendar, duration: int
) -> list[list[int]]:
    """The pauses between ``runs`` of whole days on ``calendar``."""
    spans = [
        (_midnight(first), _midnight(last + datetime.timedelta(days=1))) for first, last in runs
    ]
    return [list(pause) for pause in pauses_between(spans, duration, calendar.working_minutes)]


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time())
