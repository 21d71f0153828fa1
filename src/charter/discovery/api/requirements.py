"""Requirements through the API: the register of a project or a deal, read and edit one,
bulk edit, import, comments, linked plan tasks and the traceability matrix."""

import datetime
import io
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from charter.changes.choices import ChangeStatus
from charter.core import policy
from charter.core.api import IF_MATCH, errors_on_field, expected_version, read_with_etag, set_etag
from charter.discovery import services
from charter.discovery.api.parents import parent_operation
from charter.discovery.choices import Priority, RequirementStatus, RequirementType
from charter.discovery.filtersets import filter_requirements
from charter.discovery.models import Requirement, RequirementComment
from charter.discovery.services import requirements as requirement_services
from charter.discovery.services import traceability
from charter.discovery.services.requirement_import import import_requirements
from charter.discovery.views.parents import visible_parent
from charter.planning.forms import colleagues
from charter.planning.models import Task

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
    if "owner_id" in values:
        owner_id = values.pop("owner_id")
        owner = colleagues().filter(pk=owner_id).first() if owner_id is not None else None
        if owner_id is not None and owner is None:
            raise ValidationError({"owner_id": _("Choose an active colleague as owner.")})
        values["owner"] = owner
    return values


@parent_operation(
    router,
    "GET",
    "/requirements",
    response=list[RequirementOut],
    summary="A {parent}'s requirements (filters as query parameters)",
    rule=("discovery.requirement", "view"),
    paginated=True,
)
def requirements(
    request: HttpRequest, kind: str, pk: int, filters: Query[RequirementFilters]
) -> Any:
    parent = visible_parent(request.user, kind, pk)
    values = filters.dict()
    values["owner"] = values.pop("owner_id")
    values = {key: value for key, value in values.items() if value is not None}
    return filter_requirements(
        Requirement.objects.for_user(request.user).filter(**{kind: parent}), **values
    )


@parent_operation(
    router,
    "POST",
    "/requirements",
    response={201: RequirementOut},
    summary="Add a requirement to a {parent}; its code is the next REQ number",
    description="A deal's requirements move to its project at conversion, keeping their codes.",
    rule=("discovery.requirement", "add"),
)
def create_requirement(request: HttpRequest, kind: str, pk: int, payload: RequirementIn) -> Any:
    parent = visible_parent(request.user, kind, pk)
    fields = _service_fields(payload.dict())
    return Status(201, services.create_requirement(parent, actor=request.user, **fields))


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


# ---- bulk edit ------------------------------------------------------------------------------


class RowVersion(Schema):
    id: int
    version: int = Field(description="The version you read; a row saved since answers 412.")


class BulkChanges(Schema):
    status: RequirementStatus | None = None
    priority: Priority | None = None
    type: RequirementType | None = None
    owner_id: int | None = Field(None, description="A colleague's id; null removes the owner.")
    client_visible: bool | None = None


class BulkIn(Schema):
    rows: list[RowVersion] = Field(min_length=1, description="The requirements to change.")
    changes: BulkChanges = Field(description="Only the fields you send are changed.")


@parent_operation(
    router,
    "POST",
    "/requirements/bulk",
    response=list[RequirementOut],
    summary="Change several of a {parent}'s requirements at once",
    rule=("discovery.requirement", "change"),
)
def bulk_change_requirements(request: HttpRequest, kind: str, pk: int, payload: BulkIn) -> Any:
    """All or nothing: a row saved since the version you sent answers 412 naming the stale
    codes; each requirement's change is audited."""
    parent = visible_parent(request.user, kind, pk)
    changes = _service_fields(payload.changes.dict(exclude_unset=True))
    versions = {row.id: row.version for row in payload.rows}
    with errors_on_field("rows"):
        return requirement_services.bulk_update_requirements(
            parent, actor=request.user, versions=versions, **changes
        )


# ---- import -----------------------------------------------------------------------------------


class RowError(Schema):
    column: str = Field(description="The file's heading, empty when the row as a whole is wrong.")
    message: str


class ImportRowOut(Schema):
    row: int = Field(description="Row number in the file; the heading row is 1.")
    action: str = Field(description="create, update, unchanged or error.")
    code: str = Field(description="The requirement's code (for a new row: the code it gets).")
    title: str
    changes: dict[str, list[Any]] = Field(description="field: [before, after]")
    errors: list[RowError]


class ImportReportOut(Schema):
    committed: bool = Field(description="True when the rows were written (never on a dry run).")
    created: int
    updated: int
    unchanged: int
    errors: int = Field(description="Rows with errors; any makes the import write nothing.")
    ignored_columns: list[str]
    rows: list[ImportRowOut]


IMPORT_DOC = (
    "CSV (UTF-8 or GB18030) or XLSX with headings in English or Chinese. A row with a Code "
    "updates that requirement, a row without one adds a new requirement (or matches one with "
    "the same title). With dry_run (the default) nothing is written; otherwise all rows are "
    "written or — when any row has errors — none (committed is then false)."
)
UploadField = Annotated[UploadedFile, File(..., description="CSV or XLSX.")]
DryRunField = Annotated[bool, Form(True, description="Only check and report (default).")]


@parent_operation(
    router,
    "POST",
    "/requirements/import",
    response=ImportReportOut,
    summary="Import requirements into a {parent} from CSV/XLSX (per-row report)",
    description=IMPORT_DOC,
    rule=("discovery.requirement", "import"),
)
def import_requirements_file(
    request: HttpRequest, kind: str, pk: int, file: UploadField, dry_run: DryRunField = True
) -> Any:
    parent = visible_parent(request.user, kind, pk)
    with errors_on_field("file"):
        report = import_requirements(
            parent, io.BytesIO(file.read()), file.name or "", actor=request.user, commit=not dry_run
        )
    counts = report.counts
    return {
        "committed": report.committed,
        "created": counts["create"],
        "updated": counts["update"],
        "unchanged": counts["unchanged"],
        "errors": counts["error"],
        "ignored_columns": report.ignored_columns,
        "rows": [
            {
                "row": row.number,
                "action": row.action,
                "code": row.code,
                "title": row.title,
                "changes": {
                    name: [str(v) if v is not None else None for v in values]
                    for name, values in row.changes.items()
                },
                "errors": [
                    {"column": column, "message": message} for column, message in row.errors
                ],
            }
            for row in report.rows
        ],
    }


# ---- comments -------------------------------------------------------------------------------


class CommentOut(Schema):
    id: int
    author: str | None = Field(description="Display name; null when the account was removed.")
    body: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_author(comment: RequirementComment) -> str | None:
        return str(comment.author) if comment.author_id else None


class CommentIn(Schema):
    body: str = Field(min_length=1, description="The comment; blank is refused.")


@router.get(
    "/requirements/{requirement_id}/comments",
    response=list[CommentOut],
    summary="A requirement's comments, oldest first",
)
@policy.api_requires("discovery.requirement", "view")
def requirement_comments(request: HttpRequest, requirement_id: int) -> Any:
    requirement = get_object_or_404(Requirement.objects.for_user(request.user), pk=requirement_id)
    return requirement.comments.select_related("author")


@router.post(
    "/requirements/{requirement_id}/comments",
    response={201: CommentOut},
    summary="Comment on a requirement",
)
@policy.api_requires("discovery.requirement", "comment")
def add_requirement_comment(request: HttpRequest, requirement_id: int, payload: CommentIn) -> Any:
    requirement = get_object_or_404(
        Requirement.objects.for_user(request.user, "comment"), pk=requirement_id
    )
    comment = requirement_services.add_requirement_comment(
        requirement, author=request.user, body=payload.body
    )
    return Status(201, comment)


# ---- plan tasks ------------------------------------------------------------------------------


class TaskLinkOut(Schema):
    id: int
    wbs: str = Field(description="The task's WBS code, e.g. 2.3.")
    name: str


class TasksIn(Schema):
    task_ids: list[int] = Field(
        description="Plan tasks of the requirement's project; an empty list unlinks all."
    )


def _linked_tasks(requirement: Requirement) -> Any:
    return requirement.tasks.order_by("position", "pk")


@router.get(
    "/requirements/{requirement_id}/tasks",
    response=list[TaskLinkOut],
    summary="The plan tasks that deliver a requirement",
)
@policy.api_requires("discovery.requirement", "view")
def requirement_tasks(request: HttpRequest, requirement_id: int) -> Any:
    requirement = get_object_or_404(Requirement.objects.for_user(request.user), pk=requirement_id)
    return _linked_tasks(requirement)


@router.put(
    "/requirements/{requirement_id}/tasks",
    response=list[TaskLinkOut],
    summary="Set the plan tasks that deliver a project requirement",
    description="Tasks of another project, unknown ids or a deal's requirement answer 422.",
)
@policy.api_requires("discovery.requirement", "change")
def set_requirement_tasks(request: HttpRequest, requirement_id: int, payload: TasksIn) -> Any:
    requirement = get_object_or_404(
        Requirement.objects.for_user(request.user, "change"), pk=requirement_id
    )
    wanted = set(payload.task_ids)
    tasks = list(Task.objects.filter(pk__in=wanted))
    missing = wanted - {task.pk for task in tasks}
    if missing:
        raise ValidationError(
            {
                "task_ids": _("No task has the id %(ids)s.")
                % {"ids": ", ".join(map(str, sorted(missing)))}
            }
        )
    with errors_on_field("task_ids"):
        try:
            requirement_services.set_requirement_tasks(requirement, actor=request.user, tasks=tasks)
        except ValidationError as problem:
            raise ValidationError({"task_ids": problem.messages}) from problem
    return _linked_tasks(requirement)


# ---- traceability ------------------------------------------------------------------------------


class SourceOut(Schema):
    label: str = Field(description="What the source is, e.g. “Interview · 财务总监”.")
    url: str
    latent_need: bool


class ChangeLinkOut(Schema):
    id: int
    code: str = Field(description="CR-001, CR-002 … within the project.")
    title: str
    status: ChangeStatus


class TraceRowOut(Schema):
    id: int
    code: str
    title: str
    status: RequirementStatus
    sources: list[SourceOut]
    tasks: list[TaskLinkOut]
    change_requests: list[ChangeLinkOut] = Field(
        description="The change requests that touch the requirement, in code order."
    )
    delivered: bool
    gaps: list[str] = Field(description="no_source and/or no_delivery (project requirements).")


class TraceFilters(Schema):
    gap: str = Field("", pattern="^(no_source|no_delivery)?$", description="Only rows with it.")


@parent_operation(
    router,
    "GET",
    "/traceability",
    response=list[TraceRowOut],
    summary="A {parent}'s traceability matrix: requirements, sources, plan tasks, change "
    "requests, gaps",
    rule=("discovery.requirement", "view"),
)
def traceability_matrix(
    request: HttpRequest, kind: str, pk: int, filters: Query[TraceFilters]
) -> Any:
    parent = visible_parent(request.user, kind, pk)
    scope = Requirement.objects.for_user(request.user).filter(**{kind: parent})
    return [_trace_row(row) for row in traceability.trace(scope, gap=filters.gap)]


def _trace_row(row: Any) -> dict[str, Any]:
    gaps = [] if row.has_source else ["no_source"]
    settled = row.status in traceability.SETTLED
    if row.project_id and not row.has_task and not settled:
        gaps.append("no_delivery")
    return {
        "id": row.pk,
        "code": row.code,
        "title": row.title,
        "status": row.status,
        "sources": [
            {"label": f.source_label, "url": f.source_url, "latent_need": f.latent_need}
            for f in row.trace_sources
        ],
        "tasks": row.trace_tasks,
        "change_requests": row.trace_changes,
        "delivered": traceability.is_delivered(row),
        "gaps": gaps,
    }
