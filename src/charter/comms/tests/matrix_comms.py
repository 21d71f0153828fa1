"""Permission-matrix rows of chat robots, and the builder the robot tests share (robots made
through the service, as managers make them)."""

from typing import Any

from charter.accounts.models import User
from charter.comms import services
from charter.comms.models import ChatRobot, RobotKind
from charter.planning.tests.factories import planning_world
from charter.testing.matrix import LOGIN, Case, roles

# Nothing listens on the discard port: a test there fails at once, without leaving the machine.
UNREACHABLE = "http://127.0.0.1:9/cgi-bin/webhook/send?key=matrix-key-0001"


def make_robot(parent: Any, *, url: str = UNREACHABLE, **fields: Any) -> ChatRobot:
    fields = {"name": "项目群", "kind": RobotKind.WECOM, "webhook_url": url, **fields}
    return services.create_robot(parent, actor=User.objects.get(username="manager"), **fields)


def _project(w: Any) -> Any:
    return planning_world(w).project


def _robot(w: Any) -> ChatRobot:
    if not hasattr(w, "robot"):
        w.robot = make_robot(_project(w))
    return w.robot  # type: ignore[no-any-return]


def _pk(value: Any) -> Any:
    return lambda w: {"pk": value(w).pk}


def _robot_in(w: Any) -> dict[str, Any]:
    return {"name": w.unique("群机器人"), "kind": "wecom", "webhook_url": UNREACHABLE}


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
MANAGERS_PAGE = roles(LOGIN, 200, 200, 403, 403)
MANAGERS_POST = roles(LOGIN, 302, 302, 403, 403)

HTML: dict[str, Case] = {
    "comms:project_robots": Case(STAFF_PAGE, kwargs=_pk(_project)),
    "comms:client_robots": Case(STAFF_PAGE, kwargs=_pk(lambda w: w.client_org)),
    "comms:project_robot_create": Case(MANAGERS_PAGE, kwargs=_pk(_project)),
    "comms:client_robot_create": Case(MANAGERS_PAGE, kwargs=_pk(lambda w: w.client_org)),
    "comms:robot_edit": Case(MANAGERS_PAGE, kwargs=_pk(_robot)),
    "comms:robot_delete": Case(MANAGERS_PAGE, kwargs=_pk(_robot)),
    "comms:robot_test": Case(MANAGERS_POST, kwargs=_pk(_robot), method="post"),
}


def _api(name: str, value: Any) -> Any:
    return lambda w: {name: value(w).pk}


STAFF_READ = roles(401, 200, 200, 200, 403)
MANAGERS_CREATE = roles(401, 201, 201, 403, 403)
MANAGERS_NEED_IF_MATCH = roles(401, 428, 428, 403, 403)
MANAGERS_DELETE = roles(401, 204, 204, 403, 403)
MANAGERS_ACT = roles(401, 200, 200, 403, 403)

API: dict[str, Case] = {
    "GET /api/v1/projects/<project_id>/robots": Case(
        STAFF_READ, kwargs=_api("project_id", _project)
    ),
    "POST /api/v1/projects/<project_id>/robots": Case(
        MANAGERS_CREATE, kwargs=_api("project_id", _project), data=_robot_in
    ),
    "GET /api/v1/clients/<client_id>/robots": Case(
        STAFF_READ, kwargs=_api("client_id", lambda w: w.client_org)
    ),
    "POST /api/v1/clients/<client_id>/robots": Case(
        MANAGERS_CREATE, kwargs=_api("client_id", lambda w: w.client_org), data=_robot_in
    ),
    "GET /api/v1/robots/<robot_id>": Case(STAFF_READ, kwargs=_api("robot_id", _robot)),
    "PATCH /api/v1/robots/<robot_id>": Case(
        MANAGERS_NEED_IF_MATCH, kwargs=_api("robot_id", _robot), data={"name": "改名"}
    ),
    "DELETE /api/v1/robots/<robot_id>": Case(
        MANAGERS_DELETE, kwargs=_api("robot_id", lambda w: make_robot(_project(w)))
    ),
    "POST /api/v1/robots/<robot_id>/test": Case(MANAGERS_ACT, kwargs=_api("robot_id", _robot)),
}
