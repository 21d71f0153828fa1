from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from charter.engine.calendar import MS_PROJECT_STANDARD_HOURS, Interval, WorkCalendar

NATIONAL_DAY_2026 = {date(2026, 10, 1) + timedelta(days=n) for n in range(7)}
MAKEUP_SATURDAY_2026 = date(2026, 10, 10)
MON_0928_0900 = datetime(2026, 9, 28, 9, 0)
# 2026-09-01 is a Tuesday: 19 working days (Sep 1-4, 7-11, 14-18, 21-25) come before Sep 28.
INDEX_MON_0928_0900 = 19 * 480


@pytest.fixture
def autumn() -> WorkCalendar:
    return WorkCalendar.standard(
        date(2026, 9, 1),
        date(2026, 12, 31),
        holidays=NATIONAL_DAY_2026,
        makeup_workdays={MAKEUP_SATURDAY_2026},
    )


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute)


# --- hand-checked cases: 2026-09-28 (Mon) .. 2026-10-12 (Mon) across National Day ---------------


def test_index_counts_working_minutes_from_the_range_start(autumn: WorkCalendar) -> None:
    assert autumn.to_index(at(9, 1, 0)) == 0
    assert autumn.to_index(at(9, 1, 9)) == 0
    assert autumn.to_index(at(9, 1, 10, 30)) == 90
    assert autumn.to_index(at(9, 1, 14)) == 240
    assert autumn.to_index(MON_0928_0900) == INDEX_MON_0928_0900


def test_moments_are_truncated_to_the_minute(autumn: WorkCalendar) -> None:
    assert autumn.to_index(datetime(2026, 9, 1, 9, 0, 59, 999)) == 0
    assert autumn.to_index(datetime(2026, 9, 1, 9, 1, 0)) == 1


def test_non_working_moments_map_to_the_next_working_minute(autumn: WorkCalendar) -> None:
    after_wednesday = INDEX_MON_0928_0900 + 3 * 480
    assert autumn.to_index(at(9, 28, 7)) == INDEX_MON_0928_0900
    assert autumn.to_index(at(9, 30, 18)) == after_wednesday
    assert autumn.to_index(at(10, 3, 10)) == after_wednesday  # holiday
    assert autumn.to_index(at(10, 8, 8, 59)) == after_wednesday


def test_a_task_ending_at_day_end_finishes_at_18_not_next_morning(autumn: WorkCalendar) -> None:
    assert autumn.add_working(MON_0928_0900, 480) == at(9, 28, 18)
    assert autumn.add_working(MON_0928_0900, 3 * 480) == at(9, 30, 18)


def test_work_skips_national_day_and_uses_the_makeup_saturday(autumn: WorkCalendar) -> None:
    assert autumn.add_working(MON_0928_0900, 4 * 480) == at(10, 8, 18)
    assert autumn.add_working(MON_0928_0900, 4 * 480 + 1) == at(10, 9, 9, 1)
    assert autumn.add_working(MON_0928_0900, 6 * 480) == at(10, 10, 18)  # Saturday
    assert autumn.add_working(MON_0928_0900, 7 * 480) == at(10, 12, 18)  # Sunday 11th off


def test_start_and_finish_of_a_day_boundary_index(autumn: WorkCalendar) -> None:
    end_of_wednesday = INDEX_MON_0928_0900 + 3 * 480
    assert autumn.finish_of(end_of_wednesday) == at(9, 30, 18)
    assert autumn.start_of(end_of_wednesday) == at(10, 8, 9)
    end_of_makeup_saturday = INDEX_MON_0928_0900 + 6 * 480
    assert autumn.finish_of(end_of_makeup_saturday) == at(10, 10, 18)
    assert autumn.start_of(end_of_makeup_saturday) == at(10, 12, 9)


def test_lunch_break(autumn: WorkCalendar) -> None:
    before_lunch = INDEX_MON_0928_0900 + 180
    assert autumn.finish_of(before_lunch) == at(9, 28, 12)
    assert autumn.start_of(before_lunch) == at(9, 28, 13)
    assert autumn.add_working(at(9, 28, 11), 60) == at(9, 28, 12)
    assert autumn.add_working(at(9, 28, 11), 120) == at(9, 28, 14)


def test_a_start_inside_lunch_begins_at_13(autumn: WorkCalendar) -> None:
    assert autumn.to_index(at(9, 28, 12, 30)) == INDEX_MON_0928_0900 + 180
    assert autumn.add_working(at(9, 28, 12, 30), 60) == at(9, 28, 14)
    assert autumn.add_working(at(9, 28, 12, 30), 300) == at(9, 28, 18)


def test_negative_add_gives_the_start_of_the_work(autumn: WorkCalendar) -> None:
    assert autumn.add_working(at(10, 8, 9), -480) == at(9, 30, 9)
    assert autumn.add_working(at(10, 8, 8), -30) == at(9, 30, 17, 30)
    assert autumn.add_working(at(10, 12, 9), -60) == at(10, 10, 17)
    assert autumn.add_working(at(9, 28, 13), -60) == at(9, 28, 11)
    assert autumn.add_working(at(9, 28, 14), -60) == at(9, 28, 13)


def test_zero_minutes_leave_the_moment_unchanged(autumn: WorkCalendar) -> None:
    assert autumn.add_working(at(10, 3, 10), 0) == at(10, 3, 10)


def test_working_minutes_between_two_moments(autumn: WorkCalendar) -> None:
    assert autumn.working_minutes(MON_0928_0900, at(10, 12, 9)) == 6 * 480
    assert autumn.working_minutes(at(10, 12, 9), MON_0928_0900) == -6 * 480
    assert autumn.working_minutes(at(9, 28, 11), at(9, 28, 14)) == 120


def test_working_days(autumn: WorkCalendar) -> None:
    assert autumn.is_working_day(date(2026, 9, 28))
    assert not autumn.is_working_day(date(2026, 10, 1))
    assert autumn.is_working_day(MAKEUP_SATURDAY_2026)
    assert not autumn.is_working_day(date(2026, 10, 11))
    assert autumn.working_days_between(date(2026, 9, 28), date(2026, 10, 12)) == 6
    assert autumn.working_days_between(date(2026, 10, 1), date(2026, 10, 8)) == 0
    assert autumn.working_days_between(date(2026, 10, 12), date(2026, 9, 28)) == -6
    assert autumn.working_days_between(date(2026, 12, 31), date(2027, 1, 1)) == 1
    assert autumn.minutes_per_day == 480


def test_the_ends_of_the_index_range(autumn: WorkCalendar) -> None:
    assert autumn.start_of(0) == autumn.finish_of(0) == at(9, 1, 9)
    total = autumn.total_minutes
    assert autumn.start_of(total) == autumn.finish_of(total) == at(12, 31, 18)
    assert autumn.to_index(datetime(2027, 1, 1)) == total


def test_every_index_round_trips(autumn: WorkCalendar) -> None:
    for index in range(autumn.total_minutes + 1):
        start, finish = autumn.start_of(index), autumn.finish_of(index)
        assert autumn.to_index(start) == index == autumn.to_index(finish)
        assert finish <= start


def test_ms_project_standard_hours() -> None:
    calendar = WorkCalendar.standard(
        date(2026, 9, 1), date(2026, 9, 30), hours=MS_PROJECT_STANDARD_HOURS
    )
    assert calendar.add_working(datetime(2026, 9, 28, 8), 480) == datetime(2026, 9, 28, 17)
    assert calendar.start_of(calendar.to_index(datetime(2026, 9, 28, 17))) == datetime(
        2026, 9, 29, 8
    )
    assert calendar.minutes_per_day == 480


def test_a_shortened_day() -> None:
    calendar = WorkCalendar.standard(
        date(2026, 9, 1),
        date(2026, 10, 31),
        holidays=NATIONAL_DAY_2026,
        exceptions={date(2026, 9, 30): [(9 * 60, 12 * 60)]},
    )
    assert calendar.add_working(at(9, 29, 9), 480 + 180) == at(9, 30, 12)
    assert calendar.add_working(at(9, 29, 9), 480 + 181) == at(10, 8, 9, 1)
    assert not calendar.is_working_day(MAKEUP_SATURDAY_2026)
    assert calendar.minutes_per_day == 480


def test_holiday_data_outside_the_range_is_ignored() -> None:
    calendar = WorkCalendar.standard(
        date(2026, 9, 1), date(2026, 9, 30), holidays={date(2025, 10, 1), date(2027, 10, 1)}
    )
    assert calendar.working_days_between(date(2026, 9, 1), date(2026, 10, 1)) == 22


def test_minutes_per_day_is_the_usual_day_length() -> None:
    short_friday = [[(540, 1080)]] * 4 + [[(540, 720)], [], []]
    calendar = WorkCalendar(date(2026, 9, 1), date(2026, 9, 30), short_friday)
    assert calendar.minutes_per_day == 540
    explicit = WorkCalendar(date(2026, 9, 1), date(2026, 9, 30), short_friday, minutes_per_day=420)
    assert explicit.minutes_per_day == 420


def test_touching_intervals_work_as_one_span() -> None:
    week = [[(540, 720), (720, 780)]] * 7
    calendar = WorkCalendar(date(2026, 9, 1), date(2026, 9, 2), week)
    assert calendar.add_working(datetime(2026, 9, 1, 9), 200) == datetime(2026, 9, 1, 12, 20)
    assert calendar.finish_of(180) == datetime(2026, 9, 1, 12)
    assert calendar.start_of(180) == datetime(2026, 9, 1, 12)


def test_work_until_midnight_finishes_at_the_next_day_start() -> None:
    night = [[(1320, 1440)]] * 7
    calendar = WorkCalendar(date(2026, 9, 1), date(2026, 9, 2), night)
    assert calendar.finish_of(120) == datetime(2026, 9, 2, 0, 0)
    assert calendar.start_of(120) == datetime(2026, 9, 2, 22, 0)
    assert calendar.finish_of(240) == datetime(2026, 9, 3, 0, 0)
    assert calendar.to_index(datetime(2026, 9, 3, 0, 0)) == 240


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("moment", [datetime(2026, 8, 31, 23, 59), datetime(2027, 1, 1, 0, 1)])
def test_a_moment_outside_the_range_is_refused(autumn: WorkCalendar, moment: datetime) -> None:
    with pytest.raises(ValueError, match=r"outside the calendar range 2026-09-01\.\.2026-12-31"):
        autumn.to_index(moment)
    with pytest.raises(ValueError, match="outside the calendar range"):
        autumn.add_working(moment, 0)


def test_an_index_outside_the_range_is_refused(autumn: WorkCalendar) -> None:
    for index in (-1, autumn.total_minutes + 1):
        with pytest.raises(ValueError, match=r"2026-09-01\.\.2026-12-31"):
            autumn.start_of(index)
        with pytest.raises(ValueError, match=r"2026-09-01\.\.2026-12-31"):
            autumn.finish_of(index)


def test_adding_past_the_range_is_refused(autumn: WorkCalendar) -> None:
    with pytest.raises(ValueError, match=r"leave the calendar range 2026-09-01\.\.2026-12-31"):
        autumn.add_working(at(12, 31, 9), 481)
    with pytest.raises(ValueError, match="leave the calendar range"):
        autumn.add_working(at(9, 1, 17), -481)
    assert autumn.add_working(at(12, 31, 9), 480) == at(12, 31, 18)
    assert autumn.add_working(at(9, 1, 17), -420) == at(9, 1, 9)


def test_a_date_outside_the_range_is_refused(autumn: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="outside the calendar range"):
        autumn.is_working_day(date(2027, 1, 1))
    with pytest.raises(ValueError, match="outside the calendar range"):
        autumn.working_days_between(date(2026, 8, 31), date(2026, 9, 30))
    with pytest.raises(ValueError, match="outside the calendar range"):
        autumn.working_days_between(date(2026, 9, 1), date(2027, 1, 2))


def test_timezone_aware_moments_are_refused(autumn: WorkCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        autumn.to_index(datetime(2026, 9, 28, 9, tzinfo=UTC))


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ([[(540, 720), (700, 1080)]] * 7, "overlap"),
        ([[(540, 1500)]] * 7, "0 <= start < end <= 1440"),
        ([[(720, 540)]] * 7, "0 <= start < end <= 1440"),
        ([[(540, 720)]] * 6, "7 weekdays"),
        ([[]] * 7, "no working time"),
    ],
)
def test_bad_definitions_are_refused(week: list[list[Interval]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        WorkCalendar(date(2026, 9, 1), date(2026, 9, 30), week)


def test_a_bad_range_and_a_double_exception_are_refused() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        WorkCalendar.standard(date(2026, 9, 30), date(2026, 9, 1))
    with pytest.raises(ValueError, match="more than once"):
        WorkCalendar.standard(
            date(2026, 9, 1),
            date(2026, 10, 31),
            holidays={MAKEUP_SATURDAY_2026},
            makeup_workdays={MAKEUP_SATURDAY_2026},
        )


def test_a_week_without_working_days_needs_minutes_per_day() -> None:
    makeup = {date(2026, 9, 5): [(540, 1080)]}
    with pytest.raises(ValueError, match="minutes_per_day"):
        WorkCalendar(date(2026, 9, 1), date(2026, 9, 30), [[]] * 7, makeup)
    calendar = WorkCalendar(date(2026, 9, 1), date(2026, 9, 30), [[]] * 7, makeup, 480)
    assert calendar.total_minutes == 540


# --- properties, against a plain reference that sums every day's intervals ----------------------


class Spec:
    """A calendar definition and a reference computation written without any index."""

    def __init__(
        self,
        first: date,
        days: int,
        week: Sequence[Sequence[Interval]],
        exceptions: Mapping[date, Sequence[Interval]],
    ) -> None:
        self.first, self.days, self.week, self.exceptions = first, days, week, exceptions
        self.calendar = WorkCalendar(first, first + timedelta(days=days - 1), week, exceptions, 480)

    def intervals(self, day: date) -> Sequence[Interval]:
        return self.exceptions.get(day, self.week[day.weekday()])

    def index(self, moment: datetime) -> int:
        minute = moment.hour * 60 + moment.minute
        day = moment.date()
        whole_days = (day - self.first).days
        before = sum(self.day_minutes(self.first + timedelta(days=n)) for n in range(whole_days))
        if whole_days == self.days:
            return before
        return before + sum(max(0, min(end, minute) - start) for start, end in self.intervals(day))

    def day_minutes(self, day: date) -> int:
        return sum(end - start for start, end in self.intervals(day))

    def is_working_minute(self, moment: datetime) -> bool:
        minute = moment.hour * 60 + moment.minute
        return any(start <= minute < end for start, end in self.intervals(moment.date()))

    @property
    def range_start(self) -> datetime:
        return datetime.combine(self.first, datetime.min.time())

    @property
    def range_end(self) -> datetime:
        return self.range_start + timedelta(days=self.days)


@st.composite
def day_intervals(draw: st.DrawFn) -> list[Interval]:
    cuts = sorted(draw(st.lists(st.integers(0, 1440), unique=True, max_size=6)))
    return list(zip(cuts[0::2], cuts[1::2], strict=False))


@st.composite
def specs(draw: st.DrawFn) -> Spec:
    first = draw(st.dates(date(2024, 1, 1), date(2030, 12, 31)))
    days = draw(st.integers(1, 40))
    week = draw(st.lists(day_intervals(), min_size=7, max_size=7))
    exception_days = st.integers(0, days - 1).map(lambda n: first + timedelta(days=n))
    exceptions = draw(st.dictionaries(exception_days, day_intervals(), max_size=8))
    spec_total = sum(
        end - start
        for n in range(days)
        for start, end in exceptions.get(
            first + timedelta(days=n), week[(first + timedelta(days=n)).weekday()]
        )
    )
    assume(spec_total > 0)
    return Spec(first, days, week, exceptions)


@st.composite
def spec_and_moment(draw: st.DrawFn) -> tuple[Spec, datetime]:
    spec = draw(specs())
    return spec, draw(st.datetimes(spec.range_start, spec.range_end))


@st.composite
def spec_and_index(draw: st.DrawFn) -> tuple[Spec, int]:
    spec = draw(specs())
    return spec, draw(st.integers(0, spec.calendar.total_minutes))


@given(spec_and_moment())
def test_to_index_counts_the_working_minutes_before_a_moment(case: tuple[Spec, datetime]) -> None:
    spec, moment = case
    assert spec.calendar.to_index(moment) == spec.index(moment)


@given(spec_and_index())
def test_start_of_is_the_first_moment_of_working_minute_i(case: tuple[Spec, int]) -> None:
    spec, index = case
    start = spec.calendar.start_of(index)
    assert spec.calendar.to_index(start) == index == spec.index(start)
    if index < spec.calendar.total_minutes:
        assert spec.is_working_minute(start)


@given(spec_and_index())
def test_finish_of_is_the_end_of_working_minute_i(case: tuple[Spec, int]) -> None:
    spec, index = case
    finish = spec.calendar.finish_of(index)
    assert spec.calendar.to_index(finish) == index == spec.index(finish)
    if index > 0:
        assert spec.is_working_minute(finish - timedelta(minutes=1))


@given(spec_and_index())
def test_no_working_time_between_finish_and_start(case: tuple[Spec, int]) -> None:
    spec, index = case
    finish, start = spec.calendar.finish_of(index), spec.calendar.start_of(index)
    assert finish <= start
    assert spec.index(finish) == spec.index(start)


@given(spec_and_moment(), st.data())
def test_add_working_then_working_minutes_gives_back_the_minutes(
    case: tuple[Spec, datetime], data: st.DataObject
) -> None:
    spec, moment = case
    calendar = spec.calendar
    index = calendar.to_index(moment)
    minutes = data.draw(st.integers(-index, calendar.total_minutes - index))
    result = calendar.add_working(moment, minutes)
    assert calendar.working_minutes(moment, result) == minutes
    if minutes > 0:
        assert result == calendar.finish_of(index + minutes)
    if minutes < 0:
        assert result == calendar.start_of(index + minutes)


@given(spec_and_index(), st.data())
def test_add_working_from_a_working_moment(case: tuple[Spec, int], data: st.DataObject) -> None:
    spec, index = case
    calendar = spec.calendar
    assume(index < calendar.total_minutes)
    start = calendar.start_of(index)
    minutes = data.draw(st.integers(0, calendar.total_minutes - index))
    assert calendar.working_minutes(start, calendar.add_working(start, minutes)) == minutes


@given(specs(), st.data())
def test_to_index_is_monotonic(spec: Spec, data: st.DataObject) -> None:
    moments = st.datetimes(spec.range_start, spec.range_end)
    earlier, later = sorted([data.draw(moments), data.draw(moments)])
    assert spec.calendar.to_index(earlier) <= spec.calendar.to_index(later)


@given(specs(), st.data())
def test_working_days_match_the_definition(spec: Spec, data: st.DataObject) -> None:
    offsets = st.integers(0, spec.days)
    start, end = (spec.first + timedelta(days=data.draw(offsets)) for _ in range(2))
    step = 1 if start <= end else -1
    expected = sum(
        step * (spec.day_minutes(day) > 0)
        for day in (min(start, end) + timedelta(days=n) for n in range(abs((end - start).days)))
    )
    assert spec.calendar.working_days_between(start, end) == expected
    if start < spec.first + timedelta(days=spec.days):
        assert spec.calendar.is_working_day(start) == (spec.day_minutes(start) > 0)


@given(specs(), st.integers(1, 100_000))
def test_moments_past_the_range_are_refused(spec: Spec, minutes: int) -> None:
    with pytest.raises(ValueError, match="outside the calendar range"):
        spec.calendar.to_index(spec.range_end + timedelta(minutes=minutes))
    with pytest.raises(ValueError, match="outside the calendar range"):
        spec.calendar.to_index(spec.range_start - timedelta(minutes=minutes))
