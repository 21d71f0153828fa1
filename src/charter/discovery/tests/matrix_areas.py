"""Permission-matrix rows of the discovery areas, one module per area (each helper-owned
module defines ``HTML`` and ``API`` dicts of :class:`charter.testing.matrix.Case`)."""

from charter.testing.matrix import Case

HTML: dict[str, Case] = {}
API: dict[str, Case] = {}

for _area in ():
    HTML.update(_area.HTML)
    API.update(_area.API)
