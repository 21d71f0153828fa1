"""A split task puts no work in its pauses: the heat map and the needs report's days in use
follow its segments."""

import datetime
from decimal import Decimal

import pytest

from charter.planning.adapters import to_aware, work_calendar
from charter.planning.models import Task
from charter.planning.services.calendars import default_calendar
from charter.resources.models import Assignment, Resource
from charter.resources.services.needs_report import days_in_use
from charter.resources.utilisation import task_load

pytestmark = pytest.mark.django_db

W1 = datetime.date(2026, 12, 7)  # Monday


def _at(day: int, hour: int) -> datetime.datetime:
    return to_aware(datetime.datetime(2026, 12, day, hour))


@pytest.fixture
def split_task(project) -> Task:
    """Wednesday 9 December, then a pause to Monday 14, then Monday to Friday 18."""
    task = project.tasks.filter(is_summary=False).order_by("position")[1]
    segments = [[_at(9, 9), _at(9, 18)], [_at(14, 9), _at(18, 18)]]
    Task.objects.filter(pk=task.pk).update(
        start=_at(9, 9),
        finish=_at(18, 18),
        segments=[[start.isoformat(), finish.isoformat()] for start, finish in segments],
    )
    task.refresh_from_db()
    return task


def test_the_heat_map_puts_no_hours_in_the_pause(signed_in, split_task):
    wang = Resource.objects.create(name="王工")
    Assignment.objects.create(task=split_task, resource=wang, units=Decimal(1), work=48 * 60)
    body = signed_in("manager").get("/api/v1/utilisation", {"start": W1, "weeks": 2}).json()
    (row,) = body["items"]
    # Six working days of work: one in the first week, five in the second; unsplit it would
    # have been three and five days, 18 h and 30 h.
    assert [week["allocated_hours"] for week in row["weeks"]] == ["8.0", "40.0"]


def test_a_split_task_is_not_in_use_during_its_pause(split_task):
    calendar = work_calendar(default_calendar(), W1, W1 + datetime.timedelta(days=13))
    load = task_load("crane", split_task.pk, split_task, 48 * 60, "calendar")
    days = days_in_use(load, calendar, W1, W1 + datetime.timedelta(days=13))
    assert [day.day for day in days] == [9, 14, 15, 16, 17, 18]
