"""Utilisation per week: flat-contour spread of work, capacity, over-allocation; hand-checked
numbers on the China office calendar (8 working hours = 480 minutes a day)."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from charter.engine.calendar import WorkCalendar
from charter.engine.utilisation import (
    Capacity,
    Load,
    NoWorkingTime,
    calendar_range,
    combine,
    spread,
    utilisation,
    week_of,
    weeks_from,
)

DAY = 480
W1 = date(2026, 12, 7)  # a Monday
W2 = date(2026, 12, 14)
HOLIDAY = date(2026, 12, 16)  # the Wednesday of W2
CALENDAR = WorkCalendar.standard(date(2026, 11, 1), date(2027, 2, 28), holidays=[HOLIDAY])


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


def load(task: str, start: datetime, finish: datetime, work: int, resource: str = "王工") -> Load:
    return Load(resource=resource, task=task, start=start, finish=finish, work=work, calendar="cn")


def person(resource: str = "王工", max_units: str = "1") -> Capacity:
    return Capacity(resource=resource, max_units=Decimal(max_units), calendar="cn")


def test_weeks_are_iso_weeks_starting_monday() -> None:
    assert week_of(date(2026, 12, 13)) == W1  # a Sunday belongs to the week before
    assert weeks_from(date(2026, 12, 9), 3) == (W1, W2, date(2026, 12, 21))


def test_a_task_across_a_holiday_puts_its_work_where_the_working_days_are() -> None:
    # Wed 9 Dec 09:00 to Fri 18 Dec 18:00: 3 working days in W1, 4 in W2 (Wed 16 is off).
    task = load("实施", at(date(2026, 12, 9), 9), at(date(2026, 12, 18), 18), 7 * DAY)
    [row] = utilisation([person()], [task], {"cn": CALENDAR}, [W1, W2])
    first, second = row.weeks
    assert (first.allocated, first.capacity) == (3 * DAY, 5 * DAY)
    assert first.ratio == Fraction(3, 5)  # 60 %
    assert (second.allocated, second.capacity) == (4 * DAY, 4 * DAY)  # the holiday week
    assert second.ratio == 1 and not second.over and not row.over
    assert row.allocated == 7 * DAY and row.capacity == 9 * DAY


def test_work_is_spread_in_proportion_to_working_time_not_at_the_units() -> None:
    # 14 hours of work over 7 working days: 2 hours a day, 6 in W1 and 8 in W2.
    task = load("培训", at(date(2026, 12, 9), 9), at(date(2026, 12, 18), 18), 14 * 60)
    assert spread(task, CALENDAR, [W1, W2]) == {W1: 6 * 60, W2: 8 * 60}


def test_a_part_time_resource_has_half_the_capacity() -> None:
    whole_week = (at(W1, 9), at(W1 + timedelta(days=4), 18))
    half = load("测试", *whole_week, 5 * DAY // 2)
    [row] = utilisation([person(max_units="0.5")], [half], {"cn": CALENDAR}, [W1])
    assert row.weeks[0].capacity == 5 * DAY / 2 and row.weeks[0].ratio == 1
    more = load("测试", *whole_week, 3 * DAY)
    [row] = utilisation([person(max_units="0.5")], [more], {"cn": CALENDAR}, [W1])
    assert row.weeks[0].ratio == Fraction(6, 5) and row.over  # 120 %


def test_two_overlapping_tasks_make_150_percent_listed_largest_first() -> None:
    whole_week = (at(W1, 9), at(W1 + timedelta(days=4), 18))
    full = load("开发", *whole_week, 5 * DAY)
    half = load("评审", *whole_week, 5 * DAY // 2)
    other = load("开发", *whole_week, 5 * DAY, resource="李工")
    rows = utilisation([person(), person("李工")], [half, full, other], {"cn": CALENDAR}, [W1])
    cell = rows[0].weeks[0]
    assert cell.ratio == Fraction(3, 2) and cell.over
    assert [(share.task, share.minutes) for share in cell.tasks] == [
        ("开发", 5 * DAY),
        ("评审", 5 * DAY // 2),
    ]
    assert rows[1].weeks[0].ratio == 1 and not rows[1].over


def test_minutes_by_day_skip_the_holiday_and_a_split_tasks_gap() -> None:
    """Mon 14 – Fri 18 December with the Wednesday off, then with a pause all Thursday."""
    task = load("迁移", at(W2, 9), at(W2 + timedelta(days=4), 18), 3 * DAY)
    assert task.minutes_by_day(CALENDAR) == {
        W2: DAY,
        W2 + timedelta(days=1): DAY,
        W2 + timedelta(days=3): DAY,
        W2 + timedelta(days=4): DAY,
    }
    thursday = W2 + timedelta(days=3)
    paused = replace(task, gaps=((at(thursday, 9), at(thursday, 18)),))
    assert list(
        paused.minutes_by_day(CALENDAR, W2 + timedelta(days=1), W2 + timedelta(days=4))
    ) == [
        W2 + timedelta(days=1),
        W2 + timedelta(days=4),
    ]


def test_only_the_part_of_a_task_inside_the_window_is_counted() -> None:
    # Mon 7 Dec to Fri 18 Dec (9 working days), 90 hours: 10 a day; the window is W2 only.
    task = load("上线", at(W1, 9), at(date(2026, 12, 18), 18), 90 * 60)
    [row] = utilisation([person()], [task], {"cn": CALENDAR}, [W2])
    assert row.weeks[0].allocated == 40 * 60
    assert spread(task, CALENDAR, [date(2027, 1, 4)]) == {}


def test_a_milestone_with_work_puts_it_in_its_week_and_a_week_without_time_has_no_capacity() -> (
    None
):
    milestone = load("验收", at(W2, 18), at(W2, 18), 120)
    assert spread(milestone, CALENDAR, [W1, W2]) == {W2: 120}
    assert spread(milestone, CALENDAR, [W1]) == {}
    [row] = utilisation([person()], [milestone], {"cn": NoWorkingTime()}, [W2])
    cell = row.weeks[0]
    assert cell.capacity == 0 and cell.ratio is None and cell.over


def test_the_calendar_range_covers_the_weeks_and_every_task() -> None:
    task = load("x", at(date(2026, 10, 5), 9), at(date(2027, 1, 20), 18), 60)
    assert calendar_range([task], [W1, W2]) == (date(2026, 10, 5), date(2027, 1, 20))
    assert calendar_range([], [W1, W2]) == (W1, date(2026, 12, 20))


def test_combined_rows_add_up_work_and_only_the_counted_capacity() -> None:
    whole_week = (at(W1, 9), at(W1 + timedelta(days=4), 18))
    loads = [
        load("开发", *whole_week, 5 * DAY),
        load("开发", *whole_week, 5 * DAY // 2, resource="李工"),
        load("评审", *whole_week, 4 * DAY, resource="李工"),
        load("测试", *whole_week, 2 * DAY, resource="赵工"),
    ]
    people = [person(), person("李工", "0.5"), person("赵工")]
    rows = utilisation(people, loads, {"cn": CALENDAR}, [W1, W2])
    # 赵工 has left: their work counts, their capacity does not.
    role = combine("后端", rows, [W1, W2], capacity_of={"王工", "李工"})
    first, second = role.weeks
    assert role.resource == "后端"
    assert (first.allocated, first.capacity) == (5 * DAY + 13 * DAY // 2 + 2 * DAY, 15 * DAY // 2)
    assert (second.allocated, second.capacity) == (0, 4 * DAY * 3 // 2)  # the holiday week
    assert first.over and not second.over and role.over
    assert [(share.task, share.minutes) for share in first.tasks] == [
        ("开发", 15 * DAY // 2),  # both people's minutes on it together
        ("评审", 4 * DAY),
        ("测试", 2 * DAY),
    ]
    assert combine("x", rows, [W1, W2]).capacity == rows[0].capacity * 2 + rows[1].capacity
    empty = combine("nobody", [], [W1, W2])
    assert [(cell.week, cell.allocated, cell.capacity) for cell in empty.weeks] == [
        (W1, 0, 0),
        (W2, 0, 0),
    ]


DAYS = (date(2027, 2, 28) - date(2026, 11, 2)).days


@given(
    start_day=st.integers(0, DAYS - 1),
    start_minute=st.integers(0, 24 * 60 - 1),
    length=st.integers(0, 60 * 24 * 60),
    work=st.integers(0, 100_000),
    holidays=st.sets(st.integers(0, DAYS), max_size=20),
)
def test_the_weeks_of_a_task_add_up_to_its_work(
    start_day: int, start_minute: int, length: int, work: int, holidays: set[int]
) -> None:
    first = date(2026, 11, 2)
    calendar = WorkCalendar.standard(
        first, date(2027, 3, 31), holidays=[first + timedelta(days=n) for n in holidays]
    )
    start = datetime.combine(first, datetime.min.time()) + timedelta(
        days=start_day, minutes=start_minute
    )
    finish = min(start + timedelta(minutes=length), datetime(2027, 3, 1))
    task = load("t", start, finish, work)
    weeks = weeks_from(first, 18)
    shares = spread(task, calendar, weeks)
    assert sum(shares.values(), Fraction(0)) == work
    assert all(minutes > 0 for minutes in shares.values())
