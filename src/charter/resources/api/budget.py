"""A project's budget through the API: the summary (planned, actual and forecast per category
against the approved budget, and per month), the budget lines and the expenses. Managers read
and plan the budget; the whole team reads and records expenses."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.core.api import (
    IF_MATCH,
    read_with_etag,
    request_field_names,
    set_etag,
    update_with_if_match,
)
from charter.crm.choices import Currency
from charter.planning.models import Project, Task
from charter.planning.querysets import visible_project
from charter.resources.choices import CostCategory
from charter.resources.models import BudgetLine, Expense
from charter.resources.services import budget as services
from charter.resources.services import budget_report

router = Router(tags=["budget"])

BUDGET = "resources.budget"
EXPENSE = "resources.expense"
ExpenseCategory = CostCategory  # labour is refused for expenses (422): it comes from timesheets


# ---- schemas ---------------------------------------------------------------------------------


class CategoryOut(Schema):
    category: str = Field(description="Empty on the total.")
    label: str
    planned: Decimal = Field(description="The sum of the category's budget lines.")
    actual: Decimal = Field(
        description="Labour: the cost of approved timesheet hours; others: the expenses."
    )
    forecast: Decimal = Field(
        description="At completion. Labour: actual + remaining assigned work at the rates; "
        "others: per phase the larger of planned and actual, lines for the whole project "
        "covering the phases' overruns."
    )
    variance: Decimal = Field(description="forecast − planned; above 0 the category overruns.")


class PhaseOut(Schema):
    phase_id: int | None = Field(
        description="A top-level summary task; null: lines and costs not under a phase."
    )
    label: str
    planned: Decimal = Field(description="The sum of the phase's budget lines.")
    actual: Decimal = Field(
        description="Approved timesheet cost and expenses of the tasks under the phase."
    )
    forecast: Decimal = Field(description="At completion, by the categories' rules.")
    variance: Decimal = Field(description="forecast − planned; above 0 the phase overruns.")


class MonthOut(Schema):
    month: datetime.date = Field(description="The first day of the month.")
    planned: Decimal
    actual: Decimal
    planned_to_date: Decimal = Field(description="Cumulative.")
    actual_to_date: Decimal = Field(description="Cumulative.")


class BudgetOut(Schema):
    project_id: int
    currency: str
    approved: Decimal = Field(description="The project's approved budget (one total).")
    against_approved: Decimal = Field(description="Forecast total − approved; above 0: over.")
    over_budget: bool
    labour_assigned: Decimal = Field(description="All assigned work at the resources' rates.")
    labour_remaining: Decimal = Field(description="The assigned work not done yet, costed.")
    categories: list[CategoryOut]
    total: CategoryOut = Field(description="Also the total of the phases.")
    phases: list[PhaseOut] = Field(
        description="The top-level summary tasks in plan order, then what is not in a phase."
    )
    months: list[MonthOut]


class LineOut(Schema):
    id: int
    project_id: int
    category: CostCategory
    phase_id: int | None = Field(description="A top-level summary task; null: whole project.")
    month: datetime.date = Field(description="The first day of the month.")
    amount: Decimal
    note: str
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")


class LineIn(Schema):
    category: CostCategory
    phase_id: int | None = Field(None, description="A top-level summary task of the project.")
    month: datetime.date = Field(description="Any day of the month; stored as its first day.")
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    note: str = Field("", max_length=500)


class LinePatch(Schema):
    category: CostCategory | None = None
    phase_id: int | None = Field(None, description="null: the whole project.")
    month: datetime.date | None = None
    amount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    note: str | None = Field(None, max_length=500)


class ExpenseOut(Schema):
    id: int
    project_id: int
    category: CostCategory
    task_id: int | None
    spent_on: datetime.date
    amount: Decimal
    currency: str
    description: str
    recorded_by_id: int | None
    created_at: datetime.datetime
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")


class ExpenseIn(Schema):
    category: ExpenseCategory = Field(description="Not labour: labour comes from timesheets.")
    task_id: int | None = Field(None, description="A task of the project.")
    spent_on: datetime.date
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: Currency | None = Field(None, description="Must be the project's; null: it.")
    description: str = Field(min_length=1, max_length=500)


class ExpensePatch(Schema):
    category: ExpenseCategory | None = None
    task_id: int | None = None
    spent_on: datetime.date | None = None
    amount: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2)
    currency: Currency | None = None
    description: str | None = Field(None, min_length=1, max_length=500)


# ---- ids in, objects for the services --------------------------------------------------------

NAMES = {"phase": "phase_id", "task": "task_id"}


def _phase(project: Project, values: dict[str, Any]) -> dict[str, Any]:
    if "phase_id" in values:
        pk = values.pop("phase_id")
        values["phase"] = None
        if pk is not None:
            values["phase"] = budget_report.phases(project).filter(pk=pk).first()
            if values["phase"] is None:
                raise ValidationError(
                    {"phase_id": _("Choose a phase of this project: a top-level summary task.")}
                )
    return values


def _task(project: Project, values: dict[str, Any]) -> dict[str, Any]:
    if "task_id" in values:
        pk = values.pop("task_id")
        values["task"] = None
        if pk is not None:
            values["task"] = Task.objects.filter(project=project, pk=pk).first()
            if values["task"] is None:
                raise ValidationError({"task_id": _("Choose a task of this project.")})
    if values.get("currency") is None:
        values.pop("currency", None)
    return values


def _lines(request: HttpRequest, action: str) -> Any:
    return BudgetLine.objects.for_user(request.user, action).select_related("project")


def _expenses(request: HttpRequest, action: str) -> Any:
    return Expense.objects.for_user(request.user, action).select_related("project")


# ---- the budget ------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/budget",
    response=BudgetOut,
    summary="A project's budget: per category and phase planned, actual, forecast; per month",
)
@policy.api_requires(BUDGET, "view")
def get_budget(request: HttpRequest, project_id: int) -> Any:
    project = visible_project(request.user, project_id)
    summary = budget_report.budget_summary(project)
    return {
        "project_id": project.pk,
        "currency": summary.currency,
        "approved": summary.approved,
        "against_approved": summary.against_approved,
        "over_budget": summary.over_budget,
        "labour_assigned": summary.labour_assigned,
        "labour_remaining": summary.labour_remaining,
        "categories": [_category(row) for row in summary.rows],
        "total": _category(summary.total),
        "phases": [_phase_row(row) for row in summary.phases],
        "months": [vars(row) for row in budget_report.by_month(project).rows],
    }


def _category(row: budget_report.CategoryRow) -> dict[str, Any]:
    return {**vars(row), "variance": row.variance}


def _phase_row(row: budget_report.PhaseRow) -> dict[str, Any]:
    return {
        "phase_id": row.phase.pk if row.phase else None,
        "label": row.label,
        "planned": row.planned,
        "actual": row.actual,
        "forecast": row.forecast,
        "variance": row.variance,
    }


# ---- budget lines ----------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/budget-lines",
    response=list[LineOut],
    summary="A project's budget lines, by month",
)
@policy.api_requires(BUDGET, "view")
@paginate(LimitOffsetPagination)
def list_lines(request: HttpRequest, project_id: int) -> Any:
    return budget_report.lines_of(visible_project(request.user, project_id))


@router.post(
    "/projects/{project_id}/budget-lines", response={201: LineOut}, summary="Add a budget line"
)
@policy.api_requires(BUDGET, "change")
def create_line(
    request: HttpRequest, response: HttpResponse, project_id: int, payload: LineIn
) -> Any:
    project = visible_project(request.user, project_id)
    with request_field_names(NAMES):
        line = services.create_line(project, actor=request.user, **_phase(project, payload.dict()))
    set_etag(response, line)
    return Status(201, line)


@router.get("/budget-lines/{line_id}", response=LineOut, summary="A budget line (with ETag)")
@policy.api_requires(BUDGET, "view")
def get_line(request: HttpRequest, response: HttpResponse, line_id: int) -> Any:
    return read_with_etag(response, _lines(request, "view"), pk=line_id)


@router.patch(
    "/budget-lines/{line_id}",
    response=LineOut,
    summary="Change a budget line (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(BUDGET, "change")
def update_line(
    request: HttpRequest, response: HttpResponse, line_id: int, payload: LinePatch
) -> Any:
    line = get_object_or_404(_lines(request, "change"), pk=line_id)
    changes = _phase(line.project, payload.dict(exclude_unset=True))
    with request_field_names(NAMES):
        return update_with_if_match(request, response, services.update_line, line, **changes)


@router.delete("/budget-lines/{line_id}", response={204: None}, summary="Delete a budget line")
@policy.api_requires(BUDGET, "change")
def delete_line(request: HttpRequest, line_id: int) -> Any:
    services.delete_line(
        get_object_or_404(_lines(request, "change"), pk=line_id), actor=request.user
    )
    return Status(204, None)


# ---- expenses --------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/expenses",
    response=list[ExpenseOut],
    summary="A project's expenses, newest first",
)
@policy.api_requires(EXPENSE, "view")
@paginate(LimitOffsetPagination)
def list_expenses(request: HttpRequest, project_id: int) -> Any:
    return budget_report.expenses_of(visible_project(request.user, project_id))


@router.post(
    "/projects/{project_id}/expenses",
    response={201: ExpenseOut},
    summary="Record an expense in the project's currency (attach receipts via /attachments)",
)
@policy.api_requires(EXPENSE, "add")
def create_expense(
    request: HttpRequest, response: HttpResponse, project_id: int, payload: ExpenseIn
) -> Any:
    project = visible_project(request.user, project_id)
    with request_field_names(NAMES):
        expense = services.create_expense(
            project, actor=request.user, **_task(project, payload.dict())
        )
    set_etag(response, expense)
    return Status(201, expense)


@router.get("/expenses/{expense_id}", response=ExpenseOut, summary="An expense (with ETag)")
@policy.api_requires(EXPENSE, "view")
def get_expense(request: HttpRequest, response: HttpResponse, expense_id: int) -> Any:
    return read_with_etag(response, _expenses(request, "view"), pk=expense_id)


@router.patch(
    "/expenses/{expense_id}",
    response=ExpenseOut,
    summary="Change an expense (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(EXPENSE, "change")
def update_expense(
    request: HttpRequest, response: HttpResponse, expense_id: int, payload: ExpensePatch
) -> Any:
    expense = get_object_or_404(_expenses(request, "change"), pk=expense_id)
    changes = _task(expense.project, payload.dict(exclude_unset=True))
    with request_field_names(NAMES):
        return update_with_if_match(request, response, services.update_expense, expense, **changes)


@router.delete(
    "/expenses/{expense_id}",
    response={204: None},
    summary="Delete an expense and its attached receipts",
)
@policy.api_requires(EXPENSE, "delete")
def delete_expense(request: HttpRequest, expense_id: int) -> Any:
    expense = get_object_or_404(_expenses(request, "delete"), pk=expense_id)
    services.delete_expense(expense, actor=request.user)
    return Status(204, None)
