"""A project's plan as Microsoft Project XML (MSPDI) through the API: download it, or upload a
file that replaces the plan and answers with the import report."""

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from charter.core import policy
from charter.core.api import errors_on_field
from charter.planning.querysets import visible_project
from charter.planning.services.exchange import import_plan, read_upload
from charter.planning.views.exchange import XML_CONTENT_TYPE, mspdi_response

router = Router(tags=["plan exchange"])


class ImportReportOut(Schema):
    tasks: int = Field(description="Tasks created (the project summary task, UID 0, is not).")
    links: int
    calendars: int = Field(description="Calendars created or updated as the project's own.")
    baselines: int = Field(description="Baseline slots (0 = Baseline, 1–10) filled.")
    resources: int = Field(
        description="Resources of the file in the pool: created, or matched by name and type."
    )
    assignments: int = Field(description="Assignments created on the plan's tasks.")
    not_mapped: list[str] = Field(
        description="One line for each thing in the file Charter did not import as it was."
    )


XmlFile = Annotated[UploadedFile, File(..., description="MS Project XML (MSPDI), up to 20 MB.")]
ReplaceFlag = Annotated[
    bool,
    Form(
        False,
        description="Delete the current plan first; without it a project with tasks is refused.",
    ),
]


@router.get(
    "/projects/{project_id}/mspdi",
    response={200: None},
    summary="The plan as Microsoft Project XML (MSPDI)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The plan, as an attachment named after the project code.",
                "content": {XML_CONTENT_TYPE: {"schema": {"type": "string"}}},
            }
        }
    },
)
@policy.api_requires("planning.task", "view")
def export_mspdi(request: HttpRequest, project_id: int) -> Any:
    return mspdi_response(visible_project(request.user, project_id))


@router.post(
    "/projects/{project_id}/mspdi",
    response=ImportReportOut,
    summary="Replace the plan with a Microsoft Project XML file (all or nothing)",
    description=(
        "Imports tasks, links, constraints, progress, calendars, baselines, resources and "
        "assignments, reschedules the plan and answers with what was imported and what was "
        "not. A file that cannot be read, a plan that cannot be scheduled or a non-empty plan "
        "without replace answers 422 and changes nothing."
    ),
)
@policy.api_requires("planning.task", "change")
def import_mspdi(
    request: HttpRequest, project_id: int, file: XmlFile, replace: ReplaceFlag = False
) -> Any:
    project = visible_project(request.user, project_id)
    with errors_on_field("file"):
        return import_plan(project, read_upload(file), actor=request.user, replace=replace)
