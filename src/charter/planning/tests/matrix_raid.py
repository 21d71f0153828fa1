"""Permission-matrix rows of the RAID log: the page, and per kind add, detail, edit, delete and
the API operations. Members of the project add and edit, managers delete, clients get 403."""

import datetime
from dataclasses import dataclass
from typing import Any

from charter.accounts.models import User
from charter.planning.models import Assumption, Decision, Project, ProjectIssue, Risk
from charter.planning.services import raid as services
from charter.planning.tests.factories import planning_world
from charter.testing.matrix import LOGIN, Case, roles

DECIDED_ON = datetime.date(2026, 12, 2)

# The service, and the least a new entry needs, per kind (plural as in URLs and API paths).
MAKERS: dict[str, tuple[Any, dict[str, Any]]] = {
    "risks": (services.create_risk, {"title": "数据迁移延期"}),
    "assumptions": (services.create_assumption, {"statement": "客户按时提供测试数据"}),
    "issues": (services.create_issue, {"title": "验收标准有争议", "with_client": True}),
    "decisions": (
        services.create_decision,
        {"title": "分两期上线", "decided_by": "项目指导委员会", "decided_on": DECIDED_ON},
    ),
}
NAMES = {"risks": "risk", "assumptions": "assumption", "issues": "issue", "decisions": "decision"}


def make_entry(project: Project, plural: str, **fields: Any) -> Any:
    """A RAID entry of ``project`` made through its service, as users make them."""
    create, required = MAKERS[plural]
    manager = User.objects.filter(username="manager").first()
    return create(project, actor=manager, **{**required, **fields})


@dataclass
class RaidWorld:
    project: Project
    risk: Risk
    assumption: Assumption
    issue: ProjectIssue
    decision: Decision

    def entry(self, plural: str) -> Any:
        return getattr(self, NAMES[plural])


def raid_world(world: Any) -> RaidWorld:
    """One entry of each kind, made once per matrix world, on the project the member is on."""
    if not hasattr(world, "raid"):
        project = planning_world(world).project
        world.raid = RaidWorld(
            project,
            *(
                make_entry(project, plural)
                for plural in ("risks", "assumptions", "issues", "decisions")
            ),
        )
    return world.raid


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
MANAGERS_PAGE = roles(LOGIN, 200, 200, 403, 403)

API_STAFF_READ = roles(401, 200, 200, 200, 403)
API_STAFF_CREATE = roles(401, 201, 201, 201, 403)
NEEDS_IF_MATCH = roles(401, 428, 428, 428, 403)
MANAGERS_DELETE = roles(401, 204, 204, 403, 403)


def _project(w: Any) -> dict[str, int]:
    return {"pk": raid_world(w).project.pk}


def _entry(plural: str) -> Any:
    return lambda w: {"pk": raid_world(w).entry(plural).pk}


def _api_project(w: Any) -> dict[str, int]:
    return {"project_id": raid_world(w).project.pk}


def _api_entry(plural: str) -> Any:
    return lambda w: {"entry_id": raid_world(w).entry(plural).pk}


def _api_fresh_entry(plural: str) -> Any:
    """A new entry for each role's DELETE, so the one that succeeds does not starve the next."""
    return lambda w: {"entry_id": make_entry(raid_world(w).project, plural).pk}


def _json(plural: str) -> Any:
    _create, required = MAKERS[plural]
    return lambda w: {
        name: value.isoformat() if isinstance(value, datetime.date) else value
        for name, value in required.items()
    }


HTML: dict[str, Case] = {"planning:raid": Case(STAFF_PAGE, kwargs=_project)}
API: dict[str, Case] = {}

for _plural, _name in NAMES.items():
    HTML.update(
        {
            f"planning:{_name}_create": Case(STAFF_PAGE, kwargs=_project),
            f"planning:{_name}_detail": Case(STAFF_PAGE, kwargs=_entry(_plural)),
            f"planning:{_name}_edit": Case(STAFF_PAGE, kwargs=_entry(_plural)),
            f"planning:{_name}_delete": Case(MANAGERS_PAGE, kwargs=_entry(_plural)),
        }
    )
    API.update(
        {
            f"GET /api/v1/projects/<project_id>/{_plural}": Case(
                API_STAFF_READ, kwargs=_api_project
            ),
            f"POST /api/v1/projects/<project_id>/{_plural}": Case(
                API_STAFF_CREATE, kwargs=_api_project, data=_json(_plural)
            ),
            f"GET /api/v1/{_plural}/<entry_id>": Case(API_STAFF_READ, kwargs=_api_entry(_plural)),
            f"PATCH /api/v1/{_plural}/<entry_id>": Case(NEEDS_IF_MATCH, kwargs=_api_entry(_plural)),
            f"DELETE /api/v1/{_plural}/<entry_id>": Case(
                MANAGERS_DELETE, kwargs=_api_fresh_entry(_plural)
            ),
        }
    )
