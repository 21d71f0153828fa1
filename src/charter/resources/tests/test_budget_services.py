"""Budget services: the summary hand-checked (lines, an approved timesheet, two expenses), the
forecast rule, the breakdown per phase (nested tasks, timesheet costs, expenses), months, and
the checks on lines and expenses."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.planning.models import Project
from charter.planning.services import plan
from charter.resources.models import BudgetLine, Expense
from charter.resources.services import budget, budget_report
from charter.resources.services import timesheets as sheets
from charter.resources.tests.matrix_budget import DECEMBER, JANUARY, MONDAY, make_budget

pytestmark = pytest.mark.django_db

D = Decimal


def _row(summary, category):
    return next(row for row in summary.rows if row.category == category)


def test_summary_is_hand_checked(project):
    data = make_budget(project)
    data.task.refresh_from_db()
    assert data.task.percent_complete == 50  # 5 of the 10 assigned hours approved

    summary = budget_report.budget_summary(project)
    figures = {
        row.category: (row.planned, row.actual, row.forecast, row.variance) for row in summary.rows
    }
    assert figures == {
        # 1 000 worked + 5 h × 200 to go
        "labour": (D("3000.00"), D("1000.00"), D("2000.00"), D("-1000.00")),
        # planned stays expected: max(2 000, 300)
        "equipment": (D("2000.00"), D("300.00"), D("2000.00"), D("0.00")),
        # spent beyond the plan: max(500, 800)
        "travel": (D("500.00"), D("800.00"), D("800.00"), D("300.00")),
        "purchases": (D("0.00"), D("0.00"), D("0.00"), D("0.00")),
        "contingency": (D("0.00"), D("0.00"), D("0.00"), D("0.00")),
    }
    assert (summary.total.planned, summary.total.actual, summary.total.forecast) == (
        D("5500.00"),
        D("2100.00"),
        D("4800.00"),
    )
    assert _row(summary, "travel").over and not _row(summary, "labour").over
    assert summary.approved == D("50000.00") and summary.currency == "CNY"
    assert summary.against_approved == D("-45200.00") and not summary.over_budget
    assert summary.labour_assigned == D("2000.00") and summary.labour_remaining == D("1000.00")

    Project.objects.filter(pk=project.pk).update(budget=D("4000"))
    project.refresh_from_db()
    summary = budget_report.budget_summary(project)
    assert summary.over_budget and summary.against_approved == D("800.00")
    assert summary.planned_over_approved


def test_labour_forecast_is_actual_plus_remaining_work_at_the_rate(project):
    data = make_budget(project, approve=False)
    summary = budget_report.budget_summary(project)
    assert _row(summary, "labour").actual == 0
    assert _row(summary, "labour").forecast == D("2000.00")  # 10 h × 200, nothing done
    data.task.percent_complete = 75
    data.task.save(update_fields=["percent_complete"])
    assert _row(budget_report.budget_summary(project), "labour").forecast == D("500.00")


def test_other_categories_forecast_the_larger_of_planned_and_actual(project):
    make_budget(project)
    manager = project.manager
    budget.create_expense(
        project,
        actor=manager,
        category="purchases",
        spent_on=DECEMBER,
        amount=D("120.50"),
        description="软件许可",
    )
    row = _row(budget_report.budget_summary(project), "purchases")
    assert (row.planned, row.actual, row.forecast, row.variance) == (
        D("0.00"),
        D("120.50"),
        D("120.50"),
        D("120.50"),
    )


def test_the_summary_costs_a_constant_number_of_queries(project):
    make_budget(project)
    with CaptureQueriesContext(connection) as few:
        budget_report.budget_summary(project)
        budget_report.by_month(project)
    for n in range(5):
        budget.create_line(
            project, actor=project.manager, category="travel", month=JANUARY, amount=D(n)
        )
        budget.create_expense(
            project,
            actor=project.manager,
            category="travel",
            spent_on=datetime.date(2027, 3, 1),
            amount=D(n + 1),
            description="差旅",
        )
    with CaptureQueriesContext(connection) as many:
        budget_report.budget_summary(project)
        budget_report.by_month(project)
    assert len(many) == len(few) <= 9


def test_months_are_planned_against_actual_with_running_totals(project):
    make_budget(project)
    rows = budget_report.by_month(project).rows
    assert [
        (row.month, row.planned, row.actual, row.planned_to_date, row.actual_to_date)
        for row in rows
    ] == [
        (DECEMBER, D("3500.00"), D("1800.00"), D("3500.00"), D("1800.00")),
        (JANUARY, D("2000.00"), D("300.00"), D("5500.00"), D("2100.00")),
    ]
    chart = budget_report.by_month(project).chart()
    assert chart == {
        "labels": ["2026-12", "2027-01"],
        "planned": [3500.0, 5500.0],
        "actual": [1800.0, 2100.0],
    }


def test_months_without_anything_in_between_are_listed(project):
    manager = project.manager
    budget.create_line(project, actor=manager, category="travel", month=DECEMBER, amount=D("1"))
    budget.create_line(
        project, actor=manager, category="travel", month=datetime.date(2027, 2, 14), amount=D("2")
    )
    rows = budget_report.by_month(project).rows
    assert [row.month for row in rows] == [DECEMBER, JANUARY, datetime.date(2027, 2, 1)]
    assert rows[1].planned == 0 and rows[1].planned_to_date == D("1.00")


def test_a_line_is_moved_to_the_first_of_its_month_and_its_phase_checked(project):
    manager = project.manager
    line = budget.create_line(
        project,
        actor=manager,
        category="equipment",
        month=datetime.date(2027, 1, 20),
        amount=D("10"),
        note="  服务器 ",
    )
    assert line.month == JANUARY and line.note == "服务器"
    leaf = project.tasks.filter(is_summary=False).first()
    with pytest.raises(ValidationError) as error:
        budget.create_line(
            project, actor=manager, category="travel", month=JANUARY, amount=1, phase=leaf
        )
    assert "phase" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        budget.create_line(project, actor=manager, category="travel", month=JANUARY, amount=-1)
    assert "amount" in error.value.message_dict
    assert BudgetLine.objects.count() == 1


def test_lines_are_updated_with_the_version_and_deleted_with_a_trace(project):
    manager = project.manager
    line = budget.create_line(project, actor=manager, category="travel", month=JANUARY, amount=1)
    line = budget.update_line(line, actor=manager, expected_version=1, amount=D("7"))
    assert line.version == 2 and BudgetLine.objects.get().amount == D("7.00")
    with pytest.raises(StaleEdit):
        budget.update_line(line, actor=manager, expected_version=1, amount=D("8"))
    budget.delete_line(line, actor=manager)
    assert not BudgetLine.objects.exists()
    assert AuditEvent.objects.filter(action="budget_line_deleted", object_id=str(project.pk))


def test_an_expense_in_another_currency_is_refused_naming_the_projects(project):
    with pytest.raises(ValidationError) as error:
        budget.create_expense(
            project,
            actor=project.manager,
            category="travel",
            spent_on=DECEMBER,
            amount=D("10"),
            currency="USD",
            description="机票",
        )
    assert "project's currency, CNY" in error.value.message_dict["currency"][0]
    assert not Expense.objects.exists()


def test_labour_and_amounts_not_above_zero_are_no_expenses(project):
    values = {"spent_on": DECEMBER, "description": "x"}
    with pytest.raises(ValidationError) as error:
        budget.create_expense(project, actor=project.manager, category="labour", amount=1, **values)
    assert "category" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        budget.create_expense(project, actor=project.manager, category="travel", amount=0, **values)
    assert "amount" in error.value.message_dict
    expense = budget.create_expense(
        project, actor=project.manager, category="travel", amount=D("5"), **values
    )
    assert expense.currency == "CNY" and expense.recorded_by == project.manager


def test_an_expense_is_updated_with_the_version_and_deleted_with_its_receipts(project, users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from charter.core import services as core_services
    from charter.core.models import Attachment

    expense = budget.create_expense(
        project,
        actor=users["member"],
        category="travel",
        spent_on=DECEMBER,
        amount=D("5"),
        description="出租车",
    )
    expense = budget.update_expense(
        expense, actor=users["manager"], expected_version=1, amount=D("6")
    )
    assert expense.version == 2
    with pytest.raises(StaleEdit):
        budget.update_expense(expense, actor=users["manager"], expected_version=1, amount=D("7"))
    core_services.add_attachment(
        expense,
        user=users["member"],
        upload=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4 receipt", "application/pdf"),
    )
    assert Attachment.objects.count() == 1
    budget.delete_expense(expense, actor=users["manager"])
    assert not Expense.objects.exists() and not Attachment.objects.exists()
    assert AuditEvent.objects.filter(action="expense_deleted", object_id=str(project.pk))


# ---- per phase -------------------------------------------------------------------------------


def _phases(summary):
    return {
        row.label: (row.planned, row.actual, row.forecast, row.variance) for row in summary.phases
    }


def _totals_agree(summary):
    for name in ("planned", "actual", "forecast"):
        phases = sum((getattr(row, name) for row in summary.phases), D(0))
        categories = sum((getattr(row, name) for row in summary.rows), D(0))
        assert phases == categories == getattr(summary.total, name), name


def test_the_shared_budget_per_phase_is_hand_checked(project):
    make_budget(project)
    summary = budget_report.budget_summary(project)
    assert [row.phase.name if row.phase else None for row in summary.phases] == [
        "启动",
        "需求调研",
        None,
    ]
    assert _phases(summary) == {
        # the labour line; 5 h × 200 worked; + 5 h × 200 to go
        "1 启动": (D("3000.00"), D("1000.00"), D("2000.00"), D("-1000.00")),
        "2 需求调研": (D("0.00"), D("0.00"), D("0.00"), D("0.00")),
        # travel 500 + equipment 2 000 planned; 800 + 300 spent; max(500, 800) + max(2 000, 300)
        "Not in a phase": (D("2500.00"), D("1100.00"), D("2800.00"), D("300.00")),
    }
    _totals_agree(summary)
    assert summary.phases[2].over and summary.phases[2].spent_percent == 44
    assert summary.phases[0].bar_width == 33


def _nested(project):
    """make_budget without its timesheet, then: a task two levels under “启动”, a top-level task
    under no phase, a line per phase, expenses at every depth and a timesheet on four tasks."""
    data = make_budget(project, approve=False)
    manager, member = project.manager, data.expenses[0].recorded_by
    kickoff = project.tasks.get(name="项目启动会")
    deep = plan.add_task(project, actor=manager, parent=kickoff, fields={"name": "会议纪要"})
    closing = plan.add_task(project, actor=manager, fields={"name": "收尾"})
    research = project.tasks.get(name="需求调研")
    interviews = project.tasks.get(name="关键用户访谈")
    assert deep.outline_level == 3 and not closing.is_summary
    for phase, amount in ((data.phase, "400"), (research, "300")):
        budget.create_line(
            project, actor=manager, category="travel", phase=phase, month=DECEMBER, amount=D(amount)
        )
    for task, category, amount in (
        (deep, "travel", "250"),
        (interviews, "travel", "450"),
        (closing, "purchases", "60"),
    ):
        budget.create_expense(
            project,
            actor=manager,
            category=category,
            task=task,
            spent_on=DECEMBER,
            amount=D(amount),
            description=task.name,
        )
    rows = [
        sheets.Row(data.task, MONDAY, 5 * 60),
        sheets.Row(deep, MONDAY, 2 * 60),
        sheets.Row(interviews, MONDAY, 60),
        sheets.Row(closing, MONDAY, 60),
    ]
    sheet = sheets.save_entries(
        sheets.week_of(member, MONDAY), actor=member, expected_version=1, rows=rows
    )
    sheet = sheets.submit(sheet, actor=member, expected_version=sheet.version)
    sheets.approve(sheet, actor=manager, expected_version=sheet.version)
    return data


def test_phases_count_tasks_at_any_depth_timesheets_and_expenses(project):
    _nested(project)
    summary = budget_report.budget_summary(project)
    assert _phases(summary) == {
        # planned labour 3 000 + travel 400; labour 5 h + 2 h (deep) × 200, travel 250 (deep);
        # forecast labour 1 400 + 1 000 to go, travel max(400, 250)
        "1 启动": (D("3400.00"), D("1650.00"), D("2800.00"), D("-600.00")),
        # travel 300 planned; labour 1 h × 200, travel 450; forecast 200 + max(300, 450)
        "2 需求调研": (D("300.00"), D("650.00"), D("650.00"), D("350.00")),
        # travel 500 + equipment 2 000; labour 1 h on 收尾, travel 800, equipment 300, purchases
        # 60; forecast 200 + max(500 − the 150 需求调研 overran, 800) + 2 000 + 60
        "Not in a phase": (D("2500.00"), D("1360.00"), D("3060.00"), D("560.00")),
    }
    _totals_agree(summary)
    assert (summary.total.planned, summary.total.actual, summary.total.forecast) == (
        D("6200.00"),
        D("3660.00"),
        D("6510.00"),
    )
    # travel: the per-phase rule, 400 + 450 + 800 (启动's plan is still expected to be spent)
    assert _row(summary, "travel").forecast == D("1650.00")
    assert _row(summary, "labour").actual == D("1800.00")


def test_lines_for_the_whole_project_cover_a_phases_overrun(project):
    data = make_budget(project)
    expense = data.expenses[0]  # travel 800, planned 500 for the whole project
    budget.update_expense(expense, actor=project.manager, expected_version=1, task=data.task)
    summary = budget_report.budget_summary(project)
    start, _research, outside = summary.phases
    assert (start.actual, start.forecast) == (D("1800.00"), D("2800.00"))  # labour + travel 800
    # the 500 planned for the whole project went into that overrun: nothing more to expect
    assert (outside.planned, outside.actual, outside.forecast) == (
        D("2500.00"),
        D("300.00"),
        D("2000.00"),
    )
    assert _row(summary, "travel").forecast == D("800.00")  # max(500, 800), as without phases
    _totals_agree(summary)


def test_the_phases_cost_a_constant_number_of_queries(project):
    data = make_budget(project)
    with CaptureQueriesContext(connection) as few:
        budget_report.budget_summary(project)
    manager = project.manager
    for n in range(4):
        phase = plan.add_task(project, actor=manager, fields={"name": f"阶段{n}"})
        child = plan.add_task(project, actor=manager, parent=phase, fields={"name": f"任务{n}"})
        phase.refresh_from_db()
        budget.create_line(
            project, actor=manager, category="travel", phase=phase, month=JANUARY, amount=D(n)
        )
        budget.create_expense(
            project,
            actor=manager,
            category="travel",
            task=child,
            spent_on=JANUARY,
            amount=D(n + 1),
            description="差旅",
        )
    budget.create_expense(
        project,
        actor=manager,
        category="equipment",
        task=data.task,
        spent_on=JANUARY,
        amount=D("9"),
        description="硬盘",
    )
    with CaptureQueriesContext(connection) as many:
        summary = budget_report.budget_summary(project)
    assert len(summary.phases) == 7
    assert len(many) == len(few) == 6
