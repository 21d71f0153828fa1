"""Discovery pages, one module per area; each module ends with its ``urls`` list."""

from charter.discovery.views import (
    campaigns,
    confirm,
    documents,
    findings,
    questionnaires,
    requirement_tools,
    requirements,
    respond,
    sessions,
)

urls = [
    *requirements.urls,
    *requirement_tools.urls,
    *sessions.urls,
    *findings.urls,
    *questionnaires.urls,
    *documents.urls,
    *confirm.urls,
    *campaigns.urls,
    *respond.urls,
]
