"""Permission-matrix rows of interviews, focus groups and findings, and the builders the
session and finding tests share (rows made through the services, as users make them)."""

from dataclasses import dataclass
from typing import Any

from charter.accounts.models import User
from charter.discovery.models import (
    Finding,
    FocusGroup,
    Idea,
    Interview,
)
from charter.discovery.tests.factories import (
    HELD_AT,
    make_finding,
    make_focus_group,
    make_idea,
    make_interview,
)
from charter.planning.tests.factories import planning_world
from charter.testing.factories import ContactFactory, OpportunityFactory
from charter.testing.matrix import LOGIN, Case, roles


@dataclass
class SessionsWorld:
    project: Any
    deal: Any
    interview: Interview
    group: FocusGroup
    idea: Idea
    finding: Finding


def sessions_world(world: Any) -> SessionsWorld:
    """One of each, made once per matrix world, on the project the member is on."""
    if not hasattr(world, "sessions"):
        project = planning_world(world).project
        interview = make_interview(project)
        group = make_focus_group(project)
        world.sessions = SessionsWorld(
            project=project,
            deal=OpportunityFactory(client=world.client_org),
            interview=interview,
            group=group,
            idea=make_idea(group),
            finding=make_finding(project, source=interview),
        )
    return world.sessions


def _project(w: Any) -> dict[str, int]:
    return {"pk": sessions_world(w).project.pk}


def _deal(w: Any) -> dict[str, int]:
    return {"pk": sessions_world(w).deal.pk}


def _interview(w: Any) -> dict[str, int]:
    return {"pk": sessions_world(w).interview.pk}


def _group(w: Any) -> dict[str, int]:
    return {"pk": sessions_world(w).group.pk}


def _finding(w: Any) -> dict[str, int]:
    return {"pk": sessions_world(w).finding.pk}


def _fresh_finding(w: Any) -> dict[str, int]:
    world = sessions_world(w)
    return {"pk": make_finding(world.project, source=world.interview).pk}


def _votes(w: Any) -> dict[str, Any]:
    world = sessions_world(w)
    return {"participant": world.group.participants.first().pk, f"idea_{world.idea.pk}": 1}


STAFF_PAGE = roles(LOGIN, 200, 200, 200, 403)
MANAGERS_PAGE = roles(LOGIN, 200, 200, 403, 403)
STAFF_POST = roles(LOGIN, 302, 302, 302, 403)

HTML: dict[str, Case] = {
    "discovery:project_interviews": Case(STAFF_PAGE, kwargs=_project),
    "discovery:project_interview_create": Case(STAFF_PAGE, kwargs=_project),
    "discovery:opportunity_interviews": Case(STAFF_PAGE, kwargs=_deal),
    "discovery:opportunity_interview_create": Case(STAFF_PAGE, kwargs=_deal),
    "discovery:interview_detail": Case(STAFF_PAGE, kwargs=_interview),
    "discovery:interview_edit": Case(STAFF_PAGE, kwargs=_interview),
    "discovery:interview_delete": Case(MANAGERS_PAGE, kwargs=_interview),
    "discovery:project_focusgroups": Case(STAFF_PAGE, kwargs=_project),
    "discovery:project_focusgroup_create": Case(STAFF_PAGE, kwargs=_project),
    "discovery:opportunity_focusgroups": Case(STAFF_PAGE, kwargs=_deal),
    "discovery:opportunity_focusgroup_create": Case(STAFF_PAGE, kwargs=_deal),
    "discovery:focusgroup_detail": Case(STAFF_PAGE, kwargs=_group),
    "discovery:focusgroup_edit": Case(STAFF_PAGE, kwargs=_group),
    "discovery:focusgroup_delete": Case(MANAGERS_PAGE, kwargs=_group),
    "discovery:focusgroup_idea_add": Case(
        STAFF_POST, kwargs=_group, method="post", data={"text": "报表自动推送"}
    ),
    "discovery:focusgroup_votes": Case(STAFF_POST, kwargs=_group, method="post", data=_votes),
    "discovery:project_findings": Case(STAFF_PAGE, kwargs=_project),
    "discovery:opportunity_findings": Case(STAFF_PAGE, kwargs=_deal),
    "discovery:finding_from_source": Case(
        STAFF_PAGE,
        data=lambda w: {"source": "interview", "source_id": sessions_world(w).interview.pk},
    ),
    "discovery:finding_promote": Case(STAFF_POST, kwargs=_fresh_finding, method="post"),
    "discovery:finding_edit": Case(STAFF_PAGE, kwargs=_finding),
    "discovery:finding_link": Case(STAFF_PAGE, kwargs=_finding),
}


def _manager_id() -> int:
    return User.objects.get(username="manager").pk


def _interview_in(w: Any) -> dict[str, Any]:
    return {
        "title": w.unique("访谈"),
        "held_at": HELD_AT.isoformat(),
        "interviewer_ids": [_manager_id()],
        "interviewee_ids": [ContactFactory(client=w.client_org).pk],
    }


def _focus_group_in(w: Any) -> dict[str, Any]:
    return {
        "title": w.unique("焦点小组"),
        "held_at": HELD_AT.isoformat(),
        "facilitator_ids": [_manager_id()],
        "participant_ids": [ContactFactory(client=w.client_org).pk],
    }


def _api(name: str, value: Any) -> Any:
    return lambda w: {name: value(w)}


API_STAFF_READ = roles(401, 200, 200, 200, 403)
API_STAFF_CREATE = roles(401, 201, 201, 201, 403)
NEEDS_IF_MATCH = roles(401, 428, 428, 428, 403)
MANAGERS_DELETE = roles(401, 204, 204, 403, 403)

API: dict[str, Case] = {
    # interviews
    "GET /api/v1/projects/<project_id>/interviews": Case(
        API_STAFF_READ, kwargs=_api("project_id", lambda w: sessions_world(w).project.pk)
    ),
    "POST /api/v1/projects/<project_id>/interviews": Case(
        API_STAFF_CREATE,
        kwargs=_api("project_id", lambda w: sessions_world(w).project.pk),
        data=_interview_in,
    ),
    "GET /api/v1/opportunities/<opportunity_id>/interviews": Case(
        API_STAFF_READ, kwargs=_api("opportunity_id", lambda w: sessions_world(w).deal.pk)
    ),
    "POST /api/v1/opportunities/<opportunity_id>/interviews": Case(
        API_STAFF_CREATE,
        kwargs=_api("opportunity_id", lambda w: sessions_world(w).deal.pk),
        data=_interview_in,
    ),
    "GET /api/v1/interviews/<interview_id>": Case(
        API_STAFF_READ, kwargs=_api("interview_id", lambda w: sessions_world(w).interview.pk)
    ),
    "PATCH /api/v1/interviews/<interview_id>": Case(
        NEEDS_IF_MATCH, kwargs=_api("interview_id", lambda w: sessions_world(w).interview.pk)
    ),
    "DELETE /api/v1/interviews/<interview_id>": Case(
        MANAGERS_DELETE,
        kwargs=_api("interview_id", lambda w: make_interview(sessions_world(w).project).pk),
    ),
    # focus groups
    "GET /api/v1/projects/<project_id>/focus-groups": Case(
        API_STAFF_READ, kwargs=_api("project_id", lambda w: sessions_world(w).project.pk)
    ),
    "POST /api/v1/projects/<project_id>/focus-groups": Case(
        API_STAFF_CREATE,
        kwargs=_api("project_id", lambda w: sessions_world(w).project.pk),
        data=_focus_group_in,
    ),
    "GET /api/v1/opportunities/<opportunity_id>/focus-groups": Case(
        API_STAFF_READ, kwargs=_api("opportunity_id", lambda w: sessions_world(w).deal.pk)
    ),
    "POST /api/v1/opportunities/<opportunity_id>/focus-groups": Case(
        API_STAFF_CREATE,
        kwargs=_api("opportunity_id", lambda w: sessions_world(w).deal.pk),
        data=_focus_group_in,
    ),
    "GET /api/v1/focus-groups/<focus_group_id>": Case(
        API_STAFF_READ, kwargs=_api("focus_group_id", lambda w: sessions_world(w).group.pk)
    ),
    "PATCH /api/v1/focus-groups/<focus_group_id>": Case(
        NEEDS_IF_MATCH, kwargs=_api("focus_group_id", lambda w: sessions_world(w).group.pk)
    ),
    "DELETE /api/v1/focus-groups/<focus_group_id>": Case(
        MANAGERS_DELETE,
        kwargs=_api("focus_group_id", lambda w: make_focus_group(sessions_world(w).project).pk),
    ),
    "GET /api/v1/focus-groups/<focus_group_id>/ideas": Case(
        API_STAFF_READ, kwargs=_api("focus_group_id", lambda w: sessions_world(w).group.pk)
    ),
    "POST /api/v1/focus-groups/<focus_group_id>/ideas": Case(
        API_STAFF_CREATE,
        kwargs=_api("focus_group_id", lambda w: sessions_world(w).group.pk),
        data=lambda w: {"text": w.unique("想法")},
    ),
    "PUT /api/v1/focus-groups/<focus_group_id>/votes": Case(
        API_STAFF_READ,
        kwargs=_api("focus_group_id", lambda w: sessions_world(w).group.pk),
        data=lambda w: {
            "participant_id": sessions_world(w).group.participants.first().pk,
            "dots": [{"idea_id": sessions_world(w).idea.pk, "dots": 2}],
        },
    ),
    # findings
    "GET /api/v1/projects/<project_id>/findings": Case(
        API_STAFF_READ, kwargs=_api("project_id", lambda w: sessions_world(w).project.pk)
    ),
    "POST /api/v1/projects/<project_id>/findings": Case(
        API_STAFF_CREATE,
        kwargs=_api("project_id", lambda w: sessions_world(w).project.pk),
        data=lambda w: {
            "source": "interview",
            "source_id": sessions_world(w).interview.pk,
            "text": w.unique("发现"),
        },
    ),
    "GET /api/v1/opportunities/<opportunity_id>/findings": Case(
        API_STAFF_READ, kwargs=_api("opportunity_id", lambda w: sessions_world(w).deal.pk)
    ),
    "POST /api/v1/opportunities/<opportunity_id>/findings": Case(
        API_STAFF_CREATE,
        kwargs=lambda w: {"opportunity_id": sessions_world(w).deal.pk},
        data=lambda w: {
            "source": "interview",
            "source_id": _deal_interview(w).pk,
            "text": w.unique("发现"),
        },
    ),
    "GET /api/v1/findings/<finding_id>": Case(
        API_STAFF_READ, kwargs=_api("finding_id", lambda w: sessions_world(w).finding.pk)
    ),
    "PATCH /api/v1/findings/<finding_id>": Case(
        API_STAFF_READ,
        kwargs=_api("finding_id", lambda w: sessions_world(w).finding.pk),
        data=lambda w: {"text": w.unique("发现")},
    ),
    "POST /api/v1/findings/<finding_id>/promote": Case(
        API_STAFF_CREATE, kwargs=lambda w: {"finding_id": _fresh_finding(w)["pk"]}
    ),
}


def _deal_interview(w: Any) -> Interview:
    world = sessions_world(w)
    if not hasattr(world, "deal_interview"):
        world.deal_interview = make_interview(world.deal)  # type: ignore[attr-defined]
    return world.deal_interview  # type: ignore[attr-defined,no-any-return]
