"""Planning through the API: one router per area, mounted together."""

from ninja import Router

from charter.planning.api import calendars, exchange, goals, plan, projects, raid

router = Router()
for area in (projects, plan, calendars, raid, goals, exchange):
    router.add_router("", area.router)
