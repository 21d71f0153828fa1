"""Microsoft Project XML (MSPDI) export: ``write_project`` turns the dataclasses that
``charter.engine.mspdi`` reads back into a file that Microsoft Project and ProjectLibre open.

The MSPDI schema (Microsoft's mspdi_pj12.xsd) is a sequence: a reader may refuse children out
of order. So every element type is a table of its children in schema order (``Leaf`` for a
value, ``Nested`` for child elements), the order the reference files saved by Project 2010
show, and one function walks the tables. Only what the dataclasses carry is written; Microsoft
Project computes the rest (slack, costs, work) when it opens the file. Calendar exceptions use
the ``<Exceptions>`` form of Project 2007 and later, which Project 2010 and ProjectLibre read.
An assignment's remaining work periods go last in it as ``<TimephasedData>`` of Type 1 (one per
period, measured in days: Unit 2), the form Microsoft Project reads a task's splits from.
"""

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from charter.engine.calendar import Interval
from charter.engine.model import Constraint, LinkType
from charter.engine.mspdi import (
    CONSTRAINT_TYPES,
    LINK_TYPES,
    NAMESPACE,
    REMAINING_WORK,
    MspdiCalendar,
    MspdiProject,
    ResourceType,
)
from charter.engine.mspdi_elements import DAILY_EXCEPTION

SAVE_VERSION = 14  # Project 2010, like the reference files
DEFAULT_CURRENCY = "CNY"  # CurrencyCode is required; a plan without one is in yuan
_CONSTRAINT_CODES: dict[Constraint, int] = {kind: code for code, kind in CONSTRAINT_TYPES.items()}
_LINK_CODES: dict[LinkType, int] = {kind: code for code, kind in LINK_TYPES.items()}
# A cost resource is Type 1 with IsCostResource: pj12.xsd allows Type 0 and 1 only.
_RESOURCE_CODES = {ResourceType.MATERIAL: 0, ResourceType.WORK: 1, ResourceType.COST: 1}
DAYS_UNIT = 2  # TimephasedData Unit: the time-scale unit of a period, as Microsoft Project writes


# --- formats -------------------------------------------------------------------------------


def format_duration(minutes: int) -> str:
    """Minutes -> ``PT#H#M0S``, the only duration form Microsoft Project reads."""
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}PT{hours}H{rest}M0S"


def format_datetime(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def format_clock(minute: int) -> str:
    """Minute of the day -> ``HH:MM:SS``; the end of the day (1440) is ``00:00:00``."""
    return f"{minute // 60 % 24:02d}:{minute % 60:02d}:00"


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _number(value: Decimal) -> str:
    return format(value, "f")


# --- the tables ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leaf:
    """A child element holding a value; written unless ``get`` answers None."""

    tag: str
    get: Callable[[Any], object]
    format: Callable[[Any], str] = str


@dataclass(frozen=True, slots=True)
class Nested:
    """One child element ``tag`` per item ``items`` gives, filled from ``children``."""

    tag: str
    items: Callable[[Any], Iterable[Any]]
    children: tuple["Leaf | Nested", ...]


type Children = tuple[Leaf | Nested, ...]


def _wrapper(tag: str, items: Callable[[Any], list[Any]], child: Nested) -> Nested:
    """``<Tasks>`` around the ``<Task>`` elements, left out when there are none."""
    return Nested(tag, lambda owner: [owner] if items(owner) else [], (child,))


def _optional[T](value: T) -> T | None:
    """Falsy values ("" notes, no WBS) are left out rather than written empty."""
    return value or None


@dataclass(frozen=True, slots=True)
class _WeekDay:
    day_type: int  # 1 = Sunday .. 7 = Saturday
    hours: tuple[Interval, ...]


@dataclass(frozen=True, slots=True)
class _ExceptionSpan:
    first: date
    last: date
    hours: tuple[Interval, ...]


_WORKING_TIMES = Nested(
    "WorkingTimes",
    lambda day: [day] if day.hours else [],
    (
        Nested(
            "WorkingTime",
            lambda day: day.hours,
            (
                Leaf("FromTime", lambda hours: hours[0], format_clock),
                Leaf("ToTime", lambda hours: hours[1], format_clock),
            ),
        ),
    ),
)
_WEEK_DAY: Children = (
    Leaf("DayType", lambda day: day.day_type),
    Leaf("DayWorking", lambda day: bool(day.hours), _flag),
    _WORKING_TIMES,
)
_EXCEPTION: Children = (
    Leaf("EnteredByOccurrences", lambda span: False, _flag),
    Nested(
        "TimePeriod",
        lambda span: [span],
        (
            Leaf("FromDate", lambda span: datetime.combine(span.first, time()), format_datetime),
            Leaf("ToDate", lambda span: datetime.combine(span.last, time(23, 59)), format_datetime),
        ),
    ),
    Leaf("Occurrences", lambda span: (span.last - span.first).days + 1),
    Leaf("Type", lambda span: DAILY_EXCEPTION),
    Leaf("DayWorking", lambda span: bool(span.hours), _flag),
    _WORKING_TIMES,
)


def _week_days(calendar: MspdiCalendar) -> list[_WeekDay]:
    days = [_WeekDay((weekday + 1) % 7 + 1, hours) for weekday, hours in calendar.week.items()]
    return sorted(days, key=lambda day: day.day_type)


def _exception_spans(calendar: MspdiCalendar) -> Iterator[_ExceptionSpan]:
    """Runs of consecutive dates with the same hours, in date order (Microsoft Project
    ignores exceptions out of order)."""
    span: _ExceptionSpan | None = None
    for day, hours in sorted(calendar.exceptions.items()):
        if span and span.hours == hours and span.last + timedelta(days=1) == day:
            span = _ExceptionSpan(span.first, day, hours)
            continue
        if span:
            yield span
        span = _ExceptionSpan(day, day, hours)
    if span:
        yield span


_CALENDAR: Children = (
    Leaf("UID", lambda calendar: calendar.uid),
    Leaf("Name", lambda calendar: _optional(calendar.name)),
    Leaf("IsBaseCalendar", lambda calendar: calendar.base_uid is None, _flag),
    Leaf(
        "BaseCalendarUID", lambda calendar: -1 if calendar.base_uid is None else calendar.base_uid
    ),
    _wrapper("WeekDays", _week_days, Nested("WeekDay", _week_days, _WEEK_DAY)),
    _wrapper(
        "Exceptions",
        lambda calendar: list(_exception_spans(calendar)),
        Nested("Exception", _exception_spans, _EXCEPTION),
    ),
)
_LINK: Children = (
    Leaf("PredecessorUID", lambda link: link.predecessor_uid),
    Leaf("Type", lambda link: _LINK_CODES[link.type]),
    Leaf("LinkLag", lambda link: link.lag_tenths),
    Leaf("LagFormat", lambda link: link.lag_format),
)


def _cents(value: Decimal) -> str:
    """MSPDI costs are hundredths of the currency unit."""
    return _number(value * 100)


_BASELINE: Children = (
    Leaf("Number", lambda baseline: baseline.number),
    Leaf("Start", lambda baseline: baseline.start, format_datetime),
    Leaf("Finish", lambda baseline: baseline.finish, format_datetime),
    Leaf("Duration", lambda baseline: baseline.duration, format_duration),
    Leaf("Work", lambda baseline: baseline.work, format_duration),
    Leaf("Cost", lambda baseline: baseline.cost, _cents),
)
_TASK: Children = (
    Leaf("UID", lambda task: task.uid),
    Leaf("ID", lambda task: task.id),
    Leaf("Name", lambda task: task.name),
    Leaf("Manual", lambda task: _optional(task.manual), _flag),  # Project 2010 and later
    Leaf("WBS", lambda task: _optional(task.wbs)),
    Leaf("OutlineNumber", lambda task: _optional(task.outline_number)),
    Leaf("OutlineLevel", lambda task: task.outline_level),
    Leaf("Priority", lambda task: task.priority),
    Leaf("Start", lambda task: task.start, format_datetime),
    Leaf("Finish", lambda task: task.finish, format_datetime),
    Leaf("Duration", lambda task: task.duration, format_duration),
    Leaf("DurationFormat", lambda task: task.duration_format),
    Leaf("Milestone", lambda task: task.milestone, _flag),
    Leaf("Summary", lambda task: task.summary, _flag),
    Leaf("PercentComplete", lambda task: task.percent_complete),
    Leaf("ActualStart", lambda task: task.actual_start, format_datetime),
    Leaf("ActualFinish", lambda task: task.actual_finish, format_datetime),
    Leaf("ConstraintType", lambda task: _CONSTRAINT_CODES[task.constraint]),
    Leaf("CalendarUID", lambda task: -1 if task.calendar_uid is None else task.calendar_uid),
    Leaf("ConstraintDate", lambda task: task.constraint_date, format_datetime),
    Leaf("Notes", lambda task: _optional(task.notes)),
    Nested("PredecessorLink", lambda task: task.links, _LINK),
    Nested("Baseline", lambda task: task.baselines, _BASELINE),
)
_RESOURCE: Children = (
    Leaf("UID", lambda resource: resource.uid),
    Leaf("ID", lambda resource: resource.id),
    Leaf("Name", lambda resource: _optional(resource.name)),
    Leaf("Type", lambda resource: _RESOURCE_CODES[resource.type]),
    Leaf("Initials", lambda resource: _optional(resource.initials)),
    Leaf("EmailAddress", lambda resource: _optional(resource.email)),
    Leaf("MaxUnits", lambda resource: resource.max_units, _number),
    Leaf("StandardRate", lambda resource: resource.standard_rate, _number),
    Leaf("StandardRateFormat", lambda resource: 2),  # per hour, as StandardRate is
    Leaf("CalendarUID", lambda resource: resource.calendar_uid),
    Leaf("IsCostResource", lambda resource: resource.type is ResourceType.COST, _flag),
)
_TIMEPHASED_WORK: Children = (
    Leaf("Type", lambda period: REMAINING_WORK),
    Leaf("UID", lambda period: period[0]),  # the assignment's
    Leaf("Start", lambda period: period[1], format_datetime),
    Leaf("Finish", lambda period: period[2], format_datetime),
    Leaf("Unit", lambda period: DAYS_UNIT),
    Leaf("Value", lambda period: period[3], format_duration),
)
_ASSIGNMENT: Children = (
    Leaf("UID", lambda assignment: assignment.uid),
    Leaf("TaskUID", lambda assignment: assignment.task_uid),
    Leaf("ResourceUID", lambda assignment: assignment.resource_uid),
    Leaf("Finish", lambda assignment: assignment.finish, format_datetime),
    Leaf("Start", lambda assignment: assignment.start, format_datetime),
    Leaf("Units", lambda assignment: assignment.units, _number),
    Leaf("Work", lambda assignment: assignment.work, format_duration),
    Nested(
        "TimephasedData",
        lambda assignment: [(assignment.uid, *period) for period in assignment.remaining_work],
        _TIMEPHASED_WORK,
    ),
)
_PROJECT: Children = (
    Leaf("SaveVersion", lambda project: SAVE_VERSION),
    Leaf("Name", lambda project: _optional(project.name)),
    Leaf("Title", lambda project: _optional(project.title)),
    Leaf("StartDate", lambda project: project.start, format_datetime),
    Leaf("FinishDate", lambda project: project.finish, format_datetime),
    Leaf("CurrencyCode", lambda project: project.currency_code or DEFAULT_CURRENCY),
    Leaf("CalendarUID", lambda project: project.calendar_uid),
    Leaf("MinutesPerDay", lambda project: project.minutes_per_day),
    Leaf("MinutesPerWeek", lambda project: project.minutes_per_week),
    Leaf("DaysPerMonth", lambda project: project.days_per_month),
    _wrapper(
        "Calendars",
        lambda project: list(project.calendars.values()),
        Nested("Calendar", lambda project: project.calendars.values(), _CALENDAR),
    ),
    _wrapper("Tasks", lambda project: project.tasks, Nested("Task", lambda p: p.tasks, _TASK)),
    _wrapper(
        "Resources",
        lambda project: project.resources,
        Nested("Resource", lambda project: project.resources, _RESOURCE),
    ),
    _wrapper(
        "Assignments",
        lambda project: project.assignments,
        Nested("Assignment", lambda project: project.assignments, _ASSIGNMENT),
    ),
)


# --- writing -------------------------------------------------------------------------------


def write_project(project: MspdiProject) -> bytes:
    """The project as an MSPDI document: UTF-8 with an XML declaration, ``<Project>`` in the
    MSPDI namespace, children in schema order."""
    root = ET.Element("Project", xmlns=NAMESPACE)
    _fill(root, project, _PROJECT)
    ET.indent(root)
    declaration = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return (declaration + ET.tostring(root, encoding="unicode") + "\n").encode()


def _fill(element: ET.Element, item: object, children: Children) -> None:
    for child in children:
        if isinstance(child, Leaf):
            value = child.get(item)
            if value is not None:
                ET.SubElement(element, child.tag).text = child.format(value)
        else:
            for part in child.items(item):
                _fill(ET.SubElement(element, child.tag), part, child.children)


def schema_order() -> dict[str, list[str]]:
    """Element name -> the names of the children the writer may give it, in the order it
    writes them: what a test compares with the order in Microsoft Project's own files."""
    order: dict[str, list[str]] = {}
    _collect("Project", _PROJECT, order)
    return order


def _collect(tag: str, children: Children, order: dict[str, list[str]]) -> None:
    names = order.setdefault(tag, [])
    for child in children:
        if child.tag not in names:
            names.append(child.tag)
        if isinstance(child, Nested):
            _collect(child.tag, child.children, order)
