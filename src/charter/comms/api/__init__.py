"""Communications through the API: one router per area, mounted together."""

from ninja import Router

from charter.comms.api import log, meetings, occurrences, optout, plan, robots, templates

router = Router()
for area in (robots, meetings, plan, occurrences, log, optout, templates):
    router.add_router("", area.router)
