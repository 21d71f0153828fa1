"""Requirements through the API: the register of a project or a deal, read and edit one."""

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.core.api import IF_MATCH, expected_version, read_with_etag, set_etag
from charter.discovery import services
from charter.discovery.choices import Priority, RequirementStatus, RequirementType
from charter.discovery.filtersets import filter_requirements
from charter.discovery.models import Requirement
from charter.discovery.views.parents import visible_parent
from charter.planning.forms import colleagues

router = Router(tags=["requirements"])


class RequirementOut(Schema):
    id: int
    code: str = Field(description="REQ-001, REQ-002 … within its project or opportunity.")
    project_id: int | None
    opportunity_id: int | None = Field(description="Set while the deal is not yet a project.")
    title: str
    description: str
    type: RequirementType
    priority: Priority = Field(description="MoSCoW.")
    value: int = Field(description="1 (low) to 5 (high).")
    effort: int = Field(description="1 (low) to 5 (high).")
    latent_need: bool
    latent_evidence: str
    acceptance_criteria: str
    status: RequirementStatus
    owner_id: int | None
    client_visible: bool
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")
    created_at: datetime.datetime
    updated_at: datetime.datetime


class RequirementFields(Schema):
    description: str = ""
    type: RequirementType = RequirementType.FUNCTIONAL
    priority: Priority = Priority.SHOULD
    value: int = Field(3, ge=1, le=5)
    effort: int = Field(3, ge=1, le=5)
    latent_need: bool = False
    latent_evidence: str = Field("", description="Required when latent_need is true.")
    acceptance_criteria: str = ""
    status: RequirementStatus = RequirementStatus.PROPOSED
    owner_id: int | None = None
    client_visible: bool = False


class RequirementIn(RequirementFields):
    title: str = Field(min_length=1, max_length=200)


class RequirementPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = None
    type: RequirementType | None = None
    priority: Priority | None = None
    value: int | None = Field(None, ge=1, le=5)
    effort: int | None = Field(None, ge=1, le=5)
    latent_need: bool | None = None
    latent_evidence: str | None = None
    acceptance_criteria: str | None = None
    status: RequirementStatus | None = None
    owner_id: int | None = None
    client_visible: bool | None = None


class RequirementFilters(Schema):
    q: str = Field("", description="Words in the code, title or description.")
    type: RequirementType | None = None
    priority: Priority | None = None
    status: RequirementStatus | None = None
    latent: bool | None = None
    owner_id: int | None = None
    sort: str = Field("code", description="code, priority, -value, effort, status, -updated.")


def _service_fields(values: dict[str, Any]) -> dict[str, Any]:
    """Schema values → service keywords: owner_id becomes the owner (a colleague, else 422)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if "owner_id" in values:
        owner_id = values.pop("owner_id")
        owner = colleagues().filter(pk=owner_id).first() if owner_id is not None else None
        if owner_id is not None and owner is None:
            raise ValidationError({"owner_id": _("Choose an active colleague as owner.")})
        values["owner"] = owner
    return values


def _list(request: HttpRequest, kind: str, pk: int, filters: RequirementFilters) -> Any:
    parent = visible_parent(request.user, kind, pk)
    values = filters.dict()
    values["owner"] = values.pop("owner_id")
    values = {key: value for key, value in values.items() if value is not None}
    return filter_requirements(
        Requirement.objects.for_user(request.user).filter(**{kind: parent}), **values
    )


def _create(request: HttpRequest, kind: str, pk: int, payload: RequirementIn) -> Any:
    parent = visible_parent(request.user, kind, pk)
    fields = _service_fields(payload.dict())
    return Status(201, services.create_requirement(parent, actor=request.user, **fields))


@router.get(
    "/projects/{project_id}/requirements",
    response=list[RequirementOut],
    summary="A project's requirements (filters as query parameters)",
)
@policy.api_requires("discovery.requirement", "view")
@paginate(LimitOffsetPagination)
def project_requirements(
    request: HttpRequest, project_id: int, filters: Query[RequirementFilters]
) -> Any:
    return _list(request, "project", project_id, filters)


@router.post(
    "/projects/{project_id}/requirements",
    response={201: RequirementOut},
    summary="Add a requirement to a project; its code is the next REQ number",
)
@policy.api_requires("discovery.requirement", "add")
def create_project_requirement(
    request: HttpRequest, project_id: int, payload: RequirementIn
) -> Any:
    return _create(request, "project", project_id, payload)


@router.get(
    "/opportunities/{opportunity_id}/requirements",
    response=list[RequirementOut],
    summary="A deal's pre-sales requirements (filters as query parameters)",
)
@policy.api_requires("discovery.requirement", "view")
@paginate(LimitOffsetPagination)
def opportunity_requirements(
    request: HttpRequest, opportunity_id: int, filters: Query[RequirementFilters]
) -> Any:
    return _list(request, "opportunity", opportunity_id, filters)


@router.post(
    "/opportunities/{opportunity_id}/requirements",
    response={201: RequirementOut},
    summary="Add a pre-sales requirement to a deal; it moves to the project at conversion",
)
@policy.api_requires("discovery.requirement", "add")
def create_opportunity_requirement(
    request: HttpRequest, opportunity_id: int, payload: RequirementIn
) -> Any:
    return _create(request, "opportunity", opportunity_id, payload)


@router.get("/requirements/{requirement_id}", response=RequirementOut, summary="A requirement")
@policy.api_requires("discovery.requirement", "view")
def get_requirement(request: HttpRequest, response: HttpResponse, requirement_id: int) -> Any:
    return read_with_etag(response, Requirement.objects.for_user(request.user), pk=requirement_id)


@router.patch(
    "/requirements/{requirement_id}",
    response=RequirementOut,
    summary="Edit a requirement (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("discovery.requirement", "change")
def update_requirement(
    request: HttpRequest, response: HttpResponse, requirement_id: int, payload: RequirementPatch
) -> Any:
    requirement = get_object_or_404(
        Requirement.objects.for_user(request.user, "change"), pk=requirement_id
    )
    changes = _service_fields(payload.dict(exclude_unset=True))
    services.update_requirement(
        requirement, actor=request.user, expected_version=expected_version(request), **changes
    )
    set_etag(response, requirement)
    return requirement
