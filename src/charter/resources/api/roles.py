"""Roles, skills and a resource's skills through the API."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from charter.core import policy
from charter.core.api import (
    IF_MATCH,
    read_with_etag,
    request_field_names,
    set_etag,
    update_with_if_match,
)
from charter.resources.models import Resource, ResourceSkill, Role, Skill
from charter.resources.services import needs as services

router = Router(tags=["needs"])

ROLE = "resources.role"
RESOURCE = "resources.resource"
LEVEL = "1 (beginner) to 5 (expert)."
# The services' field names → the names the requests use for them.
FIELD_NAMES = {"skill": "skill_id", "resource": "resource_id"}


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


# ---- lookups ---------------------------------------------------------------------------------


def _resource(request: HttpRequest, resource_id: int) -> Resource:
    return get_object_or_404(Resource.objects.for_user(request.user), pk=resource_id)


def pick(model: Any, pk: int | None, field: str) -> Any:
    """The ``model`` row ``pk`` (None for None); a field error on ``field`` when there is none."""
    if pk is None:
        return None
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("There is nothing with this ID.")})
    return found


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


# ---- a resource's skills ---------------------------------------------------------------------


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
    skill = pick(Skill, payload.skill_id, "skill_id")
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
