"""Resource leveling through the API: propose (202, computed in the background), read a
proposal (poll its progress), apply or discard it."""

import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from charter.core import policy
from charter.planning.querysets import visible_project
from charter.resources.choices import LevelingMode, LevelingScope
from charter.resources.models.leveling import LevelingProposal
from charter.resources.services import leveling as services

router = Router(tags=["leveling"])

RULE = "resources.leveling"


class ProposeIn(Schema):
    mode: LevelingMode = LevelingMode.FAST
    scope: LevelingScope = Field(
        LevelingScope.PROJECT,
        description="across: every running project sharing a resource (a person or equipment) "
        "with this one.",
    )
    time_limit: int = Field(
        services.DEFAULT_TIME_LIMIT,
        ge=services.TIME_LIMIT_MIN,
        le=services.TIME_LIMIT_MAX,
        description="Seconds; optimise mode only.",
    )
    split: bool = Field(
        False,
        description="Leveling may split tasks of two days or more where a resource is busy.",
    )
    date_from: datetime.date | None = Field(
        None, description="Only tasks starting from this day may move."
    )
    date_to: datetime.date | None = Field(None, description="… until this day.")


class MoveOut(Schema):
    task_id: int
    project_id: int
    wbs: str
    name: str
    resources: list[str]
    start_before: datetime.datetime
    finish_before: datetime.datetime
    start_after: datetime.datetime
    finish_after: datetime.datetime
    delay_days: int = Field(description="Working days of the project calendar.")
    segments_after: list[tuple[datetime.datetime, datetime.datetime]] = Field(
        [], description="When leveling splits the task: its runs of work, [start, finish]."
    )
    split_before: bool = Field(
        False, description="The task is split now; without segments_after it is joined again."
    )


class UnplacedOut(Schema):
    task_id: int
    project_id: int
    wbs: str
    name: str
    reason: str = Field(description="over_capacity, no_room or predecessor.")
    resource: str


class ProposalOut(Schema):
    id: int
    project_id: int
    mode: str
    options: dict
    status: str = Field(description="running, ready, applied, discarded or failed.")
    progress: float = Field(description="0 to 1 while running.")
    error: str
    created_at: datetime.datetime
    finish_before: datetime.datetime | None = None
    finish_after: datetime.datetime | None = None
    over_allocations_before: int | None = None
    over_allocations_after: int | None = None
    moves: list[MoveOut] = []
    unplaced: list[UnplacedOut] = []


def _out(proposal: LevelingProposal) -> dict[str, object]:
    result = proposal.result
    return {
        "id": proposal.pk,
        "project_id": proposal.project_id,
        "mode": proposal.mode,
        "options": proposal.options,
        "status": proposal.status,
        "progress": proposal.progress,
        "error": proposal.error,
        "created_at": proposal.created_at,
        "finish_before": result.get("finish_before"),
        "finish_after": result.get("finish_after"),
        "over_allocations_before": result.get("over_before"),
        "over_allocations_after": result.get("over_after"),
        "moves": result.get("moves", []),
        "unplaced": result.get("unplaced", []),
    }


def _proposal(request: HttpRequest, proposal_id: int, action: str = "view") -> LevelingProposal:
    rows = LevelingProposal.objects.for_user(request.user, action)
    return get_object_or_404(rows, pk=proposal_id)


@router.post(
    "/projects/{project_id}/leveling",
    response={202: ProposalOut},
    summary="Propose a leveled plan (computed in the background)",
)
@policy.api_requires(RULE, "add")
def propose(request: HttpRequest, project_id: int, payload: ProposeIn) -> object:
    project = visible_project(request.user, project_id)
    proposal = services.propose(
        project,
        actor=request.user,
        mode=payload.mode,
        options=payload.dict(include=set(services.OPTIONS)),
    )
    return Status(202, _out(proposal))


@router.get("/leveling/{proposal_id}", response=ProposalOut, summary="A leveling proposal")
@policy.api_requires(RULE, "view")
def read(request: HttpRequest, proposal_id: int) -> object:
    return _out(_proposal(request, proposal_id))


@router.post(
    "/leveling/{proposal_id}/apply", response=ProposalOut, summary="Apply a ready proposal"
)
@policy.api_requires(RULE, "apply")
def apply(request: HttpRequest, proposal_id: int) -> object:
    proposal = services.apply(_proposal(request, proposal_id, "apply"), actor=request.user)
    return _out(proposal)


@router.post(
    "/leveling/{proposal_id}/discard", response=ProposalOut, summary="Discard a ready proposal"
)
@policy.api_requires(RULE, "apply")
def discard(request: HttpRequest, proposal_id: int) -> object:
    proposal = services.discard(_proposal(request, proposal_id, "apply"), actor=request.user)
    return _out(proposal)
