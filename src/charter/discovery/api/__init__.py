"""Discovery through the API: one router per area, mounted together."""

from ninja import Router

from charter.discovery.api import (
    campaigns,
    documents,
    findings,
    questionnaires,
    requirements,
    sessions,
)

router = Router()
for area in (requirements, documents, questionnaires, sessions, findings, campaigns):
    router.add_router("", area.router)
