"""Baselines through the API: save the plan in one of its 11 slots, list and clear them, and
each task's variance against one, in working days of 8 hours (as MS Project shows them).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.planning.adapters import project_work_calendar
from charter.planning.models import BASELINE_SLOTS, Baseline, Project, Task
from charter.planning.querysets import visible_project
from charter.planning.services import baselines as services

router = Router(tags=["plan"])

BASELINE = "planning.baseline"


class BaselineOut(Schema):
    id: int
    number: int = Field(description="0 is “Baseline”, 1–10 “Baseline 1” … “Baseline 10”.")
    name: str
    start: datetime.datetime | None
    finish: datetime.datetime | None
    saved_by_id: int | None
    saved_at: datetime.datetime


class BaselineIn(Schema):
    number: int = Field(
        ge=0,
        le=BASELINE_SLOTS - 1,
        description="The slot, 0 to 10. A slot that holds a baseline is replaced (200).",
    )
    name: str = Field("", max_length=120, description="Empty: the slot's name.")


class VarianceOut(Schema):
    task_id: int
    wbs: str
    name: str
    baseline_start: datetime.datetime | None = Field(description="null: added after the baseline.")
    baseline_finish: datetime.datetime | None
    start_days: Decimal | None = Field(description="Current minus baseline, in working days.")
    finish_days: Decimal | None = Field(description="Current minus baseline, in working days.")
    duration_days: Decimal | None = Field(description="Current minus baseline, in working days.")
    cost: Decimal | None = Field(description="Current minus baseline fixed cost.")


@router.get(
    "/projects/{project_id}/baselines",
    response=list[BaselineOut],
    summary="A project's saved baselines (at most 11), by slot",
)
@policy.api_requires(BASELINE, "view")
def list_baselines(request: HttpRequest, project_id: int) -> Any:
    return Baseline.objects.filter(project=visible_project(request.user, project_id)).order_by(
        "number"
    )


@router.post(
    "/projects/{project_id}/baselines",
    response={200: BaselineOut, 201: BaselineOut},
    summary="Save the plan as a baseline (201; 200 when it replaces the slot's baseline)",
)
@policy.api_requires(BASELINE, "save")
def save_baseline(request: HttpRequest, project_id: int, payload: BaselineIn) -> Any:
    project = visible_project(request.user, project_id)
    replaces = Baseline.objects.filter(project=project, number=payload.number).exists()
    baseline = services.save_baseline(
        project, actor=request.user, number=payload.number, name=payload.name
    )
    return Status(200 if replaces else 201, baseline)


@router.delete("/baselines/{baseline_id}", response={204: None}, summary="Clear a baseline")
@policy.api_requires(BASELINE, "save")
def delete_baseline(request: HttpRequest, baseline_id: int) -> Any:
    visible = Baseline.objects.filter(project__in=Project.objects.for_user(request.user))
    services.clear_baseline(
        get_object_or_404(visible.select_related("project"), pk=baseline_id), actor=request.user
    )
    return Status(204, None)


@dataclass(frozen=True)
class VarianceRows:
    """The plan's tasks against a baseline, worked out only for the page asked for (ninja's
    pagination takes ``len()`` and a slice)."""

    project: Project
    baseline: Baseline

    def tasks(self) -> QuerySet[Task]:
        return Task.objects.filter(project=self.project).order_by("position", "pk")

    def __len__(self) -> int:
        return self.tasks().count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        rows = list(self.tasks()[page])
        calendar = project_work_calendar(self.project, rows)
        found = services.variances(rows, self.baseline, calendar)
        return [
            {"task_id": task.pk, "wbs": task.wbs, "name": task.name, **vars(found[task.pk])}
            for task in rows
        ]


@router.get(
    "/projects/{project_id}/baselines/{number}/variance",
    response=list[VarianceOut],
    summary="Each task's variance against a baseline, in plan order",
)
@policy.api_requires(BASELINE, "view")
@paginate(LimitOffsetPagination)
def baseline_variance(request: HttpRequest, project_id: int, number: int) -> Any:
    project = visible_project(request.user, project_id)
    baseline = get_object_or_404(Baseline, project=project, number=number)
    return VarianceRows(project, baseline)
