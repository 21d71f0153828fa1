"""The plan through the API: tasks (the WBS tree; edits with ETag / If-Match), the links between
them and the schedule at a glance (baselines: ``planning.api.baselines``).

Every write is one service call that reschedules the project, so what a client reads next is
always a scheduled plan. Durations and lags are working days of 8 hours (as MS Project shows
them); a date-time without a zone is read in the site's time zone, the one plans are scheduled in.
"""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from charter.accounts.models import User
from charter.core import policy
from charter.core.api import (
    IF_MATCH,
    errors_on_field,
    patch_schema,
    read_with_etag,
    request_field_names,
    set_etag,
    update_with_if_match,
)
from charter.planning.adapters import to_aware
from charter.planning.choices import TaskConstraint
from charter.planning.forms.plan import days_to_minutes
from charter.planning.models import (
    MINUTES_PER_DAY,
    Calendar,
    Project,
    Task,
)
from charter.planning.querysets import visible_project
from charter.planning.services import plan as services

router = Router(tags=["plan"])

TASK = "planning.task"
DAYS = "Working days of 8 hours."
COMPUTED = "Computed by scheduling."
LAG = f"{DAYS} Negative: a lead (the successor may start that much earlier)."
LOCAL = "Without a time zone: the site's time zone."
# The services' field names → the request's, so a 422 points at what the client sent.
REQUEST_NAMES = {
    "duration": "duration_days",
    "owner": "owner_id",
    "calendar": "calendar_id",
    "parent": "parent_id",
    "predecessor": "predecessor_id",
    "successor": "successor_id",
    "lag": "lag_days",
    "pauses": "splits",
}


def in_days(minutes: int | None) -> Decimal | None:
    """Working minutes as days with two decimals (``10.00``, never ``1E+1``)."""
    if minutes is None:
        return None
    return (Decimal(minutes) / MINUTES_PER_DAY).quantize(Decimal("0.01"))


# ---- schemas -----------------------------------------------------------------------------------


class Split(Schema):
    after_days: Decimal = Field(
        gt=0, max_digits=7, decimal_places=2, description=f"Work done before it stops. {DAYS}"
    )
    pause_days: Decimal = Field(gt=0, max_digits=7, decimal_places=2, description=DAYS)


class Segment(Schema):
    start: datetime.datetime
    finish: datetime.datetime


SPLITS = (
    "Pauses in the task's work, in order; leveling writes them and they move with the task. "
    "Each comes after some work and before all of it is done."
)


class TaskOut(Schema):
    id: int
    wbs: str = Field(description="The outline code, e.g. 2.3.1.")
    outline_level: int = Field(description="1 at the top level.")
    parent_id: int | None = Field(description="The summary task it is under; null at the top.")
    name: str
    is_summary: bool = Field(description="Has tasks under it; its dates roll up from them.")
    is_milestone: bool
    duration_days: Decimal = Field(description=DAYS)
    effort_hours: Decimal | None
    priority: int = Field(description="1 to 1000, 500 by default.")
    owner_id: int | None
    percent_complete: int
    actual_start: datetime.datetime | None
    actual_finish: datetime.datetime | None
    constraint_type: TaskConstraint
    constraint_date: datetime.datetime | None
    calendar_id: int | None = Field(description="null: the project calendar.")
    deliverable: str
    cost: Decimal = Field(description="Fixed cost, in the project's currency.")
    notes: str
    client_visible: bool
    start: datetime.datetime | None = Field(description=COMPUTED)
    finish: datetime.datetime | None = Field(description=COMPUTED)
    late_start: datetime.datetime | None = Field(description=COMPUTED)
    late_finish: datetime.datetime | None = Field(description=COMPUTED)
    total_float_days: Decimal | None = Field(description=f"{COMPUTED} {DAYS}")
    free_float_days: Decimal | None = Field(description=f"{COMPUTED} {DAYS}")
    is_critical: bool = Field(description="No float: a delay to it delays the finish.")
    constraint_violated: bool = Field(description="Its links push it past its constraint.")
    splits: list[Split] = Field(description=SPLITS)
    segments: list[Segment] = Field(
        description=f"{COMPUTED} A split task's runs of work; empty when it is not split."
    )
    version: int = Field(description="Raised by every saved edit; the ETag is this in quotes.")

    @staticmethod
    def resolve_duration_days(task: Task) -> Decimal | None:
        return in_days(task.duration)

    @staticmethod
    def resolve_splits(task: Task) -> list[dict[str, Decimal | None]]:
        return [
            {"after_days": in_days(worked), "pause_days": in_days(length)}
            for worked, length in task.pauses
        ]

    @staticmethod
    def resolve_segments(task: Task) -> list[dict[str, datetime.datetime]]:
        return [{"start": start, "finish": finish} for start, finish in task.segment_moments]

    @staticmethod
    def resolve_total_float_days(task: Task) -> Decimal | None:
        return in_days(task.total_float)

    @staticmethod
    def resolve_free_float_days(task: Task) -> Decimal | None:
        return in_days(task.free_float)


class TaskIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    is_milestone: bool = Field(False, description="A milestone takes no time.")
    duration_days: Decimal = Field(Decimal("1"), ge=0, le=9999, decimal_places=2, description=DAYS)
    effort_hours: Decimal | None = Field(None, ge=0, max_digits=9, decimal_places=2)
    priority: int = Field(500, ge=1, le=1000)
    owner_id: int | None = Field(None, description="The project manager or one of the team.")
    percent_complete: int = Field(0, ge=0, le=100)
    actual_start: datetime.datetime | None = Field(None, description=LOCAL)
    actual_finish: datetime.datetime | None = Field(None, description=LOCAL)
    constraint_type: TaskConstraint = TaskConstraint.ASAP
    constraint_date: datetime.datetime | None = Field(
        None, description=f"Needed by SNET, SNLT, FNET, FNLT, MSO and MFO. {LOCAL}"
    )
    calendar_id: int | None = Field(
        None, description="A shared calendar or one of the project's; null: the project's."
    )
    deliverable: str = Field("", max_length=200)
    cost: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    notes: str = ""
    client_visible: bool = False
    splits: list[Split] = Field([], description=f"{SPLITS} [] joins them.")


class NewTaskIn(TaskIn):
    parent_id: int | None = Field(
        None, description="Add it as the last task under this one (which becomes a summary)."
    )
    after_id: int | None = Field(
        None, description="Add it right after this task, at the same level (wins over parent_id)."
    )


TaskPatch = patch_schema(TaskIn)


class TaskIdsIn(Schema):
    task_ids: list[int] = Field(
        min_length=1, description="Tasks of the project; the tasks under one move with it."
    )


class TaskMoveIn(Schema):
    direction: Literal["up", "down"] = Field(description="Swap with the task above or below.")


class TreeChangeOut(Schema):
    moved: int = Field(description="How many tasks moved; one with nowhere to go stays.")


class ScheduleOut(Schema):
    start: datetime.datetime | None = Field(description="The first task's start.")
    finish: datetime.datetime | None = Field(description="The last task's finish.")
    critical_path: list[int] = Field(description="The critical tasks' ids, by start.")
    task_count: int
    scheduled_at: datetime.datetime | None = Field(description="When it was last scheduled.")


# ---- ids in, rows out --------------------------------------------------------------------------


def _tasks(request: HttpRequest, action: str = "view") -> QuerySet[Task]:
    return Task.objects.for_user(request.user, action).select_related("project")


def task_of(project: Project, task_id: int, field: str) -> Task:
    task = Task.objects.filter(project=project, pk=task_id).first()
    if task is None:
        raise ValidationError({field: _("No task of this project has this ID.")})
    return task


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return to_aware(moment)


def _task_fields(values: dict[str, Any], project: Project) -> dict[str, Any]:
    """Request values → ``services.plan`` fields: days to minutes, ids to rows (unknown: 422)."""
    fields: dict[str, Any] = {}
    for name, value in values.items():
        if name == "duration_days":
            fields["duration"] = days_to_minutes(value)
        elif name == "splits":
            fields["pauses"] = [
                [days_to_minutes(split["after_days"]), days_to_minutes(split["pause_days"])]
                for split in value
            ]
        elif name == "owner_id":
            fields["owner"] = _owner(value)
        elif name == "calendar_id":
            fields["calendar"] = _calendar(value, project)
        elif isinstance(value, datetime.datetime):
            fields[name] = _aware(value)
        else:
            fields[name] = value
    return fields


def _owner(owner_id: int | None) -> User | None:
    owner = None if owner_id is None else User.objects.filter(pk=owner_id).first()
    if owner_id is not None and owner is None:
        raise ValidationError({"owner_id": _("The owner must be on the project team.")})
    return owner


def _calendar(calendar_id: int | None, project: Project) -> Calendar | None:
    usable = Calendar.objects.filter(Q(project__isnull=True) | Q(project=project))
    calendar = None if calendar_id is None else usable.filter(pk=calendar_id).first()
    if calendar_id is not None and calendar is None:
        raise ValidationError({"calendar_id": _("There is no calendar with this ID.")})
    return calendar


# ---- tasks -------------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/tasks",
    response=list[TaskOut],
    summary="A project's tasks in plan order (WBS order), with their scheduled dates",
)
@policy.api_requires(TASK, "view")
@paginate(LimitOffsetPagination)
def list_tasks(request: HttpRequest, project_id: int) -> Any:
    project = visible_project(request.user, project_id)
    return Task.objects.filter(project=project).order_by("position", "pk")


@router.post(
    "/projects/{project_id}/tasks",
    response={201: TaskOut},
    summary="Add a task (at the end, under parent_id or after after_id) and reschedule",
)
@policy.api_requires(TASK, "change")
def create_task(
    request: HttpRequest, response: HttpResponse, project_id: int, payload: NewTaskIn
) -> Any:
    project = visible_project(request.user, project_id)
    values = payload.dict()
    parent_id, after_id = values.pop("parent_id"), values.pop("after_id")
    parent = None if parent_id is None else task_of(project, parent_id, "parent_id")
    after = None if after_id is None else task_of(project, after_id, "after_id")
    fields = _task_fields(values, project)
    with request_field_names(REQUEST_NAMES):
        task = services.add_task(
            project, actor=request.user, parent=parent, after=after, fields=fields
        )
    set_etag(response, task)
    return Status(201, task)


@router.get("/tasks/{task_id}", response=TaskOut, summary="A task (with ETag)")
@policy.api_requires(TASK, "view")
def get_task(request: HttpRequest, response: HttpResponse, task_id: int) -> Any:
    return read_with_etag(response, _tasks(request), pk=task_id)


@router.patch(
    "/tasks/{task_id}",
    response=TaskOut,
    summary="Edit a task and reschedule (needs If-Match)",
    openapi_extra=IF_MATCH,
)
@policy.api_requires(TASK, "change")
def update_task(
    request: HttpRequest,
    response: HttpResponse,
    task_id: int,
    payload: TaskPatch,  # type: ignore[valid-type]
) -> Any:
    task = get_object_or_404(_tasks(request, "change"), pk=task_id)
    fields = _task_fields(payload.dict(exclude_unset=True), task.project)  # type: ignore[attr-defined]
    with request_field_names(REQUEST_NAMES):
        return update_with_if_match(request, response, services.update_task, task, fields=fields)


@router.delete(
    "/tasks/{task_id}",
    response={204: None},
    summary="Delete a task with the tasks under it and their links, and reschedule",
)
@policy.api_requires(TASK, "change")
def delete_task(request: HttpRequest, task_id: int) -> Any:
    task = get_object_or_404(_tasks(request, "change"), pk=task_id)
    services.delete_tasks(task.project, [task], actor=request.user)
    return Status(204, None)


def _chosen(project: Project, ids: list[int]) -> list[Task]:
    tasks = list(Task.objects.filter(project=project, pk__in=ids))
    missing = set(ids) - {task.pk for task in tasks}
    if missing:
        raise ValidationError(
            {
                "task_ids": _("No task of this project has the id %(ids)s.")
                % {"ids": ", ".join(map(str, sorted(missing)))}
            }
        )
    return tasks


@router.post(
    "/projects/{project_id}/tasks/indent",
    response=TreeChangeOut,
    summary="Indent tasks: each goes under the task just above it, as MS Project indents",
)
@policy.api_requires(TASK, "change")
def indent_tasks(request: HttpRequest, project_id: int, payload: TaskIdsIn) -> Any:
    project = visible_project(request.user, project_id)
    with errors_on_field("task_ids"):
        moved = services.indent_tasks(
            project, _chosen(project, payload.task_ids), actor=request.user
        )
    return {"moved": moved}


@router.post(
    "/projects/{project_id}/tasks/outdent",
    response=TreeChangeOut,
    summary="Outdent tasks: each moves up one level; the tasks below it become its own",
)
@policy.api_requires(TASK, "change")
def outdent_tasks(request: HttpRequest, project_id: int, payload: TaskIdsIn) -> Any:
    project = visible_project(request.user, project_id)
    with errors_on_field("task_ids"):
        moved = services.outdent_tasks(
            project, _chosen(project, payload.task_ids), actor=request.user
        )
    return {"moved": moved}


@router.post(
    "/tasks/{task_id}/move",
    response=TreeChangeOut,
    summary="Move a task (with the tasks under it) above or below its neighbour",
)
@policy.api_requires(TASK, "change")
def move_task(request: HttpRequest, task_id: int, payload: TaskMoveIn) -> Any:
    task = get_object_or_404(_tasks(request, "change"), pk=task_id)
    moved = services.move_task(task, actor=request.user, up=payload.direction == "up")
    return {"moved": int(moved)}


# ---- the schedule ------------------------------------------------------------------------------


@router.get(
    "/projects/{project_id}/schedule",
    response=ScheduleOut,
    summary="The plan's start, finish and critical path",
)
@policy.api_requires(TASK, "view")
def project_schedule(request: HttpRequest, project_id: int) -> Any:
    project = visible_project(request.user, project_id)
    tasks = Task.objects.filter(project=project)
    bounds = tasks.aggregate(start=Min("start"), finish=Max("finish"), count=Count("pk"))
    critical = tasks.filter(is_critical=True, is_summary=False).order_by("start", "position")
    return {
        "start": bounds["start"],
        "finish": bounds["finish"],
        "critical_path": list(critical.values_list("pk", flat=True)),
        "task_count": bounds["count"],
        "scheduled_at": project.scheduled_at,
    }
