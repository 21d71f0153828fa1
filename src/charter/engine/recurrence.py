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

from dateutil.rrule import rrule, rrulestr

# How far a moved occurrence may travel to find a working day; a calendar with a longer
# stretch of days off (none real has one) skips the occurrence instead.
LONGEST_SEARCH = timedelta(days=62)
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
            first = _midnight(after) if after is not None else None
            moments = self._rrule.xafter(first, inc=False) if first else iter(self._rrule)
            dates = (moment.date() for moment in moments)
        for day in dates:
            if self.until is not None and day > self.until:
                return
            if after is None or day > after:
                yield day


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
    for nominal in recurrence.nominal_dates(after.nominal if after is not None else None):
        on = moved(nominal, recurrence.shift, calendar)
        if on is None or (last_on is not None and on <= last_on):
            continue
        last_on = on
        yield Occurrence(nominal, on)


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
