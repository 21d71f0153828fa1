"""Permission-matrix rows of the resource pool and task assignments."""

from typing import Any

from charter.accounts.models import User
from charter.planning.models import Task
from charter.planning.tests.factories import planning_world
from charter.resources.models import Assignment, Resource
from charter.resources.services import pool as services
from charter.testing.matrix import LOGIN, Case, roles


def _manager() -> User:
    return User.objects.get(username="manager")


def fresh_resource(w: Any) -> Resource:
    return services.create_resource(actor=_manager(), name=w.unique("实施顾问"))


def work_task(w: Any) -> Task:
    """A task (not a summary) of the project the member is on."""
    project = planning_world(w).project
    return project.tasks.filter(is_summary=False).order_by("position").first()


def fresh_assignment(w: Any) -> Assignment:
    return services.assign(work_task(w), fresh_resource(w), actor=_manager())


def _resource(w: Any) -> dict[str, int]:
    return {"pk": fresh_resource(w).pk}


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
MANAGERS_PAGE = roles(LOGIN, 200, 200, 403, 403)
MANAGERS_POST = roles(LOGIN, 302, 302, 403, 403)

HTML: dict[str, Case] = {
    "resources:resource_list": Case(STAFF_PAGE),
    "resources:resource_export": Case(STAFF_PAGE, data={"format": "xlsx"}),
    "resources:resource_create": Case(MANAGERS_PAGE),
    "resources:resource_detail": Case(STAFF_PAGE, kwargs=_resource),
    "resources:resource_edit": Case(MANAGERS_PAGE, kwargs=_resource),
    "resources:resource_delete": Case(MANAGERS_PAGE, kwargs=_resource),
    "resources:assignment_add": Case(
        MANAGERS_POST,
        kwargs=lambda w: {"pk": work_task(w).pk},
        method="post",
        data=lambda w: {"resource": fresh_resource(w).pk, "units": "50", "work": "8"},
    ),
    "resources:assignment_edit": Case(
        MANAGERS_POST,
        kwargs=lambda w: {"pk": fresh_assignment(w).pk},
        method="post",
        data=lambda w: {"units": "100", "work": "16", "version": "1"},
    ),
    "resources:assignment_delete": Case(
        MANAGERS_POST, kwargs=lambda w: {"pk": fresh_assignment(w).pk}, method="post"
    ),
}


def _api(name: str, value: Any) -> Any:
    return lambda w: {name: value(w)}


API_STAFF_READ = roles(401, 200, 200, 200, 403)
API_MANAGERS_CREATE = roles(401, 201, 201, 403, 403)
API_MANAGERS_IF_MATCH = roles(401, 428, 428, 403, 403)
API_MANAGERS_DELETE = roles(401, 204, 204, 403, 403)

API: dict[str, Case] = {
    "GET /api/v1/resources": Case(API_STAFF_READ),
    "POST /api/v1/resources": Case(
        API_MANAGERS_CREATE, data=lambda w: {"name": w.unique("测试工程师")}
    ),
    "GET /api/v1/resources/<resource_id>": Case(
        API_STAFF_READ, kwargs=_api("resource_id", lambda w: fresh_resource(w).pk)
    ),
    "PATCH /api/v1/resources/<resource_id>": Case(
        API_MANAGERS_IF_MATCH, kwargs=_api("resource_id", lambda w: fresh_resource(w).pk)
    ),
    "DELETE /api/v1/resources/<resource_id>": Case(
        API_MANAGERS_DELETE, kwargs=_api("resource_id", lambda w: fresh_resource(w).pk)
    ),
    "GET /api/v1/tasks/<task_id>/assignments": Case(
        API_STAFF_READ, kwargs=_api("task_id", lambda w: work_task(w).pk)
    ),
    "POST /api/v1/tasks/<task_id>/assignments": Case(
        API_MANAGERS_CREATE,
        kwargs=_api("task_id", lambda w: work_task(w).pk),
        data=lambda w: {"resource_id": fresh_resource(w).pk, "units": 0.5},
    ),
    "PATCH /api/v1/assignments/<assignment_id>": Case(
        API_MANAGERS_IF_MATCH, kwargs=_api("assignment_id", lambda w: fresh_assignment(w).pk)
    ),
    "DELETE /api/v1/assignments/<assignment_id>": Case(
        API_MANAGERS_DELETE, kwargs=_api("assignment_id", lambda w: fresh_assignment(w).pk)
    ),
}
