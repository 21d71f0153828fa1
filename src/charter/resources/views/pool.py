"""Resource pool pages: the list (and its export), add, detail, edit, delete; and the
assign / change / remove actions of a task's assignments, which answer with the task page."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from charter.core import audit, policy
from charter.core.exports import Column, export_response
from charter.core.forms import submit
from charter.core.models import AuditEvent
from charter.planning.models import Task
from charter.resources.forms.pool import (
    AssignForm,
    AssignmentForm,
    ResourceEditForm,
    ResourceFilterForm,
    ResourceForm,
    hours_of,
    percent_of,
)
from charter.resources.models import Assignment, Resource
from charter.resources.services import pool as services

PER_PAGE = 50
HISTORY_ROWS = 20
RESOURCE = "resources.resource"
ASSIGNMENT = "resources.assignment"

COLUMNS = [
    Column(gettext_lazy("Name"), lambda r: r.name),
    Column(gettext_lazy("Type"), lambda r: r.get_kind_display()),
    Column(gettext_lazy("Colleague"), lambda r: r.user or ""),
    Column(gettext_lazy("Role"), lambda r: r.role or ""),
    Column(gettext_lazy("Generic resource"), lambda r: _("yes") if r.is_placeholder else _("no")),
    Column(gettext_lazy("Initials"), lambda r: r.initials),
    Column(gettext_lazy("E-mail"), lambda r: r.email),
    Column(gettext_lazy("Max units (%)"), lambda r: percent_of(r.max_units)),
    Column(gettext_lazy("Resource calendar"), lambda r: r.calendar or ""),
    Column(gettext_lazy("Active"), lambda r: _("yes") if r.is_active else _("no")),
    Column(gettext_lazy("Assignments"), lambda r: r.assignment_count),
]
RATE_COLUMNS = [
    Column(gettext_lazy("Standard rate"), lambda r: r.standard_rate),
    Column(gettext_lazy("Cost per use"), lambda r: r.cost_per_use),
    Column(gettext_lazy("Currency"), lambda r: r.currency),
]


def _resource(request: HttpRequest, pk: int, action: str = "view") -> Resource:
    rows = Resource.objects.for_user(request.user, action).select_related(
        "user", "calendar", "role"
    )
    return get_object_or_404(rows, pk=pk)


def _filtered(request: HttpRequest) -> tuple[ResourceFilterForm, dict[str, Any], Any]:
    form = ResourceFilterForm(request.GET)
    filters = form.filters()
    rows = services.filter_resources(
        Resource.objects.for_user(request.user), user=request.user, **filters
    )
    return form, filters, rows


@require_GET
@policy.requires(RESOURCE, "view")
def resource_list(request: HttpRequest) -> HttpResponse:
    """Search, filter by type, activity, role and generic or named, paginate; rates (standard
    rate, cost per use) for managers only."""
    filter_form, filters, rows = _filtered(request)
    context = {
        "page": Paginator(rows, PER_PAGE).get_page(request.GET.get("page")),
        "filter_form": filter_form,
        "searching": any(value not in ("", None) for value in filters.values()),
        "sees_rates": services.sees_rates(request.user),
    }
    return render(request, "resources/resource_list.html", context)


@require_GET
@policy.requires(RESOURCE, "view")
def resource_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV or XLSX (``?format=csv|xlsx`` plus the list's filters)."""
    _form, _filters, rows = _filtered(request)
    columns = COLUMNS + (RATE_COLUMNS if services.sees_rates(request.user) else [])
    fmt = request.GET.get("format", "csv")
    return export_response(rows, columns, fmt=fmt, name="resources")


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "add")
def resource_create(request: HttpRequest) -> HttpResponse:
    form = ResourceForm(request.POST or None)
    status: int | None = 200
    if request.method == "POST":
        created: list[Resource] = []
        status = submit(
            form,
            lambda data: created.append(
                services.create_resource(actor=request.user, **form.service_fields())
            ),
        )
        if status is None:
            messages.success(request, _("“%(name)s” was added.") % {"name": created[0]})
            return redirect(created[0])
    return _form_page(request, form, None, status)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "change")
def resource_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a resource; a save based on an older version is refused (409)."""
    resource = _resource(request, pk, "change")
    form = ResourceEditForm(request.POST or None, initial=ResourceEditForm.initial_of(resource))
    status: int | None = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.update_resource(
                resource,
                actor=request.user,
                expected_version=data["version"],
                **form.service_fields(),
            ),
        )
        if status is None:
            messages.success(request, _("“%(name)s” was saved.") % {"name": resource})
            return redirect(resource)
        resource.refresh_from_db()  # the failed attempt changed the object in memory only
    return _form_page(request, form, resource, status)


def _form_page(
    request: HttpRequest, form: ResourceForm, resource: Resource | None, status: int | None
) -> HttpResponse:
    context = {"form": form, "resource": resource}
    return render(request, "resources/resource_form.html", context, status=status or 200)


def _history(request: HttpRequest, resource: Resource) -> list[AuditEvent]:
    """The latest events about the resource; without rates for those who may not see them."""
    events = (
        AuditEvent.objects.for_user(request.user)
        .for_object(resource)
        .select_related("actor", "content_type")[:HISTORY_ROWS]
    )
    return audit.readable_by(request.user, events, Resource)


@require_GET
@policy.requires(RESOURCE, "view")
def resource_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Facts, the assignments across the projects the user may see, and the history."""
    resource = _resource(request, pk)
    assignments = services.with_tasks(
        Assignment.objects.for_user(request.user).filter(resource=resource)
    )
    context = {
        "resource": resource,
        "assignments": [
            {"assignment": row, "hours": hours_of(row.work), "percent": percent_of(row.units)}
            for row in assignments
        ],
        "history": _history(request, resource),
        "sees_rates": services.sees_rates(request.user),
        "max_percent": percent_of(resource.max_units),
    }
    return render(request, "resources/resource_detail.html", context)


@require_http_methods(["GET", "POST"])
@policy.requires(RESOURCE, "delete")
def resource_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes, or explains why the resource must stay."""
    resource = _resource(request, pk, "delete")
    if request.method == "POST":
        try:
            services.delete_resource(resource, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(resource)
        messages.success(request, _("“%(name)s” was deleted.") % {"name": resource})
        return redirect("resources:resource_list")
    context = {"resource": resource, "assignment_count": resource.assignments.count()}
    return render(request, "resources/resource_delete.html", context)


# ---- a task's assignments ----------------------------------------------------------------------


def _task(request: HttpRequest, pk: int) -> Task:
    return get_object_or_404(Task.objects.for_user(request.user).select_related("project"), pk=pk)


def _assignment(request: HttpRequest, pk: int) -> Assignment:
    rows = Assignment.objects.for_user(request.user, "change").select_related(
        "resource", "task__project"
    )
    return get_object_or_404(rows, pk=pk)


def _report(request: HttpRequest, status: int | None, form: Any, done: str) -> None:
    """The outcome as messages on the task page the action returns to."""
    if status is None:
        messages.success(request, done)
        return
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@require_POST
@policy.requires(ASSIGNMENT, "change")
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    task = _task(request, pk)
    form = AssignForm(request.POST, task=task)
    status = submit(
        form,
        lambda data: services.assign(
            task, data["resource"], actor=request.user, **form.service_fields()
        ),
    )
    _report(request, status, form, _("Resource assigned; the plan is rescheduled."))
    return redirect(task.get_absolute_url())


@require_POST
@policy.requires(ASSIGNMENT, "change")
def assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    form = AssignmentForm.for_assignment(assignment, request.POST)
    status = submit(
        form,
        lambda data: services.update_assignment(
            assignment,
            actor=request.user,
            expected_version=data["version"],
            **form.service_fields(),
        ),
    )
    _report(request, status, form, _("Assignment saved; the plan is rescheduled."))
    return redirect(assignment.task.get_absolute_url())


@require_POST
@policy.requires(ASSIGNMENT, "change")
def assignment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    task = assignment.task
    services.unassign(assignment, actor=request.user)
    messages.success(request, _("Resource removed; the plan is rescheduled."))
    return redirect(task.get_absolute_url())


urls = [
    path("resources/", resource_list, name="resource_list"),
    path("resources/export/", resource_export, name="resource_export"),
    path("resources/new/", resource_create, name="resource_create"),
    path("resources/<int:pk>/", resource_detail, name="resource_detail"),
    path("resources/<int:pk>/edit/", resource_edit, name="resource_edit"),
    path("resources/<int:pk>/delete/", resource_delete, name="resource_delete"),
    path("tasks/<int:pk>/assignments/", assignment_add, name="assignment_add"),
    path("assignments/<int:pk>/", assignment_edit, name="assignment_edit"),
    path("assignments/<int:pk>/delete/", assignment_delete, name="assignment_delete"),
]
