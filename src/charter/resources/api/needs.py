"""Task needs through the API: the needs by week of a project, the ranked candidates of a
need, assigning from a need and replacing a generic resource."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from charter.core import policy
from charter.core.api import (
    IF_MATCH,
    IF_MATCH_OPTIONAL,
    expected_version,
    request_field_names,
    set_etag,
    update_with_if_match,
)
from charter.planning.models import Task
from charter.planning.querysets import visible_project
from charter.resources.api.roles import LEVEL, pick
from charter.resources.models import Assignment, Resource, Role, Skill, TaskNeed
from charter.resources.services import needs as services
from charter.resources.services import needs_report

router = Router(tags=["needs"])

NEED = "resources.need"
ASSIGNMENT = "resources.assignment"
# The services' field names → the names the requests use for them.
# The services' field names → the request's, per operation, so a 422 points at what was sent.
ASSIGN_NAMES = {"resource": "resource_id"}
REPLACE_NAMES = {"person": "person_id"}


# ---- schemas ---------------------------------------------------------------------------------


class NeedOut(Schema):
    id: int
    task_id: int
    role_id: int
    role_name: str
    skill_id: int | None
    min_level: int = Field(description=LEVEL)
    quantity: int = Field(description="How many people.")
    effort_hours: Decimal = Field(description="The work all of them put in.")
    note: str
    version: int

    @staticmethod
    def resolve_role_name(obj: TaskNeed) -> str:
        return obj.role.name


class NeedIn(Schema):
    role_id: int
    skill_id: int | None = None
    min_level: int = Field(1, ge=1, le=5, description=LEVEL)
    quantity: int = Field(1, ge=1)
    effort_hours: Decimal = Field(ge=0, max_digits=9, decimal_places=2)
    note: str = Field("", max_length=255)


class NeedPatch(Schema):
    role_id: int | None = None
    skill_id: int | None = None
    min_level: int | None = Field(None, ge=1, le=5)
    quantity: int | None = Field(None, ge=1)
    effort_hours: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    note: str | None = Field(None, max_length=255)


class RoleWeekOut(Schema):
    week: datetime.date = Field(description="The Monday of the ISO week.")
    needed_hours: Decimal
    assigned_hours: Decimal
    shortfall_hours: Decimal


class RoleRowOut(Schema):
    role_id: int
    role_name: str
    weeks: list[RoleWeekOut]


class EquipmentWeekOut(Schema):
    week: datetime.date = Field(description="The Monday of the ISO week.")
    peak: Decimal = Field(description="The most units in use on one working day of the week.")
    owned: Decimal = Field(description="The quantity owned (max units).")
    over: bool


class EquipmentRowOut(Schema):
    resource_id: int
    resource_name: str
    weeks: list[EquipmentWeekOut]


class MaterialWeekOut(Schema):
    week: datetime.date = Field(description="The Monday of the ISO week.")
    quantity: Decimal = Field(description="Units on the tasks starting that week.")


class MaterialRowOut(Schema):
    resource_id: int
    resource_name: str
    weeks: list[MaterialWeekOut]


class MoneyOut(Schema):
    month: datetime.date = Field(description="Its first day.")
    currency: str
    amount: Decimal


class NeedsByWeekOut(Schema):
    weeks: list[datetime.date]
    roles: list[RoleRowOut]
    equipment: list[EquipmentRowOut]
    materials: list[MaterialRowOut]
    money: list[MoneyOut] | None = Field(description="Planned cost; null unless a manager.")


class WindowIn(Schema):
    start: datetime.date | None = Field(None, description="Default: this week.")
    weeks: int = Field(12, ge=1, le=52)


class CandidateOut(Schema):
    resource_id: int
    resource_name: str
    role_match: bool
    level: int | None = Field(description="In the need's skill; null when not held.")
    meets_level: bool
    capacity_hours: Decimal | None = Field(description="In the task's weeks; null: unscheduled.")
    allocated_hours: Decimal | None
    free_hours: Decimal | None


class AssignFromNeedIn(Schema):
    resource_id: int


class ReplaceIn(Schema):
    person_id: int = Field(description="An active named person not yet on the task.")


class AssignmentOut(Schema):
    id: int
    task_id: int
    resource_id: int
    units: Decimal
    work: int = Field(description="Working minutes.")
    version: int


# ---- lookups ---------------------------------------------------------------------------------


def _task(request: HttpRequest, task_id: int) -> Task:
    return get_object_or_404(
        Task.objects.for_user(request.user).select_related("project"), pk=task_id
    )


def _need(request: HttpRequest, need_id: int, action: str = "view") -> TaskNeed:
    return get_object_or_404(TaskNeed.objects.for_user(request.user, action), pk=need_id)


def _need_fields(values: dict[str, Any]) -> dict[str, Any]:
    if "role_id" in values:
        values["role"] = pick(Role, values.pop("role_id"), "role_id")
        if values["role"] is None:
            raise ValidationError({"role_id": _("A need names a role.")})
    if "skill_id" in values:
        values["skill"] = pick(Skill, values.pop("skill_id"), "skill_id")
    return values


# ---- needs -----------------------------------------------------------------------------------


@router.get("/tasks/{task_id}/needs", response=list[NeedOut], summary="What a task needs")
@policy.api_requires(NEED, "view")
def task_needs(request: HttpRequest, task_id: int) -> object:
    return services.needs_of(_task(request, task_id))


@router.post("/tasks/{task_id}/needs", response={201: NeedOut}, summary="Add a need to a task")
@policy.api_requires(NEED, "change")
def create_need(
    request: HttpRequest, response: HttpResponse, task_id: int, payload: NeedIn
) -> object:
    task = _task(request, task_id)
    need = services.create_need(task, actor=request.user, **_need_fields(payload.dict()))
    set_etag(response, need)
    return Status(201, need)


@router.get("/needs/{need_id}", response=NeedOut, summary="One need (with ETag)")
@policy.api_requires(NEED, "view")
def get_need(request: HttpRequest, response: HttpResponse, need_id: int) -> object:
    need = _need(request, need_id)
    set_etag(response, need)
    return need


@router.patch(
    "/needs/{need_id}",
    response=NeedOut,
    summary="Edit a need (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(NEED, "change")
def update_need(
    request: HttpRequest, response: HttpResponse, need_id: int, payload: NeedPatch
) -> object:
    need = _need(request, need_id, "change")
    changes = _need_fields(payload.dict(exclude_unset=True))
    return update_with_if_match(request, response, services.update_need, need, **changes)


@router.delete("/needs/{need_id}", response={204: None}, summary="Remove a need")
@policy.api_requires(NEED, "change")
def delete_need(request: HttpRequest, need_id: int) -> object:
    services.delete_need(_need(request, need_id, "change"), actor=request.user)
    return Status(204, None)


@router.get(
    "/needs/{need_id}/candidates",
    response=list[CandidateOut],
    summary="People who could meet a need, best first, with the parts of their ranking",
)
@policy.api_requires(NEED, "view")
def need_candidates(request: HttpRequest, need_id: int) -> object:
    return [
        {
            "resource_id": c.resource.pk,
            "resource_name": c.resource.name,
            "role_match": c.role_match,
            "level": c.level,
            "meets_level": c.meets_level,
            "capacity_hours": c.capacity_hours,
            "allocated_hours": c.allocated_hours,
            "free_hours": c.free_hours,
        }
        for c in services.candidates(_need(request, need_id), user=request.user)
    ]


@router.post(
    "/needs/{need_id}/assign",
    response={201: AssignmentOut},
    summary="Assign a resource to the need's task at the need's effort; the plan is rescheduled",
)
@policy.api_requires(NEED, "change")
def assign_from_need(
    request: HttpRequest, response: HttpResponse, need_id: int, payload: AssignFromNeedIn
) -> object:
    need = _need(request, need_id, "change")
    resource = Resource.objects.for_user(request.user).filter(pk=payload.resource_id).first()
    if resource is None:
        raise ValidationError({"resource_id": _("There is no resource with this ID.")})
    with request_field_names(ASSIGN_NAMES):
        assignment = services.assign_from_need(need, resource, actor=request.user)
    set_etag(response, assignment)
    return Status(201, assignment)


@router.post(
    "/assignments/{assignment_id}/replace",
    response=AssignmentOut,
    tags=["assignments"],
    summary="Put a person in place of a generic resource, keeping units and work "
    "(If-Match optional); the plan is rescheduled",
    openapi_extra=IF_MATCH_OPTIONAL,
)
@policy.api_requires(ASSIGNMENT, "change")
def replace_placeholder(
    request: HttpRequest, response: HttpResponse, assignment_id: int, payload: ReplaceIn
) -> object:
    rows = Assignment.objects.for_user(request.user, "change").select_related(
        "resource", "task__project"
    )
    assignment = get_object_or_404(rows, pk=assignment_id)
    person = Resource.objects.for_user(request.user).filter(pk=payload.person_id).first()
    if person is None:
        raise ValidationError({"person_id": _("There is no resource with this ID.")})
    version = expected_version(request, current=assignment)
    with request_field_names(REPLACE_NAMES):
        assignment = services.replace_placeholder(
            assignment, person, actor=request.user, expected_version=version
        )
    set_etag(response, assignment)
    return assignment


@router.get(
    "/projects/{project_id}/needs-by-week",
    response=NeedsByWeekOut,
    summary="Per role and ISO week: needed and assigned hours; equipment and materials per "
    "week; planned cost a month",
)
@policy.api_requires(NEED, "view")
def needs_by_week(request: HttpRequest, project_id: int, window: Query[WindowIn]) -> object:
    from charter.resources.utilisation import Window

    project = visible_project(request.user, project_id)
    span = Window.of(window.start, window.weeks)
    with_money = services.pool.sees_rates(request.user)
    report = needs_report.needs_by_week(project, span.start, window.weeks, with_money=with_money)
    return {
        "weeks": list(report.weeks),
        "roles": [
            {
                "role_id": row.role.pk,
                "role_name": row.role.name,
                "weeks": [
                    {
                        "week": cell.week,
                        "needed_hours": cell.needed_hours,
                        "assigned_hours": cell.assigned_hours,
                        "shortfall_hours": cell.shortfall_hours,
                    }
                    for cell in row.weeks
                ],
            }
            for row in report.roles
        ],
        "equipment": [
            {
                "resource_id": row.resource.pk,
                "resource_name": row.resource.name,
                "weeks": [
                    {"week": c.week, "peak": c.peak, "owned": c.owned, "over": c.over}
                    for c in row.weeks
                ],
            }
            for row in report.equipment_weeks
        ],
        "materials": [
            {
                "resource_id": row.resource.pk,
                "resource_name": row.resource.name,
                "weeks": [{"week": c.week, "quantity": c.quantity} for c in row.weeks],
            }
            for row in report.material_weeks
        ],
        "money": (
            [{"month": m.month, "currency": m.currency, "amount": m.amount} for m in report.money]
            if with_money
            else None
        ),
    }
