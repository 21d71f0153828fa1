"""Permission-matrix rows of roles and skills, resource skills and rates, task needs, the
Needs tab, assigning from a need and replacing a generic resource."""

from decimal import Decimal
from typing import Any

from charter.planning.tests.factories import planning_world
from charter.resources.models import (
    Assignment,
    RateChange,
    Resource,
    ResourceSkill,
    Role,
    Skill,
    TaskNeed,
)
from charter.resources.tests.matrix_resources import fresh_resource, work_task
from charter.testing.matrix import LOGIN, Case, roles


def fresh_role(w: Any) -> Role:
    return Role.objects.create(name=w.unique("后端工程师"))


def fresh_skill(w: Any) -> Skill:
    return Skill.objects.create(name=w.unique("PostgreSQL"))


def fresh_resource_skill(w: Any) -> ResourceSkill:
    return ResourceSkill.objects.create(resource=fresh_resource(w), skill=fresh_skill(w), level=3)


def fresh_rate_change(w: Any) -> RateChange:
    return RateChange.objects.create(
        resource=fresh_resource(w), effective_from="2026-12-01", cost_rate=Decimal("100")
    )


def fresh_need(w: Any) -> TaskNeed:
    return TaskNeed.objects.create(task=work_task(w), role=fresh_role(w), effort_hours=8)


def fresh_placeholder(w: Any) -> Assignment:
    generic = Resource.objects.create(name=w.unique("后端 ×2"), is_placeholder=True, max_units=2)
    return Assignment.objects.create(task=work_task(w), resource=generic, units=2, work=480)


def _pk(make: Any, name: str = "pk") -> Any:
    return lambda w: {name: make(w).pk}


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
MANAGERS_POST = roles(LOGIN, 302, 302, 403, 403)
# Without HTMX the candidates answer with the task page (a redirect); members may look.
STAFF_CANDIDATES = roles(LOGIN, 302, 302, 302, 403)

HTML: dict[str, Case] = {
    "resources:roles": Case(STAFF_PAGE),
    "resources:role_add": Case(
        MANAGERS_POST, method="post", data=lambda w: {"name": w.unique("测试角色")}
    ),
    "resources:role_edit": Case(
        MANAGERS_POST,
        kwargs=_pk(fresh_role),
        method="post",
        data=lambda w: {"name": w.unique("改名"), "version": "1"},
    ),
    "resources:role_delete": Case(MANAGERS_POST, kwargs=_pk(fresh_role), method="post"),
    "resources:skill_add": Case(
        MANAGERS_POST, method="post", data=lambda w: {"name": w.unique("Go")}
    ),
    "resources:skill_edit": Case(
        MANAGERS_POST,
        kwargs=_pk(fresh_skill),
        method="post",
        data=lambda w: {"name": w.unique("Rust"), "version": "1"},
    ),
    "resources:skill_delete": Case(MANAGERS_POST, kwargs=_pk(fresh_skill), method="post"),
    "resources:resource_skill_add": Case(
        MANAGERS_POST,
        kwargs=_pk(fresh_resource),
        method="post",
        data=lambda w: {"skill": fresh_skill(w).pk, "level": "4"},
    ),
    "resources:resource_skill_edit": Case(
        MANAGERS_POST,
        kwargs=_pk(fresh_resource_skill),
        method="post",
        data={"level": "5", "version": "1"},
    ),
    "resources:resource_skill_delete": Case(
        MANAGERS_POST, kwargs=_pk(fresh_resource_skill), method="post"
    ),
    "resources:rate_add": Case(
        MANAGERS_POST,
        kwargs=_pk(fresh_resource),
        method="post",
        data={
            "effective_from": "2026-12-01",
            "cost_rate": "120",
            "bill_rate": "0",
            "currency": "CNY",
        },
    ),
    "resources:rate_delete": Case(MANAGERS_POST, kwargs=_pk(fresh_rate_change), method="post"),
    "resources:need_add": Case(
        MANAGERS_POST,
        kwargs=lambda w: {"pk": work_task(w).pk},
        method="post",
        data=lambda w: {
            "need-role": fresh_role(w).pk,
            "need-min_level": "1",
            "need-quantity": "1",
            "need-effort_hours": "8",
        },
    ),
    "resources:need_delete": Case(MANAGERS_POST, kwargs=_pk(fresh_need), method="post"),
    "resources:need_candidates": Case(STAFF_CANDIDATES, kwargs=_pk(fresh_need)),
    "resources:need_assign": Case(
        MANAGERS_POST,
        kwargs=_pk(fresh_need),
        method="post",
        data=lambda w: {"resource": fresh_resource(w).pk},
    ),
    "resources:placeholder_replace": Case(
        MANAGERS_POST,
        kwargs=_pk(fresh_placeholder),
        method="post",
        data=lambda w: {"person": fresh_resource(w).pk, "version": "1"},
    ),
    "resources:project_needs": Case(
        STAFF_PAGE,
        kwargs=lambda w: {"pk": planning_world(w).project.pk},
        data={"start": "2026-12-07", "weeks": "4"},
    ),
}

API_STAFF_READ = roles(401, 200, 200, 200, 403)
API_MANAGERS_READ = roles(401, 200, 200, 403, 403)
API_MANAGERS_CREATE = roles(401, 201, 201, 403, 403)
API_MANAGERS_IF_MATCH = roles(401, 428, 428, 403, 403)
API_MANAGERS_DELETE = roles(401, 204, 204, 403, 403)
API_MANAGERS_POST = roles(401, 200, 200, 403, 403)

API: dict[str, Case] = {
    "GET /api/v1/roles": Case(API_STAFF_READ),
    "POST /api/v1/roles": Case(API_MANAGERS_CREATE, data=lambda w: {"name": w.unique("架构师")}),
    "GET /api/v1/roles/<role_id>": Case(API_STAFF_READ, kwargs=_pk(fresh_role, "role_id")),
    "PATCH /api/v1/roles/<role_id>": Case(API_MANAGERS_IF_MATCH, kwargs=_pk(fresh_role, "role_id")),
    "DELETE /api/v1/roles/<role_id>": Case(API_MANAGERS_DELETE, kwargs=_pk(fresh_role, "role_id")),
    "GET /api/v1/skills": Case(API_STAFF_READ),
    "POST /api/v1/skills": Case(API_MANAGERS_CREATE, data=lambda w: {"name": w.unique("Vue")}),
    "GET /api/v1/skills/<skill_id>": Case(API_STAFF_READ, kwargs=_pk(fresh_skill, "skill_id")),
    "PATCH /api/v1/skills/<skill_id>": Case(
        API_MANAGERS_IF_MATCH,
        kwargs=_pk(fresh_skill, "skill_id"),
        data=lambda w: {"name": w.unique("React")},
    ),
    "DELETE /api/v1/skills/<skill_id>": Case(
        API_MANAGERS_DELETE, kwargs=_pk(fresh_skill, "skill_id")
    ),
    "GET /api/v1/resources/<resource_id>/skills": Case(
        API_STAFF_READ, kwargs=_pk(fresh_resource, "resource_id")
    ),
    "POST /api/v1/resources/<resource_id>/skills": Case(
        API_MANAGERS_CREATE,
        kwargs=_pk(fresh_resource, "resource_id"),
        data=lambda w: {"skill_id": fresh_skill(w).pk, "level": 2},
    ),
    "PATCH /api/v1/resource-skills/<row_id>": Case(
        API_MANAGERS_IF_MATCH, kwargs=_pk(fresh_resource_skill, "row_id"), data={"level": 4}
    ),
    "DELETE /api/v1/resource-skills/<row_id>": Case(
        API_MANAGERS_DELETE, kwargs=_pk(fresh_resource_skill, "row_id")
    ),
    "GET /api/v1/resources/<resource_id>/rates": Case(
        API_MANAGERS_READ, kwargs=_pk(fresh_resource, "resource_id")
    ),
    "POST /api/v1/resources/<resource_id>/rates": Case(
        API_MANAGERS_CREATE,
        kwargs=_pk(fresh_resource, "resource_id"),
        data={"effective_from": "2026-12-01", "cost_rate": "150"},
    ),
    "PATCH /api/v1/rate-changes/<change_id>": Case(
        API_MANAGERS_IF_MATCH, kwargs=_pk(fresh_rate_change, "change_id"), data={"cost_rate": 1}
    ),
    "DELETE /api/v1/rate-changes/<change_id>": Case(
        API_MANAGERS_DELETE, kwargs=_pk(fresh_rate_change, "change_id")
    ),
    "GET /api/v1/tasks/<task_id>/needs": Case(
        API_STAFF_READ, kwargs=lambda w: {"task_id": work_task(w).pk}
    ),
    "POST /api/v1/tasks/<task_id>/needs": Case(
        API_MANAGERS_CREATE,
        kwargs=lambda w: {"task_id": work_task(w).pk},
        data=lambda w: {"role_id": fresh_role(w).pk, "effort_hours": "8"},
    ),
    "GET /api/v1/needs/<need_id>": Case(API_STAFF_READ, kwargs=_pk(fresh_need, "need_id")),
    "PATCH /api/v1/needs/<need_id>": Case(
        API_MANAGERS_IF_MATCH, kwargs=_pk(fresh_need, "need_id"), data={"quantity": 2}
    ),
    "DELETE /api/v1/needs/<need_id>": Case(API_MANAGERS_DELETE, kwargs=_pk(fresh_need, "need_id")),
    "GET /api/v1/needs/<need_id>/candidates": Case(
        API_STAFF_READ, kwargs=_pk(fresh_need, "need_id")
    ),
    "POST /api/v1/needs/<need_id>/assign": Case(
        API_MANAGERS_CREATE,
        kwargs=_pk(fresh_need, "need_id"),
        data=lambda w: {"resource_id": fresh_resource(w).pk},
    ),
    "POST /api/v1/assignments/<assignment_id>/replace": Case(
        API_MANAGERS_POST,
        kwargs=_pk(fresh_placeholder, "assignment_id"),
        data=lambda w: {"person_id": fresh_resource(w).pk},
    ),
    "GET /api/v1/projects/<project_id>/needs-by-week": Case(
        API_STAFF_READ,
        kwargs=lambda w: {"project_id": planning_world(w).project.pk},
        data={"start": "2026-12-07", "weeks": 4},
    ),
}
