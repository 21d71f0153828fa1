"""Permission-matrix rows of the utilisation heat map and its drill-down, by resource and by
role."""

from typing import Any

from charter.resources.models import Resource, Role
from charter.resources.tests.matrix_resources import fresh_assignment
from charter.testing.matrix import LOGIN, Case, roles

WEEK = "2026-12-07"  # a week of the matrix project's plan (it starts on 1 December 2026)


def _cell(w: Any) -> dict[str, Any]:
    return {"pk": fresh_assignment(w).resource_id, "week": WEEK}


def _api_cell(w: Any) -> dict[str, Any]:
    return {"resource_id": fresh_assignment(w).resource_id, "week": WEEK}


def _role_cell(w: Any) -> dict[str, Any]:
    """A role with the resource of a fresh assignment in the week."""
    role = Role.objects.create(name=w.unique("后端"))
    Resource.objects.filter(pk=fresh_assignment(w).resource_id).update(role=role)
    return {"role": str(role.pk), "week": WEEK}


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
API_STAFF_READ = roles(401, 200, 200, 200, 403)

HTML: dict[str, Case] = {
    "resources:utilisation": Case(STAFF_PAGE, data={"start": WEEK, "weeks": "4"}),
    "resources:utilisation_week": Case(STAFF_PAGE, kwargs=_cell),
    "resources:utilisation_role_week": Case(STAFF_PAGE, kwargs=_role_cell),
}

API: dict[str, Case] = {
    "GET /api/v1/utilisation": Case(API_STAFF_READ, data={"start": WEEK, "weeks": 4}),
    "GET /api/v1/utilisation/<resource_id>/<week>": Case(API_STAFF_READ, kwargs=_api_cell),
    "GET /api/v1/utilisation/roles": Case(API_STAFF_READ, data={"start": WEEK, "weeks": 4}),
    "GET /api/v1/utilisation/roles/<role>/<week>": Case(API_STAFF_READ, kwargs=_role_cell),
}
