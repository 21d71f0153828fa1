"""Working calendars: their week and hours, days entered by hand, and the engine's calendar
built from those rows. Public holidays and 调休 make-up workdays are imported as editable
exceptions in ``charter.planning.services.holidays``.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from charter.core import audit
from charter.core.choices import ACTION_LABELS, CHANGE_LABELS
from charter.core.concurrency import update_versioned
from charter.planning.choices import ExceptionSource
from charter.planning.models import Calendar, CalendarException, Project
from charter.planning.models.calendars import parse_hours
from charter.planning.services.holidays import (
    holiday_country_choices,
    import_public_holidays,
    library_years,
)

ACTION_LABELS.update(
    {
        "exception_added": gettext_lazy("added a calendar exception to"),
        "exception_changed": gettext_lazy("changed a calendar exception of"),
        "exception_deleted": gettext_lazy("deleted a calendar exception of"),
    }
)
CHANGE_LABELS.update({"exception": gettext_lazy("calendar exception")})

CALENDAR_FIELDS = (
    "name",
    "working_weekdays",
    "hours",
    "holiday_country",
    "is_default",
    "holidays_through",
)
EXCEPTION_FIELDS = ("day", "working", "hours", "name")

STANDARD_HOURS = "09:00-12:00,13:00-18:00"


# ---- calendars -----------------------------------------------------------------------------


def _weekdays_text(value: str | Iterable[int | str]) -> str:
    """``[0, 1, 2, 3, 4]``, ``["0", "1"]`` or ``"01234"`` → ``"01234"`` (sorted, once each)."""
    digits = {str(day).strip() for day in value}
    if not digits:
        raise ValidationError({"working_weekdays": _("Choose at least one working weekday.")})
    if not digits <= set("0123456"):
        raise ValidationError(
            {"working_weekdays": _("Weekdays are numbers from 0 (Monday) to 6 (Sunday).")}
        )
    return "".join(sorted(digits))


def _check_hours(text: str, field: str = "hours") -> str:
    """The hours as stored (``09:00-12:00,13:00-18:00``); ValidationError on ``field``."""
    try:
        intervals = parse_hours(text)
    except ValueError:
        intervals = []
    if not intervals:
        raise ValidationError(
            {
                field: _(
                    "Write the working hours as from-to times separated by commas, in order, "
                    "for example 09:00-12:00,13:00-18:00."
                )
            }
        )
    return ",".join(f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}" for s, e in intervals)


def _check_calendar(calendar: Calendar) -> None:
    calendar.name = (calendar.name or "").strip()
    calendar.working_weekdays = _weekdays_text(calendar.working_weekdays)
    calendar.hours = _check_hours(calendar.hours)
    if calendar.holiday_country not in dict(holiday_country_choices()):
        raise ValidationError({"holiday_country": _("Choose one of the countries offered.")})
    through = calendar.holidays_through
    if through is not None and not 1900 <= through <= 2200:
        raise ValidationError({"holidays_through": _("Enter a year such as 2027.")})
    if calendar.is_default and calendar.project_id is not None:
        raise ValidationError(
            {"is_default": _("Only a shared calendar can be the default for new projects.")}
        )
    calendar.full_clean(exclude=["version", "project", "created_by"])


def _only_default(calendar: Calendar) -> None:
    if calendar.is_default:
        others = Calendar.objects.filter(is_default=True).exclude(pk=calendar.pk)
        others.update(is_default=False)


@transaction.atomic
def create_calendar(
    *,
    actor: Any,
    name: str,
    project: Project | None = None,
    working_weekdays: str | Iterable[int | str] = "01234",
    hours: str = STANDARD_HOURS,
    holiday_country: str = "CN",
    is_default: bool = False,
) -> Calendar:
    """A calendar, shared or (with ``project``) the project's own; ``is_default`` takes the
    default from the calendar that had it. ValidationError (nothing written) for bad values.
    Public holidays come with :func:`holidays.import_public_holidays`."""
    calendar = Calendar(
        name=name,
        project=project,
        working_weekdays=_weekdays_text(working_weekdays),
        hours=hours,
        holiday_country=holiday_country,
        is_default=is_default,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _check_calendar(calendar)
    calendar.save()
    _only_default(calendar)
    audit.record_created(calendar, CALENDAR_FIELDS, actor=actor)
    return calendar


@transaction.atomic
def update_calendar(
    calendar: Calendar, *, actor: Any, expected_version: int, **changes: Any
) -> Calendar:
    """Edit a calendar's name, week, hours, holiday country, default flag or the last year its
    holiday data covers (raise it after entering a new year's holidays by hand). Changing the
    country removes the days imported for the old one. StaleEdit (nothing written) if saved
    since ``expected_version``; ValidationError for bad values."""
    if unknown := set(changes) - set(CALENDAR_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    before = audit.snapshot(calendar, CALENDAR_FIELDS)
    for name, value in changes.items():
        setattr(calendar, name, value)
    country_changed = calendar.holiday_country != before["holiday_country"]
    if country_changed and "holidays_through" not in changes:
        calendar.holidays_through = None
    _check_calendar(calendar)
    update_versioned(calendar, expected_version=expected_version, fields=CALENDAR_FIELDS)
    _only_default(calendar)
    changed = audit.diff(before, audit.snapshot(calendar, CALENDAR_FIELDS))
    if country_changed:
        removed, _by_model = calendar.exceptions.filter(source=ExceptionSource.LIBRARY).delete()
        if removed:
            changed["days_removed"] = [None, removed]
    if changed:
        audit.record(calendar, "updated", actor=actor, changes=changed)
    return calendar


def calendar_users(calendar: Calendar) -> tuple[list[Project], int]:
    """The projects using ``calendar`` as their calendar, and how many tasks use it."""
    return list(calendar.projects.order_by("code")), calendar.tasks.count()


@transaction.atomic
def delete_calendar(calendar: Calendar, *, actor: Any) -> None:
    """Delete a calendar and its exceptions; refused (ValidationError) while a project or a
    task uses it."""
    locked = Calendar.objects.select_for_update().get(pk=calendar.pk)
    projects, task_count = calendar_users(locked)
    if projects or task_count:
        raise ValidationError(_in_use_message(projects, task_count), code="in_use")
    before = audit.snapshot(locked, CALENDAR_FIELDS)
    audit.record(locked, "deleted", actor=actor, changes={k: [v, None] for k, v in before.items()})
    locked.delete()


def _in_use_message(projects: list[Project], task_count: int) -> str:
    sentences = []
    if projects:
        codes = ", ".join(project.code for project in projects)
        sentences.append(_("Projects %(codes)s use this calendar.") % {"codes": codes})
    if task_count:
        sentences.append(
            ngettext(
                "%(count)d task uses this calendar.",
                "%(count)d tasks use this calendar.",
                task_count,
            )
            % {"count": task_count}
        )
    sentences.append(_("Choose another calendar for them first."))
    return " ".join(sentences)


# ---- exceptions entered by hand ------------------------------------------------------------


def _check_exception(exception: CalendarException) -> None:
    exception.name = (exception.name or "").strip()
    exception.hours = (exception.hours or "").strip()
    if exception.hours and not exception.working:
        raise ValidationError({"hours": _("Only a working day has working hours.")})
    if exception.hours:
        exception.hours = _check_hours(exception.hours)
    taken = CalendarException.objects.filter(calendar=exception.calendar, day=exception.day)
    if taken.exclude(pk=exception.pk).exists():
        raise ValidationError({"day": _("This date already has an entry; edit that one.")})
    exception.full_clean(exclude=["calendar"], validate_unique=False, validate_constraints=False)


def _describe(exception: CalendarException) -> str:
    kind = _("working day") if exception.working else _("day off")
    hours = f" {exception.hours}" if exception.hours else ""
    return f"{exception.day.isoformat()} {kind}{hours} {exception.name}".strip()


@transaction.atomic
def add_exception(
    calendar: Calendar,
    *,
    actor: Any,
    day: datetime.date,
    working: bool = False,
    hours: str = "",
    name: str = "",
) -> CalendarException:
    """A day entered by hand: a day off, or a working day (with its own hours, or the
    calendar's). Imports never change it. ValidationError when the date already has one."""
    exception = CalendarException(
        calendar=calendar,
        day=day,
        working=working,
        hours=hours,
        name=name,
        source=ExceptionSource.MANUAL,
    )
    _check_exception(exception)
    exception.save()
    audit.record(
        calendar,
        "exception_added",
        actor=actor,
        changes={"exception": [None, _describe(exception)]},
    )
    return exception


@transaction.atomic
def update_exception(
    exception: CalendarException, *, actor: Any, **changes: Any
) -> CalendarException:
    """Change a day; an imported day becomes one entered by hand, so re-imports keep it."""
    if unknown := set(changes) - set(EXCEPTION_FIELDS):
        raise ValueError(f"{', '.join(sorted(unknown))} not editable here")
    before = _describe(exception)
    for name, value in changes.items():
        setattr(exception, name, value)
    _check_exception(exception)
    if _describe(exception) == before:
        return exception
    exception.source = ExceptionSource.MANUAL
    exception.save()
    audit.record(
        exception.calendar,
        "exception_changed",
        actor=actor,
        changes={"exception": [before, _describe(exception)]},
    )
    return exception


@transaction.atomic
def delete_exception(exception: CalendarException, *, actor: Any) -> None:
    """Remove a day (an imported one comes back with the next import of its year)."""
    audit.record(
        exception.calendar,
        "exception_deleted",
        actor=actor,
        changes={"exception": [_describe(exception), None]},
    )
    exception.delete()


# ---- the calendar in use -------------------------------------------------------------------


@transaction.atomic
def default_calendar() -> Calendar:
    """The default shared calendar; without one, the standard China calendar is created as the
    default (Monday to Friday, 09:00-12:00 and 13:00-18:00, China's public holidays of this
    year and of the following years the holiday data covers)."""
    calendar = Calendar.objects.filter(project__isnull=True, is_default=True).first()
    if calendar is not None:
        return calendar
    calendar = create_calendar(actor=None, name=_("Standard (China)"), is_default=True)
    this_year = timezone.localdate().year
    years = [year for year in library_years("CN") if year >= this_year]
    if years:
        import_public_holidays(calendar, actor=None, years=years)
    return calendar


def usable_calendars(project: Project) -> Any:
    """The calendars ``project`` may use: the shared ones and its own."""
    return Calendar.objects.filter(Q(project__isnull=True) | Q(project=project))


@transaction.atomic
def set_project_calendar(
    project: Project, calendar: Calendar | None, *, actor: Any, expected_version: int
) -> Project:
    """Schedule ``project`` on ``calendar`` (None: on the default calendar). A versioned edit
    of the project: StaleEdit (nothing written) if it was saved since ``expected_version``;
    ValidationError for another project's own calendar."""
    if calendar is not None and calendar.project_id not in (None, project.pk):
        raise ValidationError({"calendar": _("That calendar belongs to another project.")})
    before = str(project.calendar) if project.calendar_id else None
    project.calendar = calendar
    update_versioned(project, expected_version=expected_version, fields=["calendar"])
    after = str(calendar) if calendar is not None else None
    if after != before:
        audit.record(project, "updated", actor=actor, changes={"calendar": [before, after]})
    return project


def plan_range(project: Project) -> tuple[datetime.date, datetime.date]:
    """The dates a project's plan spans: its start to its scheduled finish, or a year."""
    start = project.start_date
    if project.finish_date is not None:
        return start, max(start, timezone.localtime(project.finish_date).date())
    return start, start + datetime.timedelta(days=365)
