"""Timesheets through the API: your own week (read, replace its entries with If-Match, submit),
and for project managers the sheets to approve, approve and reject. Costs are null unless you
are a manager or administrator."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.core.api import (
    IF_MATCH,
    IF_MATCH_OPTIONAL,
    expected_version,
    field_error,
    problem,
    set_etag,
)
from charter.resources.choices import TimesheetStatus
from charter.resources.models.timesheets import Timesheet
from charter.resources.services import timesheets as services
from charter.resources.services.pool import sees_rates

router = Router(tags=["timesheets"])

TIMESHEET = "resources.timesheet"


class EntryOut(Schema):
    task_id: int
    project_id: int
    day: datetime.date
    minutes: int
    note: str
    cost: Decimal | None = Field(
        description="Fixed when the sheet is approved; null before, and unless you are a "
        "manager or administrator."
    )
    currency: str | None

    @staticmethod
    def resolve_project_id(obj: Any) -> int:
        return obj.task.project_id

    @staticmethod
    def resolve_cost(obj: Any, context: Any) -> Decimal | None:
        return obj.cost if sees_rates(context["request"].user) else None

    @staticmethod
    def resolve_currency(obj: Any, context: Any) -> str | None:
        return (obj.currency or None) if sees_rates(context["request"].user) else None


class TimesheetOut(Schema):
    id: int
    user_id: int
    week_start: datetime.date = Field(description="The Monday of the week.")
    status: TimesheetStatus
    submitted_at: datetime.datetime | None
    decided_by_id: int | None
    decided_at: datetime.datetime | None
    rejection_note: str
    total_minutes: int
    version: int = Field(description="Raised by every change; the ETag is this in quotes.")
    entries: list[EntryOut]

    @staticmethod
    def resolve_total_minutes(obj: Timesheet) -> int:
        return sum(entry.minutes for entry in obj.entry_rows)

    @staticmethod
    def resolve_entries(obj: Timesheet) -> list[Any]:
        return obj.entry_rows


class SheetSummary(Schema):
    id: int
    user_id: int
    week_start: datetime.date
    status: TimesheetStatus
    submitted_at: datetime.datetime | None
    version: int


class EntryIn(Schema):
    task_id: int = Field(description="A task of a running project you manage or are on.")
    day: datetime.date = Field(description="A day of this week.")
    minutes: int = Field(ge=0, le=1440, description="Minutes worked that day (0..1440).")
    note: str = Field("", max_length=500)


class WeekIn(Schema):
    entries: list[EntryIn] = Field(description="All of the week's entries: they replace it.")


class RejectIn(Schema):
    note: str = Field(min_length=1, max_length=2000, description="What should be corrected.")


class ApprovalOut(TimesheetOut):
    has_rate: bool = Field(
        description="False: the person is no work resource in the pool, the hours cost 0."
    )


def _monday(week: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(week)
    except ValueError:
        raise HttpError(404, _("Name the week as YYYY-MM-DD, its Monday.")) from None
    if day.isoweekday() != 1:
        raise HttpError(404, _("Name the week as YYYY-MM-DD, its Monday."))
    return day


def _loaded(sheet: Timesheet) -> Timesheet:
    sheet.entry_rows = services.entries_of(sheet)
    return sheet


def _rows_problem(request: HttpRequest, error: ValidationError) -> JsonResponse:
    """A service's row errors (``rows.2.minutes``) at the request's paths (``entries.2.…``)."""
    errors = []
    for key, messages in error.message_dict.items():
        parts = key.split(".")
        path: list[Any] = ["entries", *parts[1:]] if parts[0] == "rows" else []
        errors.extend(field_error(path, message) for message in messages)
    return problem(request, 422, _("The data is not valid."), errors=errors)


@router.get("/timesheets/to-approve", response=list[SheetSummary], summary="Sheets to approve")
@policy.api_requires(TIMESHEET, "approve")
@paginate(LimitOffsetPagination)
def to_approve(request: HttpRequest) -> object:
    """Submitted sheets with hours on projects you manage (an administrator: all)."""
    return Timesheet.objects.to_decide_by(request.user).order_by("week_start", "pk")


@router.get(
    "/timesheets/{week}", response=TimesheetOut, summary="Your timesheet of a week (with ETag)"
)
@policy.api_requires(TIMESHEET, "change")
def get_week(request: HttpRequest, response: HttpResponse, week: str) -> object:
    sheet = services.week_of(request.user, _monday(week))
    set_etag(response, sheet)
    return _loaded(sheet)


@router.put(
    "/timesheets/{week}",
    response=TimesheetOut,
    summary="Replace your week's entries (needs If-Match; draft or rejected sheets only)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(TIMESHEET, "change")
def put_week(request: HttpRequest, response: HttpResponse, week: str, payload: WeekIn) -> object:
    sheet = services.week_of(request.user, _monday(week))
    version = expected_version(request)
    rows = [
        services.Row(task=row.task_id, day=row.day, minutes=row.minutes, note=row.note)
        for row in payload.entries
    ]
    try:
        sheet = services.save_entries(
            sheet, actor=request.user, expected_version=version, rows=rows
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            return _rows_problem(request, error)
        raise
    set_etag(response, sheet)
    return _loaded(sheet)


@router.post(
    "/timesheets/{week}/submit",
    response=TimesheetOut,
    summary="Submit your week for approval (If-Match optional)",
    openapi_extra=IF_MATCH_OPTIONAL,
)
@policy.api_requires(TIMESHEET, "change")
def submit_week(request: HttpRequest, response: HttpResponse, week: str) -> object:
    sheet = services.week_of(request.user, _monday(week))
    sheet = services.submit(
        sheet, actor=request.user, expected_version=expected_version(request, current=sheet)
    )
    set_etag(response, sheet)
    return _loaded(sheet)


def _decidable(request: HttpRequest, timesheet_id: int) -> Timesheet:
    return get_object_or_404(Timesheet.objects.for_user(request.user), pk=timesheet_id)


@router.post(
    "/timesheets/{timesheet_id}/approve",
    response=ApprovalOut,
    summary="Approve and lock a submitted sheet; its work updates the tasks (If-Match optional)",
    openapi_extra=IF_MATCH_OPTIONAL,
)
@policy.api_requires(TIMESHEET, "approve")
def approve(request: HttpRequest, response: HttpResponse, timesheet_id: int) -> object:
    sheet = _decidable(request, timesheet_id)
    approval = services.approve(
        sheet, actor=request.user, expected_version=expected_version(request, current=sheet)
    )
    set_etag(response, approval.sheet)
    sheet = _loaded(approval.sheet)
    sheet.has_rate = approval.has_rate
    return sheet


@router.post(
    "/timesheets/{timesheet_id}/reject",
    response=TimesheetOut,
    summary="Send a submitted sheet back with a note (If-Match optional)",
    openapi_extra=IF_MATCH_OPTIONAL,
)
@policy.api_requires(TIMESHEET, "approve")
def reject(
    request: HttpRequest, response: HttpResponse, timesheet_id: int, payload: RejectIn
) -> object:
    sheet = _decidable(request, timesheet_id)
    sheet = services.reject(
        sheet,
        actor=request.user,
        expected_version=expected_version(request, current=sheet),
        note=payload.note,
    )
    set_etag(response, sheet)
    return _loaded(sheet)
