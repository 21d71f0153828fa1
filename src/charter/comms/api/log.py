"""The message log through the API: a project's or a client's messages and logged interactions
(paged, newest first, with the log page's search and filters), one message with its delivery
status, and "retry now"."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from charter.comms import log
from charter.comms.models import OutboxChannel, OutboxMessage, OutboxStatus
from charter.comms.querysets import visible_parent
from charter.core import policy
from charter.crm.choices import InteractionKind
from charter.crm.models import Interaction

router = Router(tags=["message log"])


class MessageOut(Schema):
    id: int
    channel: OutboxChannel
    project_id: int | None
    client_id: int | None
    robot_id: int | None = Field(description="The chat robot posted to (robot messages).")
    robot_name: str = Field(description="Empty for e-mails, or when the robot was removed.")
    recipients: list[str] = Field(description="E-mail addresses (e-mails).")
    subject: str
    body_text: str
    link: str
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime.datetime = Field(description="When it is tried next (retrying).")
    sent_at: datetime.datetime | None
    last_answer: str = Field(description="The remote's answer to the last attempt.")
    created_by_id: int | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_robot_name(obj: OutboxMessage) -> str:
        return obj.robot.name if obj.robot else ""


class InteractionOut(Schema):
    id: int
    kind: InteractionKind
    occurred_at: datetime.datetime
    summary: str
    owner_id: int | None
    contact_names: list[str]

    @staticmethod
    def resolve_contact_names(obj: Interaction) -> list[str]:
        return [contact.name for contact in obj.contacts.all()]


class LogEntryOut(Schema):
    type: str = Field(description="“message” (sent through Charter) or “interaction” (logged).")
    at: datetime.datetime = Field(description="When it was queued or when it happened.")
    message: MessageOut | None
    interaction: InteractionOut | None

    @staticmethod
    def resolve_type(obj: log.LogRow) -> str:
        return obj.kind


class LogFilters(Schema):
    q: str = Field("", description="Words in the subject, text, recipients, robot or summary.")
    status: OutboxStatus | None = Field(None, description="Only messages in this status.")
    channel: log.LogChannel | None = Field(None, description="Only e-mails, robots or logged.")


def _log(request: HttpRequest, kind: str, pk: int, filters: LogFilters) -> log.MessageLog:
    parent = visible_parent(request.user, kind, pk)
    fields = {name: value or "" for name, value in filters.dict().items()}
    return log.LOGS[kind](parent, request.user, **fields)


@router.get(
    "/projects/{project_id}/messages",
    response=list[LogEntryOut],
    summary="A project's message log, newest first",
)
@policy.api_requires("comms.message", "view")
@paginate(LimitOffsetPagination)
def project_messages(
    request: HttpRequest, project_id: int, filters: Query[LogFilters]
) -> log.MessageLog:
    return _log(request, "project", project_id, filters)


@router.get(
    "/clients/{client_id}/messages",
    response=list[LogEntryOut],
    summary="A client's message log (its projects' too), newest first",
)
@policy.api_requires("comms.message", "view")
@paginate(LimitOffsetPagination)
def client_messages(
    request: HttpRequest, client_id: int, filters: Query[LogFilters]
) -> log.MessageLog:
    return _log(request, "client", client_id, filters)


def _message(request: HttpRequest, message_id: int) -> OutboxMessage:
    rows = log.visible_messages(request.user).select_related("robot")
    return get_object_or_404(rows, pk=message_id)


@router.get("/messages/{message_id}", response=MessageOut, summary="One sent message")
@policy.api_requires("comms.message", "view")
def get_message(request: HttpRequest, message_id: int) -> Any:
    return _message(request, message_id)


@router.post(
    "/messages/{message_id}/retry",
    response=MessageOut,
    summary="Send a failed or retrying message again now (409 in any other state)",
)
@policy.api_requires("comms.message", "retry")
def retry_message(request: HttpRequest, message_id: int) -> Any:
    message = _message(request, message_id)
    try:
        return log.retry_now(message, actor=request.user)
    except ValidationError as error:
        raise HttpError(409, " ".join(error.messages)) from error
