"""Utilisation through the API: each resource's allocated work against its capacity per ISO
week, across the projects the caller may see, and the tasks behind one resource's week; the
same by role (the work of its people, named and generic, against its active people's
capacity), and the resources behind one role's week."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from charter.core import policy
from charter.planning.models import Project
from charter.resources import utilisation as services
from charter.resources.choices import ResourceKind
from charter.resources.models import Resource

router = Router(tags=["utilisation"])

RESOURCE = "resources.resource"
PERCENT = "allocated ÷ capacity in %, rounded; null when the week has no working time."
LEVEL = "empty (nothing allocated), light (< 80 %), full (80–100 %) or over (> 100 %)."
GENERIC = "Of the allocated hours, those of generic resources: demand not yet staffed."
ROLE_KEY = "The role's ID, or `none` for the work resources without a role."


class WeekOut(Schema):
    week: datetime.date = Field(description="The Monday of the ISO week.")
    allocated_hours: Decimal = Field(description="Work of the resource's tasks in the week.")
    capacity_hours: Decimal = Field(
        description="Max units × working hours of the resource's calendar in the week."
    )
    percent: int | None = Field(description=PERCENT)
    over_allocated: bool


class ResourceWeeksOut(Schema):
    resource_id: int
    name: str
    kind: ResourceKind
    max_units: Decimal = Field(description="1 is one full-time person (100%).")
    allocated_hours: Decimal = Field(description="Over the whole window.")
    capacity_hours: Decimal = Field(description="Over the whole window.")
    percent: int | None = Field(description=PERCENT)
    over_allocated: bool = Field(description="Over-allocated in at least one week.")
    weeks: list[WeekOut]


class UtilisationOut(Schema):
    start: datetime.date = Field(description="The Monday of the first week.")
    weeks: list[datetime.date]
    count: int = Field(description="Resources matching the filters, on every page.")
    page: int
    pages: int
    items: list[ResourceWeeksOut]


class UtilisationFilters(Schema):
    start: datetime.date | None = Field(
        None, description="Any day of the first week (default: this week)."
    )
    weeks: int = Field(services.DEFAULT_WEEKS, ge=1, le=services.MAX_WEEKS)
    project_id: int | None = Field(
        None, description="Only the resources assigned to this project's tasks."
    )
    kind: ResourceKind | Literal[""] = Field(
        ResourceKind.WORK, description="Resource type (default: work); empty for every type."
    )
    over_allocated: bool = Field(False, description="Only resources over-allocated in a week.")
    page: int = Field(1, ge=1, description=f"{services.PER_PAGE} resources a page.")


class TaskLineOut(Schema):
    task_id: int
    task_name: str
    wbs: str
    project_id: int
    project_code: str
    project_name: str
    hours: Decimal = Field(description="Hours of the task's work in this week.")
    units: Decimal = Field(description="The assignment's units: 1 is full time (100%).")
    work_hours: Decimal = Field(description="The assignment's whole work.")
    start: datetime.datetime
    finish: datetime.datetime


class WeekDetailOut(WeekOut):
    resource_id: int
    tasks: list[TaskLineOut]


def _project(user: object, project_id: int | None) -> Project | None:
    if project_id is None:
        return None
    project = Project.objects.for_user(user).filter(pk=project_id).first()
    if project is None:
        raise ValidationError({"project_id": _("There is no project with this ID.")})
    return project


def _week_out(cell: services.Cell) -> dict[str, object]:
    return {
        "week": cell.week,
        "allocated_hours": cell.allocated_hours,
        "capacity_hours": cell.capacity_hours,
        "percent": cell.percent,
        "over_allocated": cell.over,
    }


def _paged(window: services.Window, page: Page[Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """A page of rows over the window's weeks, as both heat maps answer."""
    return {
        "start": window.start,
        "weeks": list(window.weeks),
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "items": items,
    }


@router.get("/utilisation", response=UtilisationOut, summary="Resources × weeks: load vs capacity")
@policy.api_requires(RESOURCE, "view")
def heat_map(request: HttpRequest, filters: Query[UtilisationFilters]) -> object:
    window = services.Window.of(filters.start, filters.weeks)
    page = services.heat_map(
        request.user,
        window,
        kind=filters.kind or "",
        project=_project(request.user, filters.project_id),
        over_only=filters.over_allocated,
        page=filters.page,
    )
    return _paged(
        window,
        page,
        [
            {
                "resource_id": row.resource.pk,
                "name": row.resource.name,
                "kind": row.resource.kind,
                "max_units": row.resource.max_units,
                "allocated_hours": row.allocated_hours,
                "capacity_hours": row.capacity_hours,
                "percent": row.percent,
                "over_allocated": row.over,
                "weeks": [_week_out(cell) for cell in row.cells],
            }
            for row in page.object_list
        ],
    )


@router.get(
    "/utilisation/{resource_id}/{week}",
    response=WeekDetailOut,
    summary="The tasks loading a resource in a week (any day of it)",
)
@policy.api_requires(RESOURCE, "view")
def week_detail(request: HttpRequest, resource_id: int, week: datetime.date) -> object:
    resource = get_object_or_404(Resource.objects.for_user(request.user), pk=resource_id)
    detail = services.week_detail(request.user, resource, week)
    return {
        **_week_out(detail.cell),
        "resource_id": resource.pk,
        "tasks": [
            {
                "task_id": line.task.pk,
                "task_name": line.task.name,
                "wbs": line.task.wbs,
                "project_id": line.project.pk,
                "project_code": line.project.code,
                "project_name": line.project.name,
                "hours": line.hours,
                "units": line.units,
                "work_hours": line.work_hours,
                "start": line.task.start,
                "finish": line.task.finish,
            }
            for line in detail.tasks
        ],
    }


class RoleWeekOut(WeekOut):
    level: Literal["empty", "light", "full", "over"] = Field(description=LEVEL)
    generic_hours: Decimal = Field(description=GENERIC)


class RoleWeeksOut(Schema):
    role: str = Field(description=ROLE_KEY)
    role_id: int | None = Field(description="Null for the work resources without a role.")
    name: str | None = Field(description="Null for the work resources without a role.")
    people: int = Field(description="Its work resources shown, generic ones included.")
    generic: int = Field(description="How many of them are generic resources.")
    allocated_hours: Decimal = Field(description="Over the whole window.")
    capacity_hours: Decimal = Field(
        description="Over the whole window: its active resources' max units × working hours."
    )
    generic_hours: Decimal = Field(description=GENERIC)
    percent: int | None = Field(description=PERCENT)
    level: Literal["empty", "light", "full", "over"] = Field(description=LEVEL)
    over_allocated: bool = Field(description="Over-allocated in at least one week.")
    weeks: list[RoleWeekOut]


class RoleUtilisationOut(Schema):
    start: datetime.date = Field(description="The Monday of the first week.")
    weeks: list[datetime.date]
    count: int = Field(description="Rows matching the filters, on every page.")
    page: int
    pages: int
    items: list[RoleWeeksOut]


class RoleFilters(UtilisationFilters):
    kind: ResourceKind | Literal[""] = Field(
        ResourceKind.WORK, description="Ignored: roles count work resources (people) only."
    )
    project_id: int | None = Field(
        None, description="Only the resources assigned to this project's tasks, by role."
    )
    over_allocated: bool = Field(False, description="Only roles over-allocated in a week.")
    page: int = Field(1, ge=1, description=f"{services.PER_PAGE} rows a page.")


class RoleWeekQuery(Schema):
    project_id: int | None = Field(
        None, description="The resources assigned to this project's tasks, as the map's filter."
    )


class RoleResourceOut(WeekOut):
    resource_id: int
    name: str
    max_units: Decimal = Field(description="1 is one full-time person (100%).")
    is_generic: bool = Field(description="A generic resource: people not yet named.")
    is_active: bool = Field(description="An inactive resource's capacity is not the role's.")
    task_count: int = Field(description="Tasks loading it in the week (see its own week).")


class RoleWeekDetailOut(RoleWeekOut):
    role: str = Field(description=ROLE_KEY)
    role_id: int | None
    resources: list[RoleResourceOut] = Field(description="Most hours first.")


def _role_week_out(cell: services.RoleCell) -> dict[str, object]:
    return {**_week_out(cell), "level": cell.level, "generic_hours": cell.generic_hours}


@router.get(
    "/utilisation/roles", response=RoleUtilisationOut, summary="Roles × weeks: load vs capacity"
)
@policy.api_requires(RESOURCE, "view")
def role_map(request: HttpRequest, filters: Query[RoleFilters]) -> object:
    window = services.Window.of(filters.start, filters.weeks)
    page = services.role_map(
        request.user,
        window,
        project=_project(request.user, filters.project_id),
        over_only=filters.over_allocated,
        page=filters.page,
    )
    return _paged(
        window,
        page,
        [
            {
                "role": row.key,
                "role_id": row.role.pk if row.role else None,
                "name": row.role.name if row.role else None,
                "people": row.people,
                "generic": row.generic,
                "allocated_hours": row.allocated_hours,
                "capacity_hours": row.capacity_hours,
                "generic_hours": row.generic_hours,
                "percent": row.percent,
                "level": row.level,
                "over_allocated": row.over,
                "weeks": [_role_week_out(cell) for cell in row.cells],
            }
            for row in page.object_list
        ],
    )


@router.get(
    "/utilisation/roles/{role}/{week}",
    response=RoleWeekDetailOut,
    summary="The resources of a role in a week (any day of it)",
)
@policy.api_requires(RESOURCE, "view")
def role_week(
    request: HttpRequest, role: str, week: datetime.date, query: Query[RoleWeekQuery]
) -> object:
    detail = services.role_week(
        request.user,
        services.role_of_key(role),
        week,
        project=_project(request.user, query.project_id),
    )
    return {
        **_role_week_out(detail.cell),
        "role": services.NO_ROLE if detail.role is None else str(detail.role.pk),
        "role_id": None if detail.role is None else detail.role.pk,
        "resources": [
            {
                **_week_out(line.cells[0]),
                "resource_id": line.resource.pk,
                "name": line.resource.name,
                "max_units": line.resource.max_units,
                "is_generic": line.resource.is_placeholder,
                "is_active": line.resource.is_active,
                "task_count": line.cells[0].task_count,
            }
            for line in detail.resources
        ],
    }
