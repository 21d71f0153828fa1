"""A project's measurable goals and scope statements through the API, and whether the client
has confirmed them (through the requirements document)."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from charter.core import policy
from charter.core.api import IF_MATCH, read_with_etag, update_with_if_match
from charter.discovery.api.documents import FieldChangeOut
from charter.discovery.models import Requirement
from charter.discovery.services.document_content import project_plan
from charter.planning.models import Goal, Project, ScopeItem
from charter.planning.querysets import visible_project
from charter.planning.services import goals as services

router = Router(tags=["goals and scope"])
RESOURCE = "planning.goal"


# ---- schemas ----------------------------------------------------------------------------------


class GoalOut(Schema):
    id: int
    project_id: int
    title: str
    target: Decimal = Field(description="A decimal string, in `unit`.")
    unit: str = Field(description="For example %, days, orders/day.")
    baseline_value: Decimal | None = Field(description="Where it stands before the project.")
    due_date: datetime.date
    requirement_ids: list[int] = Field(description="Requirements of the project serving it.")
    requirement_codes: list[str] = Field(description="Their codes (REQ-001 …), in code order.")
    order: int = Field(description="Its place in the project's list, from 0.")
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")

    @staticmethod
    def resolve_requirement_ids(obj: Goal) -> list[int]:
        return [requirement.pk for requirement in _requirements(obj)]

    @staticmethod
    def resolve_requirement_codes(obj: Goal) -> list[str]:
        return [requirement.code for requirement in _requirements(obj)]


class GoalIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    target: Decimal = Field(max_digits=14, decimal_places=2)
    unit: str = Field(min_length=1, max_length=40)
    baseline_value: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    due_date: datetime.date
    requirement_ids: list[int] = Field(default_factory=list)


class GoalPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    target: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    unit: str | None = Field(None, min_length=1, max_length=40)
    baseline_value: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    due_date: datetime.date | None = None
    requirement_ids: list[int] | None = Field(None, description="Replaces the links.")


class ScopeItemOut(Schema):
    id: int
    project_id: int
    text: str
    in_scope: bool = Field(description="True: the project delivers it; false: explicitly not.")
    order: int
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")


class ScopeItemIn(Schema):
    text: str = Field(min_length=1, max_length=300)
    in_scope: bool = True


class ScopeItemPatch(Schema):
    text: str | None = Field(None, min_length=1, max_length=300)
    in_scope: bool | None = None


class ItemChangeOut(Schema):
    title: str
    kind: str = Field(description="added, removed or changed.")
    fields: list[FieldChangeOut]


class PlanChangesOut(Schema):
    goals: list[ItemChangeOut] = Field(default_factory=list)
    scope: list[ItemChangeOut] = Field(default_factory=list)


class ConfirmerOut(Schema):
    contact_id: int
    contact: str
    decided_at: datetime.datetime | None
    decided_ip: str | None
    decided_hash: str


class ConfirmationOut(Schema):
    state: str = Field(description="never_confirmed, confirmed or changed (since confirmed).")
    document_id: int | None = Field(description="The project's requirements document.")
    confirmed_version: int | None = Field(description="The latest confirmed version's number.")
    confirmed_version_id: int | None
    confirmed_by: list[ConfirmerOut] = Field(description="Who confirmed that version, when.")
    latest_version: int | None = Field(description="The latest published version's number.")
    changes: PlanChangesOut = Field(description="What changed since (state changed).")


# ---- helpers ----------------------------------------------------------------------------------


def _requirements(goal: Goal) -> list[Requirement]:
    return sorted(goal.requirements.all(), key=lambda requirement: requirement.number)


def _rows(request: HttpRequest, model: type[Goal] | type[ScopeItem]) -> Any:
    return model._default_manager.filter(
        project__in=Project.objects.for_user(request.user)
    ).select_related("project")


def _chosen_requirements(project: Project, ids: list[int]) -> list[Requirement]:
    found = list(Requirement.objects.filter(project=project, pk__in=ids))
    if len(found) != len(set(ids)):
        missing = sorted(set(ids) - {requirement.pk for requirement in found})
        raise ValidationError(
            {
                "requirement_ids": _("Not requirements of this project: %(ids)s.")
                % {"ids": ", ".join(map(str, missing))}
            }
        )
    return found


@contextmanager
def _requirement_ids_errors() -> Iterator[None]:
    """Report the services' errors on ``requirements`` under the request's name."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict") or "requirements" not in error.error_dict:
            raise
        errors = dict(error.error_dict)
        errors["requirement_ids"] = errors.pop("requirements")
        raise ValidationError(errors) from error


def _goal_changes(project: Project, values: dict[str, Any]) -> dict[str, Any]:
    """The payload as the services take it: requirement ids → requirements."""
    ids = values.pop("requirement_ids", None)
    if ids is not None:
        values["requirements"] = _chosen_requirements(project, ids)
    return values


# ---- goals ------------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/goals",
    response=list[GoalOut],
    summary="A project's measurable goals, in order",
)
@policy.api_requires(RESOURCE, "view")
def project_goals(request: HttpRequest, project_id: int) -> Any:
    return project_plan(visible_project(request.user, project_id).pk)["goals"]


@router.post(
    "/projects/{project_id}/goals",
    response={201: GoalOut},
    summary="Add a measurable goal at the end of the project's list",
)
@policy.api_requires(RESOURCE, "change")
def create_goal(request: HttpRequest, project_id: int, payload: GoalIn) -> Any:
    project = visible_project(request.user, project_id)
    values = _goal_changes(project, payload.dict())
    with _requirement_ids_errors():
        return Status(201, services.create_goal(project, actor=request.user, **values))


@router.get("/goals/{goal_id}", response=GoalOut, summary="A goal")
@policy.api_requires(RESOURCE, "view")
def get_goal(request: HttpRequest, response: HttpResponse, goal_id: int) -> Any:
    return read_with_etag(response, _rows(request, Goal), pk=goal_id)


@router.patch(
    "/goals/{goal_id}",
    response=GoalOut,
    summary="Edit a goal (needs If-Match); requirement_ids replaces the links",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(RESOURCE, "change")
def update_goal(
    request: HttpRequest, response: HttpResponse, goal_id: int, payload: GoalPatch
) -> Any:
    goal = get_object_or_404(_rows(request, Goal), pk=goal_id)
    values = _goal_changes(goal.project, payload.dict(exclude_unset=True))
    with _requirement_ids_errors():
        return update_with_if_match(request, response, services.update_goal, goal, **values)


@router.delete("/goals/{goal_id}", response={204: None}, summary="Delete a goal")
@policy.api_requires(RESOURCE, "change")
def delete_goal(request: HttpRequest, goal_id: int) -> Any:
    services.delete_goal(get_object_or_404(_rows(request, Goal), pk=goal_id), actor=request.user)
    return Status(204, None)


# ---- scope statements -------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/scope",
    response=list[ScopeItemOut],
    summary="A project's scope statements (in and out of scope), in order",
)
@policy.api_requires(RESOURCE, "view")
def project_scope(request: HttpRequest, project_id: int) -> Any:
    return project_plan(visible_project(request.user, project_id).pk)["scope"]


@router.post(
    "/projects/{project_id}/scope",
    response={201: ScopeItemOut},
    summary="Add a scope statement at the end of the project's list",
)
@policy.api_requires(RESOURCE, "change")
def create_scope_item(request: HttpRequest, project_id: int, payload: ScopeItemIn) -> Any:
    project = visible_project(request.user, project_id)
    return Status(201, services.create_scope_item(project, actor=request.user, **payload.dict()))


@router.get("/scope-items/{item_id}", response=ScopeItemOut, summary="A scope statement")
@policy.api_requires(RESOURCE, "view")
def get_scope_item(request: HttpRequest, response: HttpResponse, item_id: int) -> Any:
    return read_with_etag(response, _rows(request, ScopeItem), pk=item_id)


@router.patch(
    "/scope-items/{item_id}",
    response=ScopeItemOut,
    summary="Edit a scope statement (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(RESOURCE, "change")
def update_scope_item(
    request: HttpRequest, response: HttpResponse, item_id: int, payload: ScopeItemPatch
) -> Any:
    item = get_object_or_404(_rows(request, ScopeItem), pk=item_id)
    changes = payload.dict(exclude_unset=True)
    return update_with_if_match(request, response, services.update_scope_item, item, **changes)


@router.delete("/scope-items/{item_id}", response={204: None}, summary="Delete a scope statement")
@policy.api_requires(RESOURCE, "change")
def delete_scope_item(request: HttpRequest, item_id: int) -> Any:
    item = get_object_or_404(_rows(request, ScopeItem), pk=item_id)
    services.delete_scope_item(item, actor=request.user)
    return Status(204, None)


# ---- confirmation -----------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/goals/confirmation",
    response=ConfirmationOut,
    summary="Whether the client confirmed the goals and scope as they stand, and what changed",
)
@policy.api_requires(RESOURCE, "view")
def goals_confirmation(request: HttpRequest, project_id: int) -> Any:
    state = services.confirmation_state(visible_project(request.user, project_id))
    version = state.version
    return {
        "state": state.state,
        "document_id": state.document.pk if state.document else None,
        "confirmed_version": version.number if version else None,
        "confirmed_version_id": version.pk if version else None,
        "confirmed_by": [
            {
                "contact_id": confirmation.contact_id,
                "contact": str(confirmation.contact),
                "decided_at": confirmation.decided_at,
                "decided_ip": confirmation.decided_ip,
                "decided_hash": confirmation.decided_hash,
            }
            for confirmation in state.confirmations
        ],
        "latest_version": state.latest_number,
        "changes": state.changes,
    }
