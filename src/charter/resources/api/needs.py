"""Roles, skills, rates over time and task needs through the API: the needs by week of a
project, the ranked candidates of a need, assigning from a need and replacing a generic
resource. Rates are for managers and administrators only."""

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
    expected_version,
    read_with_etag,
    request_field_names,
    set_etag,
    update_with_if_match,
)
from charter.crm.choices import Currency
from charter.planning.models import Task
from charter.planning.querysets import visible_project
from charter.resources.models import (
    Assignment,
    RateChange,
    Resource,
    ResourceSkill,
    Role,
    Skill,
    TaskNeed,
)
from charter.resources.services import needs as services
from charter.resources.services import needs_report, rates

router = Router(tags=["needs"])

ROLE = "resources.role"
NEED = "resources.need"
RATE = "resources.rate"
RESOURCE = "resources.resource"
ASSIGNMENT = "resources.assignment"
LEVEL = "1 (beginner) to 5 (expert)."
# The services' field names → the names the requests use for them.
FIELD_NAMES = {"skill": "skill_id", "resource": "resource_id", "person": "person_id"}


# ---- schemas ---------------------------------------------------------------------------------


class RoleOut(Schema):
    id: int
    name: str
    description: str
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")


class RoleIn(Schema):
    name: str = Field(min_length=1, max_length=120, description="Unique.")
    description: str = ""


class RolePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = None


class SkillOut(Schema):
    id: int
    name: str
    version: int


class SkillIn(Schema):
    name: str = Field(min_length=1, max_length=120, description="Unique.")


class ResourceSkillOut(Schema):
    id: int
    resource_id: int
    skill_id: int
    skill_name: str
    level: int = Field(description=LEVEL)
    version: int

    @staticmethod
    def resolve_skill_name(obj: ResourceSkill) -> str:
        return obj.skill.name


class ResourceSkillIn(Schema):
    skill_id: int
    level: int = Field(3, ge=1, le=5, description=LEVEL)


class ResourceSkillPatch(Schema):
    level: int = Field(ge=1, le=5, description=LEVEL)


class RateChangeOut(Schema):
    id: int
    resource_id: int
    effective_from: datetime.date
    cost_rate: Decimal
    bill_rate: Decimal
    currency: Currency
    version: int


class RateChangeIn(Schema):
    effective_from: datetime.date
    cost_rate: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    bill_rate: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    currency: Currency | None = Field(None, description="Null: the resource's currency.")


class RateChangePatch(Schema):
    effective_from: datetime.date | None = None
    cost_rate: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    bill_rate: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    currency: Currency | None = None


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


def _need(request: HttpRequest, need_id: int) -> TaskNeed:
    rows = TaskNeed.objects.filter(task__in=Task.objects.for_user(request.user)).select_related(
        "task__project", "role", "skill"
    )
    return get_object_or_404(rows, pk=need_id)


def _resource(request: HttpRequest, resource_id: int) -> Resource:
    return get_object_or_404(Resource.objects.for_user(request.user), pk=resource_id)


def _pick(model: Any, pk: int | None, field: str) -> Any:
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("There is nothing with this ID.")})
    return found


def _need_fields(values: dict[str, Any]) -> dict[str, Any]:
    if "role_id" in values:
        values["role"] = _pick(Role, values.pop("role_id"), "role_id")
        if values["role"] is None:
            raise ValidationError({"role_id": _("A need names a role.")})
    if "skill_id" in values:
        values["skill"] = _pick(Skill, values.pop("skill_id"), "skill_id")
    return values


# ---- roles and skills ------------------------------------------------------------------------


@router.get("/roles", response=list[RoleOut], summary="Roles")
@policy.api_requires(ROLE, "view")
def list_roles(request: HttpRequest) -> object:
    return Role.objects.order_by("name", "pk")


@router.post("/roles", response={201: RoleOut}, summary="Add a role")
@policy.api_requires(ROLE, "change")
def create_role(request: HttpRequest, response: HttpResponse, payload: RoleIn) -> object:
    role = services.create_role(actor=request.user, **payload.dict())
    set_etag(response, role)
    return Status(201, role)


@router.get("/roles/{role_id}", response=RoleOut, summary="One role (with ETag)")
@policy.api_requires(ROLE, "view")
def get_role(request: HttpRequest, response: HttpResponse, role_id: int) -> object:
    return read_with_etag(response, Role.objects.all(), pk=role_id)


@router.patch(
    "/roles/{role_id}",
    response=RoleOut,
    summary="Edit a role (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(ROLE, "change")
def update_role(
    request: HttpRequest, response: HttpResponse, role_id: int, payload: RolePatch
) -> object:
    role = get_object_or_404(Role, pk=role_id)
    return update_with_if_match(
        request, response, services.update_role, role, **payload.dict(exclude_unset=True)
    )


@router.delete(
    "/roles/{role_id}", response={204: None}, summary="Delete a role (422 while tasks need it)"
)
@policy.api_requires(ROLE, "change")
def delete_role(request: HttpRequest, role_id: int) -> object:
    services.delete_role(get_object_or_404(Role, pk=role_id), actor=request.user)
    return Status(204, None)


@router.get("/skills", response=list[SkillOut], summary="Skills")
@policy.api_requires(ROLE, "view")
def list_skills(request: HttpRequest) -> object:
    return Skill.objects.order_by("name", "pk")


@router.post("/skills", response={201: SkillOut}, summary="Add a skill")
@policy.api_requires(ROLE, "change")
def create_skill(request: HttpRequest, response: HttpResponse, payload: SkillIn) -> object:
    skill = services.create_skill(actor=request.user, name=payload.name)
    set_etag(response, skill)
    return Status(201, skill)


@router.get("/skills/{skill_id}", response=SkillOut, summary="One skill (with ETag)")
@policy.api_requires(ROLE, "view")
def get_skill(request: HttpRequest, response: HttpResponse, skill_id: int) -> object:
    return read_with_etag(response, Skill.objects.all(), pk=skill_id)


@router.patch(
    "/skills/{skill_id}",
    response=SkillOut,
    summary="Rename a skill (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(ROLE, "change")
def update_skill(
    request: HttpRequest, response: HttpResponse, skill_id: int, payload: SkillIn
) -> object:
    skill = get_object_or_404(Skill, pk=skill_id)
    return update_with_if_match(request, response, services.update_skill, skill, **payload.dict())


@router.delete(
    "/skills/{skill_id}",
    response={204: None},
    summary="Delete a skill (422 while a resource has it or a task needs it)",
)
@policy.api_requires(ROLE, "change")
def delete_skill(request: HttpRequest, skill_id: int) -> object:
    services.delete_skill(get_object_or_404(Skill, pk=skill_id), actor=request.user)
    return Status(204, None)


# ---- a resource's skills and rates ------------------------------------------------------------


@router.get(
    "/resources/{resource_id}/skills",
    response=list[ResourceSkillOut],
    summary="A resource's skills",
)
@policy.api_requires(RESOURCE, "view")
def resource_skills(request: HttpRequest, resource_id: int) -> object:
    resource = _resource(request, resource_id)
    return resource.skills.select_related("skill").order_by("skill__name", "pk")


@router.post(
    "/resources/{resource_id}/skills", response={201: ResourceSkillOut}, summary="Add a skill"
)
@policy.api_requires(RESOURCE, "change")
def add_resource_skill(
    request: HttpRequest, response: HttpResponse, resource_id: int, payload: ResourceSkillIn
) -> object:
    resource = _resource(request, resource_id)
    skill = _pick(Skill, payload.skill_id, "skill_id")
    with request_field_names(FIELD_NAMES):
        row = services.add_resource_skill(resource, skill, actor=request.user, level=payload.level)
    set_etag(response, row)
    return Status(201, row)


@router.patch(
    "/resource-skills/{row_id}",
    response=ResourceSkillOut,
    summary="Change a skill's level (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(RESOURCE, "change")
def update_resource_skill(
    request: HttpRequest, response: HttpResponse, row_id: int, payload: ResourceSkillPatch
) -> object:
    row = get_object_or_404(ResourceSkill.objects.select_related("skill", "resource"), pk=row_id)
    return update_with_if_match(
        request, response, services.update_resource_skill, row, level=payload.level
    )


@router.delete("/resource-skills/{row_id}", response={204: None}, summary="Remove a skill")
@policy.api_requires(RESOURCE, "change")
def delete_resource_skill(request: HttpRequest, row_id: int) -> object:
    row = get_object_or_404(ResourceSkill.objects.select_related("skill", "resource"), pk=row_id)
    services.delete_resource_skill(row, actor=request.user)
    return Status(204, None)


@router.get(
    "/resources/{resource_id}/rates",
    response=list[RateChangeOut],
    tags=["rates"],
    summary="A resource's rate history, the latest first (managers)",
)
@policy.api_requires(RATE, "view")
def rate_history(request: HttpRequest, resource_id: int) -> object:
    return rates.rate_history(_resource(request, resource_id))


@router.post(
    "/resources/{resource_id}/rates",
    response={201: RateChangeOut},
    tags=["rates"],
    summary="Add a rate change (managers)",
)
@policy.api_requires(RATE, "change")
def add_rate_change(
    request: HttpRequest, response: HttpResponse, resource_id: int, payload: RateChangeIn
) -> object:
    resource = _resource(request, resource_id)
    values = payload.dict()
    values["currency"] = values["currency"] or ""
    change = rates.add_rate_change(resource, actor=request.user, **values)
    set_etag(response, change)
    return Status(201, change)


@router.patch(
    "/rate-changes/{change_id}",
    response=RateChangeOut,
    tags=["rates"],
    summary="Edit a rate change (managers; needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(RATE, "change")
def update_rate_change(
    request: HttpRequest, response: HttpResponse, change_id: int, payload: RateChangePatch
) -> object:
    change = get_object_or_404(RateChange.objects.select_related("resource"), pk=change_id)
    changes = payload.dict(exclude_unset=True)
    return update_with_if_match(request, response, rates.update_rate_change, change, **changes)


@router.delete(
    "/rate-changes/{change_id}",
    response={204: None},
    tags=["rates"],
    summary="Delete a rate change (managers)",
)
@policy.api_requires(RATE, "change")
def delete_rate_change(request: HttpRequest, change_id: int) -> object:
    change = get_object_or_404(RateChange.objects.select_related("resource"), pk=change_id)
    rates.delete_rate_change(change, actor=request.user)
    return Status(204, None)


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
    need = _need(request, need_id)
    changes = _need_fields(payload.dict(exclude_unset=True))
    return update_with_if_match(request, response, services.update_need, need, **changes)


@router.delete("/needs/{need_id}", response={204: None}, summary="Remove a need")
@policy.api_requires(NEED, "change")
def delete_need(request: HttpRequest, need_id: int) -> object:
    services.delete_need(_need(request, need_id), actor=request.user)
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
    need = _need(request, need_id)
    resource = Resource.objects.for_user(request.user).filter(pk=payload.resource_id).first()
    if resource is None:
        raise ValidationError({"resource_id": _("There is no resource with this ID.")})
    with request_field_names(FIELD_NAMES):
        assignment = services.assign_from_need(need, resource, actor=request.user)
    set_etag(response, assignment)
    return Status(201, assignment)


@router.post(
    "/assignments/{assignment_id}/replace",
    response=AssignmentOut,
    tags=["assignments"],
    summary="Put a person in place of a generic resource, keeping units and work "
    "(If-Match optional); the plan is rescheduled",
    openapi_extra=IF_MATCH,
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
    version = expected_version(request) if request.headers.get("If-Match") else None
    with request_field_names(FIELD_NAMES):
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
    report = needs_report.needs_by_week(project, span.start, window.weeks)
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
            if services.pool.sees_rates(request.user)
            else None
        ),
    }
