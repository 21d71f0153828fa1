"""API of the generic features every object may have: attachments and history."""

import datetime
from typing import Annotated, Any

from django.db import models
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy, services
from charter.core.api import errors_on_field
from charter.core.models import Attachment, AuditEvent
from charter.core.querysets import get_by_reference
from charter.core.views import attachment_file_response

router = Router(tags=["core"])

OBJECT_DESCRIPTION = "The object, as app_label.model:id — for example crm.client:7."
BINARY = {"type": "string", "format": "binary"}
ObjectReference = Annotated[str, Query(..., alias="object", description=OBJECT_DESCRIPTION)]


class AttachmentOut(Schema):
    id: int = Field(description="Attachment ID; download it at /attachments/{id}/download.")
    name: str = Field(description="File name as uploaded.")
    size: int = Field(description="Size in bytes.")
    mime_type: str = Field(description="Media type guessed from the file name.")
    sha256: str = Field(description="SHA-256 of the content, hex.")
    description: str = Field(description="What the file is.")
    client_visible: bool = Field(description="Whether the client's portal users see it.")
    uploaded_by: str | None = Field(description="Who uploaded it.")
    uploaded_at: datetime.datetime = Field(description="When it was uploaded.")

    @staticmethod
    def resolve_uploaded_by(attachment: Attachment) -> str | None:
        return str(attachment.uploaded_by) if attachment.uploaded_by else None


class AttachmentIn(Schema):
    object: str = Field(description=OBJECT_DESCRIPTION)
    description: str = Field("", max_length=255, description="What the file is.")
    client_visible: bool = Field(False, description="Let the client's portal users see it.")


class AuditEventOut(Schema):
    id: int
    created_at: datetime.datetime = Field(description="When it happened.")
    actor: str = Field(description="Who did it (username), or `system`.")
    action: str = Field(description="What was done, as a code: created, updated, …")
    action_label: str = Field(description="What was done, in the user's language.")
    object_repr: str = Field(description="The object as it was called then.")
    changes: dict[str, Any] = Field(description="Changed fields: {field: [old, new]}.")
    ip: str | None = Field(description="Where the change came from.")

    @staticmethod
    def resolve_actor(event: AuditEvent) -> str:
        return event.actor_label or "system"


def _parent(request: HttpRequest, reference: str, capability: str) -> models.Model:
    with errors_on_field("object"):
        return get_by_reference(reference, request.user, "view", capability=capability)


@router.get("/attachments", response=list[AttachmentOut], summary="Files attached to an object")
@policy.api_requires("core.attachment", "view")
@paginate(LimitOffsetPagination)
def list_attachments(request: HttpRequest, reference: ObjectReference) -> object:
    parent = _parent(request, reference, "charter_attachable")
    return Attachment.objects.for_parent(parent, request.user)


@router.post("/attachments", response={201: AttachmentOut}, summary="Attach a file to an object")
@policy.api_requires("core.attachment", "add")
def add_attachment(
    request: HttpRequest,
    payload: Form[AttachmentIn],
    file: Annotated[UploadedFile, File(..., description="The file; size and type limits apply.")],
) -> object:
    parent = _parent(request, payload.object, "charter_attachable")
    with errors_on_field("file"):
        return services.add_attachment(
            parent,
            user=request.user,
            upload=file,
            description=payload.description,
            client_visible=payload.client_visible,
        )


@router.get(
    "/attachments/{attachment_id}/download",
    response={200: None},
    summary="Download a file",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment (Content-Disposition).",
                "content": {"application/octet-stream": {"schema": BINARY}},
            }
        }
    },
)
@policy.api_requires("core.attachment", "view")
def download_attachment(request: HttpRequest, attachment_id: int) -> object:
    return attachment_file_response(Attachment.objects.get_for_user(attachment_id, request.user))


@router.delete("/attachments/{attachment_id}", response={204: None}, summary="Delete a file")
@policy.api_requires("core.attachment", "delete")
def delete_attachment(request: HttpRequest, attachment_id: int) -> object:
    attachment = Attachment.objects.get_for_user(attachment_id, request.user)
    services.delete_attachment(attachment, user=request.user)
    return Status(204, None)


@router.get("/history", response=list[AuditEventOut], summary="What happened to an object")
@policy.api_requires("core.auditevent", "view")
@paginate(LimitOffsetPagination)
def list_history(request: HttpRequest, reference: ObjectReference) -> object:
    parent = _parent(request, reference, "charter_history")
    return AuditEvent.objects.for_user(request.user).for_object(parent)
