"""The HTTP API at /api/v1: every app's router, one auth, one error format."""

from charter.accounts.api import router as accounts_router
from charter.changes.api import router as changes_router
from charter.comms.api import router as comms_router
from charter.core import policy
from charter.core.api import CharterAPI, SessionAuth, TokenAuth, install_problem_handlers
from charter.core.api_routes import router as core_router
from charter.crm.api import imports as imports_api
from charter.crm.api import interactions as interactions_api
from charter.crm.api import pipeline as pipeline_api
from charter.crm.api.clients import router as crm_router
from charter.crm.api.contacts import router as contacts_router
from charter.discovery.api import router as discovery_router
from charter.planning.api import router as planning_router
from charter.resources.api import router as resources_router

api = CharterAPI(
    title="Charter API",
    version="1",
    description=(
        "Charter's HTTP API. Authenticate with the browser session (send the CSRF token in "
        "X-CSRFToken for writes) or a personal API token as `Authorization: Bearer chr_…`. "
        "Errors are RFC 9457 `application/problem+json`; updates need `If-Match` with the "
        "record's ETag and answer 412 when it changed meanwhile."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_decorator=policy.public,
)
install_problem_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/", core_router)
api.add_router("/clients", crm_router)
api.add_router("/contacts", contacts_router)
api.add_router("/opportunities", pipeline_api.opportunities)
api.add_router("/stages", pipeline_api.stages)
api.add_router("/interactions", interactions_api.router)
api.add_router("/imports", imports_api.router)
api.add_router("/", planning_router)
api.add_router("/", discovery_router)
api.add_router("/", resources_router)
api.add_router("/", comms_router)
api.add_router("/", changes_router)
