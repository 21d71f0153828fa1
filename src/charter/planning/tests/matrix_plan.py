"""Permission-matrix rows of the plan: the plan page and its edits, the task page, baselines, and
the API of tasks, links, the schedule and baselines. Staff on the project read; managers change
the plan and save baselines; clients get 403 (they see the plan through the portal)."""

from dataclasses import dataclass
from typing import Any

from charter.accounts.models import User
from charter.planning.models import Baseline, Dependency, Project, Task
from charter.planning.services import plan as services
from charter.planning.services.baselines import save_baseline
from charter.planning.tests.factories import planning_world
from charter.testing.matrix import LOGIN, Case, roles

BASELINE_NUMBER = 0


@dataclass
class PlanWorld:
    project: Project
    manager: User
    task: Task
    link: Dependency


def plan_world(world: Any) -> PlanWorld:
    """A plan with a link and a saved baseline, made once per matrix world, on the project the
    member is on."""
    if not hasattr(world, "plan"):
        project = planning_world(world).project
        manager = User.objects.get(username="manager")
        world.plan = PlanWorld(project, manager, *_linked_pair(world, project, manager))
        save_baseline(project, actor=manager, number=BASELINE_NUMBER)
    return world.plan


def _linked_pair(world: Any, project: Project, manager: User) -> tuple[Task, Dependency]:
    first, second = (_new_task(world, project, manager) for _ in range(2))
    link = services.add_dependency(project, actor=manager, predecessor=first, successor=second)
    return second, link


def _new_task(world: Any, project: Project, manager: User) -> Task:
    return services.add_task(project, actor=manager, fields={"name": world.unique("任务")})


def fresh_task(w: Any) -> Task:
    """A new task for each role's request that consumes or moves it."""
    plan = plan_world(w)
    return _new_task(w, plan.project, plan.manager)


def fresh_link(w: Any) -> Dependency:
    plan = plan_world(w)
    return _linked_pair(w, plan.project, plan.manager)[1]


def fresh_baseline(w: Any) -> Baseline:
    plan = plan_world(w)
    return save_baseline(plan.project, actor=plan.manager, number=next(w.counter) % 10 + 1)


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
MANAGERS_PAGE = roles(LOGIN, 200, 200, 403, 403)
MANAGERS_POST = roles(LOGIN, 302, 302, 403, 403)

API_STAFF_READ = roles(401, 200, 200, 200, 403)
API_MANAGERS = roles(401, 200, 200, 403, 403)
API_MANAGERS_CREATE = roles(401, 201, 201, 403, 403)
API_MANAGERS_DELETE = roles(401, 204, 204, 403, 403)


def _project(w: Any) -> dict[str, int]:
    return {"pk": plan_world(w).project.pk}


def _task(w: Any) -> dict[str, int]:
    return {"pk": plan_world(w).task.pk}


def _fresh_task(w: Any) -> dict[str, int]:
    return {"pk": fresh_task(w).pk}


def _ticked(w: Any) -> dict[str, int]:
    return {"task": fresh_task(w).pk}


def _pair(w: Any) -> dict[str, int]:
    return {"predecessor": fresh_task(w).pk, "successor": fresh_task(w).pk}


def _api_project(w: Any) -> dict[str, int]:
    return {"project_id": plan_world(w).project.pk}


def _api_task(w: Any) -> dict[str, int]:
    return {"task_id": plan_world(w).task.pk}


def _api_pair(w: Any) -> dict[str, int]:
    return {"predecessor_id": fresh_task(w).pk, "successor_id": fresh_task(w).pk}


HTML: dict[str, Case] = {
    "planning:plan": Case(STAFF_PAGE, kwargs=_project),
    # The client's user opens the client view of their own organisation's project.
    "planning:client_plan": Case(roles(LOGIN, 200, 200, 200, 200), kwargs=_project),
    "planning:plan_print": Case(STAFF_PAGE, kwargs=_project),
    "planning:task_add": Case(
        MANAGERS_POST, kwargs=_project, method="post", data={"name": "新任务", "duration_days": "2"}
    ),
    "planning:tasks_indent": Case(MANAGERS_POST, kwargs=_project, method="post", data=_ticked),
    "planning:tasks_outdent": Case(MANAGERS_POST, kwargs=_project, method="post", data=_ticked),
    "planning:tasks_delete": Case(MANAGERS_POST, kwargs=_project, method="post", data=_ticked),
    "planning:tasks_link": Case(MANAGERS_POST, kwargs=_project, method="post", data=_pair),
    "planning:task_detail": Case(STAFF_PAGE, kwargs=_task),
    "planning:task_row": Case(MANAGERS_PAGE, kwargs=_task),
    "planning:task_progress": Case(
        roles(LOGIN, 302, 302, 302, 403),
        kwargs=_fresh_task,
        method="post",
        data={"version": 1, "percent_complete": 10},
    ),
    "planning:task_unsplit": Case(
        MANAGERS_POST, kwargs=_fresh_task, method="post", data={"version": 1}
    ),
    "planning:task_up": Case(MANAGERS_POST, kwargs=_task, method="post"),
    "planning:task_down": Case(MANAGERS_POST, kwargs=_task, method="post"),
    # A new task is at version 1; the drop day becomes a start-no-earlier-than constraint.
    "planning:task_drag": Case(
        MANAGERS_POST,
        kwargs=_fresh_task,
        method="post",
        data={"start": "2026-12-07", "version": 1},
    ),
    "planning:task_link_add": Case(
        MANAGERS_POST,
        kwargs=_fresh_task,
        method="post",
        data=lambda w: {"predecessor": fresh_task(w).pk, "type": "FS", "lag_days": "0"},
    ),
    "planning:link_delete": Case(
        MANAGERS_POST, kwargs=lambda w: {"pk": fresh_link(w).pk}, method="post"
    ),
    "planning:baselines": Case(STAFF_PAGE, kwargs=_project),
    "planning:baseline_save": Case(
        MANAGERS_POST, kwargs=_project, method="post", data={"number": 1, "name": "范围确认"}
    ),
    "planning:baseline_clear": Case(
        MANAGERS_POST, kwargs=lambda w: {"pk": fresh_baseline(w).pk}, method="post"
    ),
}

API: dict[str, Case] = {
    "GET /api/v1/projects/<project_id>/tasks": Case(API_STAFF_READ, kwargs=_api_project),
    "POST /api/v1/projects/<project_id>/tasks": Case(
        API_MANAGERS_CREATE, kwargs=_api_project, data={"name": "新任务", "duration_days": "2"}
    ),
    "GET /api/v1/tasks/<task_id>": Case(API_STAFF_READ, kwargs=_api_task),
    # Without If-Match: 428 once the role may edit.
    "PATCH /api/v1/tasks/<task_id>": Case(
        roles(401, 428, 428, 403, 403), kwargs=_api_task, data={"name": "改名"}
    ),
    "DELETE /api/v1/tasks/<task_id>": Case(
        API_MANAGERS_DELETE, kwargs=lambda w: {"task_id": fresh_task(w).pk}
    ),
    "POST /api/v1/projects/<project_id>/tasks/indent": Case(
        API_MANAGERS, kwargs=_api_project, data=lambda w: {"task_ids": [fresh_task(w).pk]}
    ),
    "POST /api/v1/projects/<project_id>/tasks/outdent": Case(
        API_MANAGERS, kwargs=_api_project, data=lambda w: {"task_ids": [fresh_task(w).pk]}
    ),
    "POST /api/v1/tasks/<task_id>/move": Case(
        API_MANAGERS, kwargs=_api_task, data={"direction": "up"}
    ),
    "GET /api/v1/projects/<project_id>/dependencies": Case(API_STAFF_READ, kwargs=_api_project),
    "POST /api/v1/projects/<project_id>/dependencies": Case(
        API_MANAGERS_CREATE, kwargs=_api_project, data=_api_pair
    ),
    "PATCH /api/v1/dependencies/<dependency_id>": Case(
        API_MANAGERS,
        kwargs=lambda w: {"dependency_id": plan_world(w).link.pk},
        data={"lag_days": "1"},
    ),
    "DELETE /api/v1/dependencies/<dependency_id>": Case(
        API_MANAGERS_DELETE, kwargs=lambda w: {"dependency_id": fresh_link(w).pk}
    ),
    "GET /api/v1/projects/<project_id>/schedule": Case(API_STAFF_READ, kwargs=_api_project),
    "GET /api/v1/projects/<project_id>/baselines": Case(API_STAFF_READ, kwargs=_api_project),
    # The admin saves into an empty slot (201), the manager replaces it (200).
    "POST /api/v1/projects/<project_id>/baselines": Case(
        roles(401, 201, 200, 403, 403), kwargs=_api_project, data={"number": 10}
    ),
    "DELETE /api/v1/baselines/<baseline_id>": Case(
        API_MANAGERS_DELETE, kwargs=lambda w: {"baseline_id": fresh_baseline(w).pk}
    ),
    "GET /api/v1/projects/<project_id>/baselines/<number>/variance": Case(
        API_STAFF_READ,
        kwargs=lambda w: {"project_id": plan_world(w).project.pk, "number": BASELINE_NUMBER},
    ),
}
