"""When a recurring communication falls due: RFC 5545 recurrence rules on working days.

A rule (``FREQ=WEEKLY;BYDAY=MO``) gives *nominal* dates; a nominal date that is not a working
day of the project's calendar moves to the next or previous working day, is skipped, or is kept,
as the item says. "Monthly on the last working day" is ``FREQ=MONTHLY;BYMONTHDAY=-1`` moved to
the previous working day, which also honours a make-up workday (调休) at a month's end.

Each occurrence keeps its nominal date: it names the occurrence for good (the scheduler's key),
while the day it is sent may change with the calendar. Two nominal dates moved to the same day
make one occurrence (the first), so occurrences are strictly increasing in both dates.
"""

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

# How far a moved occurrence may travel to find a working day; a calendar with a longer
# stretch of days off (none real has one) skips the occurrence instead.
LONGEST_SEARCH = timedelta(days=62)
# A rule whose dates are all skipped (weekends only, skipping days off) is given up after
# this long without an occurrence, instead of searching to the year 9999.
LONGEST_GAP = timedelta(days=366 * 10)
# Rules that would yield occurrences more often than daily are refused: a communication plan
# speaks to people, and a secondly rule would flood the outbox.
REFUSED_FREQUENCIES = ("SECONDLY", "MINUTELY", "HOURLY")


class Shift(enum.StrEnum):
    """What happens to an occurrence whose nominal date is a day off."""

    NEXT = "next"  # the next working day
    PREVIOUS = "previous"  # the previous working day
    SKIP = "skip"  # no occurrence that time
    KEEP = "keep"  # sent on the day off all the same


@dataclass(frozen=True)
class WorkingDays:
    """Which dates are working days: ``weekdays`` (0 = Monday) unless ``exceptions`` says
    otherwise for a date (False: a public holiday; True: a make-up workday)."""

    weekdays: frozenset[int] = frozenset(range(5))
    exceptions: Mapping[date, bool] = field(default_factory=dict)

    def is_working_day(self, day: date) -> bool:
        working = self.exceptions.get(day)
        return day.weekday() in self.weekdays if working is None else working


@dataclass(frozen=True)
class Occurrence:
    nominal: date  # the rule's date: names the occurrence
    on: date  # the day it is due, after moving off a day off


class RuleError(ValueError):
    """A recurrence rule that cannot be used; the message says why."""


@dataclass(frozen=True)
class Recurrence:
    """``rule`` (an RRULE value without the ``RRULE:`` prefix; empty: once, on ``start``)
    from ``start`` until ``until`` (inclusive, optional; the rule's own UNTIL/COUNT apply too)."""

    rule: str
    start: date
    until: date | None = None
    shift: Shift = Shift.NEXT

    @cached_property
    def _rrule(self) -> rrule | None:
        return parse_rule(self.rule, self.start) if self.rule.strip() else None

    def nominal_dates(self, after: date | None = None) -> Iterator[date]:
        """The rule's dates in order, those after ``after`` only, up to ``until``."""
        if self._rrule is None:
            dates: Iterator[date] = iter((self.start,))
        else:
            rule = self._rrule if after is None else _anchored(self._rrule, self.start, after)
            moments = rule.xafter(_midnight(after), inc=False) if after else iter(rule)
            dates = (moment.date() for moment in moments)
        for day in dates:
            if self.until is not None and day > self.until:
                return
            if after is None or day > after:
                yield day


def _anchored(rule: rrule, start: date, after: date) -> rrule:
    """The same rule started at the last whole period at or before ``after``, so finding the
    dates after ``after`` does not walk every date since ``start`` (a daily rule running for
    years would). Dates are unchanged: the new start lies a whole number of intervals after
    the old one, and the parts dateutil would take from the start are written out. Rules with
    COUNT count from the first date, so they keep it."""
    options = rule._original_rule  # what the rule said, before dateutil's own defaults
    if rule._count is not None:
        return rule
    frequency, interval = rule._freq, rule._interval
    periods = (
        {
            DAILY: (after - start).days,
            WEEKLY: (after - start).days // 7,
            MONTHLY: (after.year - start.year) * 12 + after.month - start.month,
            YEARLY: after.year - start.year,
        }.get(frequency, 0)
        // interval
        * interval
    )
    if periods < 1:
        return rule
    if frequency in (DAILY, WEEKLY):
        step = timedelta(days=periods * (7 if frequency == WEEKLY else 1))
        return rule.replace(dtstart=_midnight(start + step))
    explicit = {}
    if not any(options.get(name) for name in ("byweekno", "byyearday", "bymonthday", "byweekday")):
        explicit["bymonthday"] = start.day
        if frequency == YEARLY:
            explicit["bymonth"] = options.get("bymonth") or start.month
    months = start.month - 1 + (periods if frequency == MONTHLY else 12 * periods)
    anchor = date(start.year + months // 12, months % 12 + 1, 1)
    return rule.replace(dtstart=_midnight(anchor), **explicit)


def parse_rule(text: str, start: date) -> rrule:
    """The dateutil rule of ``text`` starting on ``start``; RuleError with a reason for
    anything else than one daily-or-slower RRULE."""
    value = text.strip().removeprefix("RRULE:")
    if "\n" in value or any(part in value.upper() for part in ("DTSTART", "EXDATE", "RDATE")):
        raise RuleError("give one RRULE value, without DTSTART, RDATE or EXDATE")
    frequency = dict(part.split("=", 1) for part in value.upper().split(";") if "=" in part).get(
        "FREQ"
    )
    if frequency is None:
        raise RuleError("the rule needs FREQ (DAILY, WEEKLY, MONTHLY or YEARLY)")
    if frequency in REFUSED_FREQUENCIES:
        raise RuleError("a communication cannot recur more often than daily")
    try:
        parsed = rrulestr(value, dtstart=_midnight(start), forceset=False)
    except (ValueError, TypeError) as error:
        raise RuleError(str(error) or "not a recurrence rule") from error
    if not isinstance(parsed, rrule):
        raise RuleError("give one RRULE value")
    return parsed


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())


def moved(day: date, shift: Shift, calendar: WorkingDays) -> date | None:
    """``day`` moved as ``shift`` says when it is a day off; None when it is skipped."""
    if shift is Shift.KEEP or calendar.is_working_day(day):
        return day
    if shift is Shift.SKIP:
        return None
    step = timedelta(days=1 if shift is Shift.NEXT else -1)
    candidate = day + step
    while abs(candidate - day) <= LONGEST_SEARCH:
        if calendar.is_working_day(candidate):
            return candidate
        candidate += step
    return None


def occurrences(
    recurrence: Recurrence,
    calendar: WorkingDays,
    *,
    after: Occurrence | None = None,
) -> Iterator[Occurrence]:
    """The occurrences after ``after`` (all when None), in order. An occurrence moved onto or
    before ``after``'s day (or the previous occurrence's) is dropped: it would repeat it."""
    last_on = after.on if after is not None else None
    last_nominal = after.nominal if after is not None else recurrence.start
    try:
        for nominal in recurrence.nominal_dates(after.nominal if after is not None else None):
            if nominal - last_nominal > LONGEST_GAP:
                return  # every date skipped for years: a rule on days off only
            on = moved(nominal, recurrence.shift, calendar)
            if on is None or (last_on is not None and on <= last_on):
                continue
            last_on, last_nominal = on, nominal
            yield Occurrence(nominal, on)
    except ValueError:  # dateutil ran past the year 9999
        return


def following(
    recurrence: Recurrence, calendar: WorkingDays, after: Occurrence | None = None
) -> Occurrence | None:
    """The first occurrence after ``after`` (the first of all when None), or None."""
    return next(occurrences(recurrence, calendar, after=after), None)


def between(
    recurrence: Recurrence, calendar: WorkingDays, first: date, last: date
) -> list[Occurrence]:
    """The occurrences due on ``first`` .. ``last`` (inclusive)."""
    found = []
    for occurrence in occurrences(recurrence, calendar):
        if occurrence.on > last:
            break
        if first <= occurrence.on <= last:
            found.append(occurrence)
    return found
