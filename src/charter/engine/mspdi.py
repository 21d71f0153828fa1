"""Microsoft Project XML (MSPDI) import: ``read_project`` parses a file saved by Microsoft
Project into plain dataclasses (project start, calendars, tasks with their links).
``charter.engine.mspdi_parity`` reschedules such a project with Charter's engine.

Durations and lags in MSPDI are working time whatever unit they are displayed in (days are
``MinutesPerDay``); only the *elapsed* formats count calendar time.
"""

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from charter.engine.calendar import Interval
from charter.engine.model import Constraint, LinkType

NAMESPACE = "http://schemas.microsoft.com/project"
_NS = {"p": NAMESPACE}

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

    @property
    def elapsed(self) -> bool:
        return self.duration_format in ELAPSED_FORMATS


@dataclass(frozen=True, slots=True)
class MspdiProject:
    name: str
    start: datetime
    calendar_uid: int
    minutes_per_day: int
    calendars: dict[int, MspdiCalendar]
    tasks: list[MspdiTask]

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
    start = _datetime(_text(root, "StartDate"))
    if start is None:
        raise MspdiError("the project has no StartDate")
    calendars = {
        cal.uid: cal for cal in map(_calendar, root.findall("p:Calendars/p:Calendar", _NS))
    }
    resource_calendars = _resource_calendars(root)
    tasks = [
        _task(element, resource_calendars)
        for element in root.findall("p:Tasks/p:Task", _NS)
        if _text(element, "IsNull") != "1"
    ]
    return MspdiProject(
        name=_text(root, "Name") or str(root.findtext("p:Title", "", _NS)),
        start=start,
        calendar_uid=_int(root, "CalendarUID", 1),
        minutes_per_day=_int(root, "MinutesPerDay", 480),
        calendars=calendars,
        tasks=tasks,
    )


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _text(element: ET.Element, name: str) -> str | None:
    return element.findtext(f"p:{name}", None, _NS)


def _int(element: ET.Element, name: str, default: int) -> int:
    text = _text(element, name)
    return default if text is None or text == "" else int(text)


def _flag(element: ET.Element, name: str) -> bool:
    return _text(element, name) in ("1", "true")


def _datetime(text: str | None) -> datetime | None:
    return None if not text else datetime.fromisoformat(text).replace(second=0, microsecond=0)


def _working_times(element: ET.Element) -> tuple[Interval, ...]:
    if not _flag(element, "DayWorking"):
        return ()
    hours = []
    for working in element.findall("p:WorkingTimes/p:WorkingTime", _NS):
        start, end = _text(working, "FromTime"), _text(working, "ToTime")
        if start is None or end is None:
            continue
        end_minute = parse_time(end) or 24 * 60
        hours.append((parse_time(start), end_minute))
    return tuple(sorted(hours))


def _period_dates(element: ET.Element) -> list[date]:
    first = _datetime(element.findtext("p:TimePeriod/p:FromDate", None, _NS))
    last = _datetime(element.findtext("p:TimePeriod/p:ToDate", None, _NS))
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
    uid = _int(element, "UID", -1)
    week: dict[int, tuple[Interval, ...]] = {}
    exceptions: dict[date, tuple[Interval, ...]] = {}
    for day in element.findall("p:WeekDays/p:WeekDay", _NS):
        day_type = _int(day, "DayType", -1)
        if day_type == 0:
            exceptions.update(dict.fromkeys(_period_dates(day), _working_times(day)))
        elif day_type in _WEEKDAY_OF_DAY_TYPE:
            week[_WEEKDAY_OF_DAY_TYPE[day_type]] = _working_times(day)
    for exception in element.findall("p:Exceptions/p:Exception", _NS):
        kind = _int(exception, "Type", 1)
        if kind != 1:
            raise MspdiError(f"calendar {uid} has a recurring exception (Type {kind})")
        exceptions.update(dict.fromkeys(_period_dates(exception), _working_times(exception)))
    if element.find("p:WorkWeeks/p:WorkWeek", _NS) is not None:
        raise MspdiError(f"calendar {uid} has alternate work weeks (WorkWeeks)")
    base = _int(element, "BaseCalendarUID", -1)
    return MspdiCalendar(
        uid=uid,
        name=_text(element, "Name") or "",
        base_uid=None if base < 0 else base,
        week=week,
        exceptions=exceptions,
    )


def _resource_calendars(root: ET.Element) -> dict[int, tuple[int, ...]]:
    """Task UID -> calendar UIDs of the resources assigned to it."""
    calendar_of = {
        _int(resource, "UID", -1): _int(resource, "CalendarUID", -1)
        for resource in root.findall("p:Resources/p:Resource", _NS)
    }
    result: dict[int, tuple[int, ...]] = {}
    for assignment in root.findall("p:Assignments/p:Assignment", _NS):
        calendar = calendar_of.get(_int(assignment, "ResourceUID", -1), -1)
        if calendar >= 0:
            task = _int(assignment, "TaskUID", -1)
            result[task] = (*result.get(task, ()), calendar)
    return result


def _link(element: ET.Element) -> PredecessorLink:
    kind = _int(element, "Type", 1)
    if kind not in LINK_TYPES:
        raise MspdiError(f"link type {kind} is not 0..3")
    return PredecessorLink(
        predecessor_uid=_int(element, "PredecessorUID", -1),
        type=LINK_TYPES[kind],
        lag_tenths=_int(element, "LinkLag", 0),
        lag_format=_int(element, "LagFormat", 7),
    )


def _task(element: ET.Element, resource_calendars: dict[int, tuple[int, ...]]) -> MspdiTask:
    uid = _int(element, "UID", -1)
    constraint = _int(element, "ConstraintType", 0)
    if constraint not in CONSTRAINT_TYPES:
        raise MspdiError(f"task {uid} has constraint type {constraint}, not 0..7")
    calendar = _int(element, "CalendarUID", -1)
    return MspdiTask(
        uid=uid,
        id=_int(element, "ID", uid),
        name=_text(element, "Name") or "",
        outline_level=_int(element, "OutlineLevel", 0 if uid == 0 else 1),
        summary=_flag(element, "Summary"),
        milestone=_flag(element, "Milestone"),
        manual=_flag(element, "Manual"),
        duration=parse_duration(_text(element, "Duration") or "PT0H0M0S"),
        duration_format=_int(element, "DurationFormat", 7),
        start=_datetime(_text(element, "Start")),
        finish=_datetime(_text(element, "Finish")),
        constraint=CONSTRAINT_TYPES[constraint],
        constraint_date=_datetime(_text(element, "ConstraintDate")),
        calendar_uid=None if calendar < 0 else calendar,
        links=tuple(map(_link, element.findall("p:PredecessorLink", _NS))),
        resource_calendar_uids=resource_calendars.get(uid, ()),
    )
