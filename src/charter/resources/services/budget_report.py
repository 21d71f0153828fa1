"""A project's budget read back: planned, actual and forecast cost per category and per phase,
and month by month (the Budget tab). The writes are in ``services.budget``; its docstring says
where each figure comes from."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from charter.planning.adapters import to_local
from charter.planning.models import Project, Task
from charter.resources.choices import CostCategory, ResourceKind, TimesheetStatus
from charter.resources.models import Assignment, BudgetLine, Expense
from charter.resources.models.timesheets import TimesheetEntry
from charter.resources.services.pool import MINUTES_PER_HOUR
from charter.resources.services.rates import RateBook

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def _money(value: Decimal | int | None) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


# ---- the summary ---------------------------------------------------------------------------


def phases(project: Project) -> QuerySet[Task]:
    """The project's phases: the summary tasks at the top of its plan, in plan order."""
    return Task.objects.filter(project=project, parent__isnull=True, is_summary=True).order_by(
        "position", "pk"
    )


def lines_of(
    project: Project, *, category: str = "", phase: Task | None = None
) -> QuerySet[BudgetLine]:
    """The project's budget lines (with their phase), optionally of one category or phase."""
    rows = BudgetLine.objects.filter(project=project).select_related("phase")
    if category:
        rows = rows.filter(category=category)
    if phase is not None:
        rows = rows.filter(phase=phase)
    return rows.order_by("month", "category", "pk")


def expenses_of(project: Project) -> QuerySet[Expense]:
    """The project's expenses, newest first, with their task and who recorded them."""
    return (
        Expense.objects.filter(project=project)
        .select_related("task", "recorded_by")
        .order_by("-spent_on", "-pk")
    )


def _remaining_hours(assignment: Assignment, task: Task) -> Decimal:
    """The assignment's work not done yet: work × (1 − the task's percent complete), in hours."""
    left = Decimal(assignment.work) * (100 - task.percent_complete) / 100
    return left / MINUTES_PER_HOUR


# A phase is a key of the breakdown: a phase's pk, or None for what is not under a phase.
PhaseKey = int | None


@dataclass
class _Plan:
    """The project's tasks and, for each, the phase it is under (at any depth; a phase is
    under itself)."""

    tasks: dict[int, Task]
    phases: list[Task]
    phase_of: dict[int, PhaseKey]

    @property
    def keys(self) -> list[PhaseKey]:
        """The phases' pks in plan order, then None."""
        return [phase.pk for phase in self.phases] + [None]


def _plan(project: Project) -> _Plan:
    """One query: the project's tasks in plan order, walked up to their top-level task."""
    tasks = {
        task.pk: task
        for task in Task.objects.filter(project=project)
        .only("parent", "name", "wbs", "is_summary", "start", "percent_complete", "position")
        .order_by("position", "pk")
    }
    phases = [task for task in tasks.values() if task.parent_id is None and task.is_summary]
    keys = {task.pk for task in phases}
    phase_of: dict[int, PhaseKey] = {}
    for pk, task in tasks.items():
        top = task
        while top.parent_id is not None and top.parent_id in tasks:
            top = tasks[top.parent_id]
        phase_of[pk] = top.pk if top.pk in keys else None
    return _Plan(tasks, phases, phase_of)


@dataclass
class _Cells:
    """Planned, actual and forecast cost per (phase, category): both tables add these up, so
    their totals agree to the cent."""

    planned: dict[tuple[PhaseKey, str], Decimal] = field(default_factory=dict)
    actual: dict[tuple[PhaseKey, str], Decimal] = field(default_factory=dict)
    forecast: dict[tuple[PhaseKey, str], Decimal] = field(default_factory=dict)
    labour_assigned: Decimal = ZERO
    labour_remaining: Decimal = ZERO


def _sum_into(
    cells: dict[tuple[PhaseKey, str], Decimal], key: tuple[PhaseKey, str], amount: Any
) -> None:
    cells[key] = cells.get(key, ZERO) + _money(amount)


def _cells(project: Project, plan: _Plan) -> _Cells:
    """The (phase, category) cells of the budget: five queries, whatever the number of
    lines, expenses, timesheet entries and assignments."""
    cells = _Cells()
    lines = BudgetLine.objects.filter(project=project).values("phase", "category")
    for row in lines.annotate(amount=Sum("amount")):
        phase = plan.phase_of.get(row["phase"]) if row["phase"] else None
        _sum_into(cells.planned, (phase, row["category"]), row["amount"])
    spent = Expense.objects.filter(project=project).values("task", "category")
    for expense in spent.annotate(amount=Sum("amount")):
        phase = plan.phase_of.get(expense["task"]) if expense["task"] else None
        _sum_into(cells.actual, (phase, expense["category"]), expense["amount"])
    worked = TimesheetEntry.objects.filter(
        task__project=project, timesheet__status=TimesheetStatus.APPROVED
    ).values("task")
    for entry in worked.annotate(amount=Sum("cost")):
        phase = plan.phase_of.get(entry["task"])
        _sum_into(cells.actual, (phase, CostCategory.LABOUR), entry["amount"])
    remaining = _assignment_costs(project, plan, cells)
    keys = plan.keys
    for category in CostCategory.values:
        if category == CostCategory.LABOUR:
            for phase in keys:
                actual = cells.actual.get((phase, category), ZERO)
                cells.forecast[phase, category] = actual + remaining.get(phase, ZERO)
        else:
            _forecast_category(cells, keys, category)
    return cells


def _assignment_costs(project: Project, plan: _Plan, cells: _Cells) -> dict[PhaseKey, Decimal]:
    """The cost of the work that remains per phase; sets the cost of all the assigned work and
    of what remains. Each hour at the resource's cost rate on the task's start
    (``services.rates``: its rate history, else its standard rate). People only: equipment and
    material are planned and spent in their own categories. Two queries."""
    rows = list(
        Assignment.objects.filter(
            task__project=project, resource__kind=ResourceKind.WORK
        ).select_related("resource")
    )
    book = RateBook({row.resource for row in rows})
    today = timezone.localdate()
    total = ZERO
    remaining: dict[PhaseKey, Decimal] = defaultdict(Decimal)
    for assignment in rows:
        task = plan.tasks[assignment.task_id]
        start = to_local(task.start)
        rate = book.cost_on(assignment.resource, start.date() if start else today)
        total += Decimal(assignment.work) / MINUTES_PER_HOUR * rate
        remaining[plan.phase_of[task.pk]] += _remaining_hours(assignment, task) * rate
    money = {phase: _money(amount) for phase, amount in remaining.items()}
    cells.labour_assigned = _money(total)
    cells.labour_remaining = sum(money.values(), ZERO)
    return money


def _forecast_category(cells: _Cells, keys: list[PhaseKey], category: str) -> None:
    """A category other than labour: a phase's forecast is the larger of its planned and
    actual cost — what was planned is expected to be spent, and what was spent beyond it is
    spent. Lines without a phase plan for the whole project: they cover what is spent outside
    the phases and what the phases spend beyond their own lines, so "not in a phase" forecasts
    the larger of its own actual and what is left of its plan after those overruns. Without
    phase lines and phase expenses this is the larger of the category's planned and actual."""
    overrun = ZERO
    for phase in keys[:-1]:
        planned = cells.planned.get((phase, category), ZERO)
        actual = cells.actual.get((phase, category), ZERO)
        cells.forecast[phase, category] = max(planned, actual)
        overrun += max(actual - planned, ZERO)
    planned = cells.planned.get((None, category), ZERO)
    actual = cells.actual.get((None, category), ZERO)
    cells.forecast[None, category] = max(planned - overrun, actual)


@dataclass
class CategoryRow:
    category: str
    label: str
    planned: Decimal = ZERO
    actual: Decimal = ZERO
    forecast: Decimal = ZERO

    @property
    def variance(self) -> Decimal:
        """Forecast at completion minus planned: above zero the category will overrun."""
        return self.forecast - self.planned

    @property
    def over(self) -> bool:
        return self.variance > 0


@dataclass
class PhaseRow(CategoryRow):
    """A phase's row (``phase`` None: what is not under a phase); ``category`` is empty."""

    phase: Task | None = None

    @property
    def spent_percent(self) -> int:
        """Actual as a percentage of planned (100 when spent without a plan)."""
        if self.planned > 0:
            return int(self.actual * 100 / self.planned)
        return 100 if self.actual > 0 else 0

    @property
    def bar_width(self) -> int:
        """The width of the spent-of-planned bar, in percent: at most the full bar."""
        return min(self.spent_percent, 100)


@dataclass
class BudgetSummary:
    currency: str
    approved: Decimal
    rows: list[CategoryRow]
    total: CategoryRow
    labour_assigned: Decimal = ZERO  # the cost of all assigned work at the resources' rates
    labour_remaining: Decimal = ZERO  # the cost of the assigned work not done yet
    phases: list[PhaseRow] = field(default_factory=list)  # their sums are ``total``

    @property
    def against_approved(self) -> Decimal:
        """Forecast at completion minus the approved budget: above zero, over budget."""
        return self.total.forecast - self.approved

    @property
    def over_budget(self) -> bool:
        return self.against_approved > 0

    @property
    def left_of_approved(self) -> Decimal:
        """What the forecast leaves of the approved budget (zero or more)."""
        return max(-self.against_approved, ZERO)

    @property
    def planned_over_approved(self) -> bool:
        return self.total.planned > self.approved


def _add(row: CategoryRow, cells: _Cells, key: tuple[PhaseKey, str]) -> None:
    row.planned += cells.planned.get(key, ZERO)
    row.actual += cells.actual.get(key, ZERO)
    row.forecast += cells.forecast.get(key, ZERO)


def budget_summary(project: Project) -> BudgetSummary:
    """Per cost category and per phase: planned (the sum of the budget lines), actual, forecast
    at completion and the variance (forecast − planned); with the totals and the approved
    budget.

    The phases are the top-level summary tasks in plan order, then "not in a phase": lines
    without a phase, expenses without a task, and costs of tasks under no phase. A task counts
    for the phase it is under at any depth.

    Actual: labour is the cost of approved timesheet hours on the project's tasks; the other
    categories are the sum of their expenses.

    Forecast at completion:

    * labour = actual + the remaining planned labour, i.e. the sum over the assignments of
      people (equipment is planned in its own category) of work × (1 − the task's percent
      complete) × the resource's cost rate on the task's start (its rate history, else its
      standard rate) — the work still to do at what it costs;
    * any other category = per phase, the larger of planned and actual, with the lines for the
      whole project covering the phases' overruns (see :func:`_forecast_category`).

    Both tables add up the same (phase, category) cells, so their totals are equal. The
    approved budget is one total for the project; ``against_approved`` compares the forecast
    total with it. Six queries, whatever the number of phases, lines and costs.
    """
    plan = _plan(project)
    cells = _cells(project, plan)
    rows = []
    for value, label in CostCategory.choices:
        row = CategoryRow(value, str(label))
        for phase in plan.keys:
            _add(row, cells, (phase, value))
        rows.append(row)
    phase_rows = [PhaseRow("", str(task), phase=task) for task in plan.phases]
    phase_rows.append(PhaseRow("", _("Not in a phase")))
    for phase, phase_row in zip(plan.keys, phase_rows, strict=True):
        for value in CostCategory.values:
            _add(phase_row, cells, (phase, value))
    total = CategoryRow(
        "",
        _("Total"),
        planned=sum((row.planned for row in rows), ZERO),
        actual=sum((row.actual for row in rows), ZERO),
        forecast=sum((row.forecast for row in rows), ZERO),
    )
    return BudgetSummary(
        currency=project.currency,
        approved=_money(project.budget),
        rows=rows,
        total=total,
        labour_assigned=cells.labour_assigned,
        labour_remaining=cells.labour_remaining,
        phases=phase_rows,
    )


@dataclass
class MonthRow:
    month: datetime.date
    planned: Decimal = ZERO
    actual: Decimal = ZERO
    planned_to_date: Decimal = ZERO  # cumulative
    actual_to_date: Decimal = ZERO  # cumulative


def _month_of(value: datetime.date | datetime.datetime) -> datetime.date:
    day = value.date() if isinstance(value, datetime.datetime) else value
    return day.replace(day=1)


def _months(first: datetime.date, last: datetime.date) -> Iterable[datetime.date]:
    month = first
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


@dataclass
class Months:
    rows: list[MonthRow] = field(default_factory=list)

    def chart(self) -> dict[str, list[Any]]:
        """The data of a chart of cumulative planned and actual cost."""
        return {
            "labels": [row.month.strftime("%Y-%m") for row in self.rows],
            "planned": [float(row.planned_to_date) for row in self.rows],
            "actual": [float(row.actual_to_date) for row in self.rows],
        }


def by_month(project: Project) -> Months:
    """Planned and actual cost per month, every month from the first to the last that has any
    (three queries): planned from the budget lines, actual from approved timesheet costs (by
    the day worked) and expenses (by the day spent); each with its running total."""
    planned: dict[datetime.date, Decimal] = defaultdict(Decimal)
    actual: dict[datetime.date, Decimal] = defaultdict(Decimal)
    for row in (
        BudgetLine.objects.filter(project=project).values("month").annotate(amount=Sum("amount"))
    ):
        planned[_month_of(row["month"])] += row["amount"] or 0
    entries = (
        TimesheetEntry.objects.filter(
            task__project=project, timesheet__status=TimesheetStatus.APPROVED
        )
        .annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(amount=Sum("cost"))
    )
    spent = (
        Expense.objects.filter(project=project)
        .annotate(month=TruncMonth("spent_on"))
        .values("month")
        .annotate(amount=Sum("amount"))
    )
    for rows in (entries, spent):
        for row in rows:
            actual[_month_of(row["month"])] += row["amount"] or 0
    months = sorted(set(planned) | set(actual))
    result = Months()
    if not months:
        return result
    planned_to_date = actual_to_date = ZERO
    for month in _months(months[0], months[-1]):
        planned_to_date += _money(planned.get(month))
        actual_to_date += _money(actual.get(month))
        result.rows.append(
            MonthRow(
                month,
                planned=_money(planned.get(month)),
                actual=_money(actual.get(month)),
                planned_to_date=planned_to_date,
                actual_to_date=actual_to_date,
            )
        )
    return result
