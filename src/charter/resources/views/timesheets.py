"""Timesheet pages: "My timesheet" (a week's grid: save, add a task row, submit; read-only
once submitted or approved), a sheet's page, and "To approve" for project managers, with
approve and reject (with a note) behind a confirmation. Costs only for those who see rates."""

import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import policy
from charter.core.concurrency import StaleEdit
from charter.core.forms import submit
from charter.resources.forms.timesheets import (
    DecisionForm,
    RejectForm,
    WeekForm,
    grid_of,
    hours_text,
)
from charter.resources.models.timesheets import DAYS_PER_WEEK, Timesheet
from charter.resources.services import timesheets as services
from charter.resources.services.pool import sees_rates

TIMESHEET = "resources.timesheet"
PER_PAGE = 50


def _week(request: HttpRequest) -> datetime.date:
    """``?week=YYYY-MM-DD`` (any day: its Monday), else this week."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("week") or request.POST.get("week"))
    except (TypeError, ValueError):
        day = timezone.localdate()
    return services.monday_of(day)


def week_url(week_start: datetime.date) -> str:
    return f"{reverse('resources:timesheet_week')}?week={week_start.isoformat()}"


def _sheet(request: HttpRequest, pk: int, action: str = "view") -> Timesheet:
    rows = Timesheet.objects.for_user(request.user, action).select_related("user", "decided_by")
    return get_object_or_404(rows, pk=pk)


def _totals(sheet: Timesheet, entries: list[Any]) -> dict[str, Any]:
    per_day = [0] * DAYS_PER_WEEK
    for entry in entries:
        per_day[(entry.day - sheet.week_start).days] += entry.minutes
    return {
        "day_columns": list(zip(sheet.days, [hours_text(m) for m in per_day], strict=True)),
        "week_hours": hours_text(sum(per_day)) or "0",
    }


def _sheet_context(request: HttpRequest, sheet: Timesheet, grid: Any = None) -> dict[str, Any]:
    entries = services.entries_of(sheet)
    shows_cost = sees_rates(request.user)
    resource = services.rate_of(sheet.user) if shows_cost else None
    return {
        "sheet": sheet,
        "grid": grid_of(sheet, entries) if grid is None else grid,
        "sees_rates": shows_cost,
        "no_rate": shows_cost and resource is None,
        "week_cost": sum((e.cost for e in entries if e.cost is not None), Decimal(0)),
        "row_currency": next((e.currency for e in entries if e.currency), ""),
        **_totals(sheet, entries),
    }


@require_http_methods(["GET", "POST"])
@policy.requires(TIMESHEET, "change")
def timesheet_week(request: HttpRequest) -> HttpResponse:
    """The signed-in person's week: the grid, save (409 when saved meanwhile elsewhere) and
    "add a task row" (redisplays what was typed plus the new row, saves nothing)."""
    sheet = services.week_of(request.user, _week(request))
    choices = services.task_choices(request.user)
    tasks = {task.pk: task for task in choices}
    status = 200
    grid = None
    form = WeekForm(request.POST or None, sheet=sheet, initial={"version": sheet.version})
    if request.method == "POST":
        if request.POST.get("action") == "add":
            grid = form.posted_grid(tasks)
            added = tasks.get(int(request.POST.get("add_task") or 0))
            if added is not None and all(row["task"].pk != added.pk for row in grid):
                grid.append(_empty_row(added, len(grid)))
        else:
            status = submit(
                form,
                lambda data: services.save_entries(
                    sheet, actor=request.user, expected_version=data["version"], rows=form.rows()
                ),
            )
            if status is None:
                messages.success(request, _("Your hours were saved."))
                return redirect(week_url(sheet.week_start))
            grid = form.posted_grid(tasks)
            sheet.refresh_from_db()
    context = _sheet_context(request, sheet, grid)
    shown = {row["task"].pk for row in context["grid"]}
    context.update(
        {
            "form": form,
            "version": form.data.get("version", sheet.version) if form.is_bound else sheet.version,
            "task_choices": [task for task in choices if task.pk not in shown],
            "previous_week": week_url(sheet.week_start - datetime.timedelta(days=7)),
            "next_week": week_url(sheet.week_start + datetime.timedelta(days=7)),
            "this_week": week_url(services.monday_of(timezone.localdate())),
        }
    )
    return render(request, "resources/timesheets/week.html", context, status=status)


def _empty_row(task: Any, index: int) -> dict[str, Any]:
    cells = [
        {"name": f"h_{index}_{d}", "value": "", "invalid": False} for d in range(DAYS_PER_WEEK)
    ]
    return {"task": task, "cells": cells, "note": ""}


@require_POST
@policy.requires(TIMESHEET, "change")
def timesheet_submit(request: HttpRequest) -> HttpResponse:
    """Send the week (``week``, ``version`` posted) for approval."""
    sheet = services.week_of(request.user, _week(request))
    try:
        version = int(request.POST.get("version", ""))
        services.submit(sheet, actor=request.user, expected_version=version)
    except ValueError:
        messages.error(request, _("The page was out of date; try again."))
    except (ValidationError, StaleEdit) as error:
        for message in getattr(error, "messages", [str(error)]):
            messages.error(request, message)
    else:
        messages.success(request, _("The week was submitted for approval."))
    return redirect(week_url(sheet.week_start))


@require_GET
@policy.requires(TIMESHEET, "view")
def timesheet_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One sheet, read-only: its author's, or one sent to a manager who may see it."""
    sheet = _sheet(request, pk)
    context = _sheet_context(request, sheet)
    context["may_decide"] = sheet.status == "submitted" and services.may_decide(request.user, sheet)
    return render(request, "resources/timesheets/detail.html", context)


@require_GET
@policy.requires(TIMESHEET, "approve")
def timesheet_to_approve(request: HttpRequest) -> HttpResponse:
    """Sheets submitted for the projects the user manages (an administrator: all), oldest
    week first, with their hours (and cost, for those who see rates)."""
    rows = (
        Timesheet.objects.to_decide_by(request.user)
        .select_related("user")
        .order_by("week_start", "user__username", "pk")
    )
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    totals = services.sheet_totals([sheet.pk for sheet in page.object_list])
    context = {
        "page": page,
        "rows": [(sheet, hours_text(totals.get(sheet.pk, 0)) or "0") for sheet in page.object_list],
    }
    return render(request, "resources/timesheets/to_approve.html", context)


def _decision_page(
    request: HttpRequest, sheet: Timesheet, template: str, form: Any, status: int = 200
) -> HttpResponse:
    context = _sheet_context(request, sheet)
    context["form"] = form
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@policy.requires(TIMESHEET, "approve")
def timesheet_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST approves, locks the sheet and applies the work."""
    sheet = _sheet(request, pk)
    if sheet.status != "submitted" or not services.may_decide(request.user, sheet):
        messages.error(request, _("You cannot approve this timesheet."))
        return redirect(sheet)
    form = DecisionForm(request.POST or None, initial={"version": sheet.version})
    if request.method == "POST":
        approvals: list[services.Approval] = []
        status = submit(
            form,
            lambda data: approvals.append(
                services.approve(sheet, actor=request.user, expected_version=data["version"])
            ),
        )
        if status is None:
            approval = approvals[0]
            messages.success(
                request, _("The timesheet of %(person)s was approved.") % {"person": sheet.user}
            )
            if not approval.has_rate and sees_rates(request.user):
                messages.warning(
                    request,
                    _(
                        "%(person)s is no work resource in the pool, so these hours cost 0. "
                        "Add them to the resources with a rate for future weeks."
                    )
                    % {"person": sheet.user},
                )
            return redirect("resources:timesheet_to_approve")
        return _decision_page(request, sheet, "resources/timesheets/approve.html", form, status)
    return _decision_page(request, sheet, "resources/timesheets/approve.html", form)


@require_http_methods(["GET", "POST"])
@policy.requires(TIMESHEET, "approve")
def timesheet_reject(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for the reason; POST sends the sheet back to its author with it."""
    sheet = _sheet(request, pk)
    if sheet.status != "submitted" or not services.may_decide(request.user, sheet):
        messages.error(request, _("You cannot reject this timesheet."))
        return redirect(sheet)
    form = RejectForm(request.POST or None, initial={"version": sheet.version})
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.reject(
                sheet, actor=request.user, expected_version=data["version"], note=data["note"]
            ),
        )
        if status is None:
            messages.success(
                request,
                _("The timesheet was sent back to %(person)s.") % {"person": sheet.user},
            )
            return redirect("resources:timesheet_to_approve")
        return _decision_page(request, sheet, "resources/timesheets/reject.html", form, status)
    return _decision_page(request, sheet, "resources/timesheets/reject.html", form)


urls = [
    path("timesheets/", timesheet_week, name="timesheet_week"),
    path("timesheets/submit/", timesheet_submit, name="timesheet_submit"),
    path("timesheets/to-approve/", timesheet_to_approve, name="timesheet_to_approve"),
    path("timesheets/<int:pk>/", timesheet_detail, name="timesheet_detail"),
    path("timesheets/<int:pk>/approve/", timesheet_approve, name="timesheet_approve"),
    path("timesheets/<int:pk>/reject/", timesheet_reject, name="timesheet_reject"),
]
