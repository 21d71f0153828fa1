"""Change requests through the API: the list and create of a project, read / edit (ETag,
If-Match) / delete of one request while it is proposed, the decision (approve or reject, with a
note) and marking an approved change implemented."""

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from charter.changes import services
from charter.changes.choices import ChangeStatus
from charter.changes.filtersets import filter_change_requests
from charter.changes.models import ChangeRequest
from charter.core import policy
from charter.core.api import (
    IF_MATCH,
    patch_schema,
    read_with_etag,
    request_field_names,
    set_etag,
    update_with_if_match,
)
from charter.crm.models import Contact
from charter.discovery.models import Requirement
from charter.planning.models import Project
from charter.planning.querysets import visible_project

router = Router(tags=["change requests"])

RULE = "changes.change_request"
# The services' field names → the names the request used for them.
NAMES = {"requested_by": "requested_by_id", "requirements": "requirement_ids"}


# ---- schemas ---------------------------------------------------------------------------------


class ChangeRequestOut(Schema):
    id: int
    project_id: int
    code: str = Field(description="CR-001, CR-002 … within its project.")
    title: str
    description: str
    reason: str
    requested_by_id: int | None = Field(description="A contact of the project's client.")
    requested_by_name: str | None
    requested_on: datetime.date
    requirement_ids: list[int]
    requirement_codes: list[str]
    status: ChangeStatus = Field(
        description="proposed, then approved or rejected; approved, then implemented."
    )
    decided_at: datetime.datetime | None
    decided_by_name: str | None
    decision_note: str
    client_visible: bool
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")

    @staticmethod
    def resolve_requested_by_name(change: ChangeRequest) -> str | None:
        return change.requested_by.name if change.requested_by_id else None

    @staticmethod
    def resolve_decided_by_name(change: ChangeRequest) -> str | None:
        return str(change.decided_by) if change.decided_by_id else None

    @staticmethod
    def resolve_requirement_ids(change: ChangeRequest) -> list[int]:
        return [requirement.pk for requirement in change.requirements.all()]

    @staticmethod
    def resolve_requirement_codes(change: ChangeRequest) -> list[str]:
        return [requirement.code for requirement in change.requirements.all()]


class ChangeRequestIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", description="What should change, in the client's words.")
    reason: str = Field("", description="Why the change is wanted: the business need.")
    requested_by_id: int | None = Field(
        None, description="A contact of the project's client; null when the team raises it."
    )
    requested_on: datetime.date | None = Field(None, description="Today when left out.")
    requirement_ids: list[int] = Field(
        [], description="Requirements of the same project the change touches."
    )
    client_visible: bool = False


# Only what is sent changes; a field that may not be null on create may not be null here.
ChangeRequestPatch = patch_schema(ChangeRequestIn)


class DecisionIn(Schema):
    status: Literal["approved", "rejected"] = Field(
        description="approved marks the confirmed requirements it touches as changed."
    )
    note: str = Field("", description="Why it was decided so.")


class ChangeRequestFilters(Schema):
    status: ChangeStatus | None = None
    q: str = Field("", description="Text in the code, title or description.")


# ---- helpers ---------------------------------------------------------------------------------


def _rows(request: HttpRequest, action: str) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.for_user(request.user, action).for_list()


def _references(values: dict[str, Any], project: Project) -> dict[str, Any]:
    """Replace ``requested_by_id`` / ``requirement_ids`` by the contact / requirements, looked
    up only among the project's client's contacts and the project's requirements, so an id
    from elsewhere answers like an unknown one (422 on the field the request named)."""
    if "requested_by_id" in values:
        contact_id = values.pop("requested_by_id")
        contact = None
        if contact_id is not None:
            contact = Contact.objects.filter(client_id=project.client_id, pk=contact_id).first()
            if contact is None:
                raise ValidationError(
                    {"requested_by_id": _("Choose a contact of the project's client.")}
                )
        values["requested_by"] = contact
    if "requirement_ids" in values:
        wanted = set(values.pop("requirement_ids"))
        found = list(Requirement.objects.filter(project=project, pk__in=wanted))
        if missing := wanted - {requirement.pk for requirement in found}:
            raise ValidationError(
                {
                    "requirement_ids": _("No requirement of this project has the id %(ids)s.")
                    % {"ids": ", ".join(map(str, sorted(missing)))}
                }
            )
        values["requirements"] = found
    return values


# ---- a project's change requests -------------------------------------------------------------


@router.get(
    "/projects/{project_id}/change-requests",
    response=list[ChangeRequestOut],
    summary="A project's change requests, newest first",
)
@policy.api_requires(RULE, "view")
@paginate(LimitOffsetPagination)
def list_change_requests(
    request: HttpRequest, project_id: int, filters: Query[ChangeRequestFilters]
) -> Any:
    project = visible_project(request.user, project_id)
    # The same filters as the register page.
    return filter_change_requests(
        _rows(request, "view").filter(project=project), q=filters.q, status=filters.status or ""
    )


@router.post(
    "/projects/{project_id}/change-requests",
    response={201: ChangeRequestOut},
    summary="Raise a change request; its code is the project's next CR number",
)
@policy.api_requires(RULE, "add")
def create_change_request(
    request: HttpRequest, response: HttpResponse, project_id: int, payload: ChangeRequestIn
) -> Any:
    project = visible_project(request.user, project_id)
    fields = _references(payload.dict(), project)
    if fields["requested_on"] is None:
        del fields["requested_on"]  # the service takes today
    with request_field_names(NAMES):
        change = services.create_change_request(project, actor=request.user, **fields)
    set_etag(response, change)
    return Status(201, change)


# ---- one change request ----------------------------------------------------------------------


@router.get(
    "/change-requests/{change_id}",
    response=ChangeRequestOut,
    summary="A change request (with ETag)",
)
@policy.api_requires(RULE, "view")
def get_change_request(request: HttpRequest, response: HttpResponse, change_id: int) -> Any:
    return read_with_etag(response, _rows(request, "view"), pk=change_id)


@router.patch(
    "/change-requests/{change_id}",
    response=ChangeRequestOut,
    summary="Edit a proposed change request (needs If-Match)",
    description="A decided change request is kept as decided: editing it answers 422.",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(RULE, "change")
def update_change_request(
    request: HttpRequest, response: HttpResponse, change_id: int, payload: ChangeRequestPatch
) -> Any:
    change = get_object_or_404(_rows(request, "change").select_related("project"), pk=change_id)
    changes = _references(payload.dict(exclude_unset=True), change.project)
    with request_field_names(NAMES):
        return update_with_if_match(
            request, response, services.update_change_request, change, **changes
        )


@router.delete(
    "/change-requests/{change_id}",
    response={204: None},
    summary="Delete a proposed change request",
    description="A decided change request is a record and stays: deleting it answers 422.",
)
@policy.api_requires(RULE, "delete")
def delete_change_request(request: HttpRequest, change_id: int) -> Any:
    change = get_object_or_404(_rows(request, "delete"), pk=change_id)
    services.delete_change_request(change, actor=request.user)
    return Status(204, None)


@router.post(
    "/change-requests/{change_id}/decision",
    response=ChangeRequestOut,
    summary="Approve or reject a proposed change request (needs If-Match)",
    description="Approving marks the confirmed requirements it touches as changed.",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(RULE, "decide")
def decide_change_request(
    request: HttpRequest, response: HttpResponse, change_id: int, payload: DecisionIn
) -> Any:
    change = get_object_or_404(_rows(request, "decide"), pk=change_id)
    return update_with_if_match(
        request,
        response,
        services.decide_change_request,
        change,
        status=payload.status,
        note=payload.note,
    )


@router.post(
    "/change-requests/{change_id}/implemented",
    response=ChangeRequestOut,
    summary="Mark an approved change request implemented (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(RULE, "decide")
def mark_change_request_implemented(
    request: HttpRequest, response: HttpResponse, change_id: int
) -> Any:
    change = get_object_or_404(_rows(request, "decide"), pk=change_id)
    return update_with_if_match(request, response, services.mark_implemented, change)
