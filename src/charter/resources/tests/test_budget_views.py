"""Budget pages: the Budget tab (summary, over budget in red, chart data, lines editor with
filter), the expenses (record, receipts, delete with confirmation), who sees what, and the
tab's query count."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.planning.models import Project
from charter.resources.models import BudgetLine, Expense
from charter.resources.services import budget
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
    assert html.count('data-over="true"') == 1  # travel overruns its plan
    assert response.context["chart"]["planned"] == [3500.0, 5500.0]
    assert "budget-data" in html and "chart.umd.min.js" in html
    assert 'href="' + _budget_url(project) + '"' in html  # the tab


def test_over_the_approved_budget_is_red(project, signed_in):
    make_budget(project)
    Project.objects.filter(pk=project.pk).update(budget=Decimal("4000"))
    html = signed_in("manager").get(_budget_url(project)).content.decode()
    assert "Over the approved budget by" in html
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
        budget.create_line(
            project,
            actor=project.manager,
            category="travel",
            phase=budget.phases(project).first(),
            month=datetime.date(2027, 1 + n % 12, 1),
            amount=Decimal(n),
        )
        budget.create_expense(
            project,
            actor=project.manager,
            category="purchases",
            spent_on=datetime.date(2027, 2, 1 + n),
            amount=Decimal(n + 1),
            description="采购",
        )
    with CaptureQueriesContext(connection) as many:
        http.get(url)
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
