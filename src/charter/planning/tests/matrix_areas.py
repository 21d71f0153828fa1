"""Permission-matrix rows of the planning areas, one module per area (each defines ``HTML`` and
``API`` dicts of :class:`charter.testing.matrix.Case`), merged into the core matrix."""

from charter.planning.tests import (
    matrix_calendars,
    matrix_exchange,
    matrix_goals,
    matrix_plan,
    matrix_raid,
)
from charter.testing.matrix import Case

HTML: dict[str, Case] = {}
API: dict[str, Case] = {}

for _area in (matrix_plan, matrix_calendars, matrix_raid, matrix_goals, matrix_exchange):
    HTML.update(_area.HTML)
    API.update(_area.API)
