"""Permission-matrix rows of the message log, and the builders the log tests share: messages
and interactions at chosen times."""

from datetime import datetime, timedelta
from itertools import count
from typing import Any

from django.utils import timezone

from charter.comms.models import OutboxChannel, OutboxMessage, OutboxStatus
from charter.planning.tests.factories import planning_world
from charter.testing.factories import InteractionFactory
from charter.testing.matrix import LOGIN, Case, roles

START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.get_current_timezone())
REFUSED = "550 5.1.1 <wang.li@example.com>: Recipient address rejected: no such mailbox"
_keys = count(1)


def make_message(
    *, at: datetime = START, status: str = OutboxStatus.SENT, **fields: Any
) -> OutboxMessage:
    """An e-mail (unless ``channel``/``robot`` say otherwise) stored ``at`` in ``status``,
    written straight to the table: the log reads what the outbox left behind."""
    fields = {
        "key": f"log-test-{next(_keys)}",
        "channel": OutboxChannel.EMAIL,
        "recipients": ["wang.li@example.com"],
        "subject": "项目周报 / Weekly report",
        "body_text": "本周完成了需求调研。",
        "status": status,
        **fields,
    }
    if status == OutboxStatus.FAILED:
        fields = {"last_answer": REFUSED, "attempts": 1, **fields}
    message = OutboxMessage.objects.create(**fields)
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=at)  # auto_now_add
    message.created_at = at
    return message


def make_interaction(client: Any, *, at: datetime = START, **fields: Any) -> Any:
    return InteractionFactory(client=client, occurred_at=at, **fields)


def hours(n: int) -> timedelta:
    return timedelta(hours=n)


def _project(w: Any) -> Any:
    return planning_world(w).project


def _message(w: Any) -> OutboxMessage:
    if not hasattr(w, "log_message"):
        w.log_message = make_message(project=_project(w), client=w.client_org)
    return w.log_message


def _failed(w: Any) -> OutboxMessage:
    """A new failed message each time: a retry consumes it."""
    return make_message(project=_project(w), status=OutboxStatus.FAILED)


def _pk(value: Any) -> Any:
    return lambda w: {"pk": value(w).pk}


def _api(name: str, value: Any) -> Any:
    return lambda w: {name: value(w).pk}


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
MANAGERS_POST = roles(LOGIN, 302, 302, 403, 403)

HTML: dict[str, Case] = {
    "comms:project_messages": Case(STAFF_PAGE, kwargs=_pk(_project)),
    "comms:client_messages": Case(STAFF_PAGE, kwargs=_pk(lambda w: w.client_org)),
    "comms:message_retry": Case(MANAGERS_POST, kwargs=_pk(_failed), method="post"),
}

STAFF_READ = roles(401, 200, 200, 200, 403)
MANAGERS_ACT = roles(401, 200, 200, 403, 403)

API: dict[str, Case] = {
    "GET /api/v1/projects/<project_id>/messages": Case(
        STAFF_READ, kwargs=_api("project_id", _project)
    ),
    "GET /api/v1/clients/<client_id>/messages": Case(
        STAFF_READ, kwargs=_api("client_id", lambda w: w.client_org)
    ),
    "GET /api/v1/messages/<message_id>": Case(STAFF_READ, kwargs=_api("message_id", _message)),
    "POST /api/v1/messages/<message_id>/retry": Case(
        MANAGERS_ACT, kwargs=_api("message_id", _failed)
    ),
}
