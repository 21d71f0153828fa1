"""Calendar pages: the shared calendars, one calendar's year with its holidays, 调休 make-up
workdays and the days entered by hand, the holiday import, and a project's calendar."""

import calendar as month_tables
import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.forms import submit
from charter.planning.forms.calendars import (
    CalendarEditForm,
    CalendarForm,
    ExceptionForm,
    ImportForm,
    ProjectCalendarForm,
)
from charter.planning.models import Calendar, CalendarException, Project
from charter.planning.services import calendars as services
from charter.planning.services import holidays

RESOURCE = "planning.calendar"


# ---- the year view -------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: datetime.date | None  # None: a blank cell before or after the month
    kind: str = ""  # workday, weekend, holiday, makeup, special
    name: str = ""


@dataclass(frozen=True)
class Month:
    first: datetime.date
    weeks: list[list[Day]]


def _kind(day: datetime.date, weekdays: set[int], exception: CalendarException | None) -> str:
    usually_working = day.weekday() in weekdays
    if exception is None:
        return "workday" if usually_working else "weekend"
    if not exception.working:
        return "holiday"
    return "special" if usually_working else "makeup"


def year_view(calendar: Calendar, year: int, exceptions: list[CalendarException]) -> list[Month]:
    """Twelve month grids (weeks from Monday) with each day's kind and exception name."""
    by_day = {exception.day: exception for exception in exceptions}
    weekdays = set(calendar.weekdays)
    tables = month_tables.Calendar(firstweekday=0)
    months = []
    for month in range(1, 13):
        weeks = [
            [
                Day(
                    day, _kind(day, weekdays, by_day.get(day)), getattr(by_day.get(day), "name", "")
                )
                if day.month == month
                else Day(None)
                for day in week
            ]
            for week in tables.monthdatescalendar(year, month)
        ]
        months.append(Month(datetime.date(year, month, 1), weeks))
    return months


def weekday_names(calendar: Calendar) -> str:
    return ", ".join(str(WEEKDAYS_ABBR[number]) for number in calendar.weekdays)


def _year(request: HttpRequest, default: int) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 1900 <= int(value) <= 2200 else default


def _year_context(calendar: Calendar, year: int, until: datetime.date) -> dict[str, Any]:
    exceptions = list(calendar.exceptions.filter(day__year=year))
    return {
        "calendar": calendar,
        "year": year,
        "months": year_view(calendar, year, exceptions),
        "weekday_names": [WEEKDAYS_ABBR[number] for number in range(7)],
        "exceptions": exceptions,
        "coverage_warning": holidays.coverage_warning(calendar, until),
        "country": holidays.country_label(calendar.holiday_country),
        "weekdays": weekday_names(calendar),
    }


# ---- calendars -----------------------------------------------------------------------------


def _calendar(request: HttpRequest, pk: int, action: str) -> Calendar:
    rows = Calendar.objects.for_user(request.user, action).select_related("project")
    return get_object_or_404(rows, pk=pk)


@require_GET
@policy.requires(RESOURCE, "view")
def calendar_list(request: HttpRequest) -> HttpResponse:
    """The shared calendars and the projects (of those the user sees) that use them."""
    visible_projects = Project.objects.for_user(request.user).order_by("code")
    calendars = (
        Calendar.objects.for_user(request.user)
        .filter(project__isnull=True)
        .annotate(exception_count=Count("exceptions"))
        .prefetch_related(Prefetch("projects", queryset=visible_projects, to_attr="users"))
    )
    rows = [
        {
            "calendar": calendar,
            "weekdays": weekday_names(calendar),
            "country": holidays.country_label(calendar.holiday_country),
        }
        for calendar in calendars
    ]
    return render(request, "planning/calendars/calendar_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "add")
def calendar_create(request: HttpRequest) -> HttpResponse:
    form = CalendarForm(request.POST or None)
    status: int | None = 200
    if request.method == "POST":
        created: list[Calendar] = []
        status = submit(
            form,
            lambda data: created.append(
                services.create_calendar(actor=request.user, **form.service_fields())
            ),
        )
        if created:
            messages.success(request, _("“%(name)s” was added.") % {"name": created[0]})
            return redirect(created[0])
    context = {"form": form, "calendar": None, "cancel_url": reverse("planning:calendar_list")}
    return render(request, "planning/calendars/calendar_form.html", context, status=status or 200)


def _detail_page(
    request: HttpRequest,
    calendar: Calendar,
    *,
    year: int,
    exception_form: ExceptionForm | None = None,
    import_form: ImportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _year_context(calendar, year, datetime.date(year, 12, 31))
    context.update(
        {
            "exception_form": exception_form or ExceptionForm(),
            "import_form": import_form or ImportForm(calendar=calendar),
            "data_through": holidays.library_data_through(calendar.holiday_country)
            if calendar.holiday_country
            else None,
            "users": Project.objects.for_user(request.user).filter(calendar=calendar),
        }
    )
    return render(request, "planning/calendars/calendar_detail.html", context, status=status)


@require_GET
@policy.requires(RESOURCE, "view")
def calendar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A year of the calendar: the months, the exceptions, the import and the warning."""
    calendar = _calendar(request, pk, "view")
    return _detail_page(request, calendar, year=_year(request, timezone.localdate().year))


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def calendar_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a calendar; a save based on an older version is refused (409)."""
    calendar = _calendar(request, pk, "change")
    form = CalendarEditForm(request.POST or None, initial=CalendarEditForm.initial_of(calendar))
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.update_calendar(
                calendar,
                actor=request.user,
                expected_version=data["version"],
                **form.service_fields(),
            ),
        )
        if status is None:
            messages.success(request, _("“%(name)s” was saved.") % {"name": calendar})
            return redirect(calendar)
        calendar.refresh_from_db()
    context = {"form": form, "calendar": calendar, "cancel_url": calendar.get_absolute_url()}
    return render(request, "planning/calendars/calendar_form.html", context, status=status or 200)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "delete")
def calendar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation (or says who still uses it); POST deletes."""
    calendar = _calendar(request, pk, "delete")
    if request.method == "POST":
        try:
            services.delete_calendar(calendar, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(calendar)
        messages.success(request, _("“%(name)s” was deleted.") % {"name": calendar})
        return redirect("planning:calendar_list")
    projects, task_count = services.calendar_users(calendar)
    context = {"calendar": calendar, "projects": projects, "task_count": task_count}
    return render(request, "planning/calendars/calendar_delete.html", context)


@require_POST
@policy.requires(RESOURCE, "change")
def calendar_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Import the public holidays of a range of years; the page again (422) when refused."""
    calendar = _calendar(request, pk, "change")
    form = ImportForm(request.POST, calendar=calendar)
    results: list[holidays.ImportResult] = []
    status = submit(
        form,
        lambda data: results.append(
            holidays.import_public_holidays(calendar, actor=request.user, years=form.years())
        ),
    )
    if status is not None:
        year = timezone.localdate().year
        return _detail_page(request, calendar, year=year, import_form=form, status=status)
    result = results[0]
    messages.success(
        request,
        _(
            "Public holidays imported: %(added)d days added, %(updated)d updated, %(removed)d "
            "removed, %(kept)d unchanged; %(manual)d days entered by hand were kept."
        )
        % vars(result),
    )
    return redirect(f"{calendar.get_absolute_url()}?year={form.cleaned_data['first_year']}")


# ---- days entered by hand ------------------------------------------------------------------


def _exception(request: HttpRequest, pk: int) -> CalendarException:
    calendars = Calendar.objects.for_user(request.user, "change")
    rows = CalendarException.objects.filter(calendar__in=calendars).select_related("calendar")
    return get_object_or_404(rows, pk=pk)


def _back_to_year(exception: CalendarException) -> HttpResponse:
    return redirect(f"{exception.calendar.get_absolute_url()}?year={exception.day.year}")


@require_POST
@policy.requires(RESOURCE, "change")
def exception_add(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _calendar(request, pk, "change")
    form = ExceptionForm(request.POST)
    added: list[CalendarException] = []
    status = submit(
        form,
        lambda data: added.append(services.add_exception(calendar, actor=request.user, **data)),
    )
    if status is not None:
        year = _year(request, timezone.localdate().year)
        return _detail_page(request, calendar, year=year, exception_form=form, status=status)
    messages.success(request, _("%(day)s was added.") % {"day": added[0].day})
    return _back_to_year(added[0])


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def exception_edit(request: HttpRequest, pk: int) -> HttpResponse:
    exception = _exception(request, pk)
    form = ExceptionForm(request.POST or None, initial=ExceptionForm.initial_of(exception))
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.update_exception(exception, actor=request.user, **data),
        )
        if status is None:
            messages.success(request, _("%(day)s was saved.") % {"day": exception.day})
            return _back_to_year(exception)
        exception.refresh_from_db()
    context = {"form": form, "exception": exception, "calendar": exception.calendar}
    return render(request, "planning/calendars/exception_form.html", context, status=status or 200)


@require_POST
@policy.requires(RESOURCE, "change")
def exception_delete(request: HttpRequest, pk: int) -> HttpResponse:
    exception = _exception(request, pk)
    services.delete_exception(exception, actor=request.user)
    messages.success(request, _("%(day)s was removed.") % {"day": exception.day})
    return _back_to_year(exception)


# ---- a project's calendar ------------------------------------------------------------------


def _project_page(
    request: HttpRequest,
    project: Project,
    form: ProjectCalendarForm | None = None,
    status: int = 200,
) -> HttpResponse:
    calendar = project.calendar or services.default_calendar()
    first, until = services.plan_range(project)
    context = _year_context(calendar, _year(request, first.year), until)
    context.update(
        {
            "project": project,
            "plan_first": first,
            "plan_until": until,
            "uses_default": project.calendar_id is None,
            "form": form
            or ProjectCalendarForm(
                project=project,
                initial={"calendar": project.calendar_id, "version": project.version},
            ),
        }
    )
    return render(request, "planning/calendars/project_calendar.html", context, status=status)


@require_GET
@policy.requires(RESOURCE, "view")
def project_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    """Which calendar the project is scheduled on, its year, and the warning for its dates."""
    project = get_object_or_404(
        Project.objects.for_user(request.user).select_related("calendar"), pk=pk
    )
    return _project_page(request, project)


@require_POST
@policy.requires("planning.project", "change")
def project_calendar_set(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the project's calendar: a versioned project edit (409 when stale)."""
    project = get_object_or_404(
        Project.objects.for_user(request.user, "change").select_related("calendar"), pk=pk
    )
    form = ProjectCalendarForm(request.POST, project=project)
    status = submit(
        form,
        lambda data: services.set_project_calendar(
            project, data["calendar"], actor=request.user, expected_version=data["version"]
        ),
    )
    if status is not None:
        project.refresh_from_db()
        return _project_page(request, project, form, status)
    messages.success(request, _("The project calendar was saved."))
    return redirect("planning:project_calendar", pk=project.pk)


urls = [
    path("calendars/", calendar_list, name="calendar_list"),
    path("calendars/new/", calendar_create, name="calendar_create"),
    path("calendars/<int:pk>/", calendar_detail, name="calendar_detail"),
    path("calendars/<int:pk>/edit/", calendar_edit, name="calendar_edit"),
    path("calendars/<int:pk>/delete/", calendar_delete, name="calendar_delete"),
    path("calendars/<int:pk>/import/", calendar_import, name="calendar_import"),
    path("calendars/<int:pk>/exceptions/", exception_add, name="calendar_exception_add"),
    path("calendars/exceptions/<int:pk>/edit/", exception_edit, name="calendar_exception_edit"),
    path(
        "calendars/exceptions/<int:pk>/delete/",
        exception_delete,
        name="calendar_exception_delete",
    ),
    path("projects/<int:pk>/calendar/", project_calendar, name="project_calendar"),
    path("projects/<int:pk>/calendar/set/", project_calendar_set, name="project_calendar_set"),
]
