"""Microsoft Project XML (MSPDI) import: ``read_project`` parses a file saved by Microsoft
Project into plain dataclasses (project fields, calendars, tasks with their links and
baselines, resources, assignments) and lists in ``MspdiProject.warnings`` what the file holds
that they cannot carry. ``charter.engine.mspdi_writer`` writes them back as MSPDI;
``charter.engine.mspdi_parity`` reschedules such a project with Charter's engine.

Durations and lags in MSPDI are working time whatever unit they are displayed in (days are
``MinutesPerDay``); only the *elapsed* formats count calendar time.

An assignment's remaining work over time (``TimephasedData`` of Type 1) is read as periods of
work; Microsoft Project writes one a day, and a period without work between periods of work is a
split of the task. The other types (actual work, baselines, costs) are not read.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from charter.engine.calendar import Interval
from charter.engine.model import Constraint, LinkType
from charter.engine.mspdi_elements import (
    NAMESPACE,
    NS,
    ResourceType,
    assignment_elements,
    field_flag,
    field_int,
    field_text,
    recurs,
    resource_elements,
    resource_type,
)
from charter.engine.mspdi_warnings import unmapped_warnings

CONSTRAINT_TYPES: dict[int, Constraint] = {
    0: Constraint.ASAP,
    1: Constraint.ALAP,
    2: Constraint.MSO,
    3: Constraint.MFO,
    4: Constraint.SNET,
    5: Constraint.SNLT,
    6: Constraint.FNET,
    7: Constraint.FNLT,
}
LINK_TYPES: dict[int, LinkType] = {0: LinkType.FF, 1: LinkType.FS, 2: LinkType.SF, 3: LinkType.SS}
# Duration formats (MSPDI DurationFormat / LagFormat): elapsed units, with or without "?".
ELAPSED_FORMATS = frozenset({4, 6, 8, 10, 12, 20, 36, 38, 40, 42, 44, 52})
PERCENT_FORMATS = frozenset({19, 20, 51, 52})
# MSPDI DayType: 1 = Sunday .. 7 = Saturday; 0 marks an exception (MSPDI 2003 form).
_WEEKDAY_OF_DAY_TYPE = {1: 6, 2: 0, 3: 1, 4: 2, 5: 3, 6: 4, 7: 5}
_DURATION = re.compile(r"^(-)?PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


# TimephasedData Type 1: AssignmentRemainingWork.
REMAINING_WORK = 1

type WorkPeriod = tuple[datetime, datetime, int]  # start, finish, work in minutes


class MspdiError(ValueError):
    """The file is not an MSPDI project, or uses a form this reader does not handle."""


@dataclass(frozen=True, slots=True)
class MspdiCalendar:
    uid: int
    name: str
    base_uid: int | None
    week: dict[int, tuple[Interval, ...]]  # weekday (0 = Monday) -> hours; absent: inherited
    exceptions: dict[date, tuple[Interval, ...]]  # () is a non-working date


@dataclass(frozen=True, slots=True)
class PredecessorLink:
    predecessor_uid: int
    type: LinkType
    lag_tenths: int  # tenths of a minute, as stored
    lag_format: int

    @property
    def lag_minutes(self) -> int:
        return round(self.lag_tenths / 10)

    @property
    def elapsed_lag(self) -> bool:
        return self.lag_format in ELAPSED_FORMATS

    @property
    def percent_lag(self) -> bool:
        return self.lag_format in PERCENT_FORMATS


@dataclass(frozen=True, slots=True)
class MspdiBaseline:
    number: int  # 0 is "Baseline", 1..10 "Baseline1".."Baseline10"
    start: datetime | None = None
    finish: datetime | None = None
    duration: int | None = None  # minutes
    work: int | None = None  # minutes
    cost: Decimal | None = None


@dataclass(frozen=True, slots=True)
class MspdiTask:
    uid: int
    id: int
    name: str
    outline_level: int
    summary: bool
    milestone: bool
    manual: bool
    duration: int  # minutes
    duration_format: int
    start: datetime | None
    finish: datetime | None
    constraint: Constraint
    constraint_date: datetime | None
    calendar_uid: int | None  # None: the project calendar
    links: tuple[PredecessorLink, ...] = ()
    resource_calendar_uids: tuple[int, ...] = ()  # calendars of the assigned resources
    wbs: str = ""
    outline_number: str = ""
    priority: int = 500
    percent_complete: int = 0
    actual_start: datetime | None = None
    actual_finish: datetime | None = None
    notes: str = ""
    baselines: tuple[MspdiBaseline, ...] = ()

    @property
    def elapsed(self) -> bool:
        return self.duration_format in ELAPSED_FORMATS


@dataclass(frozen=True, slots=True)
class MspdiResource:
    uid: int
    id: int
    name: str
    type: ResourceType
    initials: str = ""
    max_units: Decimal = Decimal(1)  # 1 is 100 %
    standard_rate: Decimal = Decimal(0)  # per hour, as MSPDI stores it
    calendar_uid: int | None = None
    email: str = ""


@dataclass(frozen=True, slots=True)
class MspdiAssignment:
    uid: int
    task_uid: int
    resource_uid: int
    units: Decimal = Decimal(1)  # 1 is 100 %
    work: int = 0  # minutes
    start: datetime | None = None
    finish: datetime | None = None
    remaining_work: tuple[WorkPeriod, ...] = ()  # in time order; 0 work between work: a split


@dataclass(frozen=True, slots=True)
class MspdiProject:
    name: str
    start: datetime
    calendar_uid: int
    minutes_per_day: int
    calendars: dict[int, MspdiCalendar]
    tasks: list[MspdiTask]
    title: str = ""
    finish: datetime | None = None
    minutes_per_week: int = 2400
    days_per_month: int = 20
    currency_code: str = ""
    resources: list[MspdiResource] = field(default_factory=list)
    assignments: list[MspdiAssignment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what the file holds and we do not

    def children(self) -> dict[int, list[int]]:
        """Summary task UID -> the UIDs one outline level below it, from the task order."""
        result: dict[int, list[int]] = {}
        parents: list[MspdiTask] = []
        for task in self.tasks:
            while parents and parents[-1].outline_level >= task.outline_level:
                parents.pop()
            if parents:
                result.setdefault(parents[-1].uid, []).append(task.uid)
            parents.append(task)
        return result

    def calendar_week(self, uid: int) -> list[tuple[Interval, ...]]:
        """The seven weekdays' hours of calendar ``uid``, with what it inherits filled in."""
        week: dict[int, tuple[Interval, ...]] = {}
        for calendar in self._calendar_chain(uid):
            for weekday, hours in calendar.week.items():
                week.setdefault(weekday, hours)
        missing = [day for day in range(7) if day not in week]
        if missing:
            raise MspdiError(f"calendar {uid} leaves weekdays {missing} undefined")
        return [week[day] for day in range(7)]

    def calendar_exceptions(self, uid: int) -> dict[date, tuple[Interval, ...]]:
        exceptions: dict[date, tuple[Interval, ...]] = {}
        for calendar in self._calendar_chain(uid):
            for day, hours in calendar.exceptions.items():
                exceptions.setdefault(day, hours)
        return exceptions

    def _calendar_chain(self, uid: int) -> Iterator[MspdiCalendar]:
        seen: set[int] = set()
        current: int | None = uid
        while current is not None and current not in seen:
            if current not in self.calendars:
                raise MspdiError(f"calendar {current} is referenced but not defined")
            seen.add(current)
            yield self.calendars[current]
            current = self.calendars[current].base_uid


# --- parsing -------------------------------------------------------------------------------


def parse_duration(text: str) -> int:
    """ISO-8601 duration as MSPDI writes it (``PT8H0M0S``) -> minutes, rounded."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise MspdiError(f"duration {text!r} is not of the form PT#H#M#S")
    sign, hours, minutes, seconds = match.groups()
    total = int(hours or 0) * 60 + int(minutes or 0) + float(seconds or 0) / 60
    return -round(total) if sign else round(total)


def parse_time(text: str) -> int:
    """``HH:MM:SS`` -> minute of the day; a ToTime of 00:00:00 is the end of the day."""
    hours, minutes, *_ = (int(part) for part in text.split(":"))
    return hours * 60 + minutes


# S314: expat (2.6 in Python 3.13) resolves no external entities and, since 2.4, stops
# entity-expansion bombs; defusedxml is not a dependency and would add nothing more here.
def read_project(path: str | Path) -> MspdiProject:
    root = ET.parse(path).getroot()  # noqa: S314
    return parse_project(root)


def parse_project_text(text: str) -> MspdiProject:
    return parse_project(ET.fromstring(text))  # noqa: S314


def parse_project(root: ET.Element) -> MspdiProject:
    if root.tag != f"{{{NAMESPACE}}}Project":
        raise MspdiError(f"not an MSPDI project: the root element is {_local(root.tag)!r}")
    start = _datetime(field_text(root, "StartDate"))
    if start is None:
        raise MspdiError("the project has no StartDate")
    calendars = {cal.uid: cal for cal in map(_calendar, root.findall("p:Calendars/p:Calendar", NS))}
    resource_calendars = _resource_calendars(root)
    tasks = [
        _task(element, resource_calendars)
        for element in root.findall("p:Tasks/p:Task", NS)
        if field_text(element, "IsNull") != "1"
    ]
    return MspdiProject(
        name=field_text(root, "Name") or str(root.findtext("p:Title", "", NS)),
        start=start,
        calendar_uid=field_int(root, "CalendarUID", 1),
        minutes_per_day=field_int(root, "MinutesPerDay", 480),
        calendars=calendars,
        tasks=tasks,
        title=field_text(root, "Title") or "",
        finish=_datetime(field_text(root, "FinishDate")),
        minutes_per_week=field_int(root, "MinutesPerWeek", 2400),
        days_per_month=field_int(root, "DaysPerMonth", 20),
        currency_code=field_text(root, "CurrencyCode") or "",
        resources=[_resource(element) for element in resource_elements(root)],
        assignments=[_assignment(element) for element in assignment_elements(root)],
        warnings=list(unmapped_warnings(root)),
    )


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _datetime(text: str | None) -> datetime | None:
    return None if not text else datetime.fromisoformat(text).replace(second=0, microsecond=0)


def _minutes(element: ET.Element, name: str) -> int | None:
    text = field_text(element, name)
    return None if not text else parse_duration(text)


def _decimal[T](element: ET.Element, name: str, default: T) -> Decimal | T:
    text = field_text(element, name)
    return default if not text else Decimal(text)


def _cost(element: ET.Element, name: str) -> Decimal | None:
    """MSPDI stores costs in hundredths of the currency unit (rates are plain per hour)."""
    cents = _decimal(element, name, None)
    return None if cents is None else cents / 100


def _working_times(element: ET.Element) -> tuple[Interval, ...]:
    if not field_flag(element, "DayWorking"):
        return ()
    hours = []
    for working in element.findall("p:WorkingTimes/p:WorkingTime", NS):
        start, end = field_text(working, "FromTime"), field_text(working, "ToTime")
        if start is None or end is None:
            continue
        end_minute = parse_time(end) or 24 * 60
        hours.append((parse_time(start), end_minute))
    return tuple(sorted(hours))


def _period_dates(element: ET.Element) -> list[date]:
    first = _datetime(element.findtext("p:TimePeriod/p:FromDate", None, NS))
    last = _datetime(element.findtext("p:TimePeriod/p:ToDate", None, NS))
    if first is None or last is None:
        raise MspdiError("a calendar exception has no TimePeriod FromDate/ToDate")
    # ToDate is the last moment of the period (23:59), or midnight after its last day.
    last_day = (
        last.date()
        if last.time() != time() or last.date() == first.date()
        else (last.date() - timedelta(days=1))
    )
    return [first.date() + timedelta(days=n) for n in range((last_day - first.date()).days + 1)]


def _calendar(element: ET.Element) -> MspdiCalendar:
    uid = field_int(element, "UID", -1)
    week: dict[int, tuple[Interval, ...]] = {}
    exceptions: dict[date, tuple[Interval, ...]] = {}
    for day in element.findall("p:WeekDays/p:WeekDay", NS):
        day_type = field_int(day, "DayType", -1)
        if day_type == 0:
            exceptions.update(dict.fromkeys(_period_dates(day), _working_times(day)))
        elif day_type in _WEEKDAY_OF_DAY_TYPE:
            week[_WEEKDAY_OF_DAY_TYPE[day_type]] = _working_times(day)
    for exception in element.findall("p:Exceptions/p:Exception", NS):
        if not recurs(exception):  # recurring ones are listed in the warnings
            exceptions.update(dict.fromkeys(_period_dates(exception), _working_times(exception)))
    base = field_int(element, "BaseCalendarUID", -1)
    return MspdiCalendar(
        uid=uid,
        name=field_text(element, "Name") or "",
        base_uid=None if base < 0 else base,
        week=week,
        exceptions=exceptions,
    )


def _resource_calendars(root: ET.Element) -> dict[int, tuple[int, ...]]:
    """Task UID -> calendar UIDs of the resources assigned to it."""
    calendar_of = {
        field_int(resource, "UID", -1): field_int(resource, "CalendarUID", -1)
        for resource in root.findall("p:Resources/p:Resource", NS)
    }
    result: dict[int, tuple[int, ...]] = {}
    for assignment in root.findall("p:Assignments/p:Assignment", NS):
        calendar = calendar_of.get(field_int(assignment, "ResourceUID", -1), -1)
        if calendar >= 0:
            task = field_int(assignment, "TaskUID", -1)
            result[task] = (*result.get(task, ()), calendar)
    return result


def _link(element: ET.Element) -> PredecessorLink:
    kind = field_int(element, "Type", 1)
    if kind not in LINK_TYPES:
        raise MspdiError(f"link type {kind} is not 0..3")
    return PredecessorLink(
        predecessor_uid=field_int(element, "PredecessorUID", -1),
        type=LINK_TYPES[kind],
        lag_tenths=field_int(element, "LinkLag", 0),
        lag_format=field_int(element, "LagFormat", 7),
    )


def _task(element: ET.Element, resource_calendars: dict[int, tuple[int, ...]]) -> MspdiTask:
    uid = field_int(element, "UID", -1)
    constraint = field_int(element, "ConstraintType", 0)
    if constraint not in CONSTRAINT_TYPES:
        raise MspdiError(f"task {uid} has constraint type {constraint}, not 0..7")
    calendar = field_int(element, "CalendarUID", -1)
    return MspdiTask(
        uid=uid,
        id=field_int(element, "ID", uid),
        name=field_text(element, "Name") or "",
        outline_level=field_int(element, "OutlineLevel", 0 if uid == 0 else 1),
        summary=field_flag(element, "Summary"),
        milestone=field_flag(element, "Milestone"),
        manual=field_flag(element, "Manual"),
        duration=parse_duration(field_text(element, "Duration") or "PT0H0M0S"),
        duration_format=field_int(element, "DurationFormat", 7),
        start=_datetime(field_text(element, "Start")),
        finish=_datetime(field_text(element, "Finish")),
        constraint=CONSTRAINT_TYPES[constraint],
        constraint_date=_datetime(field_text(element, "ConstraintDate")),
        calendar_uid=None if calendar < 0 else calendar,
        links=tuple(map(_link, element.findall("p:PredecessorLink", NS))),
        resource_calendar_uids=resource_calendars.get(uid, ()),
        wbs=field_text(element, "WBS") or "",
        outline_number=field_text(element, "OutlineNumber") or "",
        priority=field_int(element, "Priority", 500),
        percent_complete=field_int(element, "PercentComplete", 0),
        actual_start=_datetime(field_text(element, "ActualStart")),
        actual_finish=_datetime(field_text(element, "ActualFinish")),
        notes=field_text(element, "Notes") or "",
        baselines=tuple(map(_baseline, element.findall("p:Baseline", NS))),
    )


def _baseline(element: ET.Element) -> MspdiBaseline:
    return MspdiBaseline(
        number=field_int(element, "Number", 0),
        start=_datetime(field_text(element, "Start")),
        finish=_datetime(field_text(element, "Finish")),
        duration=_minutes(element, "Duration"),
        work=_minutes(element, "Work"),
        cost=_cost(element, "Cost"),
    )


def _resource(element: ET.Element) -> MspdiResource:
    uid = field_int(element, "UID", -1)
    calendar = field_int(element, "CalendarUID", -1)
    return MspdiResource(
        uid=uid,
        id=field_int(element, "ID", uid),
        name=field_text(element, "Name") or "",
        type=resource_type(element),
        initials=field_text(element, "Initials") or "",
        max_units=_decimal(element, "MaxUnits", Decimal(1)),
        standard_rate=_decimal(element, "StandardRate", Decimal(0)),
        calendar_uid=None if calendar < 0 else calendar,
        email=field_text(element, "EmailAddress") or "",
    )


def _assignment(element: ET.Element) -> MspdiAssignment:
    return MspdiAssignment(
        uid=field_int(element, "UID", -1),
        task_uid=field_int(element, "TaskUID", -1),
        resource_uid=field_int(element, "ResourceUID", -1),
        units=_decimal(element, "Units", Decimal(1)),
        work=_minutes(element, "Work") or 0,
        start=_datetime(field_text(element, "Start")),
        finish=_datetime(field_text(element, "Finish")),
        remaining_work=_remaining_work(element),
    )


def _remaining_work(assignment: ET.Element) -> tuple[WorkPeriod, ...]:
    """The assignment's remaining work periods in time order; a period without dates is left
    out (some tools write them), one without a value has no work (as Microsoft Project writes
    the days off)."""
    periods = []
    for element in assignment.findall("p:TimephasedData", NS):
        start = _datetime(field_text(element, "Start"))
        finish = _datetime(field_text(element, "Finish"))
        if field_int(element, "Type", 0) == REMAINING_WORK and start and finish:
            periods.append((start, finish, _minutes(element, "Value") or 0))
    return tuple(sorted(periods))
