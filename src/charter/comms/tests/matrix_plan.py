"""Permission-matrix rows of the communication plan, and the builders its tests share: the
default message templates, and plan items made through the service as the team makes them."""

import datetime
from typing import Any

from django.utils import timezone

from charter.accounts.models import User
from charter.comms import occurrences, plan
from charter.comms.models import CommunicationItem, CommunicationKind, MessageTemplate
from charter.planning.tests.factories import planning_world
from charter.testing.factories import ContactFactory
from charter.testing.matrix import LOGIN, Case, roles

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def default_templates() -> None:
    """A default template per type (a data migration may have seeded them already)."""
    for kind in CommunicationKind:
        MessageTemplate.objects.update_or_create(
            kind=kind,
            is_default=True,
            defaults={
                "name": f"默认 {kind.label}",
                "subject_zh": "{{ project }}：项目周报 {{ date }}",
                "body_zh": "{{ recipient }}，您好：\n本周进度 {{ progress }}。\n{{ portal_link }}",
                "subject_en": "{{ project }}: weekly status {{ date }}",
                "body_en": "Dear {{ recipient }},\nProgress this week: {{ progress }}.",
            },
        )


def first_day(days_ahead: int = 3) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days_ahead)


def make_item(
    project: Any,
    *,
    contacts: list[Any] | None = None,
    colleagues: list[Any] | None = None,
    actor: Any = None,
    **fields: Any,
) -> CommunicationItem:
    """A weekly e-mailed status report of ``project`` from three days on (kept on days off,
    so its dates are the rule's), owned by the manager, to one contact of the client."""
    default_templates()
    manager = User.objects.get(username="manager")
    starts_on = fields.pop("starts_on", first_day())
    fields = {
        "kind": CommunicationKind.STATUS_REPORT,
        "content": "项目周报",
        "channel": "email",
        "rule": f"FREQ=WEEKLY;BYDAY={WEEKDAYS[starts_on.weekday()]}",
        "shift": "keep",
        "owner": manager,
        "starts_on": starts_on,
        **fields,
    }
    if contacts is None:
        contacts = [ContactFactory(client=project.client)]
    return plan.create_item(
        project,
        actor=actor or manager,
        contacts=contacts,
        colleagues=colleagues or [],
        **fields,
    )


def _item(w: Any) -> CommunicationItem:
    """One item on the matrix project, made once."""
    if not hasattr(w, "plan_item"):
        w.plan_item = make_item(planning_world(w).project)
    return w.plan_item


def _fresh_item(w: Any) -> CommunicationItem:
    """An item of its own, for cases that use it up (skip, send, delete)."""
    return make_item(planning_world(w).project, content=w.unique("项目周报"))


def _skipped_item(w: Any) -> CommunicationItem:
    """A fresh item whose first occurrence was skipped (``next_nominal_on`` as loaded: it)."""
    item = _fresh_item(w)
    occurrences.skip_occurrence(item, _first(item), actor=User.objects.get(username="manager"))
    return item


def _first(item: CommunicationItem) -> datetime.date:
    assert item.next_nominal_on is not None
    return item.next_nominal_on


def _day(item: CommunicationItem) -> str:
    return _first(item).isoformat()


def _project_pk(w: Any) -> dict[str, int]:
    return {"pk": planning_world(w).project.pk}


def _item_pk(w: Any) -> dict[str, int]:
    return {"pk": _item(w).pk}


def _occurrence(make: Any) -> Any:
    def kwargs(w: Any) -> dict[str, Any]:
        item = make(w)
        return {"pk": item.pk, "on": _day(item)}

    return kwargs


def _restore_kwargs(w: Any) -> dict[str, Any]:
    item = _skipped_item(w)
    return {"pk": item.pk, "on": _day(item)}


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
STAFF_POST = roles(LOGIN, 302, 302, 302, 403)

HTML: dict[str, Case] = {
    "comms:project_communications": Case(STAFF_PAGE, kwargs=_project_pk),
    "comms:project_communication_calendar": Case(STAFF_PAGE, kwargs=_project_pk),
    "comms:communication_create": Case(STAFF_PAGE, kwargs=_project_pk),
    "comms:communication_detail": Case(STAFF_PAGE, kwargs=_item_pk),
    "comms:communication_edit": Case(STAFF_PAGE, kwargs=_item_pk),
    "comms:communication_delete": Case(STAFF_PAGE, kwargs=_item_pk),
    "comms:occurrence_preview": Case(STAFF_PAGE, kwargs=_occurrence(_item)),
    "comms:occurrence_edit": Case(STAFF_PAGE, kwargs=_occurrence(_item)),
    "comms:occurrence_send": Case(STAFF_PAGE, kwargs=_occurrence(_item)),
    "comms:occurrence_skip": Case(STAFF_POST, kwargs=_occurrence(_fresh_item), method="post"),
    "comms:occurrence_restore": Case(STAFF_POST, kwargs=_restore_kwargs, method="post"),
    "comms:my_week": Case(STAFF_PAGE),
}


def _api_item(make: Any) -> Any:
    return lambda w: {"item_id": make(w).pk}


def _api_occurrence(make: Any) -> Any:
    def kwargs(w: Any) -> dict[str, Any]:
        item = make(w)
        return {"item_id": item.pk, "nominal_on": _day(item)}

    return kwargs


def _item_in(w: Any) -> dict[str, Any]:
    default_templates()
    return {
        "kind": "status_report",
        "content": w.unique("项目周报"),
        "channel": "email",
        "rule": "FREQ=WEEKLY;BYDAY=FR",
        "contact_ids": [ContactFactory.create(client=w.client_org).pk],
    }


API_STAFF_READ = roles(401, 200, 200, 200, 403)
API_STAFF_CREATE = roles(401, 201, 201, 201, 403)
API_STAFF_DELETE = roles(401, 204, 204, 204, 403)
NEEDS_IF_MATCH = roles(401, 428, 428, 428, 403)
PROJECT = "/api/v1/projects/<project_id>/communications"
ITEM = "/api/v1/communications/<item_id>"
OCCURRENCE = f"{ITEM}/occurrences/<nominal_on>"

API: dict[str, Case] = {
    f"GET {PROJECT}": Case(
        API_STAFF_READ, kwargs=lambda w: {"project_id": planning_world(w).project.pk}
    ),
    f"POST {PROJECT}": Case(
        API_STAFF_CREATE,
        kwargs=lambda w: {"project_id": planning_world(w).project.pk},
        data=_item_in,
    ),
    f"GET {ITEM}": Case(API_STAFF_READ, kwargs=_api_item(_item)),
    f"PATCH {ITEM}": Case(NEEDS_IF_MATCH, kwargs=_api_item(_item)),
    f"DELETE {ITEM}": Case(API_STAFF_DELETE, kwargs=_api_item(_fresh_item)),
    f"GET {ITEM}/occurrences": Case(API_STAFF_READ, kwargs=_api_item(_item)),
    f"POST {OCCURRENCE}/skip": Case(API_STAFF_READ, kwargs=_api_occurrence(_fresh_item)),
    f"POST {OCCURRENCE}/restore": Case(API_STAFF_READ, kwargs=_api_occurrence(_skipped_item)),
    f"POST {OCCURRENCE}/send": Case(API_STAFF_READ, kwargs=_api_occurrence(_fresh_item)),
    f"PUT {OCCURRENCE}": Case(
        API_STAFF_READ,
        kwargs=_api_occurrence(_fresh_item),
        data={"subject": "{{ project }}：本周特别说明", "body": "本周暂停一次例会。"},
    ),
    f"GET {OCCURRENCE}/preview": Case(API_STAFF_READ, kwargs=_api_occurrence(_item)),
    "GET /api/v1/me/communications": Case(API_STAFF_READ),
}
