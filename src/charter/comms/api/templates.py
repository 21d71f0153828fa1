"""Message templates through the API: list, write, read, change (If-Match), delete, the
variables a template may use, and a preview of words filled in from a project's facts."""

import datetime
from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from charter.comms import services_templates as services
from charter.comms import templating
from charter.comms.models import CommunicationKind, MessageTemplate
from charter.core import policy
from charter.core.api import IF_MATCH, patch_schema, read_with_etag, set_etag, update_with_if_match
from charter.planning.models import Project

router = Router(tags=["message templates"])

RESOURCE = "comms.messagetemplate"
WORDS = "May use the `{{ variables }}` listed by GET /message-templates/variables."


class MessageTemplateOut(Schema):
    id: int
    name: str
    kind: CommunicationKind
    subject_zh: str
    body_zh: str
    subject_en: str
    body_en: str
    is_default: bool = Field(description="Plan items of its type without a template use it.")
    item_count: int = Field(description="How many plan items chose this template.")
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_item_count(obj: MessageTemplate) -> int:
        count = getattr(obj, "item_count", None)
        return obj.items.count() if count is None else count


class MessageTemplateIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    kind: CommunicationKind
    subject_zh: str = Field(min_length=1, max_length=200, description=WORDS)
    body_zh: str = Field(min_length=1, description=WORDS)
    subject_en: str = Field(min_length=1, max_length=200, description=WORDS)
    body_en: str = Field(min_length=1, description=WORDS)
    is_default: bool = Field(
        False, description="Make it its type's default; the previous default is one no longer."
    )


MessageTemplatePatch = patch_schema(MessageTemplateIn)


class PreviewIn(Schema):
    subject: str = Field("", max_length=200, description=WORDS)
    body: str = Field("", description=WORDS)
    language: str = Field(
        "en", description="zh, zh-hans, zh-CN … fill in the Chinese way; anything else English."
    )
    project_id: int | None = Field(
        None, description="A project you can see, whose facts fill it in; none: sample values."
    )


class PreviewOut(Schema):
    language: str = Field(description="The language it was filled in for: zh-hans or en.")
    subject: str
    text: str
    html: str = Field(description="The text as HTML paragraphs, its addresses made links.")


class VariableOut(Schema):
    name: str = Field(description="Write it as {{ name }}.")
    help: str


def _rows(request: HttpRequest, action: str = "view") -> Any:
    return MessageTemplate.objects.for_user(request.user, action)


@router.get(
    "/message-templates",
    response=list[MessageTemplateOut],
    summary="Every message template, by type (the default first) and name",
)
@policy.api_requires(RESOURCE, "view")
def list_templates(request: HttpRequest) -> Any:
    return (
        _rows(request).annotate(item_count=Count("items")).order_by("kind", "-is_default", "name")
    )


@router.post(
    "/message-templates",
    response={201: MessageTemplateOut},
    summary="Write a message template (422 naming the field with an unknown variable)",
)
@policy.api_requires(RESOURCE, "add")
def create_template(
    request: HttpRequest, response: HttpResponse, payload: MessageTemplateIn
) -> Any:
    template = services.create_template(actor=request.user, **payload.dict())
    set_etag(response, template)
    return Status(201, template)


@router.get(
    "/message-templates/variables",
    response=list[VariableOut],
    summary="The variables a template may use, with what each says",
)
@policy.api_requires(RESOURCE, "view")
def variables(request: HttpRequest) -> Any:
    return [{"name": name, "help": str(text)} for name, text in templating.VARIABLES.items()]


@router.post(
    "/message-templates/preview",
    response=PreviewOut,
    summary="Fill in a subject and text from a project's facts (or sample values)",
)
@policy.api_requires(RESOURCE, "view")
def preview(request: HttpRequest, payload: PreviewIn) -> Any:
    services.check_words(subject=payload.subject, body=payload.body)
    facts = None
    if payload.project_id is not None:
        projects = Project.objects.for_user(request.user).select_related("client")
        project = get_object_or_404(projects, pk=payload.project_id)
        facts = templating.project_facts(project, base_url=templating.site_url())
    words = {"subject_zh": payload.subject, "subject_en": payload.subject}
    words |= {"body_zh": payload.body, "body_en": payload.body}
    language = templating.language_of(payload.language)
    rendered = services.preview(
        MessageTemplate(**words), language=language, owner=request.user, facts=facts
    )
    return {"language": language, **vars(rendered)}


@router.get(
    "/message-templates/{template_id}", response=MessageTemplateOut, summary="A message template"
)
@policy.api_requires(RESOURCE, "view")
def get_template(request: HttpRequest, response: HttpResponse, template_id: int) -> Any:
    rows = _rows(request).annotate(item_count=Count("items"))
    return read_with_etag(response, rows, pk=template_id)


@router.patch(
    "/message-templates/{template_id}",
    response=MessageTemplateOut,
    summary="Change a message template (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(RESOURCE, "change")
def update_template(
    request: HttpRequest, response: HttpResponse, template_id: int, payload: MessageTemplatePatch
) -> Any:
    template = get_object_or_404(_rows(request, "change"), pk=template_id)
    changes = payload.dict(exclude_unset=True)
    return update_with_if_match(request, response, services.update_template, template, **changes)


@router.delete(
    "/message-templates/{template_id}",
    response={204: None},
    summary="Delete a message template (422 naming the projects while plan items use it)",
)
@policy.api_requires(RESOURCE, "delete")
def delete_template(request: HttpRequest, template_id: int) -> Any:
    template = get_object_or_404(_rows(request, "delete"), pk=template_id)
    services.delete_template(template, actor=request.user)
    return Status(204, None)
