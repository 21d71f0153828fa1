"""Timesheet pages: the week grid (save, add a row, errors, stale save, submit, read-only),
others' sheets are 404, approval with confirmation, rejection with a note, who sees costs,
and the page's query count."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from charter.planning.services.plan import add_task
from charter.resources.choices import TimesheetStatus
from charter.resources.services import pool as services
from charter.resources.services import timesheets as sheets

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 12, 7)
WEEK = f"{reverse('resources:timesheet_week')}?week={MONDAY.isoformat()}"


@pytest.fixture
def tasks(project):
    return list(project.tasks.filter(is_summary=False).order_by("position"))


def _grid(version, *rows):
    data = {"week": MONDAY.isoformat(), "version": str(version), "action": "save"}
    for r, (task, hours, note) in enumerate(rows):
        data[f"task_{r}"] = str(task.pk)
        data[f"note_{r}"] = note
        for d, value in enumerate(hours):
            data[f"h_{r}_{d}"] = value
    return data


def _submitted(users, tasks, minutes=120):
    member = users["member"]
    sheet = sheets.week_of(member, MONDAY)
    sheet = sheets.save_entries(
        sheet, actor=member, expected_version=1, rows=[sheets.Row(tasks[1], MONDAY, minutes)]
    )
    return sheets.submit(sheet, actor=member, expected_version=sheet.version)


def test_an_empty_week_explains_itself_and_offers_the_tasks(signed_in, tasks):
    page = signed_in("member").get(WEEK).content.decode()
    assert "No hours this week yet." in page
    assert tasks[1].name in page and 'name="add_task"' in page
    assert "?week=2026-11-30" in page and "?week=2026-12-14" in page


def test_any_day_opens_its_week(signed_in):
    response = signed_in("member").get(reverse("resources:timesheet_week"), {"week": "2026-12-09"})
    assert response.context["sheet"].week_start == MONDAY


def test_adding_a_row_keeps_what_was_typed_and_saves_nothing(signed_in, users, tasks):
    data = _grid(1, (tasks[1], ["2"], "写计划"))
    data.update({"action": "add", "add_task": str(tasks[2].pk)})
    response = signed_in("member").post(WEEK, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert [row["task"] for row in response.context["grid"]] == [tasks[1], tasks[2]]
    assert 'value="写计划"' in page
    assert not sheets.week_of(users["member"], MONDAY).entries.exists()


def test_saving_stores_hours_as_minutes_with_the_row_note(signed_in, users, tasks):
    http = signed_in("member")
    response = http.post(WEEK, _grid(1, (tasks[1], ["1.5", "", "0.25"], "访谈")))
    assert response.status_code == 302
    sheet = sheets.week_of(users["member"], MONDAY)
    assert list(sheet.entries.values_list("day", "minutes", "note")) == [
        (MONDAY, 90, "访谈"),
        (MONDAY + datetime.timedelta(days=2), 15, "访谈"),
    ]
    page = http.get(WEEK).content.decode()
    assert 'value="1.5"' in page and "1.75" in page  # the cell and the week's total


def test_bad_hours_and_a_stale_save_are_refused(signed_in, users, tasks):
    http = signed_in("member")
    response = http.post(WEEK, _grid(1, (tasks[1], ["25"], "")))
    assert response.status_code == 422 and "is-invalid" in response.content.decode()
    assert http.post(WEEK, _grid(1, (tasks[1], ["2"], ""))).status_code == 302
    response = http.post(WEEK, _grid(1, (tasks[1], ["3"], "")))
    assert response.status_code == 409
    assert "Someone else saved" in response.content.decode()
    assert sheets.week_of(users["member"], MONDAY).entries.get().minutes == 120


def test_a_task_of_another_project_is_refused_naming_the_row(signed_in, users, tasks):
    from charter.planning.tests.factories import make_project

    other = make_project(tasks[0].project.client, manager=users["admin"])
    foreign = other.tasks.filter(is_summary=False).first()
    response = signed_in("member").post(WEEK, _grid(1, (foreign, ["2"], "")))
    # The foreign task is not offered, so the posted row is dropped from the redisplay.
    assert response.status_code == 422
    assert "Row 1" in response.content.decode()


def test_submit_makes_the_week_read_only(signed_in, users, tasks):
    http = signed_in("member")
    http.post(WEEK, _grid(1, (tasks[1], ["2"], "")))
    response = http.post(
        reverse("resources:timesheet_submit"), {"week": MONDAY.isoformat(), "version": "2"}
    )
    assert response.status_code == 302
    page = http.get(WEEK).content.decode()
    assert "waits for approval" in page and 'name="h_0_0"' not in page


def test_others_sheets_are_404_for_a_member(signed_in, users, tasks):
    sheet = sheets.week_of(users["manager"], MONDAY)
    url = reverse("resources:timesheet_detail", args=[sheet.pk])
    assert signed_in("member").get(url).status_code == 404
    own = _submitted(users, tasks)
    assert signed_in("member").get(own.get_absolute_url()).status_code == 200
    assert signed_in("manager").get(own.get_absolute_url()).status_code == 200


def test_the_manager_approves_after_confirmation(signed_in, users, tasks):
    sheet = _submitted(users, tasks)
    http = signed_in("manager")
    listing = http.get(reverse("resources:timesheet_to_approve")).content.decode()
    assert str(users["member"]) in listing and ">2<" in listing
    url = reverse("resources:timesheet_approve", args=[sheet.pk])
    confirm = http.get(url).content.decode()
    assert "Approving locks the week" in confirm and "no work resource" in confirm
    response = http.post(url, {"version": str(sheet.version)}, follow=True)
    assert "was approved" in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == TimesheetStatus.APPROVED
    assert (
        "Nothing to approve."
        in http.get(reverse("resources:timesheet_to_approve")).content.decode()
    )


def test_the_manager_rejects_with_a_note_the_member_then_reads(signed_in, users, tasks):
    sheet = _submitted(users, tasks)
    http = signed_in("manager")
    url = reverse("resources:timesheet_reject", args=[sheet.pk])
    assert http.post(url, {"version": str(sheet.version), "note": ""}).status_code == 422
    assert http.post(url, {"version": str(sheet.version), "note": "请补充周二"}).status_code == 302
    page = signed_in("member").get(WEEK).content.decode()
    assert "请补充周二" in page and 'name="h_0_0"' in page


def test_costs_are_for_those_who_see_rates(signed_in, users, tasks):
    services.create_resource(
        actor=users["manager"], name="成员", user=users["member"], standard_rate=Decimal("321")
    )
    sheet = _submitted(users, tasks)
    sheets.approve(sheet, actor=users["manager"], expected_version=sheet.version)
    url = sheet.get_absolute_url()
    assert "642" in signed_in("manager").get(url).content.decode()
    member_page = signed_in("member").get(url).content.decode()
    assert "642" not in member_page and "Actual cost" not in member_page


def test_the_week_costs_the_same_queries_for_2_and_20_rows(signed_in, users, project, tasks):
    http = signed_in("member")
    member = users["member"]

    def queries_with(count):
        while project.tasks.filter(is_summary=False).count() < count:
            add_task(project, actor=users["manager"], fields={"name": "任务"})
        rows = [
            sheets.Row(task, MONDAY + datetime.timedelta(days=d), 30)
            for task in project.tasks.filter(is_summary=False)[:count]
            for d in range(3)
        ]
        sheet = sheets.week_of(member, MONDAY)
        sheets.save_entries(sheet, actor=member, expected_version=sheet.version, rows=rows)
        with CaptureQueriesContext(connection) as queries:
            response = http.get(WEEK)
        assert len(response.context["grid"]) == count
        return len(queries)

    assert queries_with(2) == queries_with(20)
