"""Planning through the API: one router per area, mounted together."""

from ninja import Router

from charter.planning.api import (
    baselines,
    calendars,
    dependencies,
    exchange,
    goals,
    plan,
    projects,
    raid,
)

router = Router()
for area in (projects, plan, dependencies, baselines, calendars, raid, goals, exchange):
    router.add_router("", area.router)
