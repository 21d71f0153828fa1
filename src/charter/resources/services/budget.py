"""The verbs of a project's budget: plan it in budget lines, record expenses, and read it back
as planned, actual and forecast cost per category.

The approved budget is the project's ``budget`` (copied from the won deal at conversion), one
total for the whole project. The plan is the budget lines: an amount per cost category, phase
and month. Actual cost is, for labour, the cost of the approved timesheet hours on the
project's tasks (frozen at approval, see ``services.timesheets``), and for every other
category the expenses recorded. Amounts are in the project's currency; expenses must be in it,
and timesheet costs and rates are taken as they are (there is no currency conversion).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS, CHANGE_LABELS
from charter.core.concurrency import update_versioned
from charter.core.models import Attachment
from charter.core.querysets import parent_filter
from charter.core.services import delete_attachment
from charter.planning.adapters import to_local
from charter.planning.models import Project, Task
from charter.resources.models import Assignment, BudgetLine, CostCategory, Expense
from charter.resources.models.timesheets import TimesheetEntry, TimesheetStatus
from charter.resources.services.rates import RateBook

ACTION_LABELS.update(
    {
        "budget_line_added": gettext_lazy("added a budget line to"),
        "budget_line_deleted": gettext_lazy("deleted a budget line of"),
        "expense_recorded": gettext_lazy("recorded an expense on"),
        "expense_deleted": gettext_lazy("deleted an expense of"),
    }
)
CHANGE_LABELS.update(
    {"budget_line": gettext_lazy("budget line"), "expense": gettext_lazy("expense")}
)

LINE_FIELDS = ("category", "phase", "month", "amount", "note")
EXPENSE_FIELDS = ("category", "task", "spent_on", "amount", "currency", "description")
CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MINUTES_PER_HOUR = 60


def _money(value: Decimal | int | None) -> Decimal:
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def _cents(value: Any) -> Any:
    """A number as stored (two decimals), so what a service returns reads like a fresh row;
    anything else is left for validation to refuse."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return value


# ---- reading ---------------------------------------------------------------------------------


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


def _remaining_hours(assignment: Assignment) -> Decimal:
    """The assignment's work not done yet: work × (1 − the task's percent complete), in hours."""
    left = Decimal(assignment.work) * (100 - assignment.task.percent_complete) / 100
    return left / MINUTES_PER_HOUR


def _assignment_costs(project: Project) -> tuple[Decimal, Decimal]:
    """(the cost of all the assigned work, the cost of the work that remains), each hour at
    the resource's cost rate on the task's start (``services.rates``: its rate history, else
    its standard rate). Two queries."""
    rows = list(Assignment.objects.filter(task__project=project).select_related("resource", "task"))
    book = RateBook({row.resource for row in rows})
    today = timezone.localdate()
    total = remaining = Decimal(0)
    for assignment in rows:
        start = to_local(assignment.task.start)
        day = start.date() if start else today
        rate = book.cost_on(assignment.resource, day)
        total += Decimal(assignment.work) / MINUTES_PER_HOUR * rate
        remaining += _remaining_hours(assignment) * rate
    return _money(total), _money(remaining)


def labour_actual(project: Project) -> Decimal:
    """The cost of the approved timesheet hours on the project's tasks."""
    total = TimesheetEntry.objects.filter(
        task__project=project, timesheet__status=TimesheetStatus.APPROVED
    ).aggregate(cost=Sum("cost"))["cost"]
    return _money(total)


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
class BudgetSummary:
    currency: str
    approved: Decimal
    rows: list[CategoryRow]
    total: CategoryRow
    labour_assigned: Decimal = ZERO  # the cost of all assigned work at the resources' rates
    labour_remaining: Decimal = ZERO  # the cost of the assigned work not done yet

    @property
    def against_approved(self) -> Decimal:
        """Forecast at completion minus the approved budget: above zero, over budget."""
        return self.total.forecast - self.approved

    @property
    def over_budget(self) -> bool:
        return self.against_approved > 0

    @property
    def planned_over_approved(self) -> bool:
        return self.total.planned > self.approved


def budget_summary(project: Project) -> BudgetSummary:
    """Per cost category: planned (the sum of its budget lines), actual, forecast at completion
    and the variance (forecast − planned); with the totals and the approved budget.

    Actual: labour is the cost of approved timesheet hours on the project's tasks; the other
    categories are the sum of their expenses.

    Forecast at completion:

    * labour = actual + the remaining planned labour, i.e. the sum over the project's
      assignments of work × (1 − the task's percent complete) × the resource's cost rate on
      the task's start (its rate history, else its standard rate) — the work still to do at
      what it costs;
    * any other category = the larger of planned and actual: what was planned is expected to be
      spent, and what was spent beyond it is spent.

    The approved budget is one total for the project (not per category); ``against_approved``
    compares the forecast total with it. Five queries, whatever the number of rows.
    """
    planned = {
        row["category"]: _money(row["amount"])
        for row in BudgetLine.objects.filter(project=project)
        .values("category")
        .annotate(amount=Sum("amount"))
    }
    spent = {
        row["category"]: _money(row["amount"])
        for row in Expense.objects.filter(project=project)
        .values("category")
        .annotate(amount=Sum("amount"))
    }
    labour_assigned, labour_remaining = _assignment_costs(project)
    rows = []
    for value, label in CostCategory.choices:
        row = CategoryRow(value, str(label), planned=planned.get(value, ZERO))
        if value == CostCategory.LABOUR:
            row.actual = labour_actual(project)
            row.forecast = row.actual + labour_remaining
        else:
            row.actual = spent.get(value, ZERO)
            row.forecast = max(row.planned, row.actual)
        rows.append(row)
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
        labour_assigned=labour_assigned,
        labour_remaining=labour_remaining,
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


# ---- budget lines ----------------------------------------------------------------------------


def _check_line(line: BudgetLine) -> None:
    if line.month:
        line.month = line.month.replace(day=1)
    line.note = (line.note or "").strip()
    line.amount = _cents(line.amount)
    phase = line.phase
    if phase is not None and (
        phase.project_id != line.project_id or phase.parent_id is not None or not phase.is_summary
    ):
        raise ValidationError(
            {"phase": _("Choose a phase of this project: a summary task at the top of its plan.")}
        )
    line.full_clean(exclude=["project"])


def _fields(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    if unknown := set(fields) - set(allowed):
        raise ValueError(f"{', '.join(sorted(unknown))} not settable here")


@transaction.atomic
def create_line(project: Project, *, actor: Any, **fields: Any) -> BudgetLine:
    """Plan ``amount`` for a category, month (moved to its first day) and phase (a summary
    task at the top of the project's plan; none: the whole project). ValidationError (nothing
    written) for a negative amount or a phase of another project or not a phase."""
    _fields(fields, LINE_FIELDS)
    line = BudgetLine(project=project, **fields)
    _check_line(line)
    line.save()
    audit.record_created(line, LINE_FIELDS, actor=actor)
    audit.record(
        project, "budget_line_added", actor=actor, changes={"budget_line": [None, _line(line)]}
    )
    return line


def _line(line: BudgetLine) -> str:
    return f"{line} · {line.amount}"


@transaction.atomic
def update_line(
    line: BudgetLine, *, actor: Any, expected_version: int, **changes: Any
) -> BudgetLine:
    """Change a budget line. StaleEdit (nothing written) if saved since ``expected_version``;
    ValidationError as for :func:`create_line`."""
    _fields(changes, LINE_FIELDS)
    before = audit.snapshot(line, LINE_FIELDS)
    for name, value in changes.items():
        setattr(line, name, value)
    _check_line(line)
    update_versioned(line, expected_version=expected_version, fields=LINE_FIELDS)
    if changed := audit.diff(before, audit.snapshot(line, LINE_FIELDS)):
        audit.record(line, "updated", actor=actor, changes=changed)
    return line


@transaction.atomic
def delete_line(line: BudgetLine, *, actor: Any) -> None:
    """Delete a budget line; the project's history keeps what it was."""
    audit.record(
        line.project,
        "budget_line_deleted",
        actor=actor,
        changes={"budget_line": [_line(line), None]},
    )
    line.delete()


# ---- expenses --------------------------------------------------------------------------------


def _check_expense(expense: Expense, project: Project) -> None:
    expense.description = (expense.description or "").strip()
    expense.amount = _cents(expense.amount)
    expense.currency = (expense.currency or project.currency).upper()
    if expense.category == CostCategory.LABOUR:
        raise ValidationError(
            {"category": _("Labour is costed from approved timesheets, not recorded as expenses.")}
        )
    if expense.currency != project.currency:
        raise ValidationError(
            {
                "currency": _(
                    "Expenses are recorded in the project's currency, %(currency)s; convert "
                    "the amount first."
                )
                % {"currency": project.currency}
            }
        )
    if expense.task is not None and expense.task.project_id != project.pk:
        raise ValidationError({"task": _("Choose a task of this project.")})
    expense.full_clean(exclude=["project", "recorded_by"])


def _expense(expense: Expense) -> str:
    return f"{expense.get_category_display()} · {expense}"


@transaction.atomic
def create_expense(project: Project, *, actor: Any, **fields: Any) -> Expense:
    """Record an expense (any category but labour) in the project's currency (empty: that
    currency). ValidationError (nothing written) for another currency, labour, an amount not
    above zero or a task of another project."""
    _fields(fields, EXPENSE_FIELDS)
    expense = Expense(project=project, recorded_by=actor, **fields)
    _check_expense(expense, project)
    expense.save()
    audit.record_created(expense, EXPENSE_FIELDS, actor=actor)
    audit.record(
        project, "expense_recorded", actor=actor, changes={"expense": [None, _expense(expense)]}
    )
    return expense


@transaction.atomic
def update_expense(
    expense: Expense, *, actor: Any, expected_version: int, **changes: Any
) -> Expense:
    """Change an expense. StaleEdit (nothing written) if saved since ``expected_version``;
    ValidationError as for :func:`create_expense`."""
    _fields(changes, EXPENSE_FIELDS)
    before = audit.snapshot(expense, EXPENSE_FIELDS)
    for name, value in changes.items():
        setattr(expense, name, value)
    _check_expense(expense, expense.project)
    update_versioned(expense, expected_version=expected_version, fields=EXPENSE_FIELDS)
    if changed := audit.diff(before, audit.snapshot(expense, EXPENSE_FIELDS)):
        audit.record(expense, "updated", actor=actor, changes=changed)
    return expense


@transaction.atomic
def delete_expense(expense: Expense, *, actor: Any) -> None:
    """Delete an expense (its attached receipts go with it); the project's history keeps what
    it was."""
    for attachment in Attachment.objects.filter(parent_filter(expense)):
        delete_attachment(attachment, user=actor)
    audit.record(
        expense.project,
        "expense_deleted",
        actor=actor,
        changes={"expense": [_expense(expense), None]},
    )
    expense.delete()
