"""Microsoft Project XML (MSPDI) exchange of a project's plan: :func:`export_plan` writes the
plan as a file Microsoft Project and ProjectLibre open; :func:`import_plan` replaces the plan
with the one a file holds and reports, line by line, what the file holds that Charter does not
carry (resources, recurring calendar exceptions, elapsed lags turned into working time...).

The engine reads and writes the format (``charter.engine.mspdi`` / ``mspdi_writer``); this
module maps it to the planning models. Dates in the file are naive local times of the site's
time zone, as the engine works in (``planning.adapters``). Charter keeps one set of working
hours per calendar and durations and lags in working minutes: a calendar whose weekdays differ,
an elapsed duration or lag and a percentage lag are converted, and each conversion is reported.
"""

import datetime
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from charter.core import audit
from charter.core.choices import ACTION_LABELS, CHANGE_LABELS
from charter.engine.calendar import Interval, WorkCalendar
from charter.engine.model import Constraint, CycleError, LinkType
from charter.engine.mspdi import (
    MspdiBaseline,
    MspdiCalendar,
    MspdiError,
    MspdiProject,
    MspdiTask,
    PredecessorLink,
    parse_project,
)
from charter.engine.mspdi_writer import write_project
from charter.planning.adapters import (
    PlanTooLong,
    project_calendar,
    project_work_calendar,
    schedule_project,
    to_aware,
    to_local,
)
from charter.planning.choices import ExceptionSource
from charter.planning.models import (
    BASELINE_SLOTS,
    MINUTES_PER_DAY,
    Baseline,
    BaselineTask,
    Calendar,
    CalendarException,
    Dependency,
    Project,
    Task,
)
from charter.planning.models.calendars import parse_hours
from charter.planning.services.baselines import slot_name
from charter.planning.services.wbs import renumber

ACTION_LABELS.update({"imported": gettext_lazy("imported a Microsoft Project plan into")})
CHANGE_LABELS.update(
    {
        "tasks": gettext_lazy("tasks"),
        "links": gettext_lazy("links"),
        "calendars": gettext_lazy("calendars"),
        "baselines": gettext_lazy("baselines"),
        "replaced": gettext_lazy("replaced the plan"),
    }
)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
DAYS_FORMAT = 7  # MSPDI DurationFormat / LagFormat 7: days
MINUTES_PER_CALENDAR_DAY = 24 * 60
CALENDAR_MARGIN = datetime.timedelta(days=31)
WEEKDAY_NAMES = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)


@dataclass
class ImportReport:
    """What an import created, and every line of the file it could not carry as it was."""

    tasks: int = 0
    links: int = 0
    calendars: int = 0
    baselines: int = 0
    not_mapped: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "tasks": self.tasks,
            "links": self.links,
            "calendars": self.calendars,
            "baselines": self.baselines,
        }


# ---- export ---------------------------------------------------------------------------------


def export_plan(project: Project) -> bytes:
    """The plan of ``project`` as an MSPDI document (UTF-8 XML)."""
    return write_project(plan_as_mspdi(project))


def plan_as_mspdi(project: Project) -> MspdiProject:
    """Every task in plan order with its links, calendar and saved baselines; the project
    calendar and the task calendars with their exceptions. No resources: Charter has none."""
    tasks = list(Task.objects.filter(project=project).order_by("position", "pk"))
    calendar = project_calendar(project)
    calendar_uids, calendars = _export_calendars(calendar, tasks)
    uids = _task_uids(tasks)
    links = _links_by_successor(project, uids)
    baselines = _baselines_by_task(project)
    work = project_work_calendar(project, tasks)
    finish = to_local(project.finish_date)
    return MspdiProject(
        name=project.name,
        title=project.name,
        start=datetime.datetime.combine(project.start_date, _first_working_time(calendar)),
        finish=finish,
        calendar_uid=calendar_uids[calendar.pk],
        minutes_per_day=MINUTES_PER_DAY,
        calendars=calendars,
        currency_code=project.currency,
        tasks=[
            _export_task(
                task,
                row_id=number,
                uid=uids[task.pk],
                calendar_uid=calendar_uids.get(task.calendar_id) if task.calendar_id else None,
                links=links.get(task.pk, ()),
                baselines=baselines.get(task.pk, ()),
                work=work,
            )
            for number, task in enumerate(tasks, start=1)
        ],
    )


def _first_working_time(calendar: Calendar) -> datetime.time:
    intervals = calendar.intervals
    minute = intervals[0][0] if intervals else 0
    return datetime.time(minute // 60, minute % 60)


def _task_uids(tasks: list[Task]) -> dict[int, int]:
    """Task pk -> MSPDI UID: the UID it was imported with, else a new one above all of them, so
    a plan that came from Microsoft Project goes back with its own UIDs."""
    taken = {task.external_uid for task in tasks if task.external_uid}
    fresh = iter(range(max(taken, default=0) + 1, 2**31))
    uids: dict[int, int] = {}
    used: set[int] = set()
    for task in tasks:
        uid = task.external_uid if task.external_uid and task.external_uid not in used else None
        uids[task.pk] = uid if uid is not None else next(fresh)
        used.add(uids[task.pk])
    return uids


def _export_calendars(
    calendar: Calendar, tasks: list[Task]
) -> tuple[dict[int, int], dict[int, MspdiCalendar]]:
    """The project calendar (UID 1) and the task calendars; calendar pk -> UID and the
    calendars by UID."""
    task_calendars = {task.calendar_id for task in tasks if task.calendar_id} - {calendar.pk}
    others = Calendar.objects.filter(pk__in=task_calendars).order_by("pk")
    rows = [calendar, *others]
    exceptions: dict[int, list[CalendarException]] = defaultdict(list)
    for exception in CalendarException.objects.filter(calendar__in=rows).order_by("day"):
        exceptions[exception.calendar_id].append(exception)
    uids = {row.pk: number for number, row in enumerate(rows, start=1)}
    return uids, {
        uids[row.pk]: _export_calendar(row, uids[row.pk], exceptions[row.pk]) for row in rows
    }


def _export_calendar(
    calendar: Calendar, uid: int, exceptions: Iterable[CalendarException]
) -> MspdiCalendar:
    usual = tuple(calendar.intervals)
    weekdays = set(calendar.weekdays)
    return MspdiCalendar(
        uid=uid,
        name=calendar.name,
        base_uid=None,
        week={day: usual if day in weekdays else () for day in range(7)},
        exceptions={
            row.day: (tuple(parse_hours(row.hours)) if row.hours else usual) if row.working else ()
            for row in exceptions
        },
    )


def _links_by_successor(project: Project, uids: dict[int, int]) -> dict[int, list[PredecessorLink]]:
    links: dict[int, list[PredecessorLink]] = defaultdict(list)
    rows = Dependency.objects.filter(project=project).order_by("pk")
    for predecessor, successor, kind, lag in rows.values_list(
        "predecessor_id", "successor_id", "type", "lag"
    ):
        links[successor].append(
            PredecessorLink(uids[predecessor], LinkType(kind), lag * 10, DAYS_FORMAT)
        )
    return links


def _baselines_by_task(project: Project) -> dict[int, list[MspdiBaseline]]:
    baselines: dict[int, list[MspdiBaseline]] = defaultdict(list)
    rows = BaselineTask.objects.filter(baseline__project=project).order_by("baseline__number", "pk")
    for row in rows.values("task_id", "baseline__number", "start", "finish", "duration", "cost"):
        baselines[row["task_id"]].append(
            MspdiBaseline(
                number=row["baseline__number"],
                start=to_local(row["start"]),
                finish=to_local(row["finish"]),
                duration=row["duration"],
                cost=row["cost"],
            )
        )
    return baselines


def _export_task(
    task: Task,
    *,
    row_id: int,
    uid: int,
    calendar_uid: int | None,
    links: Iterable[PredecessorLink],
    baselines: Iterable[MspdiBaseline],
    work: WorkCalendar,
) -> MspdiTask:
    start, finish = to_local(task.start), to_local(task.finish)
    return MspdiTask(
        uid=uid,
        id=row_id,
        name=task.name,
        outline_level=task.outline_level,
        summary=task.is_summary,
        milestone=task.is_milestone,
        manual=False,
        duration=_exported_duration(task, start, finish, work),
        duration_format=DAYS_FORMAT,
        start=start,
        finish=finish,
        constraint=Constraint(task.constraint_type),
        constraint_date=to_local(task.constraint_date),
        calendar_uid=calendar_uid,
        links=tuple(links),
        wbs=task.wbs,
        outline_number=task.wbs,
        priority=task.priority,
        percent_complete=task.percent_complete,
        actual_start=to_local(task.actual_start),
        actual_finish=to_local(task.actual_finish),
        notes=task.notes,
        baselines=tuple(baselines),
    )


def _exported_duration(
    task: Task,
    start: datetime.datetime | None,
    finish: datetime.datetime | None,
    work: WorkCalendar,
) -> int:
    """A summary task's duration is the working time its dates span (on the project calendar,
    as Microsoft Project measures it); a milestone has none."""
    if task.is_milestone:
        return 0
    if not task.is_summary or start is None or finish is None:
        return task.duration
    try:
        return max(work.working_minutes(start, finish), 0)
    except ValueError:  # dates outside the calendar's range: keep what is stored
        return task.duration


# ---- import: reading the file ---------------------------------------------------------------


def read_mspdi(data: bytes) -> MspdiProject:
    """The file as the engine reads it; ValidationError with a plain reason when it is too
    large, not XML, or not a Microsoft Project XML file."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationError(too_large_message())
    try:
        # S314: expat resolves no external entities and stops entity-expansion bombs (see
        # charter.engine.mspdi.read_project); bytes let expat honour the declared encoding.
        root = ET.fromstring(data)  # noqa: S314
    except ET.ParseError as error:
        line, column = error.position
        raise ValidationError(
            _("The file is not well-formed XML (line %(line)d, column %(column)d).")
            % {"line": line, "column": column}
        ) from error
    try:
        return parse_project(root)
    except (MspdiError, ValueError, KeyError) as error:
        raise ValidationError(
            _(
                "This is not a Microsoft Project XML file Charter can read: %(reason)s. Save the "
                "plan in Microsoft Project as “XML Format (*.xml)” and upload that file."
            )
            % {"reason": error}
        ) from error


def check_upload_size(upload: Any) -> None:
    """ValidationError when an uploaded file is larger than an import takes."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(too_large_message())


def read_upload(upload: Any) -> bytes:
    """The bytes of an uploaded file, refused before reading when it is too large."""
    check_upload_size(upload)
    return bytes(upload.read())


def too_large_message() -> str:
    return _("The file is larger than %(size)d MB; Charter imports plans up to that size.") % {
        "size": MAX_UPLOAD_BYTES // (1024 * 1024)
    }


class _FileTime:
    """Working time on the file's own calendars, to turn elapsed durations and manually placed
    tasks into working minutes the way Microsoft Project laid them out."""

    def __init__(self, source: MspdiProject) -> None:
        self.source = source
        moments = [source.start, *_file_moments(source.tasks)]
        self.first = min(moments).date() - CALENDAR_MARGIN
        self.last = max(moments).date() + CALENDAR_MARGIN
        self._calendars: dict[int, WorkCalendar] = {}

    def working_minutes(
        self, calendar_uid: int | None, start: datetime.datetime, finish: datetime.datetime
    ) -> int:
        uid = self.source.calendar_uid if calendar_uid is None else calendar_uid
        if uid not in self._calendars:
            self._calendars[uid] = WorkCalendar(
                self.first,
                self.last,
                self.source.calendar_week(uid),
                self.source.calendar_exceptions(uid),
            )
        return max(self._calendars[uid].working_minutes(start, finish), 0)


def _file_moments(tasks: Iterable[MspdiTask]) -> Iterator[datetime.datetime]:
    for task in tasks:
        for moment in (task.start, task.finish, task.constraint_date):
            if moment is not None:
                yield moment


def _label(task: MspdiTask) -> str:
    return f"{task.uid} “{task.name}”"


def _days(minutes: int) -> str:
    return f"{(Decimal(minutes) / MINUTES_PER_DAY).quantize(Decimal('0.001')).normalize():f}"


# ---- import: calendars ----------------------------------------------------------------------


def _used_calendar_uids(source: MspdiProject, tasks: list[MspdiTask]) -> list[int]:
    uids = [source.calendar_uid]
    for task in tasks:
        if task.calendar_uid is not None and task.calendar_uid not in uids:
            uids.append(task.calendar_uid)
    return uids


def _usual_hours(week: list[tuple[Interval, ...]]) -> tuple[Interval, ...]:
    """The hours most working weekdays have (the earliest weekday's on a tie)."""
    counts = Counter(hours for hours in week if hours)
    return max(counts, key=lambda hours: (counts[hours], -week.index(hours)))


def _hours_text(hours: Iterable[Interval]) -> str:
    return ",".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in hours)


def _import_calendars(
    project: Project, source: MspdiProject, tasks: list[MspdiTask], report: ImportReport
) -> dict[int, Calendar]:
    """The calendars the tasks and the project use, as this project's own calendars (one with
    the same name is updated, so importing a file again does not pile up copies)."""
    uids = _used_calendar_uids(source, tasks)
    names: set[str] = set()
    calendars = {}
    for uid in uids:
        name = (source.calendars[uid].name if uid in source.calendars else "") or _(
            "Calendar %(uid)d"
        ) % {"uid": uid}
        if name in names:
            name = f"{name} ({uid})"
        names.add(name)
        calendars[uid] = _import_calendar(project, source, uid, name[:120], report)
    report.calendars = len(calendars)
    unused = len(source.calendars) - len(calendars)
    if unused > 0:
        report.not_mapped.append(
            ngettext(
                "%(count)d calendar of the file is used by no task (a resource or base "
                "calendar) and was not imported; a base calendar's hours and exceptions are "
                "part of the calendars built on it.",
                "%(count)d calendars of the file are used by no task (resource or base "
                "calendars) and were not imported; a base calendar's hours and exceptions are "
                "part of the calendars built on it.",
                unused,
            )
            % {"count": unused}
        )
    return calendars


def _import_calendar(
    project: Project, source: MspdiProject, uid: int, name: str, report: ImportReport
) -> Calendar:
    try:
        week = source.calendar_week(uid)
        exceptions = source.calendar_exceptions(uid)
    except MspdiError as error:
        raise ValidationError(
            _("The file's calendars cannot be read: %(reason)s.") % {"reason": error}
        ) from error
    if not any(week):
        raise ValidationError(
            _("Calendar “%(name)s” has no working day in its week: nothing can be scheduled on it.")
            % {"name": name}
        )
    usual = _usual_hours(week)
    _report_other_hours(name, week, usual, report)
    calendar = _calendar_row(
        project,
        name,
        weekdays="".join(str(day) for day in range(7) if week[day]),
        hours=_hours_text(usual),
    )
    CalendarException.objects.bulk_create(
        (
            CalendarException(
                calendar=calendar,
                day=day,
                working=bool(hours),
                hours="" if hours in ((), usual) else _hours_text(hours),
                source=ExceptionSource.MANUAL,
            )
            for day, hours in sorted(exceptions.items())
        ),
        batch_size=1000,
    )
    return calendar


def _report_other_hours(
    name: str, week: list[tuple[Interval, ...]], usual: tuple[Interval, ...], report: ImportReport
) -> None:
    other = [str(WEEKDAY_NAMES[day]) for day, hours in enumerate(week) if hours and hours != usual]
    if other:
        report.not_mapped.append(
            _(
                "Calendar “%(name)s” has other working hours on %(days)s; Charter keeps one set "
                "of hours per calendar, so those days use %(hours)s."
            )
            % {"name": name, "days": ", ".join(other), "hours": _hours_text(usual)}
        )


def _calendar_row(project: Project, name: str, *, weekdays: str, hours: str) -> Calendar:
    existing = (
        Calendar.objects.select_for_update().filter(project=project, name=name).order_by("pk")
    ).first()
    values = {"working_weekdays": weekdays, "hours": hours, "holiday_country": ""}
    if existing is None:
        return Calendar.objects.create(project=project, name=name, **values)
    Calendar.objects.filter(pk=existing.pk).update(
        **values, holidays_through=None, version=F("version") + 1, updated_at=timezone.now()
    )
    existing.exceptions.all().delete()
    existing.refresh_from_db()
    return existing


# ---- import: tasks, links, baselines --------------------------------------------------------


@dataclass(frozen=True)
class _Timing:
    duration: int
    constraint: Constraint
    constraint_date: datetime.datetime | None


def _timing(
    task: MspdiTask, source: MspdiProject, time: _FileTime, report: ImportReport
) -> _Timing:
    """Duration (working minutes) and constraint of ``task`` as Charter schedules it."""
    constraint, constraint_date = task.constraint, task.constraint_date
    if constraint in (Constraint.ASAP, Constraint.ALAP):
        constraint_date = None
    elif constraint_date is None:
        report.not_mapped.append(
            _(
                "Task %(task)s has a constraint without a date: it is imported as “as soon as "
                "possible”."
            )
            % {"task": _label(task)}
        )
        constraint = Constraint.ASAP
    if task.milestone:
        return _Timing(0, constraint, constraint_date)
    if task.manual and task.start and task.finish and not task.summary:
        # The reader's warning says its dates are kept: pin it where the file placed it.
        span = time.working_minutes(task.calendar_uid, task.start, task.finish)
        return _Timing(span, Constraint.MSO, task.start)
    duration = max(task.duration, 0)
    if task.elapsed and not task.summary:
        duration = _elapsed_duration(task, source, time)
        report.not_mapped.append(
            _(
                "Task %(task)s has an elapsed duration: it is imported as the working time it "
                "spans, %(days)s d."
            )
            % {"task": _label(task), "days": _days(duration)}
        )
    return _Timing(duration, constraint, constraint_date)


def _elapsed_duration(task: MspdiTask, source: MspdiProject, time: _FileTime) -> int:
    if task.start is not None and task.finish is not None:
        return time.working_minutes(task.calendar_uid, task.start, task.finish)
    return round(task.duration * source.minutes_per_day / MINUTES_PER_CALENDAR_DAY)


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    return None if moment is None else to_aware(moment)


def _task_row(
    project: Project,
    task: MspdiTask,
    *,
    parent: Task | None,
    order: int,
    calendar: Calendar | None,
    timing: _Timing,
) -> Task:
    actual_start, actual_finish = _aware(task.actual_start), _aware(task.actual_finish)
    if actual_start and actual_finish and actual_finish < actual_start:
        actual_finish = actual_start
    return Task(
        project=project,
        parent=parent,
        order=order,
        name=task.name[:200],
        is_milestone=task.milestone,
        duration=timing.duration,
        priority=min(max(task.priority, 1), 1000),
        percent_complete=min(max(task.percent_complete, 0), 100),
        actual_start=actual_start or (actual_finish if actual_finish else None),
        actual_finish=actual_finish,
        constraint_type=timing.constraint.value,
        constraint_date=_aware(timing.constraint_date),
        calendar=calendar,
        notes=task.notes,
        external_uid=task.uid if task.uid >= 0 else None,
    )


def _outline_parents(tasks: list[MspdiTask]) -> dict[int, int | None]:
    """Task UID -> the UID of its summary task: the nearest task above it one outline level up."""
    parents: dict[int, int | None] = {}
    above: list[MspdiTask] = []
    for task in tasks:
        while above and above[-1].outline_level >= task.outline_level:
            above.pop()
        parents[task.uid] = above[-1].uid if above else None
        above.append(task)
    return parents


def _depths(parents: dict[int, int | None]) -> dict[int, int]:
    depths: dict[int, int] = {}
    for uid, parent in parents.items():  # a summary task comes before its children
        depths[uid] = 0 if parent is None else depths[parent] + 1
    return depths


def _import_tasks(
    project: Project,
    source: MspdiProject,
    tasks: list[MspdiTask],
    parents: dict[int, int | None],
    calendars: dict[int, Calendar],
    report: ImportReport,
) -> dict[int, Task]:
    """Tasks by UID, created level by level so a summary task has its pk before its children
    need it."""
    time = _FileTime(source)
    depths = _depths(parents)
    rows: dict[int, Task] = {}
    order_of: dict[int | None, int] = defaultdict(int)
    for level in sorted(set(depths.values())):
        batch = []
        for task in (t for t in tasks if depths[t.uid] == level):
            parent_uid = parents[task.uid]
            order_of[parent_uid] += 1
            rows[task.uid] = _task_row(
                project,
                task,
                parent=rows[parent_uid] if parent_uid is not None else None,
                order=order_of[parent_uid],
                calendar=calendars[task.calendar_uid] if task.calendar_uid is not None else None,
                timing=_timing(task, source, time, report),
            )
            batch.append(rows[task.uid])
        Task.objects.bulk_create(batch, batch_size=500)
    report.tasks = len(rows)
    return rows


def _is_ancestor(parents: dict[int, int | None], ancestor: int, uid: int) -> bool:
    current = parents.get(uid)
    while current is not None:
        if current == ancestor:
            return True
        current = parents.get(current)
    return False


def _import_links(
    project: Project,
    source: MspdiProject,
    tasks: list[MspdiTask],
    parents: dict[int, int | None],
    rows: dict[int, Task],
    report: ImportReport,
) -> None:
    links: dict[tuple[int, int], Dependency] = {}
    for task in tasks:
        for link in task.links:
            problem = _link_problem(link, task, parents, links, rows)
            if problem:
                report.not_mapped.append(problem)
                continue
            predecessor, successor = rows[link.predecessor_uid], rows[task.uid]
            links[predecessor.pk, successor.pk] = Dependency(
                project=project,
                predecessor=predecessor,
                successor=successor,
                type=link.type.value,
                lag=_lag(link, task, predecessor, source, report),
            )
    Dependency.objects.bulk_create(links.values(), batch_size=1000)
    report.links = len(links)


def _link_problem(
    link: PredecessorLink,
    task: MspdiTask,
    parents: dict[int, int | None],
    links: dict[tuple[int, int], Dependency],
    rows: dict[int, Task],
) -> str | None:
    """Why a link of the file is left out, or None to import it."""
    names = {"task": _label(task), "uid": link.predecessor_uid}
    if link.predecessor_uid not in rows or link.predecessor_uid == task.uid:
        return (
            _(
                "A link into task %(task)s comes from task %(uid)d, which is not in the plan: "
                "not imported."
            )
            % names
        )
    if (rows[link.predecessor_uid].pk, rows[task.uid].pk) in links:
        return (
            _("Task %(task)s is linked to task %(uid)d twice: only the first link is imported.")
            % names
        )
    if _is_ancestor(parents, link.predecessor_uid, task.uid) or _is_ancestor(
        parents, task.uid, link.predecessor_uid
    ):
        return (
            _(
                "Task %(task)s is linked to task %(uid)d, its own summary task or a task inside "
                "it: such a link has no meaning and is not imported."
            )
            % names
        )
    return None


def _lag(
    link: PredecessorLink,
    task: MspdiTask,
    predecessor: Task,
    source: MspdiProject,
    report: ImportReport,
) -> int:
    """The lag in working minutes. MSPDI gives a percentage lag in percent of the predecessor's
    duration, any other in tenths of a minute (an elapsed one in calendar time)."""
    if link.percent_lag:
        lag = round(predecessor.duration * link.lag_tenths / 100)
        message = _(
            "The link into task %(task)s has a lag in percent of its predecessor's duration: "
            "it is imported as %(days)s d of working time."
        )
    elif link.elapsed_lag:
        lag = round(link.lag_tenths / 10 * source.minutes_per_day / MINUTES_PER_CALENDAR_DAY)
        message = _(
            "The link into task %(task)s has an elapsed lag: it is imported as %(days)s d of "
            "working time."
        )
    else:
        return link.lag_minutes
    report.not_mapped.append(message % {"task": _label(task), "days": _days(lag)})
    return lag


def _import_baselines(
    project: Project,
    tasks: list[MspdiTask],
    rows: dict[int, Task],
    *,
    actor: Any,
    report: ImportReport,
) -> None:
    by_number: dict[int, list[tuple[Task, MspdiBaseline]]] = defaultdict(list)
    for task in tasks:
        for baseline in task.baselines:
            if 0 <= baseline.number < BASELINE_SLOTS:
                by_number[baseline.number].append((rows[task.uid], baseline))
    saved_by = actor if getattr(actor, "is_authenticated", False) else None
    for number, entries in sorted(by_number.items()):
        starts = [b.start for _task, b in entries if b.start is not None]
        finishes = [b.finish for _task, b in entries if b.finish is not None]
        header = Baseline.objects.create(
            project=project,
            number=number,
            name=slot_name(number),
            start=_aware(min(starts, default=None)),
            finish=_aware(max(finishes, default=None)),
            saved_by=saved_by,
        )
        BaselineTask.objects.bulk_create(
            (
                BaselineTask(
                    baseline=header,
                    task=task,
                    start=_aware(baseline.start),
                    finish=_aware(baseline.finish),
                    duration=max(baseline.duration or 0, 0),
                    cost=baseline.cost or Decimal(0),
                )
                for task, baseline in entries
            ),
            batch_size=1000,
        )
    report.baselines = len(by_number)


def _report_resources(source: MspdiProject, report: ImportReport) -> None:
    if source.resources or source.assignments:
        report.not_mapped.append(
            _(
                "Resources: %(resources)d, assignments: %(assignments)d, not imported: Charter "
                "has no resources yet."
            )
            % {"resources": len(source.resources), "assignments": len(source.assignments)}
        )


# ---- import: the service --------------------------------------------------------------------


@transaction.atomic
def import_plan(project: Project, data: bytes, *, actor: Any, replace: bool) -> ImportReport:
    """Replace the plan of ``project`` with the MSPDI file ``data``: calendars, tasks, links,
    constraints, progress and baselines; the project's start and calendar become the file's;
    then the plan is renumbered and rescheduled. All or nothing: ValidationError (nothing
    written) for a file that cannot be read, a plan that cannot be scheduled, or — without
    ``replace`` — a project that already has tasks. Locks the project row."""
    source = read_mspdi(data)
    locked = Project.objects.select_for_update().get(pk=project.pk)
    before = Task.objects.filter(project=project).count()
    if before and not replace:
        raise ValidationError(
            {
                "replace": ngettext(
                    "This project already has a plan of %(count)d task. Tick “replace the "
                    "current plan” to import over it; nothing was changed.",
                    "This project already has a plan of %(count)d tasks. Tick “replace the "
                    "current plan” to import over it; nothing was changed.",
                    before,
                )
                % {"count": before}
            }
        )
    if replace:
        Task.objects.filter(project=project).delete()
        Baseline.objects.filter(project=project).delete()
    tasks = _plan_tasks(source)
    parents = _outline_parents(tasks)
    report = ImportReport(not_mapped=list(source.warnings))
    calendars = _import_calendars(project, source, tasks, report)
    rows = _import_tasks(project, source, tasks, parents, calendars, report)
    _import_links(project, source, tasks, parents, rows, report)
    _import_baselines(project, tasks, rows, actor=actor, report=report)
    _report_resources(source, report)
    changes = _take_project_settings(project, locked, source, calendars[source.calendar_uid])
    renumber(project)
    _schedule(project)
    audit.record(
        project,
        "imported",
        actor=actor,
        changes={
            "tasks": [before, report.tasks],
            "links": [None, report.links],
            "calendars": [None, report.calendars],
            "baselines": [None, report.baselines],
            "replaced": [None, bool(before)],
            **changes,
        },
    )
    return report


def _plan_tasks(source: MspdiProject) -> list[MspdiTask]:
    """The file's tasks but the project summary task (UID 0, which Microsoft Project derives);
    ValidationError when two tasks share a UID, which links could not tell apart."""
    tasks = [task for task in source.tasks if task.uid != 0 and task.outline_level > 0]
    repeated = sorted(uid for uid, count in Counter(t.uid for t in tasks).items() if count > 1)
    if repeated:
        raise ValidationError(
            _("Several tasks of the file have the same UID (%(uids)s); the file is damaged.")
            % {"uids": ", ".join(map(str, repeated))}
        )
    return tasks


def _take_project_settings(
    project: Project, locked: Project, source: MspdiProject, calendar: Calendar
) -> dict[str, list[Any]]:
    """The project starts when the file's project starts, on the file's project calendar."""
    start = source.start.date()
    changes: dict[str, list[Any]] = {}
    if locked.start_date != start:
        changes["start_date"] = [locked.start_date.isoformat(), start.isoformat()]
    if locked.calendar_id != calendar.pk:
        changes["calendar"] = [str(locked.calendar) if locked.calendar_id else None, str(calendar)]
    Project.objects.filter(pk=project.pk).update(
        start_date=start, calendar=calendar, version=F("version") + 1, updated_at=timezone.now()
    )
    project.start_date, project.calendar, project.version = start, calendar, locked.version + 1
    return changes


def _schedule(project: Project) -> None:
    try:
        schedule_project(project)
    except CycleError as cycle:
        names = dict(Task.objects.filter(pk__in=cycle.tasks).values_list("pk", "name"))
        path = " → ".join(names[pk] for pk in [*cycle.tasks, cycle.tasks[0]])
        raise ValidationError(
            _("The file's links form a loop, so the plan cannot be scheduled: %(path)s.")
            % {"path": path}
        ) from cycle
    except (PlanTooLong, ValueError) as error:
        raise ValidationError(
            _("The imported plan cannot be scheduled: %(reason)s.") % {"reason": error}
        ) from error
