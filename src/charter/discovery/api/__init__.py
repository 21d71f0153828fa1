"""Discovery through the API: one router per area, mounted together."""

from ninja import Router

from charter.discovery.api import requirements

router = Router()
for area in (requirements,):
    router.add_router("", area.router)
