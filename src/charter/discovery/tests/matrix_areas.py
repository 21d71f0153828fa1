"""Permission-matrix rows of the discovery areas, one module per area (each helper-owned
module defines ``HTML`` and ``API`` dicts of :class:`charter.testing.matrix.Case`)."""

from charter.discovery.tests import (
    matrix_campaigns,
    matrix_documents,
    matrix_questionnaires,
    matrix_requirements,
    matrix_sessions,
)
from charter.testing.matrix import Case

HTML: dict[str, Case] = {}
API: dict[str, Case] = {}

for _area in (
    matrix_questionnaires,
    matrix_requirements,
    matrix_documents,
    matrix_sessions,
    matrix_campaigns,
):
    HTML.update(_area.HTML)
    API.update(_area.API)
