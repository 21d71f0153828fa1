"""Permission-matrix rows of the budget and expenses, and the budget the budget tests share,
hand-checked (see test_budget_services):

* approved budget 50 000 CNY;
* the member (rate 200/h) is assigned 10 h on “制定项目计划” (phase “启动”), works 5 h of them
  on 2026-12-07 in an approved timesheet: labour actual 1 000, the task 50% done, so 5 h
  (1 000) of labour remain;
* lines: labour 3 000 (phase “启动”, 2026-12), travel 500 (whole project, 2026-12),
  equipment 2 000 (2027-01);
* expenses: travel 800 (2026-12-10), equipment 300 (2027-01-05).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from charter.accounts.models import User
from charter.planning.models import Project, Task
from charter.planning.tests.factories import planning_world
from charter.resources.models import BudgetLine, Expense
from charter.resources.services import budget, budget_report
from charter.resources.services import pool as pool_services
from charter.resources.services import timesheets as sheets
from charter.testing.matrix import LOGIN, Case, roles

MONDAY = datetime.date(2026, 12, 7)
DECEMBER = datetime.date(2026, 12, 1)
JANUARY = datetime.date(2027, 1, 1)


@dataclass
class BudgetData:
    project: Project
    phase: Task
    task: Task
    lines: list[BudgetLine]
    expenses: list[Expense]


def make_budget(project: Project, *, approve: bool = True) -> BudgetData:
    manager = User.objects.get(username="manager")
    member = User.objects.get(username="member")
    Project.objects.filter(pk=project.pk).update(budget=Decimal("50000.00"), currency="CNY")
    project.refresh_from_db()
    phase = budget_report.phases(project).get(name="启动")
    task = project.tasks.get(name="制定项目计划")
    resource = pool_services.create_resource(
        actor=manager, name="成员", user=member, standard_rate=Decimal("200")
    )
    pool_services.assign(task, resource, actor=manager, work=10 * 60)
    if approve:
        sheet = sheets.week_of(member, MONDAY)
        sheet = sheets.save_entries(
            sheet, actor=member, expected_version=1, rows=[sheets.Row(task, MONDAY, 5 * 60)]
        )
        sheet = sheets.submit(sheet, actor=member, expected_version=sheet.version)
        sheets.approve(sheet, actor=manager, expected_version=sheet.version)
    lines = [
        budget.create_line(
            project,
            actor=manager,
            category="labour",
            phase=phase,
            month=DECEMBER,
            amount=Decimal("3000"),
        ),
        budget.create_line(
            project, actor=manager, category="travel", month=DECEMBER, amount=Decimal("500")
        ),
        budget.create_line(
            project, actor=manager, category="equipment", month=JANUARY, amount=Decimal("2000")
        ),
    ]
    expenses = [
        budget.create_expense(
            project,
            actor=member,
            category="travel",
            spent_on=datetime.date(2026, 12, 10),
            amount=Decimal("800"),
            description="出差北京",
        ),
        budget.create_expense(
            project,
            actor=manager,
            category="equipment",
            spent_on=datetime.date(2027, 1, 5),
            amount=Decimal("300"),
            description="测试服务器",
        ),
    ]
    return BudgetData(project, phase, task, lines, expenses)


# ---- permission-matrix rows ------------------------------------------------------------------
# Managers and administrators read and plan the budget; the team (members on the project) reads
# and records expenses; only managers change or delete them; clients see none of it.


def _project(w: Any) -> Project:
    return planning_world(w).project


def _fresh_line(w: Any) -> BudgetLine:
    return budget.create_line(
        _project(w),
        actor=User.objects.get(username="manager"),
        category="travel",
        month=DECEMBER,
        amount=Decimal("100"),
    )


def _fresh_expense(w: Any) -> Expense:
    return budget.create_expense(
        _project(w),
        actor=User.objects.get(username="member"),
        category="travel",
        spent_on=DECEMBER,
        amount=Decimal("10"),
        description=w.unique("差旅"),
    )


def _line(w: Any) -> BudgetLine:
    if not hasattr(w, "budget_line"):
        w.budget_line = _fresh_line(w)
    return w.budget_line


def _expense(w: Any) -> Expense:
    if not hasattr(w, "expense"):
        w.expense = _fresh_expense(w)
    return w.expense


def _project_pk(w: Any) -> dict[str, int]:
    return {"pk": _project(w).pk}


MANAGERS_PAGE = roles(LOGIN, 200, 200, 403, 403)
STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)

HTML: dict[str, Case] = {
    "resources:project_budget": Case(MANAGERS_PAGE, kwargs=_project_pk),
    # An empty form: 422 once the role may plan.
    "resources:budget_line_create": Case(
        roles(LOGIN, 422, 422, 403, 403), kwargs=_project_pk, method="post"
    ),
    "resources:budget_line_edit": Case(MANAGERS_PAGE, kwargs=lambda w: {"pk": _line(w).pk}),
    "resources:budget_line_delete": Case(MANAGERS_PAGE, kwargs=lambda w: {"pk": _line(w).pk}),
    "resources:project_expenses": Case(STAFF_PAGE, kwargs=_project_pk),
    "resources:expense_create": Case(
        roles(LOGIN, 422, 422, 422, 403), kwargs=_project_pk, method="post"
    ),
    "resources:expense_detail": Case(STAFF_PAGE, kwargs=lambda w: {"pk": _expense(w).pk}),
    # Only managers change an expense, whoever recorded it (as the API's PATCH).
    "resources:expense_edit": Case(MANAGERS_PAGE, kwargs=lambda w: {"pk": _expense(w).pk}),
    "resources:expense_delete": Case(MANAGERS_PAGE, kwargs=lambda w: {"pk": _expense(w).pk}),
}


def _project_id(w: Any) -> dict[str, int]:
    return {"project_id": _project(w).pk}


API_MANAGERS = roles(401, 200, 200, 403, 403)
API_STAFF = roles(401, 200, 200, 200, 403)
LINE = {"category": "travel", "month": "2026-12-01", "amount": "100"}
EXPENSE = {"category": "travel", "spent_on": "2026-12-10", "amount": "10", "description": "打车"}

API: dict[str, Case] = {
    "GET /api/v1/projects/<project_id>/budget": Case(API_MANAGERS, kwargs=_project_id),
    "GET /api/v1/projects/<project_id>/budget-lines": Case(API_MANAGERS, kwargs=_project_id),
    "POST /api/v1/projects/<project_id>/budget-lines": Case(
        roles(401, 201, 201, 403, 403), kwargs=_project_id, data=LINE
    ),
    "GET /api/v1/budget-lines/<line_id>": Case(
        API_MANAGERS, kwargs=lambda w: {"line_id": _line(w).pk}
    ),
    # Without If-Match: 428 once the role may plan.
    "PATCH /api/v1/budget-lines/<line_id>": Case(
        roles(401, 428, 428, 403, 403), kwargs=lambda w: {"line_id": _line(w).pk}
    ),
    "DELETE /api/v1/budget-lines/<line_id>": Case(
        roles(401, 204, 204, 403, 403), kwargs=lambda w: {"line_id": _fresh_line(w).pk}
    ),
    "GET /api/v1/projects/<project_id>/expenses": Case(API_STAFF, kwargs=_project_id),
    "POST /api/v1/projects/<project_id>/expenses": Case(
        roles(401, 201, 201, 201, 403), kwargs=_project_id, data=EXPENSE
    ),
    "GET /api/v1/expenses/<expense_id>": Case(
        API_STAFF, kwargs=lambda w: {"expense_id": _expense(w).pk}
    ),
    "PATCH /api/v1/expenses/<expense_id>": Case(
        roles(401, 428, 428, 403, 403), kwargs=lambda w: {"expense_id": _expense(w).pk}
    ),
    "DELETE /api/v1/expenses/<expense_id>": Case(
        roles(401, 204, 204, 403, 403), kwargs=lambda w: {"expense_id": _fresh_expense(w).pk}
    ),
}
