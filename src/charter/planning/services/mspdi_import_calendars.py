"""The calendars of an MSPDI file (``charter.engine.mspdi``) that a plan's tasks use, as the
project's own calendars. Charter keeps one set of working hours per calendar: a calendar whose
weekdays have different hours keeps the hours most of them have, and the import report says so.
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from charter.engine.calendar import Interval
from charter.engine.mspdi import MspdiCalendar, MspdiError, MspdiProject, MspdiTask
from charter.planning.choices import ExceptionSource
from charter.planning.models import Calendar, CalendarException, Project
from charter.planning.services.mspdi_import import ImportReport, file_resources

WEEKDAY_NAMES = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)


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


@dataclass(frozen=True)
class _CalendarRows:
    """A file's calendar as the values of Charter's calendar and exception rows."""

    weekdays: str
    hours: str
    exceptions: tuple[tuple[datetime.date, bool, str], ...]  # day, working, own hours


def _calendar_name(source: MspdiProject, uid: int) -> str:
    name = source.calendars[uid].name if uid in source.calendars else ""
    return name or _("Calendar %(uid)d") % {"uid": uid}


def import_calendars(
    project: Project, source: MspdiProject, tasks: list[MspdiTask], report: ImportReport
) -> dict[int, Calendar]:
    """The calendars the tasks and the project use, as this project's own calendars (one with
    the same name is updated, so importing a file again does not pile up copies)."""
    names: set[str] = set()
    calendars = {}
    for uid in _used_calendar_uids(source, tasks):
        name = _calendar_name(source, uid)
        if name in names:
            name = f"{name} ({uid})"
        names.add(name)
        calendars[uid] = _import_calendar(project, source, uid, name[:120], report)
    report.calendars = len(calendars)
    _report_unused(source, tasks, report)
    return calendars


def _chain(source: MspdiProject, uid: int | None) -> Iterator[int]:
    """``uid`` and the base calendars it is built on, as far as the file defines them."""
    seen: set[int] = set()
    while uid is not None and uid in source.calendars and uid not in seen:
        seen.add(uid)
        yield uid
        uid = source.calendars[uid].base_uid


def _report_unused(source: MspdiProject, tasks: list[MspdiTask], report: ImportReport) -> None:
    used = [*_used_calendar_uids(source, tasks), *(r.calendar_uid for r in file_resources(source))]
    reached = {base for uid in used for base in _chain(source, uid)}
    unused = len(set(source.calendars) - reached)
    if unused > 0:
        report.not_mapped.append(
            ngettext(
                "%(count)d calendar of the file is used by no task and no resource: it was not "
                "imported.",
                "%(count)d calendars of the file are used by no task and no resource: they "
                "were not imported.",
                unused,
            )
            % {"count": unused}
        )


def resource_calendar(
    source: MspdiProject, uid: int, *, project: Project, report: ImportReport
) -> Calendar | None:
    """The shared calendar a resource of the file works on: None when it has the project
    calendar's time (a resource calendar Microsoft Project derives from the project calendar
    without changes: the resource then works whatever calendar a project has). It is named
    after the calendar it is built on when it changes nothing of it ("Night shift" rather than
    the resource's name). An equal shared calendar of that name is reused; a shared calendar is
    never rewritten, as other projects' resources may work on it. ValidationError when the
    calendar cannot be read or has no working day."""
    if _same_time(source, uid, source.calendar_uid):
        return None
    chain = [u for u in _chain(source, uid) if not _changes_nothing(source.calendars[u])]
    name = _calendar_name(source, chain[0] if chain else uid)[:120]
    rows = _calendar_rows(source, uid, name, report)
    own_name, other_name = _shared_names(name, project)
    candidates = Calendar.objects.filter(project__isnull=True, name__in=(own_name, other_name))
    for candidate in candidates.prefetch_related("exceptions").order_by("pk"):
        if _rows_of(candidate) == rows:
            return candidate
    calendar = Calendar.objects.create(
        name=other_name if any(c.name == own_name for c in candidates) else own_name,
        working_weekdays=rows.weekdays,
        hours=rows.hours,
        holiday_country="",
    )
    _create_exceptions(calendar, rows)
    return calendar


def _same_time(source: MspdiProject, uid: int, other: int) -> bool:
    try:
        return source.calendar_week(uid) == source.calendar_week(other) and (
            source.calendar_exceptions(uid) == source.calendar_exceptions(other)
        )
    except MspdiError:
        return False  # _calendar_rows says what is wrong with it


def _changes_nothing(calendar: MspdiCalendar) -> bool:
    return calendar.base_uid is not None and not calendar.week and not calendar.exceptions


def _shared_names(name: str, project: Project) -> tuple[str, str]:
    """The name, and the one a calendar takes when a shared calendar with other hours already
    has the name."""
    return name, f"{name[: 117 - len(project.code)]} ({project.code})"


def _rows_of(calendar: Calendar) -> _CalendarRows | None:
    if calendar.holiday_country:
        return None  # it gains public holidays over the years: not the file's calendar
    return _CalendarRows(
        weekdays=calendar.working_weekdays,
        hours=calendar.hours,
        exceptions=tuple(
            (row.day, row.working, row.hours)
            for row in sorted(calendar.exceptions.all(), key=lambda row: row.day)
        ),
    )


def _calendar_rows(
    source: MspdiProject, uid: int, name: str, report: ImportReport
) -> _CalendarRows:
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
    return _CalendarRows(
        weekdays="".join(str(day) for day in range(7) if week[day]),
        hours=_hours_text(usual),
        exceptions=tuple(
            (day, bool(hours), "" if hours in ((), usual) else _hours_text(hours))
            for day, hours in sorted(exceptions.items())
        ),
    )


def _import_calendar(
    project: Project, source: MspdiProject, uid: int, name: str, report: ImportReport
) -> Calendar:
    rows = _calendar_rows(source, uid, name, report)
    calendar = _calendar_row(project, name, weekdays=rows.weekdays, hours=rows.hours)
    _create_exceptions(calendar, rows)
    return calendar


def _create_exceptions(calendar: Calendar, rows: _CalendarRows) -> None:
    CalendarException.objects.bulk_create(
        (
            CalendarException(
                calendar=calendar,
                day=day,
                working=working,
                hours=hours,
                source=ExceptionSource.MANUAL,
            )
            for day, working, hours in rows.exceptions
        ),
        batch_size=1000,
    )


def _report_other_hours(
    name: str, week: list[tuple[Interval, ...]], usual: tuple[Interval, ...], report: ImportReport
) -> None:
    other = [str(WEEKDAY_NAMES[day]) for day, hours in enumerate(week) if hours and hours != usual]
    message = _(
        "Calendar “%(name)s” has other working hours on %(days)s; Charter keeps one set of "
        "hours per calendar, so those days use %(hours)s."
    ) % {"name": name, "days": ", ".join(other), "hours": _hours_text(usual)}
    # Several resources may work on one calendar of the file: said once.
    if other and message not in report.not_mapped:
        report.not_mapped.append(message)


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
