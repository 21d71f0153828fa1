"""Budget pages: the Budget tab (summary, the phases, over budget in red, chart data, lines
editor with filter) in both languages, the expenses (record, receipts, edit with the version,
delete with confirmation), who sees what, and the pages' query counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.core.models import AuditEvent
from charter.planning.models import Project
from charter.planning.services import plan
from charter.resources.models import BudgetLine, Expense
from charter.resources.services import budget, budget_report
from charter.resources.tests.matrix_budget import JANUARY, make_budget

pytestmark = pytest.mark.django_db


def _budget_url(project):
    return reverse("resources:project_budget", args=[project.pk])


def _expenses_url(project):
    return reverse("resources:project_expenses", args=[project.pk])


def test_the_budget_tab_shows_the_summary_chart_and_lines(project, signed_in):
    make_budget(project)
    response = signed_in("manager").get(_budget_url(project))
    assert response.status_code == 200
    html = response.content.decode()
    summary = response.context["summary"]
    assert summary.total.forecast == Decimal("4800.00")
    assert 'data-testid="budget-lines"' in html and html.count('data-testid="budget-line"') == 3
    assert "CNY 50,000.00" in html  # the approved budget
    assert html.count('data-over="true"') == 2  # travel overruns its plan, "not in a phase" too
    assert html.count('data-testid="budget-phase"') == 3  # 启动, 需求调研, not in a phase
    assert "Not in a phase" in html and "Cost per phase" in html
    assert 'style="width: 33%"' in html  # 启动 spent 1 000 of its 3 000
    assert response.context["chart"]["planned"] == [3500.0, 5500.0]
    assert "budget-data" in html and "chart.umd.min.js" in html
    assert 'href="' + _budget_url(project) + '"' in html  # the tab


def test_over_the_approved_budget_is_red(project, signed_in):
    make_budget(project)
    Project.objects.filter(pk=project.pk).update(budget=Decimal("4000"))
    html = signed_in("manager").get(_budget_url(project)).content.decode()
    assert "The forecast exceeds the approved budget by" in html
    assert 'data-testid="against-approved" data-over="true"' in html


def test_lines_are_filtered_by_category_and_phase(project, signed_in):
    data = make_budget(project)
    http = signed_in("manager")
    rows = http.get(_budget_url(project), {"category": "travel"}).context["page"].object_list
    assert [line.category for line in rows] == ["travel"]
    rows = http.get(_budget_url(project), {"phase": data.phase.pk}).context["page"].object_list
    assert [line.category for line in rows] == ["labour"]
    empty = http.get(_budget_url(project), {"category": "purchases"}).content.decode()
    assert "No budget line matches the filter." in empty


def test_add_edit_and_delete_a_line(project, signed_in):
    http = signed_in("manager")
    url = reverse("resources:budget_line_create", args=[project.pk])
    bad = http.post(url, {"category": "travel", "month": "2027-01", "amount": "-5"})
    assert bad.status_code == 422 and not BudgetLine.objects.exists()
    added = http.post(url, {"category": "travel", "month": "2027-01", "amount": "500"})
    assert added.status_code == 302
    line = BudgetLine.objects.get()
    assert line.month == JANUARY

    edit = reverse("resources:budget_line_edit", args=[line.pk])
    assert http.get(edit).status_code == 200
    values = {"category": "travel", "month": "2027-02", "amount": "600", "version": 1}
    assert http.post(edit, values).status_code == 302
    assert http.post(edit, values).status_code == 409  # the stale version
    line.refresh_from_db()
    assert (line.amount, line.month, line.version) == (
        Decimal("600.00"),
        datetime.date(2027, 2, 1),
        2,
    )

    delete = reverse("resources:budget_line_delete", args=[line.pk])
    confirm = http.get(delete)
    assert confirm.status_code == 200 and "Delete the Travel line of 2027-02" in (
        confirm.content.decode()
    )
    assert BudgetLine.objects.exists()
    assert http.post(delete).status_code == 302 and not BudgetLine.objects.exists()


def test_members_get_403_on_the_budget_and_200_on_the_expenses(project, signed_in):
    make_budget(project)
    http = signed_in("member")
    assert http.get(_budget_url(project)).status_code == 403
    response = http.get(_expenses_url(project))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="expense"') == 2
    assert 'data-testid="expense-form"' in html
    assert reverse("resources:expense_delete", args=[Expense.objects.first().pk]) not in html
    assert _budget_url(project) not in html  # the tab leads to the expenses instead


def test_a_member_records_an_expense_and_attaches_its_receipt(project, signed_in):
    http = signed_in("member")
    url = reverse("resources:expense_create", args=[project.pk])
    values = {
        "category": "travel",
        "spent_on": "2026-12-10",
        "amount": "88.50",
        "currency": "CNY",
        "description": "打车",
    }
    refused = http.post(url, {**values, "currency": "USD"})
    assert refused.status_code == 422
    assert "project&#x27;s currency, CNY" in refused.content.decode()
    saved = http.post(url, values)
    expense = Expense.objects.get()
    assert saved.status_code == 302 and saved["Location"] == expense.get_absolute_url()
    detail = http.get(expense.get_absolute_url())
    assert detail.status_code == 200
    panel = reverse("core:attachments", args=["resources.expense", expense.pk])
    assert panel in detail.content.decode()
    assert http.get(panel).status_code == 200


def test_a_manager_deletes_an_expense_after_confirming(project, signed_in):
    data = make_budget(project)
    http = signed_in("manager")
    url = reverse("resources:expense_delete", args=[data.expenses[0].pk])
    assert "Delete the expense “出差北京”" in http.get(url).content.decode()
    assert Expense.objects.count() == 2
    assert http.post(url).status_code == 302 and Expense.objects.count() == 1
    assert (
        signed_in("member")
        .get(reverse("resources:expense_delete", args=[data.expenses[1].pk]))
        .status_code
        == 403
    )


def test_the_budget_tab_costs_the_same_queries_whatever_the_rows(project, signed_in):
    make_budget(project)
    http = signed_in("manager")
    url = _budget_url(project)
    http.get(url)
    with CaptureQueriesContext(connection) as few:
        http.get(url)
    for n in range(10):
        phase = plan.add_task(project, actor=project.manager, fields={"name": f"阶段{n}"})
        task = plan.add_task(project, actor=project.manager, parent=phase, fields={"name": "任务"})
        budget.create_line(
            project,
            actor=project.manager,
            category="travel",
            phase=budget_report.phases(project).get(pk=phase.pk),
            month=datetime.date(2027, 1 + n % 12, 1),
            amount=Decimal(n),
        )
        budget.create_expense(
            project,
            actor=project.manager,
            category="purchases",
            task=task,
            spent_on=datetime.date(2027, 2, 1 + n),
            amount=Decimal(n + 1),
            description="采购",
        )
    with CaptureQueriesContext(connection) as many:
        response = http.get(url)
    assert len(response.context["summary"].phases) == 13
    assert len(many) == len(few)


def test_the_expenses_list_costs_the_same_queries_whatever_the_rows(project, signed_in):
    make_budget(project)
    http = signed_in("member")
    url = _expenses_url(project)
    http.get(url)
    with CaptureQueriesContext(connection) as few:
        http.get(url)
    for n in range(10):
        budget.create_expense(
            project,
            actor=project.manager,
            category="purchases",
            spent_on=datetime.date(2027, 2, 1 + n),
            amount=Decimal(n + 1),
            description="采购",
            task=project.tasks.filter(is_summary=False).first(),
        )
    with CaptureQueriesContext(connection) as many:
        http.get(url)
    assert len(many) == len(few)


def test_the_budget_tab_speaks_chinese(project, signed_in, users):
    make_budget(project)
    users["manager"].language = "zh-hans"
    users["manager"].save(update_fields=["language"])
    response = signed_in("manager").get(_budget_url(project))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html and "完工预测" in html
    assert html.count('data-testid="budget-phase"') == 3 and "1 启动" in html


def test_the_phase_totals_are_the_category_totals(project, signed_in):
    make_budget(project)
    summary = signed_in("manager").get(_budget_url(project)).context["summary"]
    for name in ("planned", "actual", "forecast"):
        assert sum(getattr(row, name) for row in summary.phases) == getattr(summary.total, name)


# ---- editing an expense ----------------------------------------------------------------------


def _edit_url(expense):
    return reverse("resources:expense_edit", args=[expense.pk])


def _values(expense, **changes):
    values = {
        "category": expense.category,
        "spent_on": expense.spent_on.isoformat(),
        "amount": str(expense.amount),
        "currency": expense.currency,
        "task": expense.task_id or "",
        "description": expense.description,
        "version": expense.version,
    }
    return {**values, **changes}


def test_a_manager_edits_an_expense_with_its_version(project, signed_in):
    data = make_budget(project)
    expense = data.expenses[0]
    http = signed_in("manager")
    page = http.get(_edit_url(expense))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="出差北京"' in html and 'name="version"' in html
    assert reverse("core:attachments", args=["resources.expense", expense.pk]) in html  # receipts
    saved = http.post(_edit_url(expense), _values(expense, amount="950", task=data.task.pk))
    assert saved.status_code == 302 and saved["Location"] == expense.get_absolute_url()
    expense.refresh_from_db()
    assert (expense.amount, expense.task, expense.version) == (Decimal("950.00"), data.task, 2)
    event = AuditEvent.objects.filter(action="updated", object_id=str(expense.pk)).get()
    assert event.actor == project.manager and "amount" in event.changes

    stale = http.post(_edit_url(expense), _values(expense, amount="1", version=1))
    assert stale.status_code == 409
    assert "Someone else saved this record after you opened it" in stale.content.decode()
    expense.refresh_from_db()
    assert (expense.amount, expense.version) == (Decimal("950.00"), 2)


def test_what_the_service_refuses_is_shown_and_nothing_written(project, signed_in):
    data = make_budget(project)
    expense = data.expenses[0]
    http = signed_in("manager")
    refused = http.post(_edit_url(expense), _values(expense, currency="USD", amount="5"))
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "project&#x27;s currency, CNY" in html
    assert 'data-testid="expense-form"' in html and 'value="5"' in html  # as typed
    labour = http.post(_edit_url(expense), _values(expense, category="labour"))
    assert labour.status_code == 422
    expense.refresh_from_db()
    assert (expense.amount, expense.currency, expense.version) == (Decimal("800.00"), "CNY", 1)


def test_only_managers_edit_expenses_and_see_the_edit_buttons(project, signed_in):
    data = make_budget(project)
    expense = data.expenses[0]  # recorded by the member
    member = signed_in("member")
    assert member.get(_edit_url(expense)).status_code == 403
    assert member.post(_edit_url(expense), _values(expense, amount="1")).status_code == 403
    expense.refresh_from_db()
    assert expense.amount == Decimal("800.00")
    assert _edit_url(expense) not in member.get(expense.get_absolute_url()).content.decode()
    assert _edit_url(expense) not in member.get(_expenses_url(project)).content.decode()
    manager = signed_in("manager")
    assert 'data-testid="edit"' in manager.get(expense.get_absolute_url()).content.decode()
    listing = manager.get(_expenses_url(project)).content.decode()
    assert all(_edit_url(row) in listing for row in data.expenses)


def test_the_expense_edit_page_speaks_chinese(project, signed_in, users):
    data = make_budget(project)
    users["manager"].language = "zh-hans"
    users["manager"].save(update_fields=["language"])
    response = signed_in("manager").get(_edit_url(data.expenses[0]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans"' in html and "保存" in html and "取消" in html
