"""Permission-matrix rows of message templates, and the builders the template tests share."""

import importlib
from typing import Any

from django.apps import apps

from charter.accounts.models import User
from charter.comms import services_templates as services
from charter.comms.models import MessageTemplate
from charter.testing.matrix import LOGIN, Case, roles

WORDS = {
    "subject_zh": "【{{ project }}】项目周报",
    "body_zh": "整体进度：{{ progress }}\n未关闭的风险：{{ open_risks }} 项\n{{ portal_link }}",
    "subject_en": "{{ project }}: weekly report",
    "body_en": "Progress: {{ progress }}\nOpen risks: {{ open_risks }}\n{{ portal_link }}",
}

MIGRATION = importlib.import_module("charter.comms.migrations.0007_default_message_templates")


def seed_defaults() -> None:
    """The default templates the data migration writes (again, when a transactional test
    flushed them away earlier in this process; idempotent)."""
    MIGRATION.create_default_templates(apps, None)


def make_template(*, actor: Any = None, **fields: Any) -> MessageTemplate:
    fields = {"name": "客户周报", "kind": "status_report", **WORDS, **fields}
    return services.create_template(actor=actor or User.objects.get(username="manager"), **fields)


def _template(w: Any) -> MessageTemplate:
    """One template for the matrix, made once."""
    if not hasattr(w, "message_template"):
        w.message_template = make_template(name="矩阵模板")
    return w.message_template


def _fresh(w: Any) -> MessageTemplate:
    """A template of its own, for cases that use it up (delete, make default)."""
    return make_template(name=w.unique("模板"), kind="custom")


def _pk(w: Any) -> dict[str, int]:
    return {"pk": _template(w).pk}


def _preview(w: Any) -> dict[str, Any]:
    return {**WORDS, "preview_project": ""}


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
MANAGERS_PAGE = roles(LOGIN, 200, 200, 403, 403)
MANAGERS_POST = roles(LOGIN, 302, 302, 403, 403)

HTML: dict[str, Case] = {
    "comms:template_list": Case(STAFF_PAGE),
    "comms:template_create": Case(MANAGERS_PAGE),
    "comms:template_edit": Case(MANAGERS_PAGE, kwargs=_pk),
    "comms:template_delete": Case(MANAGERS_PAGE, kwargs=_pk),
    "comms:template_default": Case(
        MANAGERS_POST, kwargs=lambda w: {"pk": _fresh(w).pk}, method="post"
    ),
    "comms:template_preview": Case(STAFF_PAGE, method="post", data=_preview),
}


def _template_in(w: Any) -> dict[str, Any]:
    return {"name": w.unique("周报"), "kind": "status_report", **WORDS}


def _id(value: Any) -> Any:
    return lambda w: {"template_id": value(w).pk}


API_STAFF_READ = roles(401, 200, 200, 200, 403)
API_MANAGERS_CREATE = roles(401, 201, 201, 403, 403)
API_MANAGERS_DELETE = roles(401, 204, 204, 403, 403)
MANAGERS_NEED_IF_MATCH = roles(401, 428, 428, 403, 403)

API: dict[str, Case] = {
    "GET /api/v1/message-templates": Case(API_STAFF_READ),
    "POST /api/v1/message-templates": Case(API_MANAGERS_CREATE, data=_template_in),
    "GET /api/v1/message-templates/variables": Case(API_STAFF_READ),
    "POST /api/v1/message-templates/preview": Case(
        API_STAFF_READ, data={"subject": WORDS["subject_en"], "body": WORDS["body_en"]}
    ),
    "GET /api/v1/message-templates/<template_id>": Case(API_STAFF_READ, kwargs=_id(_template)),
    "PATCH /api/v1/message-templates/<template_id>": Case(
        MANAGERS_NEED_IF_MATCH, kwargs=_id(_template), data={"name": "改名"}
    ),
    "DELETE /api/v1/message-templates/<template_id>": Case(API_MANAGERS_DELETE, kwargs=_id(_fresh)),
}
