"""Permission-matrix rows of the requirements document, and the test data they (and the
document tests) share: documents made, published and sent through the services."""

from typing import Any

from charter.accounts.models import User
from charter.discovery.models import RequirementsDocument
from charter.discovery.tests.factories import (
    make_document,
    published_version,
    sent_request,
)
from charter.planning.tests.factories import make_project, planning_world
from charter.testing.factories import ContactFactory, OpportunityFactory
from charter.testing.matrix import LOGIN, Case, roles


def _project(w: Any) -> Any:
    return planning_world(w).project


def _manager() -> User:
    return User.objects.get(username="manager")


def _document(w: Any) -> RequirementsDocument:
    return published_version(_project(w), actor=_manager()).document


def _fresh_project(w: Any) -> dict[str, int]:
    """A new project the member is on (a project has one document: each role starts one)."""
    project = make_project(w.client_org, manager=_manager())
    project.members.add(User.objects.get(username="member"))
    return {"pk": project.pk}


def _deal_document_with_changes(w: Any) -> RequirementsDocument:
    """A deal's document with an unpublished change, so each role's publish has work to do."""
    deal = OpportunityFactory(client=w.client_org)
    return make_document(deal, background=w.unique("背景"))


def _token(w: Any) -> dict[str, str]:
    version = published_version(_project(w), actor=_manager())
    return {"token": sent_request(version)[1]}


def _version_pk(w: Any) -> dict[str, int]:
    return {"pk": published_version(_project(w), actor=_manager()).pk}


def _deal(w: Any) -> dict[str, int]:
    return {"pk": OpportunityFactory(client=w.client_org).pk}


def _contact_id(w: Any) -> dict[str, Any]:
    return {"contact_ids": [ContactFactory(client=w.client_org).pk]}


HTML: dict[str, Case] = {
    "discovery:project_document": Case(
        roles(LOGIN, 200, 200, 200, 403), kwargs=lambda w: {"pk": _project(w).pk}
    ),
    "discovery:opportunity_document": Case(roles(LOGIN, 200, 200, 200, 403), kwargs=_deal),
    # Each role starts the document of a new project or deal: 302 to the document page.
    "discovery:project_document_create": Case(
        roles(LOGIN, 302, 302, 302, 403),
        kwargs=_fresh_project,
        method="post",
        data={"language": "en"},
    ),
    "discovery:opportunity_document_create": Case(
        roles(LOGIN, 302, 302, 302, 403), kwargs=_deal, method="post", data={"language": "en"}
    ),
    "discovery:document_detail": Case(
        roles(LOGIN, 302, 302, 302, 403), kwargs=lambda w: {"pk": _document(w).pk}
    ),
    "discovery:document_edit": Case(
        roles(LOGIN, 200, 200, 200, 403), kwargs=lambda w: {"pk": _document(w).pk}
    ),
    "discovery:document_publish": Case(
        roles(LOGIN, 200, 200, 403, 403), kwargs=lambda w: {"pk": _document(w).pk}
    ),
    "discovery:document_diff": Case(
        roles(LOGIN, 200, 200, 200, 403), kwargs=lambda w: {"pk": _document(w).pk}
    ),
    "discovery:document_docx": Case(
        roles(LOGIN, 200, 200, 200, 403), kwargs=lambda w: {"pk": _document(w).pk}
    ),
    "discovery:document_print": Case(
        roles(LOGIN, 200, 200, 200, 403), kwargs=lambda w: {"pk": _document(w).pk}
    ),
    "discovery:document_version": Case(roles(LOGIN, 200, 200, 200, 403), kwargs=_version_pk),
    "discovery:document_send": Case(roles(LOGIN, 200, 200, 403, 403), kwargs=_version_pk),
    # The personal link: anyone holding a valid token, signed in or not.
    "discovery:confirm": Case(roles(200, 200, 200, 200, 200), kwargs=_token),
}

API: dict[str, Case] = {
    "GET /api/v1/projects/<project_id>/document": Case(
        roles(401, 200, 200, 200, 403), kwargs=lambda w: {"project_id": _document(w).project_id}
    ),
    "POST /api/v1/projects/<project_id>/document": Case(
        roles(401, 201, 201, 201, 403),
        kwargs=lambda w: {"project_id": _fresh_project(w)["pk"]},
        data={"language": "en"},
    ),
    "GET /api/v1/opportunities/<opportunity_id>/document": Case(
        roles(401, 200, 200, 200, 403),
        kwargs=lambda w: {"opportunity_id": _deal_document_with_changes(w).opportunity_id},
    ),
    "POST /api/v1/opportunities/<opportunity_id>/document": Case(
        roles(401, 201, 201, 201, 403),
        kwargs=lambda w: {"opportunity_id": OpportunityFactory(client=w.client_org).pk},
        data={"language": "zh-hans"},
    ),
    # Writes without If-Match: 428 once the role may write.
    "PATCH /api/v1/documents/<document_id>": Case(
        roles(401, 428, 428, 428, 403), kwargs=lambda w: {"document_id": _document(w).pk}
    ),
    "POST /api/v1/documents/<document_id>/publish": Case(
        roles(401, 201, 201, 403, 403),
        kwargs=lambda w: {"document_id": _deal_document_with_changes(w).pk},
    ),
    "GET /api/v1/documents/<document_id>/versions": Case(
        roles(401, 200, 200, 200, 403), kwargs=lambda w: {"document_id": _document(w).pk}
    ),
    "GET /api/v1/documents/<document_id>/diff": Case(
        roles(401, 422, 422, 422, 403), kwargs=lambda w: {"document_id": _document(w).pk}
    ),
    "GET /api/v1/document-versions/<version_id>": Case(
        roles(401, 200, 200, 200, 403),
        kwargs=lambda w: {"version_id": _version_pk(w)["pk"]},
    ),
    "POST /api/v1/document-versions/<version_id>/send": Case(
        roles(401, 201, 201, 403, 403),
        kwargs=lambda w: {"version_id": _version_pk(w)["pk"]},
        data=_contact_id,
    ),
    "GET /api/v1/document-versions/<version_id>/confirmations": Case(
        roles(401, 200, 200, 200, 403),
        kwargs=lambda w: {"version_id": _version_pk(w)["pk"]},
    ),
}
