"""Resources through the API: one router per area, mounted together."""

from ninja import Router

from charter.resources.api import leveling, pool, timesheets, utilisation

router = Router()
for area in (pool, utilisation, timesheets, leveling):
    router.add_router("", area.router)
