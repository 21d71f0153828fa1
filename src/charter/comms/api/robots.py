"""Chat robots through the API: per project or client, read/edit/delete one, send a test.
The webhook address and the secret are write-only: answers carry them masked."""

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from charter.comms import services
from charter.comms.models import ChatRobot, RobotKind
from charter.comms.querysets import visible_parent
from charter.core import policy
from charter.core.api import IF_MATCH, read_with_etag, update_with_if_match
from charter.core.crypto import masked
from charter.core.http import site_url

router = Router(tags=["chat robots"])

KEEP = "Leave out to keep the stored one."


class RobotOut(Schema):
    id: int
    project_id: int | None
    client_id: int | None
    name: str
    kind: RobotKind
    webhook_url: str = Field(description="Masked: only the last four characters show.")
    secret: str = Field(description="Masked; empty when the robot does not sign.")
    is_active: bool
    last_tested_at: datetime.datetime | None
    last_test_ok: bool | None
    last_test_answer: str = Field(description="What the robot answered to the last test.")
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_webhook_url(obj: ChatRobot) -> str:
        return masked(obj.webhook_url)

    @staticmethod
    def resolve_secret(obj: ChatRobot) -> str:
        return masked(obj.secret)


class RobotIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    kind: RobotKind
    webhook_url: str = Field(
        min_length=1, description="The robot's webhook address; stored encrypted, never shown."
    )
    secret: str = Field("", description="Signing secret (DingTalk: starts with SEC; Feishu).")
    is_active: bool = True


class RobotPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    kind: RobotKind | None = None
    webhook_url: str | None = Field(None, min_length=1, description=KEEP)
    secret: str | None = Field(None, description=f"{KEEP} An empty string removes it.")
    is_active: bool | None = None


class DeliveryOut(Schema):
    ok: bool = Field(description="The robot accepted the message.")
    permanent: bool = Field(description="When not ok: whether trying again cannot help.")
    answer: str = Field(description="The robot's own answer (its error code and message).")
    status: int | None = Field(description="The HTTP status; null when no answer came.")


def _robots(request: HttpRequest, kind: str, pk: int) -> Any:
    parent = visible_parent(request.user, kind, pk)
    return ChatRobot.objects.for_user(request.user).filter(**{kind: parent})


def _create(request: HttpRequest, kind: str, pk: int, payload: RobotIn) -> Any:
    parent = visible_parent(request.user, kind, pk)
    return Status(201, services.create_robot(parent, actor=request.user, **payload.dict()))


def _robot(request: HttpRequest, robot_id: int, action: str) -> ChatRobot:
    return get_object_or_404(ChatRobot.objects.for_user(request.user, action), pk=robot_id)


@router.get(
    "/projects/{project_id}/robots", response=list[RobotOut], summary="A project's chat robots"
)
@policy.api_requires("comms.chatrobot", "view")
def project_robots(request: HttpRequest, project_id: int) -> Any:
    return _robots(request, "project", project_id)


@router.post(
    "/projects/{project_id}/robots",
    response={201: RobotOut},
    summary="Set up a chat robot for a project",
)
@policy.api_requires("comms.chatrobot", "add")
def create_project_robot(request: HttpRequest, project_id: int, payload: RobotIn) -> Any:
    return _create(request, "project", project_id, payload)


@router.get(
    "/clients/{client_id}/robots", response=list[RobotOut], summary="A client's chat robots"
)
@policy.api_requires("comms.chatrobot", "view")
def client_robots(request: HttpRequest, client_id: int) -> Any:
    return _robots(request, "client", client_id)


@router.post(
    "/clients/{client_id}/robots",
    response={201: RobotOut},
    summary="Set up a chat robot for a client",
)
@policy.api_requires("comms.chatrobot", "add")
def create_client_robot(request: HttpRequest, client_id: int, payload: RobotIn) -> Any:
    return _create(request, "client", client_id, payload)


@router.get("/robots/{robot_id}", response=RobotOut, summary="A chat robot")
@policy.api_requires("comms.chatrobot", "view")
def get_robot(request: HttpRequest, response: HttpResponse, robot_id: int) -> Any:
    return read_with_etag(response, ChatRobot.objects.for_user(request.user), pk=robot_id)


@router.patch(
    "/robots/{robot_id}",
    response=RobotOut,
    summary="Edit a chat robot (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires("comms.chatrobot", "change")
def update_robot(
    request: HttpRequest, response: HttpResponse, robot_id: int, payload: RobotPatch
) -> Any:
    robot = _robot(request, robot_id, "change")
    changes = payload.dict(exclude_unset=True)
    if changes.get("secret") == "":
        changes["clear_secret"] = True
    return update_with_if_match(request, response, services.update_robot, robot, **changes)


@router.delete("/robots/{robot_id}", response={204: None}, summary="Remove a chat robot")
@policy.api_requires("comms.chatrobot", "delete")
def delete_robot(request: HttpRequest, robot_id: int) -> Any:
    services.delete_robot(_robot(request, robot_id, "delete"), actor=request.user)
    return Status(204, None)


@router.post(
    "/robots/{robot_id}/test",
    response=DeliveryOut,
    summary="Post a test message to the robot's group; answers how it went",
)
@policy.api_requires("comms.chatrobot", "change")
def test_robot(request: HttpRequest, robot_id: int) -> Any:
    robot = _robot(request, robot_id, "change")
    return services.test_robot(robot, actor=request.user, base_url=site_url(request))
