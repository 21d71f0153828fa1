"""Timesheet services: validation naming the row, locks, stale edits, who decides, and what
approval does to the plan (actual start, percent complete) and to costs."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.planning.adapters import to_local
from charter.resources.choices import TimesheetStatus
from charter.resources.models.timesheets import TimesheetEntry
from charter.resources.services import pool as services
from charter.resources.services import timesheets as sheets
from charter.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 12, 7)


@pytest.fixture
def tasks(project):
    return list(project.tasks.filter(is_summary=False).order_by("position"))


@pytest.fixture
def member(users):
    return users["member"]


def _day(n):
    return MONDAY + datetime.timedelta(days=n)


def _saved(member, rows, sheet=None):
    sheet = sheet or sheets.week_of(member, MONDAY)
    return sheets.save_entries(sheet, actor=member, expected_version=sheet.version, rows=rows)


def _submitted(member, rows):
    sheet = _saved(member, rows)
    return sheets.submit(sheet, actor=member, expected_version=sheet.version)


def test_a_week_starts_on_a_monday(member):
    with pytest.raises(ValidationError):
        sheets.week_of(member, MONDAY + datetime.timedelta(days=1))
    assert sheets.week_of(member, MONDAY) == sheets.week_of(member, MONDAY)


def test_saving_replaces_the_week_and_drops_empty_rows(member, tasks):
    sheet = _saved(
        member, [sheets.Row(tasks[0], _day(0), 90, "访谈"), sheets.Row(tasks[1], _day(1), 0)]
    )
    assert [(e.task_id, e.minutes, e.note) for e in sheet.entries.all()] == [
        (tasks[0].pk, 90, "访谈")
    ]
    sheet = _saved(member, [{"task": tasks[1].pk, "day": _day(2), "minutes": 60}], sheet)
    assert list(sheet.entries.values_list("task", "minutes")) == [(tasks[1].pk, 60)]
    assert sheet.version == 3
    assert AuditEvent.objects.filter(action="timesheet_saved").count() == 2


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"day": MONDAY - datetime.timedelta(days=1), "minutes": 60}, "day"),
        ({"day": MONDAY, "minutes": 1441}, "minutes"),
        ({"day": MONDAY, "minutes": -1}, "minutes"),
    ],
)
def test_bad_rows_are_named_and_nothing_is_written(member, tasks, row, field):
    good = sheets.Row(tasks[0], _day(0), 60)
    sheet = _saved(member, [good])
    with pytest.raises(ValidationError) as error:
        _saved(member, [good, sheets.Row(tasks[1], **row)], sheet)
    assert f"rows.1.{field}" in error.value.message_dict
    assert "Row 2" in error.value.message_dict[f"rows.1.{field}"][0]
    sheet.refresh_from_db()
    assert sheet.version == 2 and sheet.entries.count() == 1


def test_tasks_of_projects_the_person_is_not_on_are_refused(users, tasks):
    stranger = UserFactory(username="stranger", role="member")
    sheet = sheets.week_of(stranger, MONDAY)
    with pytest.raises(ValidationError) as error:
        sheets.save_entries(
            sheet, actor=stranger, expected_version=1, rows=[sheets.Row(tasks[0], MONDAY, 60)]
        )
    assert "rows.0.task" in error.value.message_dict
    assert not TimesheetEntry.objects.exists()


def test_a_day_holds_at_most_24_hours_and_a_task_once(member, tasks):
    with pytest.raises(ValidationError) as error:
        _saved(member, [sheets.Row(tasks[0], MONDAY, 1000), sheets.Row(tasks[1], MONDAY, 500)])
    assert "rows.1.minutes" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _saved(member, [sheets.Row(tasks[0], MONDAY, 60), sheets.Row(tasks[0], MONDAY, 30)])
    assert "rows.1.day" in error.value.message_dict


def test_only_the_author_edits_and_a_stale_edit_is_refused(users, member, tasks):
    sheet = _saved(member, [sheets.Row(tasks[0], MONDAY, 60)])
    with pytest.raises(ValidationError):
        sheets.save_entries(sheet, actor=users["manager"], expected_version=sheet.version, rows=[])
    with pytest.raises(StaleEdit):
        sheets.save_entries(sheet, actor=member, expected_version=1, rows=[])
    assert sheet.entries.count() == 1


def test_submitted_and_approved_sheets_are_locked(users, member, tasks):
    with pytest.raises(ValidationError):
        sheets.submit(sheets.week_of(member, MONDAY), actor=member, expected_version=1)
    sheet = _submitted(member, [sheets.Row(tasks[0], MONDAY, 60)])
    assert sheet.status == TimesheetStatus.SUBMITTED and sheet.submitted_at
    with pytest.raises(ValidationError, match="waits for approval"):
        _saved(member, [], sheet)
    sheet = sheets.approve(sheet, actor=users["manager"], expected_version=sheet.version).sheet
    with pytest.raises(ValidationError, match="approved and locked"):
        _saved(member, [], sheet)
    with pytest.raises(ValidationError):
        sheets.reject(sheet, actor=users["manager"], expected_version=sheet.version, note="x")


def test_only_a_manager_of_a_project_on_the_sheet_decides(users, member, tasks):
    sheet = _submitted(member, [sheets.Row(tasks[0], MONDAY, 60)])
    other_manager = UserFactory(username="other-pm", role="manager")
    assert not sheets.may_decide(other_manager, sheet)
    assert not sheets.may_decide(member, sheet)
    assert sheets.may_decide(users["manager"], sheet) and sheets.may_decide(users["admin"], sheet)
    with pytest.raises(ValidationError):
        sheets.approve(sheet, actor=other_manager, expected_version=sheet.version)
    # A manager's own sheet goes to someone else.
    own = sheets.week_of(users["manager"], MONDAY)
    own = sheets.save_entries(
        own, actor=users["manager"], expected_version=1, rows=[sheets.Row(tasks[0], MONDAY, 60)]
    )
    own = sheets.submit(own, actor=users["manager"], expected_version=own.version)
    assert not sheets.may_decide(users["manager"], own)


def test_reject_needs_a_note_and_the_author_can_resubmit(users, member, tasks):
    sheet = _submitted(member, [sheets.Row(tasks[0], MONDAY, 60)])
    with pytest.raises(ValidationError):
        sheets.reject(sheet, actor=users["manager"], expected_version=sheet.version, note=" ")
    sheet = sheets.reject(
        sheet, actor=users["manager"], expected_version=sheet.version, note="周三的小时数不对"
    )
    assert sheet.status == TimesheetStatus.REJECTED and sheet.rejection_note == "周三的小时数不对"
    sheet = _saved(member, [sheets.Row(tasks[0], MONDAY, 120)], sheet)
    sheet = sheets.submit(sheet, actor=member, expected_version=sheet.version)
    assert sheet.status == TimesheetStatus.SUBMITTED


def test_approval_applies_progress_start_and_frozen_cost(users, member, tasks):
    task = tasks[1]
    task.effort_hours = Decimal("10")
    task.save(update_fields=["effort_hours"])
    resource = services.create_resource(
        actor=users["manager"], name="成员", user=member, standard_rate=Decimal("200")
    )
    sheet = _submitted(
        member, [sheets.Row(task, _day(1), 150, "访谈"), sheets.Row(task, _day(2), 90)]
    )
    stale = sheet.version - 1
    with pytest.raises(StaleEdit):
        sheets.approve(sheet, actor=users["manager"], expected_version=stale)
    approval = sheets.approve(sheet, actor=users["manager"], expected_version=sheet.version)
    assert approval.has_rate and approval.cost == Decimal("800.00") and approval.currency == "CNY"
    task.refresh_from_db()
    assert task.percent_complete == 40  # 4 of 10 hours
    assert to_local(task.actual_start).date() == _day(1)
    assert sheets.actual_costs([task.pk]) == {task.pk: Decimal("800.00")}
    # A later rate change does not rewrite the approved cost.
    services.update_resource(
        resource, actor=users["manager"], expected_version=resource.version, standard_rate=1
    )
    assert sheets.actual_costs([task.pk]) == {task.pk: Decimal("800.00")}


def test_progress_is_capped_at_99_and_never_lowered(users, member, tasks):
    task = tasks[1]
    task.effort_hours = Decimal("1")
    task.save(update_fields=["effort_hours"])
    sheet = _submitted(member, [sheets.Row(task, _day(0), 600)])
    approval = sheets.approve(sheet, actor=users["manager"], expected_version=sheet.version)
    assert not approval.has_rate and approval.cost == 0
    task.refresh_from_db()
    assert task.percent_complete == 99

    other = tasks[2]
    other.effort_hours = Decimal("100")
    other.percent_complete = 50
    other.save(update_fields=["effort_hours", "percent_complete"])
    week = sheets.week_of(member, MONDAY + datetime.timedelta(days=7))
    week = sheets.save_entries(
        week, actor=member, expected_version=1, rows=[sheets.Row(other, week.week_start, 60)]
    )
    week = sheets.submit(week, actor=member, expected_version=week.version)
    sheets.approve(week, actor=users["manager"], expected_version=week.version)
    other.refresh_from_db()
    assert other.percent_complete == 50


def test_planned_work_falls_back_to_assignments(users, member, tasks):
    task = tasks[1]
    resource = services.create_resource(actor=users["manager"], name="成员", user=member)
    services.assign(task, resource, actor=users["manager"], work=8 * 60)
    sheet = _submitted(member, [sheets.Row(task, _day(0), 120)])
    sheets.approve(sheet, actor=users["manager"], expected_version=sheet.version)
    task.refresh_from_db()
    assert task.percent_complete == 25


def test_approval_reschedules_each_project_once_and_audits_each_task(
    users, member, tasks, monkeypatch
):
    from charter.planning.services import plan

    calls = []

    def counted(real):
        def schedule(project):
            calls.append(project.pk)
            return real(project)

        return schedule

    first, second = tasks[1], tasks[2]
    for task in (first, second):
        task.effort_hours = Decimal("10")
        task.save(update_fields=["effort_hours"])
    sheet = _submitted(member, [sheets.Row(first, _day(0), 120), sheets.Row(second, _day(1), 60)])
    monkeypatch.setattr(sheets, "schedule_project", counted(sheets.schedule_project))
    monkeypatch.setattr(plan, "schedule_project", counted(plan.schedule_project))
    approval = sheets.approve(sheet, actor=users["manager"], expected_version=sheet.version)
    assert approval.tasks_updated == 2 and calls == [first.project_id]
    assert AuditEvent.objects.filter(action="progress").count() == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.percent_complete, second.percent_complete) == (20, 10)
