"""Rates over time: the rate on a day, the standard rate before any change, one change a day,
stale edits, and the timesheet approval costing each day at that day's rate."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from charter.core.concurrency import StaleEdit
from charter.core.models import AuditEvent
from charter.resources.models import Resource
from charter.resources.services import pool, rates
from charter.resources.services import timesheets as sheets

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 12, 7)


@pytest.fixture
def wang(db):
    return Resource.objects.create(name="王工", standard_rate=Decimal("100"))


def _day(n: int) -> datetime.date:
    return MONDAY + datetime.timedelta(days=n)


def _cost(resource: Resource, day: datetime.date) -> Decimal:
    """The cost rate on ``day`` as stored now (a fresh book reads the history again)."""
    return rates.RateBook([resource]).cost_on(resource, day)


def _bill(resource: Resource, day: datetime.date) -> Decimal:
    return rates.RateBook([resource]).bill_on(resource, day)


def test_standard_rate_before_any_change_and_the_latest_change_after(users, wang):
    manager = users["manager"]
    assert _cost(wang, MONDAY) == Decimal("100")
    assert _bill(wang, MONDAY) == 0
    rates.add_rate_change(
        wang, actor=manager, effective_from=_day(2), cost_rate=Decimal("150"), bill_rate=300
    )
    rates.add_rate_change(wang, actor=manager, effective_from=_day(10), cost_rate=Decimal("180"))
    assert _cost(wang, _day(1)) == Decimal("100")
    assert _cost(wang, _day(2)) == Decimal("150")  # on the day itself
    assert _bill(wang, _day(9)) == Decimal("300")
    assert _cost(wang, _day(40)) == Decimal("180")
    assert _bill(wang, _day(40)) == 0
    book = rates.RateBook([wang])
    assert [book.cost_on(wang, _day(n)) for n in (1, 2, 9, 10)] == [100, 150, 150, 180]
    assert book.bill_on(wang, _day(5)) == 300
    assert [change.effective_from for change in rates.rate_history(wang)] == [_day(10), _day(2)]
    assert AuditEvent.objects.filter(action="rate_change_added").count() == 2


def test_one_change_a_day_negative_rates_refused_and_stale_edits(users, wang):
    manager = users["manager"]
    change = rates.add_rate_change(wang, actor=manager, effective_from=MONDAY, cost_rate=1)
    with pytest.raises(ValidationError) as error:
        rates.add_rate_change(wang, actor=manager, effective_from=MONDAY, cost_rate=2)
    assert "effective_from" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        rates.add_rate_change(wang, actor=manager, effective_from=_day(1), cost_rate=-1)
    assert "cost_rate" in error.value.error_dict
    rates.update_rate_change(
        change, actor=manager, expected_version=change.version, cost_rate=Decimal("5")
    )
    assert change.version == 2 and _cost(wang, MONDAY) == 5
    with pytest.raises(StaleEdit):
        rates.update_rate_change(change, actor=manager, expected_version=1, cost_rate=6)
    rates.delete_rate_change(change, actor=manager)
    assert _cost(wang, MONDAY) == Decimal("100")


def test_approval_costs_each_day_at_that_days_rate(users, project):
    member, manager = users["member"], users["manager"]
    task = project.tasks.filter(is_summary=False).order_by("position")[1]
    resource = pool.create_resource(
        actor=manager, name="成员", user=member, standard_rate=Decimal("200")
    )
    rates.add_rate_change(resource, actor=manager, effective_from=_day(2), cost_rate=300)
    sheet = sheets.week_of(member, MONDAY)
    rows = [sheets.Row(task, _day(1), 120), sheets.Row(task, _day(2), 60)]
    sheet = sheets.save_entries(sheet, actor=member, expected_version=sheet.version, rows=rows)
    sheet = sheets.submit(sheet, actor=member, expected_version=sheet.version)
    approval = sheets.approve(sheet, actor=manager, expected_version=sheet.version)
    # 2 h × 200 on Tuesday, 1 h × 300 on Wednesday.
    assert approval.cost == Decimal("700.00")


def test_approval_freezes_each_days_cost_in_that_days_currency(users, project):
    member, manager = users["member"], users["manager"]
    task = project.tasks.filter(is_summary=False).order_by("position")[1]
    resource = pool.create_resource(
        actor=manager, name="成员", user=member, standard_rate=Decimal("200")
    )
    rates.add_rate_change(
        resource, actor=manager, effective_from=_day(2), cost_rate=40, currency="USD"
    )
    sheet = sheets.week_of(member, MONDAY)
    rows = [sheets.Row(task, _day(1), 60), sheets.Row(task, _day(2), 60)]
    sheet = sheets.save_entries(sheet, actor=member, expected_version=sheet.version, rows=rows)
    sheet = sheets.submit(sheet, actor=member, expected_version=sheet.version)
    sheets.approve(sheet, actor=manager, expected_version=sheet.version)
    frozen = sheet.entries.order_by("day").values_list("cost", "currency")
    assert list(frozen) == [(Decimal("200.00"), "CNY"), (Decimal("40.00"), "USD")]
