"""Findings through the API: list and record them per project or deal, edit or link one, and
turn one into a requirement."""

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from charter.core import policy
from charter.discovery.api.parents import parent_operation
from charter.discovery.api.requirements import RequirementOut
from charter.discovery.models import Finding, Requirement
from charter.discovery.services import findings as services
from charter.discovery.views.parents import visible_parent

router = Router(tags=["findings"])

SourceKind = Literal["answer", "question", "interview", "focus_group", "idea", "interaction"]


class FindingOut(Schema):
    id: int
    project_id: int | None
    opportunity_id: int | None = Field(description="Set while the deal is not yet a project.")
    text: str
    latent_need: bool
    source: str = Field(
        description="answer, question, interview, focus_group or interaction (an idea's "
        "finding has source focus_group and idea_id)."
    )
    source_id: int
    idea_id: int | None
    source_label: str = Field(description="Where it came from, in the user's language.")
    requirement_id: int | None = Field(description="The requirement it backs, if any.")
    created_at: datetime.datetime

    @staticmethod
    def resolve_source(obj: Finding) -> str:
        return obj.source_kind

    @staticmethod
    def resolve_source_id(obj: Finding) -> int:
        return getattr(obj, f"{obj.source_kind}_id")

    @staticmethod
    def resolve_source_label(obj: Finding) -> str:
        return obj.source_label


class FindingIn(Schema):
    source: SourceKind = Field(
        description="What it was learned from. A question means its results (e.g. a Kano row) "
        "in a questionnaire this project or deal sent."
    )
    source_id: int
    text: str = Field(min_length=1, description="What was learned; the first line is a title.")
    latent_need: bool = False


class FindingPatch(Schema):
    text: str | None = Field(None, min_length=1)
    latent_need: bool | None = None
    requirement_id: int | None = Field(
        None, description="Link to an existing requirement of the same project or deal."
    )


class FindingFilters(Schema):
    source: SourceKind | None = None
    promoted: bool | None = Field(None, description="true: backs a requirement; false: not yet.")
    latent: bool | None = None


@parent_operation(
    router,
    "GET",
    "/findings",
    response=list[FindingOut],
    summary="A {parent}'s findings, newest first",
    rule=("discovery.finding", "view"),
    paginated=True,
)
def findings(request: HttpRequest, kind: str, pk: int, filters: Query[FindingFilters]) -> Any:
    parent = visible_parent(request.user, kind, pk)
    values = {key: value for key, value in filters.dict().items() if value is not None}
    rows = Finding.objects.for_user(request.user).filter(**{kind: parent})
    return services.filter_findings(rows, **values)


@parent_operation(
    router,
    "POST",
    "/findings",
    response={201: FindingOut},
    summary="Record a finding of a {parent} from a source",
    rule=("discovery.finding", "add"),
)
def create_finding(request: HttpRequest, kind: str, pk: int, payload: FindingIn) -> Any:
    parent = visible_parent(request.user, kind, pk)
    owner, source = services.resolve_source(
        request.user, payload.source, payload.source_id, parent_kind=kind, parent_id=pk
    )
    if owner != parent:
        raise ValidationError(
            {"source_id": _("This source belongs to another project or opportunity.")}
        )
    finding = services.record_finding(
        parent,
        source=source,
        text=payload.text,
        latent_need=payload.latent_need,
        actor=request.user,
    )
    return Status(201, finding)


def _finding(request: HttpRequest, pk: int, action: str) -> Finding:
    return get_object_or_404(Finding.objects.for_user(request.user, action), pk=pk)


@router.get("/findings/{finding_id}", response=FindingOut, summary="A finding")
@policy.api_requires("discovery.finding", "view")
def get_finding(request: HttpRequest, finding_id: int) -> Any:
    return _finding(request, finding_id, "view")


@router.patch(
    "/findings/{finding_id}",
    response=FindingOut,
    summary="Reword a finding, flag it latent, or link it to an existing requirement",
)
@policy.api_requires("discovery.finding", "change")
def update_finding(request: HttpRequest, finding_id: int, payload: FindingPatch) -> Any:
    finding = _finding(request, finding_id, "change")
    changes = payload.dict(exclude_unset=True)
    requirement_id = changes.pop("requirement_id", None)
    with transaction.atomic():  # both changes or neither
        if changes:
            services.update_finding(finding, actor=request.user, **changes)
        if requirement_id is not None:
            requirements = Requirement.objects.for_user(request.user)
            requirement = requirements.filter(pk=requirement_id).first()
            if requirement is None:
                raise ValidationError({"requirement_id": _("No such requirement.")})
            finding = services.link_finding(finding, actor=request.user, requirement=requirement)
    return finding


@router.post(
    "/findings/{finding_id}/promote",
    response={201: RequirementOut},
    summary="Turn a finding into a new requirement (once); answers the requirement",
)
@policy.api_requires("discovery.finding", "change")
def promote_finding(request: HttpRequest, finding_id: int) -> Any:
    finding = _finding(request, finding_id, "change")
    policy.check(request.user, "discovery.requirement", "add")
    return Status(201, services.promote_finding(finding, actor=request.user))
