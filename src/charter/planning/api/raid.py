"""The RAID log through the API: for each kind (risks, assumptions, issues, decisions) the list
and create of a project, and read / edit (ETag, If-Match) / delete of one entry.

The four kinds share their handlers, registered once per kind by :func:`register`.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from charter.accounts.models import User
from charter.core import policy
from charter.core.api import (
    IF_MATCH,
    patch_schema,
    read_with_etag,
    request_field_names,
    update_with_if_match,
)
from charter.planning.choices import (
    AssumptionStatus,
    IssueSeverity,
    IssueStatus,
    RiskResponse,
    RiskStatus,
)
from charter.planning.models import Assumption, Decision, Project, ProjectIssue, Risk
from charter.planning.services import raid as services

router = Router()

RULE = "planning.raid"
Level = Field(3, ge=1, le=5, description="1 (very low) to 5 (very high).")


# ---- schemas -----------------------------------------------------------------------------------


class EntryOut(Schema):
    id: int
    project_id: int
    client_visible: bool
    created_by_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")


class RiskOut(EntryOut):
    title: str
    description: str
    probability: int
    impact: int
    score: int = Field(description="probability × impact, 1 to 25.")
    response: RiskResponse
    owner_id: int | None
    trigger: str
    mitigation: str
    status: RiskStatus
    review_date: datetime.date | None


class RiskIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    probability: int = Level
    impact: int = Level
    response: RiskResponse = RiskResponse.MITIGATE
    owner_id: int | None = Field(None, description="An active colleague.")
    trigger: str = Field("", max_length=300, description="The sign that it is happening.")
    mitigation: str = Field("", description="The mitigation actions.")
    status: RiskStatus = RiskStatus.OPEN
    review_date: datetime.date | None = None
    client_visible: bool = False


class AssumptionOut(EntryOut):
    statement: str
    owner_id: int | None
    status: AssumptionStatus
    verify_by: datetime.date | None
    notes: str


class AssumptionIn(Schema):
    statement: str = Field(min_length=1, max_length=300)
    owner_id: int | None = Field(None, description="An active colleague.")
    status: AssumptionStatus = AssumptionStatus.UNVERIFIED
    verify_by: datetime.date | None = None
    notes: str = ""
    client_visible: bool = False


class IssueOut(EntryOut):
    title: str
    description: str
    severity: IssueSeverity
    with_client: bool = Field(description="A conflict with the client.")
    owner_id: int | None
    status: IssueStatus
    escalation_path: str
    resolution: str
    agreed_by: str
    due_date: datetime.date | None
    resolved_at: datetime.datetime | None = Field(description="Set when resolved or closed.")


class IssueIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    severity: IssueSeverity = IssueSeverity.MEDIUM
    with_client: bool = Field(False, description="A conflict with the client.")
    owner_id: int | None = Field(None, description="An active colleague.")
    status: IssueStatus = Field(
        IssueStatus.OPEN, description="resolved and closed need a resolution."
    )
    escalation_path: str = ""
    resolution: str = ""
    agreed_by: str = Field("", max_length=200, description="Who accepted the resolution.")
    due_date: datetime.date | None = None
    client_visible: bool = False


class DecisionOut(EntryOut):
    title: str
    decided_by: str
    decided_on: datetime.date
    rationale: str
    issue_id: int | None


class DecisionIn(Schema):
    title: str = Field(min_length=1, max_length=200, description="What was decided.")
    decided_by: str = Field(min_length=1, max_length=200)
    decided_on: datetime.date
    rationale: str = Field("", description="Why.")
    issue_id: int | None = Field(None, description="An issue of the same project.")
    client_visible: bool = False


class OwnedFilters(Schema):
    owner_id: int | None = Field(None, description="Owned by this colleague.")


class RiskFilters(OwnedFilters):
    status: RiskStatus | None = None
    probability: int | None = Field(None, ge=1, le=5, description="A heat map row.")
    impact: int | None = Field(None, ge=1, le=5, description="A heat map column.")


class AssumptionFilters(OwnedFilters):
    status: AssumptionStatus | None = None


class IssueFilters(OwnedFilters):
    status: IssueStatus | None = None
    severity: IssueSeverity | None = None


class DecisionFilters(Schema):
    issue_id: int | None = Field(None, description="Decisions that settle this issue.")


# ---- references: ids in, objects for the services ----------------------------------------------


def _references(values: dict[str, Any], project: Project) -> dict[str, Any]:
    """Replace ``owner_id`` / ``issue_id`` by the user / issue (unknown ids: 422)."""
    if "owner_id" in values:
        owner_id = values.pop("owner_id")
        values["owner"] = None if owner_id is None else User.objects.filter(pk=owner_id).first()
        if owner_id is not None and values["owner"] is None:
            raise ValidationError({"owner_id": _("Choose an active colleague as owner.")})
    if "issue_id" in values:
        issue_id = values.pop("issue_id")
        issues = ProjectIssue.objects.filter(project=project)
        values["issue"] = None if issue_id is None else issues.filter(pk=issue_id).first()
        if issue_id is not None and values["issue"] is None:
            raise ValidationError({"issue_id": _("Choose an issue of the same project.")})
    return values


RAID_ID_FIELDS = {"owner": "owner_id", "issue": "issue_id"}


# ---- one set of operations per kind ------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    model: Any
    plural: str  # the path segment: /projects/{project_id}/risks, /risks/{risk_id}
    singular: str
    out: type[Schema]
    create_in: type[Schema]
    filters: type[Schema]
    create: Callable[..., Any]
    update: Callable[..., Any]
    delete: Callable[..., None]


def _named(name: str, handler: Callable[..., Any]) -> Callable[..., Any]:
    # ninja names the operation (OpenAPI operationId, URL name) after the function.
    handler.__name__ = handler.__qualname__ = name
    return handler


def register(kind: Kind) -> None:
    """The five operations of one kind: list and create under the project, read, edit and
    delete under ``/<plural>/{entry_id}``."""
    entry_path = f"/{kind.plural}/{{entry_id}}"
    patch_in = patch_schema(kind.create_in)
    tags = [f"RAID: {kind.plural}"]

    def entries(request: HttpRequest, project_id: int, filters: Query[kind.filters]) -> Any:  # type: ignore[name-defined]
        project = get_object_or_404(Project.objects.for_user(request.user), pk=project_id)
        values = filters.dict(exclude_none=True)
        if "owner_id" in values:
            values["owner"] = values.pop("owner_id")
        rows = services.entries_for_user(kind.model, request.user).filter(project=project)
        if "issue_id" in values:
            rows = rows.filter(issue_id=values.pop("issue_id"))
        return services.in_list_order(services.filter_entries(rows, **values))

    def create(request: HttpRequest, project_id: int, payload: kind.create_in) -> Any:  # type: ignore[name-defined]
        project = get_object_or_404(Project.objects.for_user(request.user), pk=project_id)
        fields = _references(payload.dict(), project)
        with request_field_names(RAID_ID_FIELDS):
            return Status(201, kind.create(project, actor=request.user, **fields))

    def read(request: HttpRequest, response: HttpResponse, entry_id: int) -> Any:
        rows = services.entries_for_user(kind.model, request.user)
        return read_with_etag(response, rows, pk=entry_id)

    def update(
        request: HttpRequest,
        response: HttpResponse,
        entry_id: int,
        payload: patch_in,  # type: ignore[valid-type]
    ) -> Any:
        rows = services.entries_for_user(kind.model, request.user, "change")
        entry = get_object_or_404(rows.select_related("project"), pk=entry_id)
        changes = _references(payload.dict(exclude_unset=True), entry.project)  # type: ignore[attr-defined]
        with request_field_names(RAID_ID_FIELDS):
            return update_with_if_match(request, response, kind.update, entry, **changes)

    def delete(request: HttpRequest, entry_id: int) -> Any:
        rows = services.entries_for_user(kind.model, request.user, "delete")
        kind.delete(get_object_or_404(rows, pk=entry_id), actor=request.user)
        return Status(204, None)

    project_path = f"/projects/{{project_id}}/{kind.plural}"
    router.get(
        project_path,
        response=list[kind.out],  # type: ignore[name-defined]
        tags=tags,
        summary=f"A project's {kind.plural}",
    )(
        policy.api_requires(RULE, "view")(
            paginate(LimitOffsetPagination)(_named(f"list_{kind.plural}", entries))
        )
    )
    router.post(
        project_path, response={201: kind.out}, tags=tags, summary=f"Log a {kind.singular}"
    )(policy.api_requires(RULE, "add")(_named(f"create_{kind.singular}", create)))
    router.get(entry_path, response=kind.out, tags=tags, summary=f"A {kind.singular}")(
        policy.api_requires(RULE, "view")(_named(f"get_{kind.singular}", read))
    )
    router.patch(
        entry_path,
        response=kind.out,
        tags=tags,
        summary=f"Edit a {kind.singular} (needs If-Match)",
        openapi_extra=IF_MATCH,
    )(policy.api_requires(RULE, "change")(_named(f"update_{kind.singular}", update)))
    router.delete(entry_path, response={204: None}, tags=tags, summary=f"Delete a {kind.singular}")(
        policy.api_requires(RULE, "delete")(_named(f"delete_{kind.singular}", delete))
    )


for _kind in (
    Kind(
        Risk,
        "risks",
        "risk",
        RiskOut,
        RiskIn,
        RiskFilters,
        services.create_risk,
        services.update_risk,
        services.delete_risk,
    ),
    Kind(
        Assumption,
        "assumptions",
        "assumption",
        AssumptionOut,
        AssumptionIn,
        AssumptionFilters,
        services.create_assumption,
        services.update_assumption,
        services.delete_assumption,
    ),
    Kind(
        ProjectIssue,
        "issues",
        "issue",
        IssueOut,
        IssueIn,
        IssueFilters,
        services.create_issue,
        services.update_issue,
        services.delete_issue,
    ),
    Kind(
        Decision,
        "decisions",
        "decision",
        DecisionOut,
        DecisionIn,
        DecisionFilters,
        services.create_decision,
        services.update_decision,
        services.delete_decision,
    ),
):
    register(_kind)
