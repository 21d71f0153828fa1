"""Reminders for missing timesheets: who gets one, when, and only once."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from charter.comms.models import OutboxMessage
from charter.planning.models import Task
from charter.resources.choices import TimesheetStatus
from charter.resources.models import Resource, Timesheet
from charter.resources.reminders import due_week, remind_missing_timesheets
from charter.resources.services import assign

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def test_the_due_week_is_last_week_from_monday_ten_oclock() -> None:
    monday = datetime.date(2026, 12, 7)
    assert due_week(at(monday, 9)) is None
    assert due_week(at(monday, 10)) == datetime.date(2026, 11, 30)
    assert due_week(at(monday + datetime.timedelta(days=3), 8)) == datetime.date(2026, 11, 30)


@pytest.fixture
def planned_member(project, users):
    """The member works on the project's first leaf task; returns that task's week."""
    member = users["member"]
    resource = Resource.objects.create(name=str(member), user=member, email=member.email)
    task = Task.objects.filter(project=project, is_summary=False).order_by("start").first()
    assign(task, resource, units=Decimal("1"), actor=users["manager"])
    task.refresh_from_db()
    return member, timezone_monday(task.start)


def timezone_monday(moment: datetime.datetime) -> datetime.date:
    day = moment.astimezone(SHANGHAI).date()
    return day - datetime.timedelta(days=day.weekday())


def test_a_planned_person_without_a_submitted_sheet_is_reminded_once(planned_member):
    member, week = planned_member
    next_monday = week + datetime.timedelta(days=7)
    assert remind_missing_timesheets(now=at(next_monday, 11)) == 1
    assert remind_missing_timesheets(now=at(next_monday, 12)) == 0
    message = OutboxMessage.objects.get()
    assert message.recipients == [member.email]
    assert f"?week={week.isoformat()}" in message.body_text


def test_a_submitted_sheet_needs_no_reminder(planned_member):
    member, week = planned_member
    Timesheet.objects.create(user=member, week_start=week, status=TimesheetStatus.SUBMITTED)
    assert remind_missing_timesheets(now=at(week + datetime.timedelta(days=7), 11)) == 0
    assert not OutboxMessage.objects.exists()
