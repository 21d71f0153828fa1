"""Permission-matrix rows of meetings, and the builder the meeting tests share (meetings
scheduled through the service, as the project manager schedules them)."""

import datetime
import zoneinfo
from collections.abc import Sequence
from typing import Any

from charter.accounts.models import User
from charter.comms import meetings
from charter.comms.models import Meeting
from charter.planning.tests.factories import planning_world
from charter.testing.factories import ContactFactory
from charter.testing.matrix import LOGIN, Case, roles

START = datetime.datetime(2026, 12, 3, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
HOUR = datetime.timedelta(hours=1)


def make_meeting(
    project: Any,
    *,
    contacts: list[Any] | None = None,
    colleagues: Sequence[Any] = (),
    actor: Any = None,
    **fields: Any,
) -> Meeting:
    fields = {
        "title": "项目启动会",
        "agenda": "1. 目标\n2. 计划",
        "starts_at": START,
        "ends_at": START + HOUR,
        "location": "Meeting room 3",
        "video_link": "https://meet.example.com/42",
        **fields,
    }
    if contacts is None:
        contacts = [ContactFactory(client=project.client)]
    return meetings.schedule_meeting(
        project,
        actor=actor or User.objects.get(username="manager"),
        contacts=contacts,
        colleagues=list(colleagues),
        fields=fields,
    )


def _meeting(w: Any) -> Meeting:
    """One meeting on the matrix project (the member is on its team), made once."""
    if not hasattr(w, "meeting"):
        project = planning_world(w).project
        w.meeting = make_meeting(project)
        w.meeting_item = meetings.add_action_item(
            w.meeting, actor=User.objects.get(username="manager"), text="整理需求清单"
        )
    return w.meeting


def _fresh_meeting(w: Any) -> Meeting:
    """A meeting of its own, for cases that use it up (cancel)."""
    return make_meeting(planning_world(w).project)


def _fresh_item(w: Any) -> Any:
    """An action item not yet a task, for cases that use it up (make a task)."""
    return meetings.add_action_item(
        _meeting(w), actor=User.objects.get(username="manager"), text=w.unique("行动项")
    )


def _project_pk(w: Any) -> dict[str, int]:
    return {"pk": planning_world(w).project.pk}


def _meeting_pk(w: Any) -> dict[str, int]:
    return {"pk": _meeting(w).pk}


def _minutes(w: Any) -> dict[str, Any]:
    meeting = Meeting.objects.get(pk=_meeting(w).pk)
    return {"minutes": w.unique("纪要"), "version": meeting.version}


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
STAFF_POST = roles(LOGIN, 302, 302, 302, 403)
MANAGERS_POST = roles(LOGIN, 302, 302, 403, 403)

HTML: dict[str, Case] = {
    "comms:project_meetings": Case(STAFF_PAGE, kwargs=_project_pk),
    "comms:meeting_create": Case(STAFF_PAGE, kwargs=_project_pk),
    "comms:meeting_detail": Case(STAFF_PAGE, kwargs=_meeting_pk),
    "comms:meeting_edit": Case(STAFF_PAGE, kwargs=_meeting_pk),
    "comms:meeting_cancel": Case(STAFF_PAGE, kwargs=_meeting_pk),
    "comms:meeting_minutes": Case(STAFF_POST, kwargs=_meeting_pk, method="post", data=_minutes),
    "comms:meeting_action_add": Case(
        STAFF_POST, kwargs=_meeting_pk, method="post", data=lambda w: {"text": w.unique("行动项")}
    ),
    "comms:action_item_task": Case(
        MANAGERS_POST, kwargs=lambda w: {"pk": _fresh_item(w).pk}, method="post"
    ),
}


def _meeting_in(w: Any) -> dict[str, Any]:
    return {
        "title": w.unique("周例会"),
        "starts_at": START.isoformat(),
        "ends_at": (START + HOUR).isoformat(),
        "contact_ids": [ContactFactory(client=w.client_org).pk],
    }


def _api(name: str, value: Any) -> Any:
    return lambda w: {name: value(w)}


API_STAFF_READ = roles(401, 200, 200, 200, 403)
API_STAFF_CREATE = roles(401, 201, 201, 201, 403)
API_MANAGERS_CREATE = roles(401, 201, 201, 403, 403)
NEEDS_IF_MATCH = roles(401, 428, 428, 428, 403)

API: dict[str, Case] = {
    "GET /api/v1/projects/<project_id>/meetings": Case(
        API_STAFF_READ, kwargs=_api("project_id", lambda w: planning_world(w).project.pk)
    ),
    "POST /api/v1/projects/<project_id>/meetings": Case(
        API_STAFF_CREATE,
        kwargs=_api("project_id", lambda w: planning_world(w).project.pk),
        data=_meeting_in,
    ),
    "GET /api/v1/meetings/<meeting_id>": Case(
        API_STAFF_READ, kwargs=_api("meeting_id", lambda w: _meeting(w).pk)
    ),
    "PATCH /api/v1/meetings/<meeting_id>": Case(
        NEEDS_IF_MATCH, kwargs=_api("meeting_id", lambda w: _meeting(w).pk)
    ),
    "POST /api/v1/meetings/<meeting_id>/cancel": Case(
        API_STAFF_READ, kwargs=_api("meeting_id", lambda w: _fresh_meeting(w).pk)
    ),
    "PUT /api/v1/meetings/<meeting_id>/minutes": Case(
        NEEDS_IF_MATCH,
        kwargs=_api("meeting_id", lambda w: _meeting(w).pk),
        data={"minutes": "纪要"},
    ),
    "GET /api/v1/meetings/<meeting_id>/action-items": Case(
        API_STAFF_READ, kwargs=_api("meeting_id", lambda w: _meeting(w).pk)
    ),
    "POST /api/v1/meetings/<meeting_id>/action-items": Case(
        API_STAFF_CREATE,
        kwargs=_api("meeting_id", lambda w: _meeting(w).pk),
        data=lambda w: {"text": w.unique("行动项")},
    ),
    "POST /api/v1/action-items/<item_id>/task": Case(
        API_MANAGERS_CREATE, kwargs=_api("item_id", lambda w: _fresh_item(w).pk)
    ),
}
