"""Planning through the API: one router per area, mounted together."""

from ninja import Router

from charter.planning.api import baselines, calendars, exchange, goals, plan, projects, raid

router = Router()
for area in (projects, plan, baselines, calendars, raid, goals, exchange):
    router.add_router("", area.router)
