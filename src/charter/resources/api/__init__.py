"""Resources through the API: one router per area, mounted together."""

from ninja import Router

from charter.resources.api import (
    budget,
    leveling,
    needs,
    pool,
    rates,
    roles,
    timesheets,
    utilisation,
)

router = Router()
for area in (pool, utilisation, timesheets, leveling, budget, roles, rates, needs):
    router.add_router("", area.router)
