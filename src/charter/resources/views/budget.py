"""Budget pages of a project: the Budget tab (planned, actual and forecast cost per category,
the same per phase, the chart of planned against actual per month, the budget lines editor)
for managers, and the expenses (list, record, receipts) for the whole team; managers edit and
delete them."""

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.forms import submit
from charter.planning.models import Project
from charter.planning.querysets import visible_project
from charter.resources.forms.budget import (
    BudgetLineEditForm,
    BudgetLineForm,
    ExpenseEditForm,
    ExpenseForm,
    LineFilterForm,
)
from charter.resources.models import BudgetLine, Expense
from charter.resources.services import budget as services
from charter.resources.services import budget_report

BUDGET = "resources.budget"
EXPENSE = "resources.expense"
PER_PAGE = 25


def budget_url(project: Project) -> str:
    return reverse("resources:project_budget", args=[project.pk])


def expenses_url(project: Project) -> str:
    return reverse("resources:project_expenses", args=[project.pk])


def _line(request: HttpRequest, pk: int) -> BudgetLine:
    rows = BudgetLine.objects.for_user(request.user, "change").select_related("project", "phase")
    return get_object_or_404(rows, pk=pk)


def _expense(request: HttpRequest, pk: int, action: str) -> Expense:
    rows = Expense.objects.for_user(request.user, action).select_related(
        "project", "task", "recorded_by"
    )
    return get_object_or_404(rows, pk=pk)


# ---- the Budget tab --------------------------------------------------------------------------


def _budget_page(
    request: HttpRequest, project: Project, *, form: BudgetLineForm | None = None, status: int = 200
) -> HttpResponse:
    filters = LineFilterForm(request.GET, project=project)
    category, phase = filters.value("category") or "", filters.value("phase")
    lines = Paginator(
        budget_report.lines_of(project, category=category, phase=phase), PER_PAGE
    ).get_page(request.GET.get("page"))
    months = budget_report.by_month(project)
    context = {
        "project": project,
        "summary": budget_report.budget_summary(project),
        "months": months.rows,
        "chart": months.chart(),
        "page": lines,
        "filter_form": filters,
        "filtering": bool(category or phase),
        "form": form or BudgetLineForm(project=project),
        "expenses_url": expenses_url(project),
    }
    return render(request, "resources/budget/budget.html", context, status=status)


@require_GET
@policy.requires(BUDGET, "view")
def project_budget(request: HttpRequest, pk: int) -> HttpResponse:
    """Planned, actual and forecast cost per category against the approved budget, the months,
    and the budget lines (filtered by category and phase)."""
    return _budget_page(request, visible_project(request.user, pk))


@require_POST
@policy.requires(BUDGET, "change")
def line_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = visible_project(request.user, pk)
    form = BudgetLineForm(request.POST, project=project)
    status = submit(
        form,
        lambda data: services.create_line(project, actor=request.user, **form.line_fields()),
    )
    if status is not None:
        return _budget_page(request, project, form=form, status=status)
    messages.success(request, _("The budget line was added."))
    return redirect(budget_url(project))


@require_http_methods(["GET", "POST"])
@policy.requires(BUDGET, "change")
def line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a budget line; a stale save is refused (409)."""
    line = _line(request, pk)
    form = BudgetLineEditForm(
        request.POST or None, project=line.project, initial=BudgetLineEditForm.initial_of(line)
    )
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.update_line(
                line, actor=request.user, expected_version=data["version"], **form.line_fields()
            ),
        )
        if status is None:
            messages.success(request, _("The budget line was saved."))
            return redirect(budget_url(line.project))
        line.refresh_from_db()
    context = {"form": form, "line": line, "project": line.project}
    return render(request, "resources/budget/line_form.html", context, status=status or 200)


@require_http_methods(["GET", "POST"])
@policy.requires(BUDGET, "change")
def line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    line = _line(request, pk)
    if request.method == "POST":
        services.delete_line(line, actor=request.user)
        messages.success(request, _("The budget line was deleted."))
        return redirect(budget_url(line.project))
    context = {"line": line, "project": line.project, "cancel_url": budget_url(line.project)}
    return render(request, "resources/budget/line_delete.html", context)


# ---- expenses --------------------------------------------------------------------------------


def _expenses_page(
    request: HttpRequest, project: Project, *, form: ExpenseForm | None = None, status: int = 200
) -> HttpResponse:
    rows = budget_report.expenses_of(project)
    context: dict[str, Any] = {
        "project": project,
        "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
        "form": form or ExpenseForm(project=project),
        "can_add": policy.allows(request.user, EXPENSE, "add"),
        "can_change": policy.allows(request.user, EXPENSE, "change"),
        "can_delete": policy.allows(request.user, EXPENSE, "delete"),
        "sees_budget": policy.allows(request.user, BUDGET, "view"),
    }
    return render(request, "resources/budget/expense_list.html", context, status=status)


@require_GET
@policy.requires(EXPENSE, "view")
def expense_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's expenses, newest first, with the form to record one."""
    return _expenses_page(request, visible_project(request.user, pk))


@require_POST
@policy.requires(EXPENSE, "add")
def expense_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an expense, then attach its receipt on the expense's page."""
    project = visible_project(request.user, pk)
    form = ExpenseForm(request.POST, project=project)
    created: list[Expense] = []
    status = submit(
        form,
        lambda data: created.append(
            services.create_expense(project, actor=request.user, **form.expense_fields())
        ),
    )
    if status is not None:
        return _expenses_page(request, project, form=form, status=status)
    messages.success(request, _("The expense was recorded; attach its receipt here."))
    return redirect(created[0])


@require_GET
@policy.requires(EXPENSE, "view")
def expense_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An expense with its receipts (the attachments panel)."""
    expense = _expense(request, pk, "view")
    context = {
        "expense": expense,
        "project": expense.project,
        "can_change": policy.allows(request.user, EXPENSE, "change"),
        "can_delete": policy.allows(request.user, EXPENSE, "delete"),
    }
    return render(request, "resources/budget/expense_detail.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires(EXPENSE, "change")
def expense_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an expense (its receipts stay in their panel); a stale save is refused (409),
    and so is what the service refuses (422), with nothing written."""
    expense = _expense(request, pk, "change")
    form = ExpenseEditForm.of(expense, request.POST or None)
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.update_expense(
                expense,
                actor=request.user,
                expected_version=data["version"],
                **form.expense_fields(),
            ),
        )
        if status is None:
            messages.success(request, _("The expense was saved."))
            return redirect(expense)
        expense.refresh_from_db()  # the service may have set the refused values on it
    context = {"form": form, "expense": expense, "project": expense.project}
    return render(request, "resources/budget/expense_form.html", context, status=status or 200)


@require_http_methods(["GET", "POST"])
@policy.requires(EXPENSE, "delete")
def expense_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the expense and its receipts."""
    expense = _expense(request, pk, "delete")
    if request.method == "POST":
        services.delete_expense(expense, actor=request.user)
        messages.success(request, _("The expense was deleted."))
        return redirect(expenses_url(expense.project))
    context = {
        "expense": expense,
        "project": expense.project,
        "cancel_url": expense.get_absolute_url(),
    }
    return render(request, "resources/budget/expense_delete.html", context)


urls = [
    path("projects/<int:pk>/budget/", project_budget, name="project_budget"),
    path("projects/<int:pk>/budget/lines/", line_create, name="budget_line_create"),
    path("budget-lines/<int:pk>/edit/", line_edit, name="budget_line_edit"),
    path("budget-lines/<int:pk>/delete/", line_delete, name="budget_line_delete"),
    path("projects/<int:pk>/expenses/", expense_list, name="project_expenses"),
    path("projects/<int:pk>/expenses/new/", expense_create, name="expense_create"),
    path("expenses/<int:pk>/", expense_detail, name="expense_detail"),
    path("expenses/<int:pk>/edit/", expense_edit, name="expense_edit"),
    path("expenses/<int:pk>/delete/", expense_delete, name="expense_delete"),
]
