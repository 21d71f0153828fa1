"""Campaign test data (a questionnaire with one question of each kind, campaigns made and sent
through the services) and the permission-matrix rows of campaigns and the answering page."""

from typing import Any

from charter.accounts.models import User
from charter.discovery.models import Campaign
from charter.discovery.tests.factories import (
    make_campaign,
    make_questionnaire,
    sent_campaign,
)
from charter.planning.tests.factories import planning_world
from charter.testing.factories import ContactFactory, OpportunityFactory
from charter.testing.matrix import LOGIN, Case, roles

# ---- matrix rows -------------------------------------------------------------------------------


def _manager() -> User:
    return User.objects.get(username="manager")


def _project(w: Any) -> Any:
    return planning_world(w).project


def _draft(w: Any) -> Campaign:
    return make_campaign(_project(w), actor=_manager())


def _open(w: Any) -> Campaign:
    return sent_campaign(_project(w), actor=_manager())[0]


def _token(w: Any) -> dict[str, str]:
    """A fresh, valid personal link for each request."""
    return {"token": sent_campaign(_project(w), actor=_manager())[1][0]}


def _new_campaign(w: Any) -> dict[str, Any]:
    contact = ContactFactory(client=w.client_org)
    return {
        "questionnaire_id": make_questionnaire().pk,
        "name": w.unique("问卷调查"),
        "contact_ids": [contact.pk],
    }


def _resend(w: Any) -> dict[str, int]:
    campaign = _open(w)
    return {"pk": campaign.pk, "invitation_pk": campaign.invitations.first().pk}


STAFF_200 = roles(LOGIN, 200, 200, 200, 403)
STAFF_302 = roles(LOGIN, 302, 302, 302, 403)

HTML: dict[str, Case] = {
    "discovery:project_campaigns": Case(STAFF_200, kwargs=lambda w: {"pk": _project(w).pk}),
    "discovery:opportunity_campaigns": Case(
        STAFF_200, kwargs=lambda w: {"pk": OpportunityFactory(client=w.client_org).pk}
    ),
    "discovery:project_campaign_create": Case(STAFF_200, kwargs=lambda w: {"pk": _project(w).pk}),
    "discovery:opportunity_campaign_create": Case(
        STAFF_200, kwargs=lambda w: {"pk": OpportunityFactory(client=w.client_org).pk}
    ),
    "discovery:campaign_detail": Case(STAFF_200, kwargs=lambda w: {"pk": _draft(w).pk}),
    "discovery:campaign_edit": Case(STAFF_200, kwargs=lambda w: {"pk": _draft(w).pk}),
    # Sending answers with the page of links, not a redirect.
    "discovery:campaign_send": Case(
        STAFF_200, kwargs=lambda w: {"pk": _draft(w).pk}, method="post"
    ),
    "discovery:campaign_remind": Case(
        STAFF_302, kwargs=lambda w: {"pk": _open(w).pk}, method="post"
    ),
    "discovery:campaign_resend_link": Case(STAFF_200, kwargs=_resend, method="post"),
    "discovery:campaign_links": Case(STAFF_200, kwargs=lambda w: {"pk": _open(w).pk}),
    "discovery:campaign_close": Case(
        STAFF_302, kwargs=lambda w: {"pk": _open(w).pk}, method="post"
    ),
    "discovery:campaign_results": Case(STAFF_200, kwargs=lambda w: {"pk": _open(w).pk}),
    # A personal link needs no account: whoever holds it may answer.
    "discovery:respond": Case(roles(200, 200, 200, 200, 200), kwargs=_token),
    "discovery:questionnaire_preview": Case(
        STAFF_200, kwargs=lambda w: {"pk": make_questionnaire().pk}
    ),
}

API_STAFF_200 = roles(401, 200, 200, 200, 403)

API: dict[str, Case] = {
    "GET /api/v1/projects/<project_id>/campaigns": Case(
        API_STAFF_200, kwargs=lambda w: {"project_id": _project(w).pk}
    ),
    "POST /api/v1/projects/<project_id>/campaigns": Case(
        roles(401, 201, 201, 201, 403),
        kwargs=lambda w: {"project_id": _project(w).pk},
        data=_new_campaign,
    ),
    "GET /api/v1/opportunities/<opportunity_id>/campaigns": Case(
        API_STAFF_200,
        kwargs=lambda w: {"opportunity_id": OpportunityFactory(client=w.client_org).pk},
    ),
    "POST /api/v1/opportunities/<opportunity_id>/campaigns": Case(
        roles(401, 201, 201, 201, 403),
        kwargs=lambda w: {"opportunity_id": OpportunityFactory(client=w.client_org).pk},
        data=_new_campaign,
    ),
    "GET /api/v1/campaigns/<campaign_id>": Case(
        API_STAFF_200, kwargs=lambda w: {"campaign_id": _draft(w).pk}
    ),
    # Writes without If-Match: 428 once the role may write.
    "PATCH /api/v1/campaigns/<campaign_id>": Case(
        roles(401, 428, 428, 428, 403), kwargs=lambda w: {"campaign_id": _draft(w).pk}
    ),
    "POST /api/v1/campaigns/<campaign_id>/send": Case(
        API_STAFF_200, kwargs=lambda w: {"campaign_id": _draft(w).pk}
    ),
    "POST /api/v1/campaigns/<campaign_id>/remind": Case(
        API_STAFF_200, kwargs=lambda w: {"campaign_id": _open(w).pk}
    ),
    "POST /api/v1/campaigns/<campaign_id>/close": Case(
        API_STAFF_200, kwargs=lambda w: {"campaign_id": _open(w).pk}
    ),
    "GET /api/v1/campaigns/<campaign_id>/results": Case(
        API_STAFF_200, kwargs=lambda w: {"campaign_id": _open(w).pk}
    ),
}
