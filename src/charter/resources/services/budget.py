"""The verbs of a project's budget: plan it in budget lines and record expenses. It is read
back as planned, actual and forecast cost per category and per phase (a top-level summary
task) by ``services.budget_report``.

The approved budget is the project's ``budget`` (copied from the won deal at conversion), one
total for the whole project. The plan is the budget lines: an amount per cost category, phase
and month. Actual cost is, for labour, the cost of the approved timesheet hours on the
project's tasks (frozen at approval, see ``services.timesheets``), and for every other
category the expenses recorded. Amounts are in the project's currency; expenses must be in it,
and timesheet costs and rates are taken as they are (there is no currency conversion).
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from charter.core import audit
from charter.core.choices import ACTION_LABELS, CHANGE_LABELS
from charter.core.concurrency import update_versioned
from charter.core.models import Attachment
from charter.core.querysets import parent_filter
from charter.core.services import delete_attachment
from charter.planning.models import Project
from charter.resources.choices import CostCategory
from charter.resources.models import BudgetLine, Expense

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


def _cents(value: Any) -> Any:
    """A number as stored (two decimals), so what a service returns reads like a fresh row;
    anything else is left for validation to refuse."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return value


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
