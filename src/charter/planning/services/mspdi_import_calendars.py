"""The calendars of an MSPDI file (``charter.engine.mspdi``) that a plan's tasks use, as the
project's own calendars. Charter keeps one set of working hours per calendar: a calendar whose
weekdays have different hours keeps the hours most of them have, and the import report says so.
"""

from collections import Counter
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from charter.engine.calendar import Interval
from charter.engine.mspdi import MspdiError, MspdiProject, MspdiTask
from charter.planning.choices import ExceptionSource
from charter.planning.models import Calendar, CalendarException, Project
from charter.planning.services.mspdi_import import ImportReport

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


def import_calendars(
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
