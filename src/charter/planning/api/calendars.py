"""Calendars through the API: calendars, their dates (holidays, make-up workdays, days entered
by hand), the public-holiday import, and the calendar a project is scheduled on."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.core.api import IF_MATCH, read_with_etag, set_etag, update_with_if_match
from charter.planning.choices import ExceptionSource
from charter.planning.models import Calendar, CalendarException, Project
from charter.planning.services import calendars as services
from charter.planning.services import holidays

router = Router(tags=["calendars"])

RESOURCE = "planning.calendar"
WEEKDAYS = "Weekday numbers, Monday = 0 … Sunday = 6."
HOURS = "Working hours, like `09:00-12:00,13:00-18:00`."
COUNTRY = (
    "ISO code whose public holidays are imported (CN, HK, TW, SG, JP, US, GB, DE, FR), or "
    "empty for none."
)


# ---- schemas ---------------------------------------------------------------------------------


class CalendarOut(Schema):
    id: int
    name: str
    project_id: int | None = Field(description="Set for a project's own calendar; else shared.")
    working_weekdays: list[int] = Field(description=WEEKDAYS)
    hours: str = Field(description=HOURS)
    holiday_country: str = Field(description=COUNTRY)
    holidays_through: int | None = Field(
        description="Last year whose public holidays the calendar holds."
    )
    holiday_data_through: int | None = Field(
        description="Last year the shipped holiday data has the official schedule of "
        "`holiday_country` for; null when its holidays follow fixed rules."
    )
    is_default: bool = Field(description="Used by projects without a calendar.")
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")
    updated_at: datetime.datetime

    @staticmethod
    def resolve_working_weekdays(calendar: Calendar) -> list[int]:
        return calendar.weekdays

    @staticmethod
    def resolve_holiday_data_through(calendar: Calendar) -> int | None:
        if not calendar.holiday_country:
            return None
        return holidays.library_data_through(calendar.holiday_country)


class CalendarIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    project_id: int | None = Field(None, description="Make it this project's own calendar.")
    working_weekdays: list[int] = Field([0, 1, 2, 3, 4], description=WEEKDAYS)
    hours: str = Field(services.STANDARD_HOURS, description=HOURS)
    holiday_country: str = Field("CN", description=COUNTRY)
    is_default: bool = False


class CalendarPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    working_weekdays: list[int] | None = Field(None, description=WEEKDAYS)
    hours: str | None = Field(None, description=HOURS)
    holiday_country: str | None = Field(None, description=COUNTRY)
    is_default: bool | None = None
    holidays_through: int | None = Field(
        None, description="Raise it after entering a new year's holidays by hand."
    )


class ExceptionOut(Schema):
    id: int
    calendar_id: int
    day: datetime.date
    working: bool = Field(description="True: a working day (调休 make-up workday); else off.")
    hours: str = Field(description="A working day's own hours; empty: the calendar's.")
    name: str
    source: ExceptionSource = Field(description="`library` (imported) or `manual`.")


class ExceptionIn(Schema):
    day: datetime.date
    working: bool = False
    hours: str = Field("", max_length=120)
    name: str = Field("", max_length=120)


class ExceptionPatch(Schema):
    day: datetime.date | None = None
    working: bool | None = None
    hours: str | None = Field(None, max_length=120)
    name: str | None = Field(None, max_length=120)


class ExceptionFilter(Schema):
    year: int | None = Field(None, description="Only the dates of this year.")


class ImportIn(Schema):
    years: list[int] = Field(
        min_length=1, max_length=holidays.MAX_IMPORT_YEARS, description="Years to import."
    )


class ImportOut(Schema):
    added: int
    updated: int
    kept: int = Field(description="Already stored as the holiday data gives them.")
    manual: int = Field(description="Entered or changed by hand: left as they are.")
    removed: int = Field(description="Imported earlier, no longer in the holiday data.")
    calendar: CalendarOut


class ProjectCalendarOut(Schema):
    calendar: CalendarOut = Field(description="The calendar the plan is scheduled on.")
    uses_default: bool = Field(description="The project has no calendar: the default is used.")
    coverage_warning: str | None = Field(
        description="Set when the plan runs past the public holidays the calendar holds."
    )


class ProjectCalendarIn(Schema):
    calendar_id: int | None = Field(
        description="A shared calendar or the project's own; null: the default calendar."
    )


# ---- calendars -------------------------------------------------------------------------------


def _calendars(request: HttpRequest, action: str = "view") -> Any:
    return Calendar.objects.for_user(request.user, action)


@router.get("/calendars", response=list[CalendarOut], summary="Calendars you can see")
@policy.api_requires(RESOURCE, "view")
@paginate(LimitOffsetPagination)
def list_calendars(request: HttpRequest) -> object:
    return _calendars(request)


@router.post("/calendars", response={201: CalendarOut}, summary="Add a calendar")
@policy.api_requires(RESOURCE, "add")
def create_calendar(request: HttpRequest, response: HttpResponse, payload: CalendarIn) -> object:
    fields = payload.dict()
    project_id = fields.pop("project_id")
    project = None
    if project_id is not None:
        project = Project.objects.for_user(request.user, "change").filter(pk=project_id).first()
        if project is None:
            raise ValidationError({"project_id": _("There is no project with this ID.")})
    calendar = services.create_calendar(actor=request.user, project=project, **fields)
    set_etag(response, calendar)
    return Status(201, calendar)


@router.get("/calendars/{calendar_id}", response=CalendarOut, summary="One calendar (with ETag)")
@policy.api_requires(RESOURCE, "view")
def get_calendar(request: HttpRequest, response: HttpResponse, calendar_id: int) -> object:
    return read_with_etag(response, _calendars(request), pk=calendar_id)


@router.patch(
    "/calendars/{calendar_id}",
    response=CalendarOut,
    summary="Edit a calendar (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(RESOURCE, "change")
def update_calendar(
    request: HttpRequest, response: HttpResponse, calendar_id: int, payload: CalendarPatch
) -> object:
    calendar = get_object_or_404(_calendars(request, "change"), pk=calendar_id)
    changes = payload.dict(exclude_unset=True)
    return update_with_if_match(request, response, services.update_calendar, calendar, **changes)


@router.delete(
    "/calendars/{calendar_id}",
    response={204: None},
    summary="Delete a calendar (422 while a project or task uses it)",
)
@policy.api_requires(RESOURCE, "delete")
def delete_calendar(request: HttpRequest, calendar_id: int) -> object:
    calendar = get_object_or_404(_calendars(request, "delete"), pk=calendar_id)
    services.delete_calendar(calendar, actor=request.user)
    return Status(204, None)


@router.post(
    "/calendars/{calendar_id}/import-holidays",
    response=ImportOut,
    summary="Import public holidays and make-up workdays of some years (idempotent)",
    description="Adds or updates the imported days of those years; days entered by hand are "
    "kept. 422 for years the holiday data has no official schedule of yet.",
)
@policy.api_requires(RESOURCE, "change")
def import_holidays(request: HttpRequest, calendar_id: int, payload: ImportIn) -> object:
    calendar = get_object_or_404(_calendars(request, "change"), pk=calendar_id)
    result = holidays.import_public_holidays(calendar, actor=request.user, years=payload.years)
    return {**vars(result), "calendar": calendar}


# ---- dates -----------------------------------------------------------------------------------


@router.get(
    "/calendars/{calendar_id}/exceptions",
    response=list[ExceptionOut],
    summary="A calendar's holidays, make-up workdays and other dates",
)
@policy.api_requires(RESOURCE, "view")
@paginate(LimitOffsetPagination)
def list_exceptions(
    request: HttpRequest, calendar_id: int, filters: Query[ExceptionFilter]
) -> object:
    calendar = get_object_or_404(_calendars(request), pk=calendar_id)
    rows = calendar.exceptions.order_by("day")
    return rows.filter(day__year=filters.year) if filters.year else rows


@router.post(
    "/calendars/{calendar_id}/exceptions",
    response={201: ExceptionOut},
    summary="Add a date by hand (a day off or a working day)",
)
@policy.api_requires(RESOURCE, "change")
def add_exception(request: HttpRequest, calendar_id: int, payload: ExceptionIn) -> object:
    calendar = get_object_or_404(_calendars(request, "change"), pk=calendar_id)
    return Status(201, services.add_exception(calendar, actor=request.user, **payload.dict()))


def _exception(request: HttpRequest, exception_id: int) -> CalendarException:
    rows = CalendarException.objects.filter(calendar__in=_calendars(request, "change"))
    return get_object_or_404(rows.select_related("calendar"), pk=exception_id)


@router.patch(
    "/calendar-exceptions/{exception_id}",
    response=ExceptionOut,
    summary="Change a date (an imported one then counts as entered by hand)",
)
@policy.api_requires(RESOURCE, "change")
def update_exception(request: HttpRequest, exception_id: int, payload: ExceptionPatch) -> object:
    exception = _exception(request, exception_id)
    return services.update_exception(
        exception, actor=request.user, **payload.dict(exclude_unset=True)
    )


@router.delete("/calendar-exceptions/{exception_id}", response={204: None}, summary="Remove a date")
@policy.api_requires(RESOURCE, "change")
def delete_exception(request: HttpRequest, exception_id: int) -> object:
    services.delete_exception(_exception(request, exception_id), actor=request.user)
    return Status(204, None)


# ---- a project's calendar --------------------------------------------------------------------


def _project_calendar(project: Project) -> dict[str, Any]:
    calendar = project.calendar or services.default_calendar()
    _first, until = services.plan_range(project)
    return {
        "calendar": calendar,
        "uses_default": project.calendar_id is None,
        "coverage_warning": holidays.coverage_warning(calendar, until),
    }


@router.get(
    "/projects/{project_id}/calendar",
    response=ProjectCalendarOut,
    summary="The calendar a project is scheduled on, with the project's ETag",
    tags=["projects"],
)
@policy.api_requires(RESOURCE, "view")
def get_project_calendar(request: HttpRequest, response: HttpResponse, project_id: int) -> object:
    rows = Project.objects.for_user(request.user).select_related("calendar")
    return _project_calendar(read_with_etag(response, rows, pk=project_id))


@router.put(
    "/projects/{project_id}/calendar",
    response=ProjectCalendarOut,
    summary="Choose the calendar a project is scheduled on (needs the project's If-Match)",
    openapi_extra=IF_MATCH,
    tags=["projects"],
)
@policy.api_requires("planning.project", "change")
def set_project_calendar(
    request: HttpRequest, response: HttpResponse, project_id: int, payload: ProjectCalendarIn
) -> object:
    project = get_object_or_404(Project.objects.for_user(request.user, "change"), pk=project_id)
    calendar = None
    if payload.calendar_id is not None:
        calendar = services.usable_calendars(project).filter(pk=payload.calendar_id).first()
        if calendar is None:
            raise ValidationError({"calendar_id": _("There is no calendar with this ID.")})

    def choose(obj: Project, *, actor: Any, expected_version: int) -> Project:
        return services.set_project_calendar(
            obj, calendar, actor=actor, expected_version=expected_version
        )

    return _project_calendar(update_with_if_match(request, response, choose, project))
