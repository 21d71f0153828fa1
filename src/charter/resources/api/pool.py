"""The resource pool and task assignments through the API. Rates (standard rate, cost per use,
currency) are null for team members: only managers and administrators see what a resource
costs."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.core.api import (
    IF_MATCH,
    read_with_etag,
    request_field_names,
    set_etag,
    update_with_if_match,
)
from charter.crm.choices import Currency
from charter.planning.forms import colleagues
from charter.planning.models import Calendar, Task
from charter.resources.choices import ResourceKind
from charter.resources.models import Assignment, Resource, Role
from charter.resources.services import pool as services

router = Router(tags=["resources"])

RESOURCE = "resources.resource"
ASSIGNMENT = "resources.assignment"
# The services' field names → the request's.
FIELD_NAMES = {
    "user": "user_id",
    "calendar": "calendar_id",
    "role": "role_id",
    "resource": "resource_id",
}
UNITS = "1 is full time (100%); 0.5 half time; for equipment and material, the quantity."
MAX_UNITS = "1 is one full-time person (100%); for equipment, the quantity owned (3 cranes: 3)."
STANDARD_RATE = "Per hour for people and equipment, per unit for material"
PLACEHOLDER = (
    "A generic resource: people not yet named, e.g. “Senior backend engineer” with max units "
    "2. Only a work resource without a colleague."
)


# ---- schemas ---------------------------------------------------------------------------------


class ResourceOut(Schema):
    id: int
    name: str
    kind: ResourceKind
    user_id: int | None = Field(description="The colleague who is this resource, if any.")
    initials: str
    email: str
    max_units: Decimal = Field(description=MAX_UNITS)
    standard_rate: Decimal | None = Field(
        description=f"{STANDARD_RATE}; null unless you are a manager or administrator."
    )
    cost_per_use: Decimal | None = Field(
        description="Charged once per assignment; null as the rate is."
    )
    currency: Currency | None = Field(description="Of the rates; null as the rates are.")
    role_id: int | None = Field(description="What the person does; task needs ask for roles.")
    role_name: str | None
    is_placeholder: bool = Field(description=PLACEHOLDER)
    calendar_id: int | None = Field(description="The resource calendar; null: the project's.")
    is_active: bool = Field(description="Only active resources can be assigned.")
    external_uid: int | None = Field(description="The UID in an imported MS Project file.")
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_standard_rate(obj: Resource, context: Any) -> Decimal | None:
        return obj.standard_rate if services.sees_rates(context["request"].user) else None

    @staticmethod
    def resolve_cost_per_use(obj: Resource, context: Any) -> Decimal | None:
        return obj.cost_per_use if services.sees_rates(context["request"].user) else None

    @staticmethod
    def resolve_currency(obj: Resource, context: Any) -> str | None:
        return obj.currency if services.sees_rates(context["request"].user) else None

    @staticmethod
    def resolve_role_name(obj: Resource) -> str | None:
        return obj.role.name if obj.role_id else None


class ResourceIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    kind: ResourceKind = ResourceKind.WORK
    user_id: int | None = Field(None, description="An active colleague (not a client user).")
    initials: str = Field("", max_length=16)
    email: str = Field("", max_length=254)
    max_units: Decimal = Field(
        Decimal("1"), ge=0, max_digits=7, decimal_places=2, description=MAX_UNITS
    )
    standard_rate: Decimal = Field(
        Decimal("0"), ge=0, max_digits=12, decimal_places=2, description=STANDARD_RATE
    )
    cost_per_use: Decimal = Field(Decimal("0"), ge=0, max_digits=12, decimal_places=2)
    currency: Currency = Currency.CNY
    calendar_id: int | None = Field(None, description="A shared calendar; null: the project's.")
    is_active: bool = True
    role_id: int | None = None
    is_placeholder: bool = Field(False, description=PLACEHOLDER)


class ResourcePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    kind: ResourceKind | None = None
    user_id: int | None = None
    initials: str | None = Field(None, max_length=16)
    email: str | None = Field(None, max_length=254)
    max_units: Decimal | None = Field(None, ge=0, max_digits=7, decimal_places=2)
    standard_rate: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    cost_per_use: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    currency: Currency | None = None
    calendar_id: int | None = None
    is_active: bool | None = None
    role_id: int | None = None
    is_placeholder: bool | None = None


class ResourceFilters(Schema):
    q: str = Field("", description="Words in the name, initials, e-mail or colleague's name.")
    kind: ResourceKind | None = None
    active: bool | None = Field(None, description="Only active (true) or inactive (false) ones.")
    role: int | None = Field(None, description="Only resources of the role with this ID.")
    placeholder: bool | None = Field(
        None, description="Only generic (true) or named (false) resources."
    )


class AssignmentOut(Schema):
    id: int
    task_id: int
    resource_id: int
    resource_name: str
    units: Decimal = Field(description=UNITS)
    work: int = Field(description="Working minutes.")
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")
    updated_at: datetime.datetime

    @staticmethod
    def resolve_resource_name(obj: Assignment) -> str:
        return obj.resource.name


class AssignmentIn(Schema):
    resource_id: int = Field(description="An active resource not yet on the task.")
    units: Decimal = Field(Decimal("1"), ge=0, max_digits=7, decimal_places=2, description=UNITS)
    work: int | None = Field(
        None, ge=0, description="Working minutes; null: the task's duration at these units."
    )


class AssignmentPatch(Schema):
    units: Decimal | None = Field(None, ge=0, max_digits=7, decimal_places=2, description=UNITS)
    work: int | None = Field(None, ge=0, description="Working minutes.")


# ---- ids in, objects for the services --------------------------------------------------------


def _related(request: HttpRequest, values: dict[str, Any]) -> dict[str, Any]:
    """Replace ``user_id``, ``calendar_id`` and ``role_id`` by the colleague, the shared
    calendar and the role (unknown ids: 422 on that field)."""
    lookups = {
        "user_id": ("user", colleagues(), _("There is no active colleague with this ID.")),
        "calendar_id": (
            "calendar",
            Calendar.objects.for_user(request.user).filter(project__isnull=True),
            _("There is no shared calendar with this ID."),
        ),
        "role_id": ("role", Role.objects.all(), _("There is no role with this ID.")),
    }
    for id_field, (name, rows, message) in lookups.items():
        if id_field not in values:
            continue
        pk = values.pop(id_field)
        values[name] = None if pk is None else rows.filter(pk=pk).first()
        if pk is not None and values[name] is None:
            raise ValidationError({id_field: message})
    return values


def _resources(request: HttpRequest, action: str = "view") -> Any:
    return Resource.objects.for_user(request.user, action).select_related("role")


def _task(request: HttpRequest, task_id: int) -> Task:
    return get_object_or_404(
        Task.objects.for_user(request.user).select_related("project"), pk=task_id
    )


def _assignment(request: HttpRequest, assignment_id: int) -> Assignment:
    rows = Assignment.objects.for_user(request.user, "change").select_related(
        "resource", "task__project"
    )
    return get_object_or_404(rows, pk=assignment_id)


# ---- resources -------------------------------------------------------------------------------


@router.get("/resources", response=list[ResourceOut], summary="The resource pool")
@policy.api_requires(RESOURCE, "view")
@paginate(LimitOffsetPagination)
def list_resources(request: HttpRequest, filters: Query[ResourceFilters]) -> object:
    values = filters.dict()
    return services.filter_resources(
        _resources(request),
        user=request.user,
        q=values["q"],
        kind=values["kind"] or "",
        active=values["active"],
        role=values["role"],
        placeholder=values["placeholder"],
    )


@router.post("/resources", response={201: ResourceOut}, summary="Add a resource")
@policy.api_requires(RESOURCE, "add")
def create_resource(request: HttpRequest, response: HttpResponse, payload: ResourceIn) -> object:
    with request_field_names(FIELD_NAMES):
        resource = services.create_resource(actor=request.user, **_related(request, payload.dict()))
    set_etag(response, resource)
    return Status(201, resource)


@router.get("/resources/{resource_id}", response=ResourceOut, summary="One resource (with ETag)")
@policy.api_requires(RESOURCE, "view")
def get_resource(request: HttpRequest, response: HttpResponse, resource_id: int) -> object:
    return read_with_etag(response, _resources(request), pk=resource_id)


@router.patch(
    "/resources/{resource_id}",
    response=ResourceOut,
    summary="Edit a resource (needs If-Match); a new calendar reschedules its projects",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(RESOURCE, "change")
def update_resource(
    request: HttpRequest, response: HttpResponse, resource_id: int, payload: ResourcePatch
) -> object:
    resource = get_object_or_404(_resources(request, "change"), pk=resource_id)
    changes = _related(request, payload.dict(exclude_unset=True))
    with request_field_names(FIELD_NAMES):
        return update_with_if_match(
            request, response, services.update_resource, resource, **changes
        )


@router.delete(
    "/resources/{resource_id}",
    response={204: None},
    summary="Delete a resource (422 while it is assigned to a task: deactivate it instead)",
)
@policy.api_requires(RESOURCE, "delete")
def delete_resource(request: HttpRequest, resource_id: int) -> object:
    resource = get_object_or_404(_resources(request, "delete"), pk=resource_id)
    services.delete_resource(resource, actor=request.user)
    return Status(204, None)


# ---- assignments -----------------------------------------------------------------------------


@router.get(
    "/tasks/{task_id}/assignments",
    response=list[AssignmentOut],
    tags=["assignments"],
    summary="The resources assigned to a task",
)
@policy.api_requires(ASSIGNMENT, "view")
def task_assignments(request: HttpRequest, task_id: int) -> object:
    task = _task(request, task_id)
    rows = Assignment.objects.for_user(request.user).filter(task=task)
    return rows.select_related("resource").order_by("resource__name", "pk")


@router.post(
    "/tasks/{task_id}/assignments",
    response={201: AssignmentOut},
    tags=["assignments"],
    summary="Assign a resource to a task; the plan is rescheduled",
)
@policy.api_requires(ASSIGNMENT, "change")
def create_assignment(
    request: HttpRequest, response: HttpResponse, task_id: int, payload: AssignmentIn
) -> object:
    task = _task(request, task_id)
    resource = _resources(request).filter(pk=payload.resource_id).first()
    if resource is None:
        raise ValidationError({"resource_id": _("There is no resource with this ID.")})
    with request_field_names(FIELD_NAMES):
        assignment = services.assign(
            task, resource, actor=request.user, units=payload.units, work=payload.work
        )
    set_etag(response, assignment)
    return Status(201, assignment)


@router.patch(
    "/assignments/{assignment_id}",
    response=AssignmentOut,
    tags=["assignments"],
    summary="Change an assignment's units or work (needs If-Match); the plan is rescheduled",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(ASSIGNMENT, "change")
def update_assignment(
    request: HttpRequest, response: HttpResponse, assignment_id: int, payload: AssignmentPatch
) -> object:
    assignment = _assignment(request, assignment_id)
    changes = payload.dict(exclude_unset=True)
    return update_with_if_match(
        request, response, services.update_assignment, assignment, **changes
    )


@router.delete(
    "/assignments/{assignment_id}",
    response={204: None},
    tags=["assignments"],
    summary="Take a resource off a task; the plan is rescheduled",
)
@policy.api_requires(ASSIGNMENT, "change")
def delete_assignment(request: HttpRequest, assignment_id: int) -> object:
    services.unassign(_assignment(request, assignment_id), actor=request.user)
    return Status(204, None)
