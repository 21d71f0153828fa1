"""Recurrence on working days: hand-checked dates (China's 2026 calendar) and properties."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from itertools import islice, pairwise

import pytest
from dateutil.rrule import rrulestr
from hypothesis import given, settings
from hypothesis import strategies as st

from charter.engine.recurrence import (
    Occurrence,
    Recurrence,
    RuleError,
    Shift,
    WorkingDays,
    between,
    following,
    moved,
    occurrences,
    parse_rule,
)

# China 2026 around Labour Day and National Day: days off, and the make-up Saturday/Sunday.
CHINA_2026 = WorkingDays(
    exceptions={
        **{date(2026, 5, d): False for d in range(1, 6)},
        date(2026, 5, 9): True,
        **{date(2026, 10, d): False for d in range(1, 8)},
        date(2026, 9, 20): True,
        date(2026, 10, 10): True,
    }
)
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def ons(found: list[Occurrence]) -> list[date]:
    return [o.on for o in found]


def test_monthly_last_working_day_moves_back_over_weekends_and_holidays() -> None:
    rule = Recurrence("FREQ=MONTHLY;BYMONTHDAY=-1", date(2026, 1, 1), shift=Shift.PREVIOUS)
    found = between(rule, CHINA_2026, *YEAR)
    assert ons(found)[:5] == [
        date(2026, 1, 30),  # the 31st is a Saturday
        date(2026, 2, 27),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 29),  # the 31st is a Sunday
    ]
    assert found[4].nominal == date(2026, 5, 31)  # the name stays the rule's date
    assert ons(found)[9] == date(2026, 10, 30)


def test_a_make_up_saturday_counts_as_a_working_day() -> None:
    rule = Recurrence("FREQ=WEEKLY;BYDAY=SA", date(2026, 5, 1), date(2026, 5, 31), Shift.KEEP)
    calendar_days = [o.on for o in between(rule, CHINA_2026, *YEAR)]
    assert date(2026, 5, 9) in calendar_days
    skipping = Recurrence(rule.rule, rule.start, rule.until, Shift.SKIP)
    assert ons(between(skipping, CHINA_2026, *YEAR)) == [date(2026, 5, 9)]


def test_weekly_monday_after_national_day_moves_to_the_next_working_day() -> None:
    rule = Recurrence("FREQ=WEEKLY;BYDAY=MO", date(2026, 9, 28))
    assert ons(between(rule, CHINA_2026, date(2026, 9, 28), date(2026, 10, 19))) == [
        date(2026, 9, 28),
        date(2026, 10, 8),  # Oct 5 is a holiday; Oct 6-7 too
        date(2026, 10, 12),
        date(2026, 10, 19),
    ]


def test_daily_rule_moved_to_next_working_day_does_not_repeat_a_day() -> None:
    rule = Recurrence("FREQ=DAILY", date(2026, 10, 1), date(2026, 10, 12))
    days = ons(between(rule, CHINA_2026, *YEAR))
    assert days == [date(2026, 10, 8), date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 12)]


def test_every_two_weeks_and_until() -> None:
    rule = Recurrence("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", date(2026, 1, 1), date(2026, 2, 12))
    assert ons(between(rule, CHINA_2026, *YEAR)) == [
        date(2026, 1, 1),
        date(2026, 1, 15),
        date(2026, 1, 29),
        date(2026, 2, 12),
    ]


def test_once_is_the_start_date() -> None:
    rule = Recurrence("", date(2026, 10, 3), shift=Shift.NEXT)
    assert list(occurrences(rule, CHINA_2026)) == [Occurrence(date(2026, 10, 3), date(2026, 10, 8))]
    assert following(rule, CHINA_2026, Occurrence(date(2026, 10, 3), date(2026, 10, 8))) is None


def test_count_in_the_rule_is_honoured() -> None:
    rule = Recurrence("FREQ=WEEKLY;COUNT=3", date(2026, 3, 2))
    assert len(list(occurrences(rule, CHINA_2026))) == 3


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("FREQ=HOURLY", "more often than daily"),
        ("BYDAY=MO", "needs FREQ"),
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY"),
        ("DTSTART:20260101\nRRULE:FREQ=DAILY", "one RRULE"),
        ("FREQ=WEEKLY;EXDATE=20260101", "EXDATE"),
    ],
)
def test_unusable_rules_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(RuleError, match=reason):
        parse_rule(text, date(2026, 1, 1))


def test_a_calendar_without_working_days_skips_rather_than_loops() -> None:
    never = WorkingDays(weekdays=frozenset())
    assert moved(date(2026, 1, 1), Shift.NEXT, never) is None
    assert list(occurrences(Recurrence("FREQ=DAILY;COUNT=5", date(2026, 1, 1)), never)) == []


RULES = st.sampled_from(
    [
        "FREQ=DAILY",
        "FREQ=WEEKLY;BYDAY=MO",
        "FREQ=WEEKLY;BYDAY=MO,TH",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        "FREQ=MONTHLY;BYDAY=1MO",
        "FREQ=MONTHLY;BYMONTHDAY=15",
        "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31",
        "FREQ=YEARLY",
        "FREQ=YEARLY;INTERVAL=2;BYMONTH=2",
        "FREQ=MONTHLY",
        "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=31",
        "FREQ=MONTHLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "FREQ=WEEKLY;INTERVAL=3",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;COUNT=5;BYDAY=WE",
        "FREQ=WEEKLY;WKST=SU;INTERVAL=2;BYDAY=SU,SA",
        "",
    ]
)
STARTS = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30))
HOLIDAYS = st.dictionaries(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31)), st.booleans(), max_size=60
)


def recurrences() -> st.SearchStrategy[Recurrence]:
    return st.builds(Recurrence, RULES, STARTS, st.none(), st.sampled_from(list(Shift)))


@given(recurrences(), HOLIDAYS)
def test_occurrences_are_strictly_increasing_and_on_working_days(
    rule: Recurrence, exceptions: dict[date, bool]
) -> None:
    calendar = WorkingDays(exceptions=exceptions)
    found = list(_first(occurrences(rule, calendar), 60))
    assert all(a.on < b.on and a.nominal < b.nominal for a, b in pairwise(found))
    if rule.shift is not Shift.KEEP:
        assert all(calendar.is_working_day(o.on) for o in found)
    assert all(abs(o.on - o.nominal) <= timedelta(days=62) for o in found)


@settings(max_examples=300)
@given(recurrences(), HOLIDAYS, st.integers(min_value=0, max_value=120))
def test_following_continues_exactly_where_the_full_expansion_goes(
    rule: Recurrence, exceptions: dict[date, bool], index: int
) -> None:
    """The scheduler walks occurrence by occurrence: it must meet the same ones."""
    calendar = WorkingDays(exceptions=exceptions)
    found = _first(occurrences(rule, calendar), index + 2)
    if len(found) > index:
        expected = found[index + 1] if len(found) > index + 1 else None
        assert following(rule, calendar, found[index]) == expected


@given(recurrences())
def test_with_no_days_off_the_dates_are_the_rules_own(rule: Recurrence) -> None:
    every_day = WorkingDays(weekdays=frozenset(range(7)))
    first = _first(occurrences(rule, every_day), 30)
    assert all(o.on == o.nominal for o in first)
    found = [o.nominal for o in first]
    if rule.rule:
        expected = list(_first(rrulestr(rule.rule, dtstart=_at(rule.start)), 30))
        assert found == [moment.date() for moment in expected]


def _at(day: date) -> datetime:
    return datetime.combine(day, time())


def _first[T](iterable: Iterable[T], count: int) -> list[T]:
    return list(islice(iterable, count))


def test_a_rule_on_days_off_only_that_skips_them_ends_instead_of_searching_forever() -> None:
    weekends = Recurrence("FREQ=WEEKLY;BYDAY=SA,SU", date(2026, 1, 1), shift=Shift.SKIP)
    assert following(weekends, WorkingDays()) is None
