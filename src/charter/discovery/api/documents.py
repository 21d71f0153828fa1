"""The requirements document through the API: the draft, versions, diff, confirmation links."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.core.api import IF_MATCH, expected_version, set_etag
from charter.crm.models import Contact
from charter.discovery.api.parents import parent_operation
from charter.discovery.choices import Decision
from charter.discovery.models import ConfirmationRequest, DocumentVersion, RequirementsDocument
from charter.discovery.services import documents as services
from charter.discovery.services.document_content import diff_contents
from charter.discovery.views.parents import visible_parent

router = Router(tags=["requirements document"])
RESOURCE = "discovery.requirementsdocument"
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


class StatusOut(Schema):
    state: str = Field(description="draft, published or confirmed (of the latest version).")
    latest_version: int | None = Field(description="The number of the latest published version.")
    draft_differs: bool = Field(description="The draft's content hash differs from the latest.")
    waiting_for: list[int] = Field(
        description="Required confirmers (contact ids) still to confirm."
    )


class DocumentOut(Schema):
    id: int
    project_id: int | None
    opportunity_id: int | None
    title: str
    language: str = Field(description="The language the document is shown and exported in.")
    background: str
    goals: str
    requirements_intro: str
    expectations: str
    constraints_text: str
    scope_in: str
    scope_out: str
    glossary: str = Field(description="One term per line: term: meaning.")
    confirmer_ids: list[int] = Field(description="Required confirmers (contacts of the client).")
    status: StatusOut
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")


class DocumentIn(Schema):
    language: str = Field("zh-hans", description="zh-hans or en.")
    title: str = Field("", max_length=200, description="Empty: “<parent> 需求文档” or its English.")


class DocumentPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    language: str | None = None
    background: str | None = None
    goals: str | None = None
    requirements_intro: str | None = None
    expectations: str | None = None
    constraints_text: str | None = None
    scope_in: str | None = None
    scope_out: str | None = None
    glossary: str | None = None
    confirmer_ids: list[int] | None = Field(None, description="Replaces the required confirmers.")


class VersionSummary(Schema):
    id: int
    number: int
    content_hash: str = Field(description="SHA-256 over the canonical JSON of content.")
    note: str = Field(description="What changed, as the publisher wrote it.")
    published_at: datetime.datetime
    published_by_id: int | None


class VersionOut(VersionSummary):
    content: dict[str, Any] = Field(
        description="The frozen document: title, language, sections (key, texts, requirements)."
    )


class PublishIn(Schema):
    note: str = Field("", max_length=500, description="Optional: what changed.")


class SendIn(Schema):
    contact_ids: list[int] | None = Field(
        None, description="Contacts of the client; none: the document's required confirmers."
    )
    valid_days: int = Field(services.LINK_VALID_DAYS, ge=1, le=365)


class LinkOut(Schema):
    confirmation_id: int
    contact_id: int
    link: str = Field(description="The personal link; returned only here, never again.")
    expires_at: datetime.datetime


class CommentOut(Schema):
    section: str
    body: str
    created_at: datetime.datetime


class ConfirmationOut(Schema):
    id: int
    contact_id: int
    contact: str
    decision: Decision
    sent_at: datetime.datetime | None
    opened_at: datetime.datetime | None
    expires_at: datetime.datetime
    decided_at: datetime.datetime | None
    decided_ip: str | None
    decided_hash: str = Field(description="The content hash the contact saw and decided on.")
    message: str
    comments: list[CommentOut]

    @staticmethod
    def resolve_contact(obj: ConfirmationRequest) -> str:
        return str(obj.contact)


class TextChangeOut(Schema):
    field: str
    ops: list[tuple[str, str]] = Field(description="[op, text] with op equal, delete or insert.")


class FieldChangeOut(Schema):
    field: str
    old: Any
    new: Any


class RequirementChangeOut(Schema):
    code: str
    title: str
    kind: str = Field(description="added, removed or changed.")
    fields: list[FieldChangeOut]


class ItemChangeOut(Schema):
    title: str
    kind: str = Field(description="added, removed or changed.")
    fields: list[FieldChangeOut]


class SectionDiffOut(Schema):
    key: str
    texts: list[TextChangeOut]
    requirements: list[RequirementChangeOut]
    goals: list[ItemChangeOut] = Field(
        description="Goals section: measurable goals added, removed or changed."
    )
    scope: list[ItemChangeOut] = Field(
        description="Scope section: scope statements added, removed or changed."
    )


class DiffOut(Schema):
    from_version: int
    to_version: int
    sections: list[SectionDiffOut]


class DiffQuery(Schema):
    from_: int = Field(alias="from", description="The older version number.")
    to: int = Field(description="The newer version number.")


def _out(document: RequirementsDocument, response: HttpResponse) -> dict[str, Any]:
    """The document with its status; the response gets its ETag."""
    set_etag(response, document)
    status = services.document_status(document)
    return {
        "id": document.pk,
        "project_id": document.project_id,
        "opportunity_id": document.opportunity_id,
        **{name: getattr(document, name) for name in services.DOCUMENT_FIELDS},
        "confirmer_ids": [contact.pk for contact in status.confirmers],
        "version": document.version,
        "status": {
            "state": status.state,
            "latest_version": status.latest.number if status.latest else None,
            "draft_differs": status.draft_differs,
            "waiting_for": [contact.pk for contact in status.waiting_for],
        },
    }


def _document(request: HttpRequest, document_id: int, action: str) -> RequirementsDocument:
    rows = RequirementsDocument.objects.for_user(request.user, action)
    return get_object_or_404(rows.select_related("project", "opportunity"), pk=document_id)


def _version(request: HttpRequest, version_id: int, action: str) -> DocumentVersion:
    documents = RequirementsDocument.objects.for_user(request.user, action)
    rows = DocumentVersion.objects.filter(document__in=documents).select_related("document")
    return get_object_or_404(rows, pk=version_id)


def _language(value: str) -> str:
    if value not in LANGUAGES:
        raise ValidationError({"language": _("Choose zh-hans or en.")})
    return value


def _contacts(document: RequirementsDocument, ids: list[int], name: str) -> list[Contact]:
    contacts = list(services.client_contacts(document).filter(pk__in=ids))
    if len(contacts) != len(set(ids)):
        raise ValidationError({name: _("Choose contacts of this client only.")})
    return contacts


@parent_operation(
    router,
    "GET",
    "/document",
    response=DocumentOut,
    summary="A {parent}'s requirements document (the draft) and its status",
    rule=(RESOURCE, "view"),
)
def parent_document(request: HttpRequest, response: HttpResponse, kind: str, pk: int) -> Any:
    parent = visible_parent(request.user, kind, pk)
    document = get_object_or_404(
        RequirementsDocument.objects.for_user(request.user).filter(**{kind: parent})
    )
    return _out(document, response)


@parent_operation(
    router,
    "POST",
    "/document",
    response={201: DocumentOut},
    summary="Start a {parent}'s requirements document (one per {parent})",
    rule=(RESOURCE, "change"),
)
def create_document(
    request: HttpRequest, response: HttpResponse, kind: str, pk: int, payload: DocumentIn
) -> Any:
    parent = visible_parent(request.user, kind, pk)
    document = services.create_document(
        parent, actor=request.user, language=_language(payload.language), title=payload.title
    )
    return Status(201, _out(document, response))


@router.patch(
    "/documents/{document_id}",
    response=DocumentOut,
    summary="Edit the draft (needs If-Match); published versions never change",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(RESOURCE, "change")
def update_document(
    request: HttpRequest, response: HttpResponse, document_id: int, payload: DocumentPatch
) -> Any:
    document = _document(request, document_id, "change")
    changes = payload.dict(exclude_unset=True)
    if "language" in changes:
        _language(changes["language"])
    if "confirmer_ids" in changes:
        changes["confirmers"] = _contacts(
            document, changes.pop("confirmer_ids") or [], "confirmer_ids"
        )
    services.update_document(
        document, actor=request.user, expected_version=expected_version(request), **changes
    )
    return _out(document, response)


@router.post(
    "/documents/{document_id}/publish",
    response={201: VersionOut},
    summary="Freeze the draft as the next version (422 when nothing changed)",
)
@policy.api_requires(RESOURCE, "publish")
def publish_document(request: HttpRequest, document_id: int, payload: PublishIn) -> Any:
    document = _document(request, document_id, "publish")
    return Status(201, services.publish_document(document, actor=request.user, note=payload.note))


@router.get(
    "/documents/{document_id}/versions",
    response=list[VersionSummary],
    summary="The published versions of a document, newest first",
)
@policy.api_requires(RESOURCE, "view")
@paginate(LimitOffsetPagination)
def document_versions(request: HttpRequest, document_id: int) -> Any:
    return _document(request, document_id, "view").versions.order_by("-number")


@router.get(
    "/document-versions/{version_id}", response=VersionOut, summary="A version as published"
)
@policy.api_requires(RESOURCE, "view")
def document_version(request: HttpRequest, version_id: int) -> Any:
    return _version(request, version_id, "view")


@router.get(
    "/documents/{document_id}/diff",
    response=DiffOut,
    summary="What changed between two versions, per section and per requirement",
)
@policy.api_requires(RESOURCE, "view")
def document_diff(request: HttpRequest, document_id: int, query: Query[DiffQuery]) -> Any:
    document = _document(request, document_id, "view")
    old = get_object_or_404(document.versions, number=query.from_)
    new = get_object_or_404(document.versions, number=query.to)
    return {
        "from_version": old.number,
        "to_version": new.number,
        "sections": diff_contents(old.content, new.content),
    }


@router.post(
    "/document-versions/{version_id}/send",
    response={201: list[LinkOut]},
    summary="Send a version to contacts for confirmation; returns the personal links once",
)
@policy.api_requires(RESOURCE, "send")
def send_version(request: HttpRequest, version_id: int, payload: SendIn) -> Any:
    version = _version(request, version_id, "send")
    if payload.contact_ids is None:
        contacts = list(version.document.confirmers.all())
    else:
        contacts = _contacts(version.document, payload.contact_ids, "contact_ids")
    base_url = request.build_absolute_uri("/")
    invites = services.send_version(
        version,
        actor=request.user,
        contacts=contacts,
        valid_days=payload.valid_days,
        base_url=base_url,
    )
    return Status(
        201,
        [
            {
                "confirmation_id": invite.request.pk,
                "contact_id": invite.request.contact_id,
                "link": invite.request.link(base_url),
                "expires_at": invite.request.expires_at,
            }
            for invite in invites
        ],
    )


@router.get(
    "/document-versions/{version_id}/confirmations",
    response=list[ConfirmationOut],
    summary="Who was asked to confirm a version, and their decisions and comments",
)
@policy.api_requires(RESOURCE, "view")
@paginate(LimitOffsetPagination)
def version_confirmations(request: HttpRequest, version_id: int) -> Any:
    version = _version(request, version_id, "view")
    return version.confirmations.select_related("contact").prefetch_related("comments")
