"""A plan's links (dependencies) through the API: list, add (a loop is a 422 naming its
tasks), change and remove; each change reschedules."""

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from charter.core import policy
from charter.core.api import request_field_names
from charter.planning.api.plan import LAG, REQUEST_NAMES, TASK, in_days, task_of
from charter.planning.choices import DependencyType
from charter.planning.forms.plan import days_to_minutes
from charter.planning.models import Dependency, Project
from charter.planning.querysets import visible_project
from charter.planning.services import plan as services

router = Router(tags=["plan"])


class DependencyOut(Schema):
    id: int
    predecessor_id: int
    successor_id: int
    type: DependencyType
    lag_days: Decimal = Field(description=LAG)

    @staticmethod
    def resolve_lag_days(link: Dependency) -> Decimal | None:
        return in_days(link.lag)


class DependencyIn(Schema):
    predecessor_id: int
    successor_id: int
    type: DependencyType = DependencyType.FS
    lag_days: Decimal = Field(Decimal("0"), ge=-999, le=999, decimal_places=2, description=LAG)


class DependencyPatch(Schema):
    type: DependencyType | None = None
    lag_days: Decimal | None = Field(None, ge=-999, le=999, decimal_places=2, description=LAG)


class DependencyFilter(Schema):
    task_id: int | None = Field(None, description="Only the links into or out of this task.")


def _links(request: HttpRequest) -> QuerySet[Dependency]:
    visible = Project.objects.for_user(request.user)
    return Dependency.objects.filter(project__in=visible).select_related("project")


@router.get(
    "/projects/{project_id}/dependencies",
    response=list[DependencyOut],
    summary="A project's links between tasks",
)
@policy.api_requires(TASK, "view")
@paginate(LimitOffsetPagination)
def list_dependencies(
    request: HttpRequest, project_id: int, filters: Query[DependencyFilter]
) -> Any:
    links = Dependency.objects.filter(project=visible_project(request.user, project_id)).order_by(
        "pk"
    )
    if filters.task_id is not None:
        links = links.filter(Q(predecessor_id=filters.task_id) | Q(successor_id=filters.task_id))
    return links


@router.post(
    "/projects/{project_id}/dependencies",
    response={201: DependencyOut},
    summary="Link two tasks and reschedule; a link that closes a loop is 422",
    description="The 422 names the tasks of the loop; nothing is saved.",
)
@policy.api_requires(TASK, "change")
def create_dependency(request: HttpRequest, project_id: int, payload: DependencyIn) -> Any:
    project = visible_project(request.user, project_id)
    predecessor = task_of(project, payload.predecessor_id, "predecessor_id")
    successor = task_of(project, payload.successor_id, "successor_id")
    with request_field_names(REQUEST_NAMES):
        link = services.add_dependency(
            project,
            actor=request.user,
            predecessor=predecessor,
            successor=successor,
            type=payload.type,
            lag=days_to_minutes(payload.lag_days),
        )
    return Status(201, link)


@router.patch(
    "/dependencies/{dependency_id}",
    response=DependencyOut,
    summary="Change a link's type or lag and reschedule",
)
@policy.api_requires(TASK, "change")
def update_dependency(request: HttpRequest, dependency_id: int, payload: DependencyPatch) -> Any:
    link = get_object_or_404(_links(request), pk=dependency_id)
    lag = link.lag if payload.lag_days is None else days_to_minutes(payload.lag_days)
    with request_field_names(REQUEST_NAMES):
        return services.update_dependency(
            link, actor=request.user, type=payload.type or link.type, lag=lag
        )


@router.delete(
    "/dependencies/{dependency_id}", response={204: None}, summary="Remove a link and reschedule"
)
@policy.api_requires(TASK, "change")
def delete_dependency(request: HttpRequest, dependency_id: int) -> Any:
    services.delete_dependency(
        get_object_or_404(_links(request), pk=dependency_id), actor=request.user
    )
    return Status(204, None)
