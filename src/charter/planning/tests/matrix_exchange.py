"""Permission-matrix rows of the plan's MS Project XML export and import: staff export,
managers import; client users neither."""

from charter.planning.tests.factories import planning_world
from charter.testing.matrix import LOGIN, Case, roles


def _project(world):
    return {"pk": planning_world(world).project.pk}


def _project_id(world):
    return {"project_id": planning_world(world).project.pk}


HTML: dict[str, Case] = {
    "planning:plan_export": Case(roles(LOGIN, 200, 200, 200, 403), kwargs=_project),
    "planning:plan_import": Case(roles(LOGIN, 200, 200, 403, 403), kwargs=_project),
}

API: dict[str, Case] = {
    "GET /api/v1/projects/<project_id>/mspdi": Case(
        roles(401, 200, 200, 200, 403), kwargs=_project_id
    ),
    # A JSON body instead of multipart: 422 once the role may import.
    "POST /api/v1/projects/<project_id>/mspdi": Case(
        roles(401, 422, 422, 403, 403), kwargs=_project_id
    ),
}
