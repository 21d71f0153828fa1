"""The budget API: the summary and months, lines and expenses CRUD with If-Match, the currency
refusal, the breakdown per phase, and who may do what (members: expenses only)."""

from decimal import Decimal

import pytest

from charter.resources.models import BudgetLine, Expense
from charter.resources.tests.matrix_budget import make_budget

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_the_summary_and_months(project, signed_in):
    make_budget(project)
    body = signed_in("manager").get(f"/api/v1/projects/{project.pk}/budget").json()
    assert (body["currency"], body["approved"], body["over_budget"]) == ("CNY", "50000.00", False)
    travel = next(row for row in body["categories"] if row["category"] == "travel")
    assert (travel["planned"], travel["actual"], travel["forecast"], travel["variance"]) == (
        "500.00",
        "800.00",
        "800.00",
        "300.00",
    )
    assert (body["total"]["planned"], body["total"]["actual"], body["total"]["forecast"]) == (
        "5500.00",
        "2100.00",
        "4800.00",
    )
    assert [
        (row["phase_id"], row["planned"], row["actual"], row["forecast"], row["variance"])
        for row in body["phases"]
    ] == [
        (project.tasks.get(name="启动").pk, "3000.00", "1000.00", "2000.00", "-1000.00"),
        (project.tasks.get(name="需求调研").pk, "0.00", "0.00", "0.00", "0.00"),
        (None, "2500.00", "1100.00", "2800.00", "300.00"),
    ]
    assert body["phases"][0]["label"] == "1 启动"
    assert body["phases"][2]["label"] == "Not in a phase"
    assert [(m["month"], m["planned_to_date"], m["actual_to_date"]) for m in body["months"]] == [
        ("2026-12-01", "3500.00", "1800.00"),
        ("2027-01-01", "5500.00", "2100.00"),
    ]


def test_members_may_not_read_the_budget_but_record_expenses(project, signed_in):
    http = signed_in("member")
    assert http.get(f"/api/v1/projects/{project.pk}/budget").status_code == 403
    assert http.get(f"/api/v1/projects/{project.pk}/budget-lines").status_code == 403
    created = http.post(
        f"/api/v1/projects/{project.pk}/expenses",
        {"category": "travel", "spent_on": "2026-12-10", "amount": "88.50", "description": "打车"},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    assert created.json()["currency"] == "CNY" and created["ETag"] == '"1"'
    assert http.get(f"/api/v1/projects/{project.pk}/expenses").json()["count"] == 1
    expense = created.json()["id"]
    assert http.delete(f"/api/v1/expenses/{expense}").status_code == 403


def test_lines_crud_with_if_match(project, signed_in):
    http = signed_in("manager")
    phase = project.tasks.get(name="启动")
    url = f"/api/v1/projects/{project.pk}/budget-lines"
    created = http.post(
        url,
        {"category": "labour", "phase_id": phase.pk, "month": "2026-12-15", "amount": "1000"},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    assert created.json()["month"] == "2026-12-01"
    line = f"/api/v1/budget-lines/{created.json()['id']}"
    assert http.patch(line, {"amount": "2"}, content_type=JSON).status_code == 428
    changed = http.patch(
        line, {"amount": "1200", "phase_id": None}, content_type=JSON, headers={"If-Match": '"1"'}
    )
    assert changed.status_code == 200 and changed["ETag"] == '"2"'
    assert (changed.json()["amount"], changed.json()["phase_id"]) == ("1200.00", None)
    stale = http.patch(line, {"amount": "3"}, content_type=JSON, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert http.get(url).json()["count"] == 1
    assert http.delete(line).status_code == 204
    assert not BudgetLine.objects.exists()


def test_a_line_refuses_a_task_that_is_no_phase_and_a_negative_amount(project, signed_in):
    http = signed_in("manager")
    leaf = project.tasks.filter(is_summary=False).first()
    url = f"/api/v1/projects/{project.pk}/budget-lines"
    bad = http.post(
        url,
        {"category": "travel", "phase_id": leaf.pk, "month": "2026-12-01", "amount": "1"},
        content_type=JSON,
    )
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert "phase_id" in bad.content.decode()
    negative = http.post(
        url, {"category": "travel", "month": "2026-12-01", "amount": "-1"}, content_type=JSON
    )
    assert negative.status_code == 422


def test_an_expense_in_another_currency_is_refused(project, signed_in):
    refused = signed_in("member").post(
        f"/api/v1/projects/{project.pk}/expenses",
        {
            "category": "travel",
            "spent_on": "2026-12-10",
            "amount": "10",
            "currency": "USD",
            "description": "机票",
        },
        content_type=JSON,
    )
    assert refused.status_code == 422
    assert "project's currency, CNY" in refused.content.decode()
    assert not Expense.objects.exists()


def test_managers_change_and_delete_expenses(project, signed_in):
    data = make_budget(project)
    http = signed_in("manager")
    url = f"/api/v1/expenses/{data.expenses[0].pk}"
    assert http.get(url)["ETag"] == '"1"'
    changed = http.patch(
        url,
        {"amount": "900", "task_id": data.task.pk},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200 and changed.json()["task_id"] == data.task.pk
    labour = http.patch(url, {"category": "labour"}, content_type=JSON, headers={"If-Match": '"2"'})
    assert labour.status_code == 422
    assert http.delete(url).status_code == 204
    assert Expense.objects.count() == 1


def test_an_expense_moved_into_a_phase_moves_its_cost_there(project, signed_in):
    data = make_budget(project)
    http = signed_in("manager")
    moved = http.patch(
        f"/api/v1/expenses/{data.expenses[1].pk}",
        {"task_id": project.tasks.get(name="关键用户访谈").pk},
        content_type=JSON,
        headers={"If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.content
    body = http.get(f"/api/v1/projects/{project.pk}/budget").json()
    research = body["phases"][1]
    assert (research["planned"], research["actual"], research["forecast"]) == (
        "0.00",
        "300.00",
        "300.00",
    )
    for name in ("planned", "actual", "forecast"):
        assert sum(Decimal(row[name]) for row in body["phases"]) == Decimal(body["total"][name])
