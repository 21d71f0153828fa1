"""Working-time calendars: convert between naive local datetimes and working-minute indexes.

Index ``i`` is the number of working minutes between the start of the calendar's range
(``first`` at 00:00) and a moment. The calendar is indexed once, when it is built: one
cumulative count per day plus one small table per distinct day pattern, so every query is a
bisection, O(log days), and never walks day by day.

Two moments answer to one index at a break (lunch, night, weekend, holiday): ``start_of`` gives
the later one (when work at that index begins, e.g. 09:00 the next working day) and
``finish_of`` the earlier one (when work up to that index ends, e.g. 18:00), as Microsoft
Project shows them.
"""

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise

type Interval = tuple[int, int]
"""Working hours within one day as (start, end) minutes of the day, 0 <= start < end <= 1440."""

MINUTES_PER_CALENDAR_DAY = 24 * 60

CHINA_OFFICE_HOURS: tuple[Interval, ...] = ((9 * 60, 12 * 60), (13 * 60, 18 * 60))
"""09:00–12:00 and 13:00–18:00: the usual 8-hour office day in China."""

MS_PROJECT_STANDARD_HOURS: tuple[Interval, ...] = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))
"""08:00–12:00 and 13:00–17:00: Microsoft Project's Standard calendar."""

MONDAY_TO_FRIDAY: tuple[int, ...] = (0, 1, 2, 3, 4)


@dataclass(frozen=True, slots=True)
class _DayPattern:
    """One day's working intervals with the working minutes before each interval starts."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    minutes_before: tuple[int, ...]
    total: int

    @classmethod
    def of(cls, intervals: Iterable[Interval]) -> "_DayPattern":
        ordered = _validated(intervals)
        minutes_before: list[int] = []
        total = 0
        for start, end in ordered:
            minutes_before.append(total)
            total += end - start
        return cls(
            starts=tuple(start for start, _ in ordered),
            ends=tuple(end for _, end in ordered),
            minutes_before=tuple(minutes_before),
            total=total,
        )

    def minutes_until(self, minute_of_day: int) -> int:
        """Working minutes of this day before ``minute_of_day``."""
        k = bisect_right(self.starts, minute_of_day) - 1
        if k < 0:
            return 0
        return self.minutes_before[k] + min(minute_of_day, self.ends[k]) - self.starts[k]

    def start_minute(self, offset: int) -> int:
        """Minute of day at which working minute ``offset`` (0 <= offset < total) begins."""
        k = bisect_right(self.minutes_before, offset) - 1
        return self.starts[k] + offset - self.minutes_before[k]

    def finish_minute(self, offset: int) -> int:
        """Minute of day at which the first ``offset`` (0 < offset <= total) minutes end."""
        k = bisect_left(self.minutes_before, offset) - 1
        return self.starts[k] + offset - self.minutes_before[k]


def _validated(intervals: Iterable[Interval]) -> list[Interval]:
    ordered = sorted((int(start), int(end)) for start, end in intervals)
    for start, end in ordered:
        if not 0 <= start < end <= MINUTES_PER_CALENDAR_DAY:
            raise ValueError(
                f"working interval ({start}, {end}) must satisfy 0 <= start < end <= 1440"
            )
    for (_, previous_end), (start, _) in pairwise(ordered):
        if start < previous_end:
            raise ValueError(f"working intervals overlap: {ordered}")
    return ordered


class WorkCalendar:
    """Working hours per weekday plus per-date exceptions, indexed over ``first``..``last``.

    ``week[d]`` holds the intervals of weekday ``d`` (0 = Monday, as ``date.weekday()``).
    ``exceptions`` maps a date to its own intervals: empty for a non-working date (a public
    holiday), non-empty for a make-up workday (调休) or a shortened day. Exceptions outside the
    range are ignored, so holiday data covering many years can be passed as it is.

    Moments are naive datetimes in the calendar's local time, truncated to the minute. The
    moments the calendar answers for run from ``first`` 00:00 to the day after ``last`` 00:00
    inclusive; indexes from 0 to ``total_minutes`` inclusive.
    """

    def __init__(
        self,
        first: date,
        last: date,
        week: Sequence[Iterable[Interval]],
        exceptions: Mapping[date, Iterable[Interval]] | None = None,
        minutes_per_day: int | None = None,
    ) -> None:
        if last < first:
            raise ValueError(f"the calendar range {first}..{last} ends before it starts")
        if len(week) != 7:
            raise ValueError(f"week needs 7 weekdays' intervals (Monday first), got {len(week)}")
        self.first = first
        self.last = last
        weekday_patterns = [_DayPattern.of(intervals) for intervals in week]
        self._days = self._day_patterns(weekday_patterns, exceptions or {})
        self._minutes_before_day = _running_totals(day.total for day in self._days)
        self._workdays_before_day = _running_totals(int(day.total > 0) for day in self._days)
        self.total_minutes = self._minutes_before_day[-1]
        if self.total_minutes == 0:
            raise ValueError(f"the calendar has no working time in its range {self._range}")
        self.minutes_per_day = (
            _usual_day_length(weekday_patterns) if minutes_per_day is None else minutes_per_day
        )
        if self.minutes_per_day <= 0:
            raise ValueError(
                "minutes_per_day must be positive; give it when no weekday has working hours"
            )

    @classmethod
    def standard(
        cls,
        first: date,
        last: date,
        *,
        holidays: Collection[date] = (),
        makeup_workdays: Collection[date] = (),
        hours: Iterable[Interval] = CHINA_OFFICE_HOURS,
        workdays: Collection[int] = MONDAY_TO_FRIDAY,
        exceptions: Mapping[date, Iterable[Interval]] | None = None,
        minutes_per_day: int | None = None,
    ) -> "WorkCalendar":
        """The same ``hours`` on every weekday in ``workdays``; ``holidays`` do not work;
        ``makeup_workdays`` (调休) work those ``hours``; ``exceptions`` give a date its own
        hours (a shortened day). A date may appear in only one of the three."""
        hours = tuple(hours)
        week = [hours if weekday in workdays else () for weekday in range(7)]
        per_date: dict[date, Iterable[Interval]] = dict(exceptions or {})
        for days, intervals in ((holidays, ()), (makeup_workdays, hours)):
            for day in days:
                if day in per_date:
                    raise ValueError(f"{day} is given more than once among the exceptions")
                per_date[day] = intervals
        return cls(first, last, week, per_date, minutes_per_day)

    def to_index(self, moment: datetime) -> int:
        """Working minutes before ``moment``; non-working time maps to the next working minute."""
        day, minute_of_day = self._locate(moment)
        if day == len(self._days):
            return self.total_minutes
        return self._minutes_before_day[day] + self._days[day].minutes_until(minute_of_day)

    def start_of(self, index: int) -> datetime:
        """The moment work at ``index`` begins (09:00 the next working day at a day boundary).

        ``total_minutes`` has no working minute after it: it answers ``finish_of`` instead."""
        self._check_index(index)
        if index == self.total_minutes:
            return self.finish_of(index)
        day = bisect_right(self._minutes_before_day, index) - 1
        offset = index - self._minutes_before_day[day]
        return self._moment(day, self._days[day].start_minute(offset))

    def finish_of(self, index: int) -> datetime:
        """The moment work up to ``index`` ends (18:00, not the next morning, at a day boundary).

        Index 0 has no working minute before it: it answers ``start_of`` instead."""
        self._check_index(index)
        if index == 0:
            return self.start_of(index)
        day = bisect_left(self._minutes_before_day, index) - 1
        offset = index - self._minutes_before_day[day]
        return self._moment(day, self._days[day].finish_minute(offset))

    def add_working(self, moment: datetime, minutes: int) -> datetime:
        """The moment ``minutes`` of work after ``moment`` (a finish), or before it if negative
        (a start); ``moment`` itself for 0."""
        if minutes == 0:
            self._locate(moment)
            return moment
        target = self.to_index(moment) + minutes
        if not 0 <= target <= self.total_minutes:
            raise ValueError(
                f"{minutes:+d} working minutes from {moment} leave the calendar range {self._range}"
            )
        return self.finish_of(target) if minutes > 0 else self.start_of(target)

    def working_minutes(self, start: datetime, end: datetime) -> int:
        """Working minutes from ``start`` to ``end``; negative when ``end`` is earlier."""
        return self.to_index(end) - self.to_index(start)

    def is_working_day(self, day: date) -> bool:
        return self._days[self._day_number(day, allow_end=False)].total > 0

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``start`` .. ``end`` - 1 day (half-open, like ``range``); negative
        when ``end`` is earlier. ``end`` may be the day after ``last``."""
        start_number = self._day_number(start, allow_end=True)
        end_number = self._day_number(end, allow_end=True)
        return self._workdays_before_day[end_number] - self._workdays_before_day[start_number]

    def _day_patterns(
        self, weekday_patterns: list[_DayPattern], exceptions: Mapping[date, Iterable[Interval]]
    ) -> list[_DayPattern]:
        patterns_by_intervals: dict[tuple[Interval, ...], _DayPattern] = {}
        by_date: dict[date, _DayPattern] = {}
        for day, intervals in exceptions.items():
            if self.first <= day <= self.last:
                key = tuple(_validated(intervals))
                by_date[day] = patterns_by_intervals.setdefault(key, _DayPattern.of(key))
        day_count = (self.last - self.first).days + 1
        days = (self.first + timedelta(days=n) for n in range(day_count))
        return [by_date.get(day, weekday_patterns[day.weekday()]) for day in days]

    @property
    def _range(self) -> str:
        return f"{self.first}..{self.last}"

    def _locate(self, moment: datetime) -> tuple[int, int]:
        """(day number from ``first``, minute of day) of a moment inside the range."""
        if moment.tzinfo is not None:
            raise ValueError(f"{moment} is timezone-aware; the calendar works in naive local time")
        day = (moment.date() - self.first).days
        minute_of_day = moment.hour * 60 + moment.minute
        past_end = day > len(self._days) or (day == len(self._days) and minute_of_day > 0)
        if day < 0 or past_end:
            raise ValueError(f"{moment} is outside the calendar range {self._range}")
        return day, minute_of_day

    def _day_number(self, day: date, *, allow_end: bool) -> int:
        number = (day - self.first).days
        if not 0 <= number < len(self._days) + int(allow_end):
            raise ValueError(f"{day} is outside the calendar range {self._range}")
        return number

    def _check_index(self, index: int) -> None:
        if not 0 <= index <= self.total_minutes:
            raise ValueError(
                f"working-minute index {index} is outside 0..{self.total_minutes}, "
                f"the calendar range {self._range}"
            )

    def _moment(self, day: int, minute_of_day: int) -> datetime:
        midnight = datetime.combine(self.first + timedelta(days=day), time())
        return midnight + timedelta(minutes=minute_of_day)


def _running_totals(values: Iterable[int]) -> list[int]:
    """[0, v0, v0 + v1, ...]: entry n is the sum of the values before n."""
    totals = [0]
    for value in values:
        totals.append(totals[-1] + value)
    return totals


def _usual_day_length(weekday_patterns: list[_DayPattern]) -> int:
    """The most common working-day length over the week (the longer one on a tie), 0 if none."""
    lengths = Counter(pattern.total for pattern in weekday_patterns if pattern.total > 0)
    if not lengths:
        return 0
    return max(lengths, key=lambda length: (lengths[length], length))
