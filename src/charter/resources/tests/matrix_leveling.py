"""Permission-matrix rows of resource leveling, and the builder its tests share: a project
with its own small plan where one person is needed by two tasks at once."""

from typing import Any

from charter.accounts.models import User
from charter.planning.models import MINUTES_PER_DAY, Project, Task
from charter.planning.services import plan
from charter.planning.services.templates import TemplateContent
from charter.planning.tests.factories import make_project, make_template, planning_world
from charter.resources.models import Resource
from charter.resources.models.leveling import LevelingProposal
from charter.resources.services import leveling as services_leveling
from charter.resources.services import pool as services
from charter.testing.matrix import LOGIN, Case, roles

DAY = MINUTES_PER_DAY


def empty_project(client: Any, manager: User, **fields: Any) -> Project:
    """A project (starting Tuesday 1 December 2026) with an empty plan."""
    template = make_template(content=TemplateContent(), name="空白")
    return make_project(client, manager=manager, template=template, **fields)


def add(project: Project, manager: User, name: str, days: int = 2, **fields: Any) -> Task:
    return plan.add_task(
        project, actor=manager, fields={"name": name, "duration": days * DAY, **fields}
    )


def person(manager: User, name: str = "王工", **fields: Any) -> Resource:
    return services.create_resource(actor=manager, name=name, **fields)


def clash(project: Project, manager: User, who: Resource | None = None) -> tuple[Task, Task]:
    """Two 2-day tasks at the same time, both on one full-time person."""
    who = who or person(manager)
    first = add(project, manager, "接口开发", priority=600)
    second = add(project, manager, "报表开发")
    services.assign(first, who, actor=manager)
    services.assign(second, who, actor=manager)
    return first, second


def _manager() -> User:
    return User.objects.get(username="manager")


def ready_proposal(w: Any) -> LevelingProposal:
    """A new ready proposal of the matrix project (which gets a clash once)."""
    project = planning_world(w).project
    if not hasattr(w, "leveling_clash"):
        w.leveling_clash = clash(project, _manager(), person(_manager(), "矩阵工程师"))
    return services_leveling.propose(project, actor=_manager(), options={})


def _project(w: Any) -> dict[str, int]:
    return {"pk": planning_world(w).project.pk}


def _proposal(w: Any) -> dict[str, int]:
    return {"pk": ready_proposal(w).pk}


def _api_project(w: Any) -> dict[str, int]:
    return {"project_id": planning_world(w).project.pk}


def _api_proposal(w: Any) -> dict[str, int]:
    return {"proposal_id": ready_proposal(w).pk}


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
MANAGERS_POST = roles(LOGIN, 302, 302, 403, 403)

HTML: dict[str, Case] = {
    "resources:leveling": Case(STAFF_PAGE, kwargs=_project),
    "resources:leveling_propose": Case(
        MANAGERS_POST, kwargs=_project, method="post", data={"scope": "project", "mode": "fast"}
    ),
    "resources:leveling_detail": Case(STAFF_PAGE, kwargs=_proposal),
    "resources:leveling_apply": Case(MANAGERS_POST, kwargs=_proposal, method="post"),
    "resources:leveling_discard": Case(MANAGERS_POST, kwargs=_proposal, method="post"),
}

API: dict[str, Case] = {
    "POST /api/v1/projects/<project_id>/leveling": Case(
        roles(401, 202, 202, 403, 403), kwargs=_api_project, data={"mode": "fast"}
    ),
    "GET /api/v1/leveling/<proposal_id>": Case(
        roles(401, 200, 200, 200, 403), kwargs=_api_proposal
    ),
    "POST /api/v1/leveling/<proposal_id>/apply": Case(
        roles(401, 200, 200, 403, 403), kwargs=_api_proposal
    ),
    "POST /api/v1/leveling/<proposal_id>/discard": Case(
        roles(401, 200, 200, 403, 403), kwargs=_api_proposal
    ),
}
