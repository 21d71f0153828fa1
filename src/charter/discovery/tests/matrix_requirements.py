"""Permission-matrix rows of the requirement register, its tools and the traceability matrix."""

from typing import Any

from charter.discovery.tests.factories import make_requirement
from charter.planning.tests.factories import planning_world
from charter.testing.factories import OpportunityFactory
from charter.testing.matrix import LOGIN, Case, roles


def _project(w: Any) -> dict[str, int]:
    return {"pk": planning_world(w).project.pk}


def _deal(w: Any) -> dict[str, int]:
    return {"pk": OpportunityFactory(client=w.client_org).pk}


def _requirement(w: Any) -> dict[str, int]:
    return {"pk": make_requirement(planning_world(w).project).pk}


def _api_requirement(w: Any) -> dict[str, int]:
    return {"requirement_id": make_requirement(planning_world(w).project).pk}


def _api_project(w: Any) -> dict[str, int]:
    return {"project_id": planning_world(w).project.pk}


def _api_deal(w: Any) -> dict[str, int]:
    return {"opportunity_id": OpportunityFactory(client=w.client_org).pk}


def _bulk_data(w: Any) -> dict[str, Any]:
    """A fresh requirement each time: every role's change must meet its current version."""
    requirement = make_requirement(planning_world(w).project)
    return {"selected": [requirement.pk], f"version_{requirement.pk}": 1, "status": "confirmed"}


HTML: dict[str, Case] = {
    "discovery:project_requirements": Case(roles(LOGIN, 200, 200, 200, 403), kwargs=_project),
    "discovery:project_requirement_create": Case(roles(LOGIN, 200, 200, 200, 403), kwargs=_project),
    "discovery:opportunity_requirements": Case(roles(LOGIN, 200, 200, 200, 403), kwargs=_deal),
    "discovery:opportunity_requirement_create": Case(
        roles(LOGIN, 200, 200, 200, 403), kwargs=_deal
    ),
    "discovery:requirement_detail": Case(roles(LOGIN, 200, 200, 200, 403), kwargs=_requirement),
    "discovery:requirement_edit": Case(roles(LOGIN, 200, 200, 200, 403), kwargs=_requirement),
    "discovery:project_requirement_bulk": Case(
        roles(LOGIN, 302, 302, 302, 403), kwargs=_project, method="post", data=_bulk_data
    ),
    "discovery:opportunity_requirement_bulk": Case(
        roles(LOGIN, 302, 302, 302, 403), kwargs=_deal, method="post", data={"status": "x"}
    ),
    "discovery:project_requirement_import": Case(roles(LOGIN, 200, 200, 200, 403), kwargs=_project),
    "discovery:opportunity_requirement_import": Case(
        roles(LOGIN, 200, 200, 200, 403), kwargs=_deal
    ),
    "discovery:project_traceability": Case(roles(LOGIN, 200, 200, 200, 403), kwargs=_project),
    "discovery:opportunity_traceability": Case(roles(LOGIN, 200, 200, 200, 403), kwargs=_deal),
    "discovery:requirement_comment": Case(
        roles(LOGIN, 302, 302, 302, 403),
        kwargs=_requirement,
        method="post",
        data={"body": "需要确认审批层级"},
    ),
    "discovery:requirement_tasks": Case(
        roles(LOGIN, 302, 302, 302, 403), kwargs=_requirement, method="post", data={}
    ),
}

API: dict[str, Case] = {
    "GET /api/v1/projects/<project_id>/requirements": Case(
        roles(401, 200, 200, 200, 403), kwargs=_api_project
    ),
    "POST /api/v1/projects/<project_id>/requirements": Case(
        roles(401, 201, 201, 201, 403),
        kwargs=_api_project,
        data=lambda w: {"title": w.unique("需求")},
    ),
    "GET /api/v1/opportunities/<opportunity_id>/requirements": Case(
        roles(401, 200, 200, 200, 403), kwargs=_api_deal
    ),
    "POST /api/v1/opportunities/<opportunity_id>/requirements": Case(
        roles(401, 201, 201, 201, 403),
        kwargs=_api_deal,
        data=lambda w: {"title": w.unique("需求")},
    ),
    "GET /api/v1/requirements/<requirement_id>": Case(
        roles(401, 200, 200, 200, 403), kwargs=_api_requirement
    ),
    "PATCH /api/v1/requirements/<requirement_id>": Case(
        roles(401, 428, 428, 428, 403), kwargs=_api_requirement
    ),
    "POST /api/v1/projects/<project_id>/requirements/bulk": Case(
        roles(401, 200, 200, 200, 403),
        kwargs=_api_project,
        data=lambda w: {
            "rows": [{"id": make_requirement(planning_world(w).project).pk, "version": 1}],
            "changes": {"priority": "must"},
        },
    ),
    "POST /api/v1/opportunities/<opportunity_id>/requirements/bulk": Case(
        roles(401, 422, 422, 422, 403),
        kwargs=_api_deal,
        data={"rows": [], "changes": {"priority": "must"}},
    ),
    # A JSON body without the multipart file: refused as invalid once the policy lets it in.
    "POST /api/v1/projects/<project_id>/requirements/import": Case(
        roles(401, 422, 422, 422, 403), kwargs=_api_project
    ),
    "POST /api/v1/opportunities/<opportunity_id>/requirements/import": Case(
        roles(401, 422, 422, 422, 403), kwargs=_api_deal
    ),
    "GET /api/v1/requirements/<requirement_id>/comments": Case(
        roles(401, 200, 200, 200, 403), kwargs=_api_requirement
    ),
    "POST /api/v1/requirements/<requirement_id>/comments": Case(
        roles(401, 201, 201, 201, 403), kwargs=_api_requirement, data={"body": "请补充验收标准"}
    ),
    "GET /api/v1/requirements/<requirement_id>/tasks": Case(
        roles(401, 200, 200, 200, 403), kwargs=_api_requirement
    ),
    "PUT /api/v1/requirements/<requirement_id>/tasks": Case(
        roles(401, 200, 200, 200, 403), kwargs=_api_requirement, data={"task_ids": []}
    ),
    "GET /api/v1/projects/<project_id>/traceability": Case(
        roles(401, 200, 200, 200, 403), kwargs=_api_project
    ),
    "GET /api/v1/opportunities/<opportunity_id>/traceability": Case(
        roles(401, 200, 200, 200, 403), kwargs=_api_deal
    ),
}
