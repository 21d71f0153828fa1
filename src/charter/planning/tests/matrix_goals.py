"""Permission-matrix rows of goals and scope, and the builders the goal tests share (rows made
through the services, as users make them)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from charter.planning.models import Goal, Project, ScopeItem
from charter.planning.services.goals import create_goal, create_scope_item
from charter.planning.tests.factories import planning_world
from charter.testing.matrix import LOGIN, Case, roles

DUE = datetime.date(2027, 6, 30)


def make_goal(project: Project, *, actor: Any = None, **fields: Any) -> Goal:
    """A goal "月结天数": from 10 days today to 3 by ``DUE``, unless ``fields`` say otherwise."""
    fields = {
        "title": "月结天数",
        "target": Decimal("3"),
        "unit": "天",
        "baseline_value": Decimal("10"),
        "due_date": DUE,
        **fields,
    }
    return create_goal(project, actor=actor, **fields)


def make_scope_item(
    project: Project, *, actor: Any = None, text: str = "财务模块上线", in_scope: bool = True
) -> ScopeItem:
    return create_scope_item(project, actor=actor, text=text, in_scope=in_scope)


@dataclass
class GoalsWorld:
    project: Project
    goal: Goal
    item: ScopeItem


def goals_world(world: Any) -> GoalsWorld:
    """A goal and a scope statement on the project the member is on, made once per world."""
    if not hasattr(world, "goals"):
        project = planning_world(world).project
        world.goals = GoalsWorld(project, make_goal(project), make_scope_item(project))
    return world.goals


def _project(w: Any) -> dict[str, int]:
    return {"pk": goals_world(w).project.pk}


def _goal(w: Any) -> dict[str, int]:
    return {"pk": goals_world(w).goal.pk}


def _item(w: Any) -> dict[str, int]:
    return {"pk": goals_world(w).item.pk}


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
MANAGERS_PAGE = roles(LOGIN, 200, 200, 403, 403)
MANAGERS_POST = roles(LOGIN, 302, 302, 403, 403)
MOVE = {"direction": "down"}

HTML: dict[str, Case] = {
    "planning:goals": Case(STAFF_PAGE, kwargs=_project),
    "planning:goal_create": Case(MANAGERS_PAGE, kwargs=_project),
    "planning:goal_edit": Case(MANAGERS_PAGE, kwargs=_goal),
    "planning:goal_delete": Case(MANAGERS_PAGE, kwargs=_goal),
    "planning:goal_move": Case(MANAGERS_POST, kwargs=_goal, method="post", data=MOVE),
    "planning:scope_item_create": Case(MANAGERS_PAGE, kwargs=_project),
    "planning:scope_item_edit": Case(MANAGERS_PAGE, kwargs=_item),
    "planning:scope_item_delete": Case(MANAGERS_PAGE, kwargs=_item),
    "planning:scope_item_move": Case(MANAGERS_POST, kwargs=_item, method="post", data=MOVE),
}


def _project_id(w: Any) -> dict[str, int]:
    return {"project_id": goals_world(w).project.pk}


def _goal_in(w: Any) -> dict[str, Any]:
    return {"title": w.unique("目标"), "target": "95", "unit": "%", "due_date": DUE.isoformat()}


API_READ = roles(401, 200, 200, 200, 403)
API_CREATE = roles(401, 201, 201, 403, 403)
API_NEEDS_IF_MATCH = roles(401, 428, 428, 403, 403)
API_DELETE = roles(401, 204, 204, 403, 403)

API: dict[str, Case] = {
    "GET /api/v1/projects/<project_id>/goals": Case(API_READ, kwargs=_project_id),
    "POST /api/v1/projects/<project_id>/goals": Case(API_CREATE, kwargs=_project_id, data=_goal_in),
    "GET /api/v1/goals/<goal_id>": Case(
        API_READ, kwargs=lambda w: {"goal_id": goals_world(w).goal.pk}
    ),
    "PATCH /api/v1/goals/<goal_id>": Case(
        API_NEEDS_IF_MATCH, kwargs=lambda w: {"goal_id": goals_world(w).goal.pk}
    ),
    "DELETE /api/v1/goals/<goal_id>": Case(
        API_DELETE, kwargs=lambda w: {"goal_id": make_goal(goals_world(w).project).pk}
    ),
    "GET /api/v1/projects/<project_id>/goals/confirmation": Case(API_READ, kwargs=_project_id),
    "GET /api/v1/projects/<project_id>/scope": Case(API_READ, kwargs=_project_id),
    "POST /api/v1/projects/<project_id>/scope": Case(
        API_CREATE, kwargs=_project_id, data=lambda w: {"text": w.unique("范围"), "in_scope": False}
    ),
    "GET /api/v1/scope-items/<item_id>": Case(
        API_READ, kwargs=lambda w: {"item_id": goals_world(w).item.pk}
    ),
    "PATCH /api/v1/scope-items/<item_id>": Case(
        API_NEEDS_IF_MATCH, kwargs=lambda w: {"item_id": goals_world(w).item.pk}
    ),
    "DELETE /api/v1/scope-items/<item_id>": Case(
        API_DELETE, kwargs=lambda w: {"item_id": make_scope_item(goals_world(w).project).pk}
    ),
}
