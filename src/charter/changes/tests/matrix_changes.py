"""Permission-matrix rows of change requests: the team sees and raises them, managers edit,
decide, mark implemented and delete them; clients get 403 on these pages and endpoints and see
the requests marked visible to the client on the client view of the plan.
"""

from typing import Any

from charter.accounts.models import User
from charter.changes import services
from charter.changes.models import ChangeRequest
from charter.planning.models import Project
from charter.planning.tests.factories import planning_world
from charter.testing.matrix import LOGIN, Case, roles


def _project(w: Any) -> Project:
    return planning_world(w).project


def fresh_change(w: Any, **fields: Any) -> ChangeRequest:
    """A new proposed change request of the matrix project, raised by the member."""
    return services.create_change_request(
        _project(w),
        actor=User.objects.get(username="member"),
        title=w.unique("增加移动端审批"),
        **fields,
    )


def _change(w: Any) -> ChangeRequest:
    if not hasattr(w, "change_request"):
        w.change_request = fresh_change(w)
    return w.change_request


def _approved(w: Any) -> ChangeRequest:
    change = fresh_change(w)
    return services.decide_change_request(
        change,
        actor=User.objects.get(username="manager"),
        expected_version=change.version,
        status="approved",
    )


def _project_pk(w: Any) -> dict[str, int]:
    return {"pk": _project(w).pk}


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
MANAGERS_PAGE = roles(LOGIN, 200, 200, 403, 403)

HTML: dict[str, Case] = {
    "changes:project_change_requests": Case(STAFF_PAGE, kwargs=_project_pk),
    "changes:change_request_create": Case(STAFF_PAGE, kwargs=_project_pk),
    "changes:change_request_detail": Case(STAFF_PAGE, kwargs=lambda w: {"pk": _change(w).pk}),
    "changes:change_request_edit": Case(MANAGERS_PAGE, kwargs=lambda w: {"pk": _change(w).pk}),
    # Each decision consumes a proposed request: a fresh one per role.
    "changes:change_request_decide": Case(
        roles(LOGIN, 302, 302, 403, 403),
        kwargs=lambda w: {"pk": fresh_change(w).pk},
        method="post",
        data={"status": "rejected", "note": "不在合同范围内", "version": 1},
    ),
    "changes:change_request_implemented": Case(
        roles(LOGIN, 302, 302, 403, 403),
        kwargs=lambda w: {"pk": _approved(w).pk},
        method="post",
        data={"version": 2},
    ),
    "changes:change_request_delete": Case(
        roles(LOGIN, 302, 302, 403, 403),
        kwargs=lambda w: {"pk": fresh_change(w).pk},
        method="post",
    ),
}


# ---- API operations ---------------------------------------------------------------------------


def _api_project(w: Any) -> dict[str, int]:
    return {"project_id": _project(w).pk}


def _api_change(w: Any) -> dict[str, int]:
    return {"change_id": _change(w).pk}


API: dict[str, Case] = {
    "GET /api/v1/projects/<project_id>/change-requests": Case(
        roles(401, 200, 200, 200, 403), kwargs=_api_project
    ),
    "POST /api/v1/projects/<project_id>/change-requests": Case(
        roles(401, 201, 201, 201, 403),
        kwargs=_api_project,
        data=lambda w: {"title": w.unique("增加报表导出")},
    ),
    "GET /api/v1/change-requests/<change_id>": Case(
        roles(401, 200, 200, 200, 403), kwargs=_api_change
    ),
    # Writes without If-Match: 428 once the role may write.
    "PATCH /api/v1/change-requests/<change_id>": Case(
        roles(401, 428, 428, 403, 403), kwargs=_api_change, data={"reason": "财务要求"}
    ),
    "POST /api/v1/change-requests/<change_id>/decision": Case(
        roles(401, 428, 428, 403, 403),
        kwargs=_api_change,
        data={"status": "approved", "note": "同意"},
    ),
    "POST /api/v1/change-requests/<change_id>/implemented": Case(
        roles(401, 428, 428, 403, 403), kwargs=_api_change
    ),
    # A fresh proposed request per role: the one deleted does not starve the next.
    "DELETE /api/v1/change-requests/<change_id>": Case(
        roles(401, 204, 204, 403, 403), kwargs=lambda w: {"change_id": fresh_change(w).pk}
    ),
}
